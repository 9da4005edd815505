"""The room microphone's ring: by show position, exact, lock-free — and on a real JACK device, the
show heard back through a loop from the engine's output to its input, one constant round trip later."""

from __future__ import annotations

import threading
import time
import uuid

import jack
import numpy as np
import pytest

from jackcapture import Loop, XrunMonitor
from played import Played
from rockstar_cx.audio.commands import PlayProbe
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.ipc import Applied
from rockstar_cx.audio.probe import probe
from rockstar_cx.audio.room import RoomRing
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import Hit, Start
from rockstar_cx.errors import ShowError
from rockstar_cx.listening import Latency
from rockstar_cx.live.listener import RoomListener
from rockstar_cx.live.roomcal import heard_probe, load_round_trip, round_trip, save_round_trip
from rockstar_cx.live.view import EngineView

from ..conductor.shows import make_show, moment, section

RATE = 48000
ROUND_TRIP_MAX = 8 * 128  # a few periods through JACK's loop, and no more
LOOP_PERIODS = 2  # JACK's loop from the engine's output to its input, as measured here


@pytest.fixture
def ring():
    made = RoomRing.create(f"rcx-test-{uuid.uuid4().hex[:8]}", 100)  # 20 s at "100 Hz": 2,000 samples
    yield made
    made.close()


def test_samples_are_read_back_by_show_position_across_the_wrap(ring):
    assert ring.capacity == 2000 and ring.position == 0 and ring.read(0, 1) is None  # nothing heard yet
    interleaved = np.arange(2 * 2600, dtype=np.float32).reshape(-1, 2)  # a stereo input: the room is channel 2
    output = -interleaved  # and a stereo output: its first channel is what the main mix played
    for start in range(0, 2600, 128):
        ring.write(start, interleaved[start:start + 128, 1], output[start:start + 128, 0])
    assert ring.position == 2600
    np.testing.assert_array_equal(ring.read(1900, 2600), interleaved[1900:2600, 1])  # across the wrap
    np.testing.assert_array_equal(ring.read(1900, 2600, played=True), output[1900:2600, 0])
    assert ring.read(599, 700) is None  # written over by the wrap
    assert ring.read(2500, 2601) is None  # not heard yet
    np.testing.assert_array_equal(ring.read(600, 2600), interleaved[600:2600, 1])  # the whole ring


def test_a_block_played_again_at_the_same_position_is_heard_once(ring):
    silence = np.zeros(128, np.float32)
    ring.write(0, np.ones(128, np.float32), silence)
    ring.write(0, np.full(128, 2, np.float32), silence)  # a dropped block: the show's time stood still
    ring.write(128, np.full(128, 3, np.float32), silence)
    np.testing.assert_array_equal(ring.read(0, 256), np.repeat(np.float32([2, 3]), 128))


def test_a_reader_in_another_process_sees_the_same_samples(ring):
    ring.write(0, np.linspace(-1, 1, 512, dtype=np.float32), np.zeros(512, np.float32))
    other = RoomRing.attach(ring.memory.name)
    try:
        np.testing.assert_array_equal(other.read(100, 400), ring.read(100, 400))
        assert other.capacity == ring.capacity and other.position == 512
    finally:
        other.close()


CLICKS = make_show([section("a", "x...", sound="click")], [moment("m", ("a",), 0, tempo=240.0)], count_in=0)


def test_the_room_hears_the_show_one_constant_round_trip_later(jack_server):
    loop, monitor = Loop(), XrunMonitor("room-xruns")
    try:
        with AudioEngine(EngineConfig(CLICKS, device="system", room_channel=1)) as engine:
            assert engine.start_state == "ok"
            played = Played(engine)
            loop.wire()
            time.sleep(0.5)  # connecting may cost JACK a cycle: let it pass
            xruns = monitor.xruns
            engine.send(Start(count_in=False))
            time.sleep(3.0)
            hits = [e.sample for e in played() if type(e) is Hit]
            end = engine.room.position
            heard = engine.room.read(end - 3 * RATE, end)
            sent = engine.room.read(end - 3 * RATE, end, played=True)
            xruns = monitor.xruns - xruns
    finally:
        loop.close()
        monitor.close()
    assert heard is not None and len(hits) >= 10
    loop = LOOP_PERIODS * jack_server.period
    if xruns == 0:  # a dropped JACK cycle shifts the input against the output by a period
        assert np.array_equal(heard[loop:], sent[:-loop])  # the loop hears exactly what was played
    start = end - 3 * RATE
    loud = np.flatnonzero(np.abs(heard) > 1e-4)
    onsets = loud[np.insert(np.diff(loud) > 2000, 0, True)] + start  # a click after silence
    # each hit heard once, a little later (a hit at the very start of the read may be cut)
    delays = [int(onsets[(onsets >= hit) & (onsets <= hit + ROUND_TRIP_MAX)][0]) - hit
              for hit in hits if start <= hit and np.any((onsets >= hit) & (onsets <= hit + ROUND_TRIP_MAX))]
    assert len(delays) >= 10 and len(onsets) <= len(hits), (hits, list(onsets))
    if xruns == 0:
        assert set(delays) == {loop}, delays
    assert len(delays) >= len(hits) - 2, (hits, list(onsets))  # every hit but one cut at either end


