"""The real parts work on this machine: JACK audio, PortAudio via sounddevice,
rtmidi over JACK MIDI, and pygame under the SDL dummy driver.

These are the templates for later real-device tests. Every wait is bounded.
"""

from __future__ import annotations

import threading
import time

import numpy as np

RAMP_DENOM = 65536.0  # ramp values k/65536 (k < 2**16) are exact in float32


def _ramp(start: int, frames: int) -> np.ndarray:
    """Samples start+1 .. start+frames as exact float32 values (0 = silence)."""
    k = (np.arange(start, start + frames, dtype=np.int64) % 65535) + 1
    return (k / RAMP_DENOM).astype(np.float32)


# --------------------------------------------------------------------------- (a)
def test_jack_client_loopback_is_sample_exact(jack_server):
    import jack

    cycles = 64
    client = jack.Client("rcx-env-loop", no_start_server=True, servername=jack_server.name)
    try:
        period = client.blocksize
        assert client.samplerate == jack_server.samplerate == 48000
        assert period == jack_server.period

        outport = client.outports.register("out")
        inport = client.inports.register("in")
        written = np.zeros((cycles, period), np.float32)
        captured = np.zeros((cycles, period), np.float32)
        state = {"armed": False, "cycle": 0, "bad_frames": 0}
        done = threading.Event()

        @client.set_process_callback
        def process(frames):
            out = outport.get_array()
            if not state["armed"] or state["cycle"] >= cycles:
                out.fill(0.0)
                return
            if frames != period:
                state["bad_frames"] += 1
            i = state["cycle"]
            captured[i] = inport.get_array()  # read before writing this cycle
            ramp = _ramp(i * period, period)
            out[:] = ramp
            written[i] = ramp
            state["cycle"] = i + 1
            if i + 1 == cycles:
                done.set()

        client.activate()
        client.connect(outport, inport)
        assert [p.name for p in client.get_all_connections(outport)] == [inport.name]
        state["armed"] = True
        assert done.wait(10), f"only {state['cycle']}/{cycles} JACK cycles ran in 10 s"
        client.deactivate()
    finally:
        client.close()

    assert state["bad_frames"] == 0
    cap, wr = captured.ravel(), written.ravel()
    nonzero = np.flatnonzero(cap)
    assert nonzero.size, "nothing arrived at the input port"
    first = int(nonzero[0])
    # Which written sample is the first one that arrived?  -> the delay.
    src = int(round(float(cap[first]) * RAMP_DENOM)) - 1
    delay = first - src
    assert delay >= 0 and delay % period == 0, f"delay {delay} is not a whole number of periods"
    assert delay <= 4 * period, f"loopback delay {delay} frames is implausibly long"
    # Everything from the first arrival on is exactly what was written, delayed.
    np.testing.assert_array_equal(cap[first:], wr[src:src + cap.size - first])
    assert cap.size - first >= 32 * period
    assert not cap[:first].any()


# --------------------------------------------------------------------------- (b)
def test_sounddevice_jack_output_stream_runs(jack_server):
    import sounddevice as sd

    # PortAudio enumerated devices when sounddevice was imported; see jackserver.py.
    sd._terminate()
    sd._initialize()

    hostapis = sd.query_hostapis()
    jack_apis = [i for i, api in enumerate(hostapis) if "JACK" in api["name"]]
    assert jack_apis, f"PortAudio has no JACK host API: {[a['name'] for a in hostapis]}"
    devices = [i for i, d in enumerate(sd.query_devices())
               if d["hostapi"] in jack_apis and d["max_output_channels"] > 0]
    assert devices, f"no JACK output device:\n{sd.query_devices()}"

    calls = []
    statuses = []

    def callback(outdata, frames, time_info, status):
        if status:
            statuses.append(str(status))
        calls.append(frames)
        outdata.fill(0)

    stream = sd.OutputStream(device=devices[0], samplerate=48000, blocksize=128,
                             channels=1, dtype="float32", callback=callback)
    try:
        stream.start()
        time.sleep(0.5)
        stream.stop()
    finally:
        stream.close()

    assert len(calls) >= 150, (f"callback ran {len(calls)} times in 0.5 s (expected ~187); "
                               f"statuses: {statuses}")
    assert set(calls) == {128}
    # Under/overflow statuses are not asserted: on a loaded box without
    # realtime scheduling they happen and say nothing about the code.


