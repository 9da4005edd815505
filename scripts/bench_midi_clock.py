#!/usr/bin/env python3
"""MIDI clock: rockstar-cx's (placed by the audio's sample clock) against isobar's (its own timer).

In one run on a private JACK dummy server, the engine plays a click on every beat at 120 bpm;
rockstar-cx's MIDI out process (writing each tick on its frame inside JACK's cycle) and
isobar's ``Clock`` (in a process of its own, through mido's rtmidi backend on JACK, which
delivers at the next period start) both send MIDI clock to virtual ports.  One JACK
client records the audio and both clocks frame-exactly.  Printed, for each clock and as a ratio:

* at the sender (in-process): how far the tick intervals stray from the sender's own schedule
  (std and max, ms) and how late ticks leave (mean, max) — ours in engine samples, isobar's in
  host time;
* at the JACK receiver: tick interval std and max deviation (ms) — for isobar this includes
  rtmidi's quantisation to period starts;
* against the audio: the spread of each beat's tick around its audio onset (std, ms), and the
  drift — the slope of that offset (samples per minute).

isobar is installed into this environment (``pip install isobar``) if it is missing; if that
fails, a faithful re-implementation of its documented ``Clock.run`` loop (480 ppqn, divided
down to 24 for MIDI, ``time.time()`` polled every 0.1 ms) stands in, and the output says so.

    .venv/bin/python scripts/bench_midi_clock.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

RATE = 48000
TEMPO = 120.0
TICK_S = 60.0 / TEMPO / 24


# -- isobar, in its own process --------------------------------------------------------------------

def ensure_isobar() -> bool:
    """True if isobar imports (installing it first if needed)."""
    try:
        importlib.import_module("isobar")
        return True
    except ImportError:
        pass
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "isobar"], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"(pip install isobar failed: {done.stderr.strip()[-300:]})")
        return False
    importlib.invalidate_caches()
    try:
        importlib.import_module("isobar")
        return True
    except ImportError as error:
        print(f"(isobar installed but does not import: {error})")
        return False


def isobar_clock(target, tempo: float):
    """isobar's Clock.run, re-implemented as documented (0.2.1): 480 ppqn on time.time(), polled
    every 0.1 ms, divided down to the target's 24 ppqn; ticks due are caught up in a loop."""
    import threading

    class Clock:
        def __init__(self) -> None:
            self.running = False
            self.tick_duration = 60.0 / (tempo * 480)

        def background(self) -> None:
            threading.Thread(target=self.run, daemon=True).start()

        def run(self) -> None:
            clock0 = clock1 = time.time()
            divide, count = 480 // 24, 0
            self.running = True
            while self.running:
                while clock1 - clock0 >= self.tick_duration:
                    if count % divide == 0:
                        target.tick()
                    count += 1
                    clock0 += self.tick_duration
                time.sleep(0.0001)
                clock1 = time.time()

        def stop(self) -> None:
            self.running = False

    return Clock()


def isobar_main(conn, real: bool) -> None:
    """The isobar process: a virtual JACK port "isobar", its clock, the host time of every tick sent."""
    os.environ["MIDO_BACKEND"] = "mido.backends.rtmidi/UNIX_JACK"
    sent: list[float] = []
    if real:
        import isobar as iso

        device = iso.MidiOutputDevice(device_name="isobar", send_clock=True, virtual=True)
        send_tick = device.tick

        def tick() -> None:
            send_tick()
            sent.append(time.perf_counter())

        device.tick = tick
        clock = iso.Clock(clock_target=device, tempo=TEMPO)
    else:
        import mido

        port = mido.open_output("isobar", virtual=True)

        class Device:
            ticks_per_beat = 24

            def tick(self) -> None:
                port.send(mido.Message("clock"))
                sent.append(time.perf_counter())

        clock = isobar_clock(Device(), TEMPO)
    conn.send("ready")
    conn.recv()  # go
    clock.background()
    conn.recv()  # stop
    clock.stop()
    conn.send(sent)


# -- the figures ----------------------------------------------------------------------------------------

def sender_figures(due: np.ndarray, sent: np.ndarray) -> dict:
    error = np.diff(sent) - np.diff(due)
    late = sent - due
    return {"send interval std ms": error.std() * 1e3, "send interval max ms": np.abs(error).max() * 1e3,
            "send late mean ms": late.mean() * 1e3, "send late max ms": late.max() * 1e3}