class Clapper:
    """A JACK client between the engine's output and its room input: the PA, 40 dB down, as a microphone at the
    back hears it, and a clap (10 ms of noise, its clap band about -18 dBFS) when asked.  :attr:`sent` holds, for
    each clap, the time (perf_counter) the JACK cycle it sounds in began to be processed."""

    PA_GAIN = 0.01

    def __init__(self) -> None:
        self.burst = np.random.default_rng(1).normal(0.0, 0.3, 480).astype(np.float32)
        self.asked = threading.Event()
        self.sent: list[float] = []
        self._at: int | None = None  # where in the burst the next cycle goes on
        self.client = jack.Client("clapper", no_start_server=True)
        self.pa = self.client.inports.register("pa")
        self.port = self.client.outports.register("mic")
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        out = self.port.get_array()
        np.multiply(self.pa.get_array(), self.PA_GAIN, out=out)
        if self._at is None and self.asked.is_set():
            self.asked.clear()
            self._at = 0
            self.sent.append(time.perf_counter())
        if self._at is not None:
            piece = self.burst[self._at:self._at + frames]
            out[:len(piece)] += piece
            self._at = self._at + frames if self._at + frames < len(self.burst) else None

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def test_a_clap_reaches_the_consoles_meter_within_60_ms(jack_server):
    """Claps into the engine's room input, the show playing, heard back, and its bars measured beside the meter (a
    measure takes ~70 ms of the listener): each clap is on the meter the console shows (RoomListener.now) within
    60 ms of the JACK cycle it sounded in — issue 15's bound; a period and the meter's 20 ms poll, at most, expected."""
    loop, clapper = Loop("meter-loop"), Clapper()
    delays: list[float] = []
    try:
        with AudioEngine(EngineConfig(CLICKS, device="system", room_channel=1)) as engine:
            app = loop.wire(source=clapper.port.name)
            loop.client.connect(f"{app}:out_0", clapper.pa.name)
            view = EngineView.of(engine)
            listener = RoomListener(CLICKS, RATE, engine.room, view)
            measures = []  # the bars the listener measured meanwhile, whatever it made of them
            measure = listener._measure
            listener._measure = lambda *bar: measures.append(bar[0].bar) or measure(*bar)
            listener.start()
            try:
                engine.send(Start(count_in=False))
                time.sleep(2.5)  # a bar or two heard: the listener measures them now and then from here on
                for _ in range(20):  # 6 s: the listener measures three bars meanwhile
                    assert listener.now.level_db < -45.0  # only the PA, far away, before each clap
                    clapper.asked.set()
                    deadline = time.perf_counter() + 0.5
                    while listener.now.level_db < -30.0 and time.perf_counter() < deadline:
                        time.sleep(0.001)
                    delays.append(time.perf_counter() - clapper.sent[-1])
                    time.sleep(0.3)
            finally:
                listener.stop()
                view.close()
    finally:
        loop.close()
        clapper.close()
    assert len(measures) >= 3  # bars really were measured beside the meter
    assert 0.0 < min(delays) and max(delays) <= 0.060, [round(d * 1000, 1) for d in delays]


def test_calibration_finds_the_loops_round_trip_to_a_fraction_of_a_sample(jack_server):
    loop = Loop()
    try:
        with AudioEngine(EngineConfig(CLICKS, device="system", room_channel=1)) as engine:
            loop.wire()
            time.sleep(0.5)
            engine.send(PlayProbe())
            began = None
            deadline = time.monotonic() + 5
            while began is None or (latency := round_trip(engine.room, began, probe(RATE), RATE)) is None:
                assert time.monotonic() < deadline
                began = began if began is not None else next(
                    (e.sample for e in engine.events() if type(e) is Applied and type(e.command) is PlayProbe), None)
                time.sleep(0.05)
    finally:
        loop.close()
    assert heard_probe(latency) and latency.polarity == 1
    assert abs(latency.samples - LOOP_PERIODS * jack_server.period) < 0.05, latency  # as the clicks' round trip above