# --------------------------------------------------------------------------- (c)
def test_rtmidi_over_jack_roundtrip(jack_server):
    import jack
    import rtmidi

    from rockstar_cx.midi.ports import graph_changed, release

    assert rtmidi.API_UNIX_JACK in rtmidi.get_compiled_api(), \
        "python-rtmidi was built without JACK support"

    midi_out = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="rcx-env-midi-out")
    midi_in = rtmidi.MidiIn(rtapi=rtmidi.API_UNIX_JACK, name="rcx-env-midi-in")
    client = jack.Client("rcx-env-midi-ctl", no_start_server=True, servername=jack_server.name)
    try:
        midi_out.open_virtual_port("out")
        midi_in.open_virtual_port("in")
        midi_in.ignore_types(sysex=False, timing=False, active_sense=False)

        src = client.get_ports("rcx-env-midi-out", is_midi=True, is_output=True)
        dst = client.get_ports("rcx-env-midi-in", is_midi=True, is_input=True)
        assert len(src) == 1 and len(dst) == 1, [p.name for p in client.get_ports(is_midi=True)]
        client.connect(src[0], dst[0])

        note_on = [0x90, 60, 100]
        midi_out.send_message(note_on)
        received = None
        deadline = time.monotonic() + 3.0
        while received is None and time.monotonic() < deadline:
            received = midi_in.get_message()
            if received is None:
                time.sleep(0.001)
        assert received is not None, "note-on did not arrive within 3 s"
        message, _delta = received
        assert bytes(message) == bytes(note_on)
        assert midi_in.get_message() is None  # exactly one message
    finally:
        client.close()
        graph_changed()  # the ports were opened and connected moments ago
        release(midi_in, "jack")
        release(midi_out, "jack")


# --------------------------------------------------------------------------- (d)
def test_pygame_window_under_sdl_dummy():
    import os

    assert os.environ.get("SDL_VIDEODRIVER") == "dummy" or os.environ.get("DISPLAY")
    import pygame

    # Never pygame.init(): it would open the mixer (SDL audio).
    pygame.display.init()
    pygame.font.init()
    try:
        window = pygame.Window("rockstar-cx test", (320, 200))
        try:
            surface = window.get_surface()
            assert surface.get_size() == (320, 200)
            surface.fill((10, 20, 30))
            pygame.draw.rect(surface, (255, 0, 0), pygame.Rect(100, 50, 40, 30))
            font = pygame.font.Font(None, 24)
            text = font.render("CX", True, (255, 255, 255))
            assert text.get_width() > 0 and text.get_height() > 0
            surface.blit(text, (5, 5))
            window.flip()
            assert surface.get_at((0, 199))[:3] == (10, 20, 30)
            assert surface.get_at((120, 65))[:3] == (255, 0, 0)
            assert any(surface.get_at((x, y))[:3] == (255, 255, 255)
                       for x in range(5, 5 + text.get_width())
                       for y in range(5, 5 + text.get_height()))
        finally:
            window.destroy()
    finally:
        pygame.font.quit()
        pygame.display.quit()
    assert not pygame.mixer.get_init()


def test_the_wheel_lists_every_package_of_the_source():
    """A package the wheel leaves out installs as an app that fails at its first import of it."""
    import tomllib
    from pathlib import Path

    import rockstar_cx

    root = Path(rockstar_cx.__file__).parent
    found = {"rockstar_cx." + ".".join(p.parent.relative_to(root).parts) for p in root.rglob("__init__.py")
             if p.parent != root} | {"rockstar_cx"}
    listed = set(tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert found <= listed, sorted(found - listed)