def receiver_figures(ticks: np.ndarray, onsets: np.ndarray) -> dict:
    intervals = np.diff(ticks) / RATE * 1e3
    deviation = intervals - TICK_S * 1e3
    # each audio beat against the nearest tick, unwrapped over whole ticks (a clock that drifts
    # by more than a tick keeps its true slope)
    per_tick = TICK_S * RATE
    beats = onsets[(onsets > ticks[0] + per_tick) & (onsets < ticks[-1] - per_tick)]
    nearest = ticks[np.abs(ticks[None, :] - beats[:, None]).argmin(axis=1)]
    offsets = np.unwrap((nearest - beats).astype(float), period=per_tick)
    minutes = (beats - beats[0]) / RATE / 60.0
    slope = np.polyfit(minutes, offsets, 1)[0]
    return {"receiver interval std ms": deviation.std(), "receiver interval max ms": np.abs(deviation).max(),
            "beat vs audio std ms": (offsets - np.polyval(np.polyfit(minutes, offsets, 1), minutes)).std()
            / RATE * 1e3, "drift samples/min": slope}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    real_isobar = ensure_isobar()

    from jackcapture import PORTAUDIO_OUT, JackCapture
    from jackserver import JackServer, release_portaudio

    from rockstar_cx.audio.engine import EngineConfig
    from rockstar_cx.audio.supervisor import AudioEngine
    from rockstar_cx.conductor import Start
    from rockstar_cx.midi.outproc import MidiOut, MidiOutConfig
    from rockstar_cx.show.model import Meter, Moment, Section, Show, Step

    server = JackServer(name="rockstar-cx-bench").start()
    show = Show("bench", TEMPO, Meter(4, 4), (Section("a", "A", "#FFFFFF", "click", (Step.HIT,), 1),),
                (Moment("pulse", "Pulse", "", ("a",), 0),), count_in=0)
    context = multiprocessing.get_context("spawn")
    ours_end, theirs = context.Pipe()
    isobar = context.Process(target=isobar_main, args=(theirs, real_isobar), daemon=True)
    isobar.start()
    engine = AudioEngine(EngineConfig(show, device="system", blocksize=server.period)).start()
    midi = MidiOut(MidiOutConfig(outputs=("virtual",), api="jack"), engine).start()
    recorder = JackCapture(args.seconds + 10, "clock-bench", midi=("ours", "isobar"))
    try:
        assert ours_end.recv() == "ready"
        recorder.connect(PORTAUDIO_OUT)
        recorder.connect("rockstar-cx:", recorder.midi_ports[0])
        recorder.connect("isobar", recorder.midi_ports[1])
        time.sleep(0.5)
        engine.send(Start(count_in=False))
        ours_end.send("go")
        time.sleep(args.seconds)
        ours_end.send("stop")
        isobar_sent = np.array(ours_end.recv())
        ours = np.array(midi.ticks())
        status = midi.close()
        report = engine.close()
    finally:
        midi.close()
        engine.close()
        recorder.close()
        isobar.join(5)
        release_portaudio()
        server.stop()

    onsets = recorder.onsets()
    ticks = [[frame for frame, data in events if data == b"\xf8"] for events in recorder.midi_events]
    skip = 24  # the first beat: rockstar-cx learns of a Start only once the engine applied it
    figures = {
        "rockstar-cx": sender_figures(ours[skip:, 0], ours[skip:, 1])
        | receiver_figures(np.array(ticks[0][skip:]), onsets),
        "isobar": sender_figures(isobar_sent[0] + np.arange(len(isobar_sent)) * TICK_S, isobar_sent)
        | receiver_figures(np.array(ticks[1]), onsets),
    }
    # isobar has no schedule of its own to report: its intended grid is its first tick plus k ticks
    # (its clock0 advances by exactly one tick duration per tick), so its "late" figures are relative
    # to that first tick.
    name = "isobar 0.2.1" if real_isobar else "isobar's Clock algorithm (re-implemented: isobar unavailable)"
    print(f"{args.seconds:.0f} s at {TEMPO:g} bpm, JACK dummy {server.period} frames at {RATE} Hz, "
          f"{len(ticks[0])} + {len(ticks[1])} ticks received, {len(onsets)} audio beats; "
          f"baseline: {name}")
    print(f"JACK xruns during the run: {recorder.xruns}; engine underflows after warm-up: {report['underflows_after_warmup']}; "
          f"rockstar-cx MIDI out: {status.get('sent', 0)} messages, {status.get('late_over_1ms', 0)} over 1 ms late\n")
    print(f"{'figure':<28} {'rockstar-cx':>12} {'isobar':>12} {'isobar / ours':>14}")
    for key in figures["rockstar-cx"]:
        a, b = figures["rockstar-cx"][key], figures["isobar"][key]
        ratio = f"{abs(b) / abs(a):.1f}x" if abs(a) >= 0.001 else "ours ~0"
        print(f"{key:<28} {a:>12.3f} {b:>12.3f} {ratio:>14}")
    print("\n(ratios above 1: rockstar-cx is steadier; the send figures of rockstar-cx include its deliberate "
          "alignment of every message to the JACK period that carries its audio block)")


if __name__ == "__main__":
    main()