def test_round_trips_are_kept_per_device_and_rate(tmp_path):
    path = tmp_path / "room.toml"
    kept = save_round_trip("system", RATE, Latency(256.0, 1, 40.0), path)
    odd = save_round_trip('Scarlett "2i2" ü\x7f', RATE, Latency(611.25, -1, 35.0), path)
    assert load_round_trip("system", RATE, path) == kept and load_round_trip('Scarlett "2i2" ü\x7f', RATE, path) == odd
    assert kept.words() == "room round trip 5.33 ms (256.0 samples)"
    assert odd.words() == ("room round trip 12.73 ms (611.2 samples); polarity INVERTED (a speaker or the mic wired "
                           "the other way)")
    assert load_round_trip("system", 44100, path) is None  # another rate: measure again
    path.write_text("[devices.system]\nsamplerate = 'x'\n")
    assert load_round_trip("system", RATE, path) is None  # unreadable: none


def test_the_sweeps_path_is_kept_beside_the_round_trip_and_read_back_whole(tmp_path):
    """The next show's listener takes the room's echo from the calibration's path, clean of any crowd."""
    from rockstar_cx.listening.bleed import PATH_S, path_from_response

    path = tmp_path / "room.toml"
    response = np.zeros(RATE)
    response[611], response[700:900] = -0.5, 0.01
    kept = save_round_trip("system", RATE, Latency(611.0, -1, 40.0, response), path)
    loaded = load_round_trip("system", RATE, path)
    lead = int(-PATH_S[0] * RATE)
    assert loaded == kept and kept.response.startswith("room-") and (tmp_path / kept.response).is_file()
    assert np.array_equal(loaded.path, path_from_response(response, RATE).astype(np.float32))
    assert int(np.argmax(np.abs(loaded.path))) == lead + 611 and loaded.path[lead + 611] == -0.5
    assert load_round_trip("system", 44100, path) is None
    save_round_trip("other", RATE, Latency(256.0, 1, 40.0), path)  # another device: this one's path stays
    assert np.array_equal(load_round_trip("system", RATE, path).path, loaded.path)
    assert load_round_trip("other", RATE, path).path is None  # kept without one: the guide's path stands in
    (tmp_path / kept.response).write_bytes(b"\x93NUMPY cut short")
    assert load_round_trip("system", RATE, path).path is None and load_round_trip("system", RATE, path).samples == 611.0
    path.write_text(path.read_text().replace(kept.response, "../room.toml"))  # never a file out of the folder
    assert load_round_trip("system", RATE, path).response == ""


def test_a_device_without_the_input_says_so_at_once(jack_server):
    with pytest.raises(ShowError, match="has 2 input channels: no --room-input 3"):
        AudioEngine(EngineConfig(CLICKS, device="system", room_channel=3)).start()


def test_calibrate_room_on_the_command_line_keeps_the_round_trip(jack_server, tmp_path):
    import os
    import subprocess
    import sys
    import threading

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    loop = Loop("calibrate-loop")
    wired = []
    waiter = threading.Thread(target=lambda: wired.append(loop.wire(timeout=30)), daemon=True)
    waiter.start()  # wired as soon as the app's ports appear: it probes half a second after its stream starts
    try:
        result = subprocess.run([sys.executable, "-m", "rockstar_cx", "calibrate-room", "--room-input", "1",
                                 "--device", "system"], capture_output=True, text=True, timeout=60, env=env)
    finally:
        waiter.join()
        loop.close()
    assert wired, "the app's ports never appeared"
    assert result.returncode == 0, result.stderr
    trip = LOOP_PERIODS * jack_server.period
    assert result.stdout.splitlines()[-1].startswith(f"system: room round trip {1000 * trip / RATE:.2f} ms ({trip}.0 samples);")
    assert load_round_trip("system", RATE, tmp_path / "config" / "rockstar-cx" / "room.toml").samples == pytest.approx(trip, abs=0.05)


def test_calibrate_room_without_a_microphone_heard_says_so(jack_server, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "rockstar_cx", "calibrate-room", "--room-input", "2",
                             "--device", "system"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2 and "the microphone on input 2 did not hear the probe" in result.stderr, result.stderr
    assert not (tmp_path / "config" / "rockstar-cx" / "room.toml").exists()
