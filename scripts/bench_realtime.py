#!/usr/bin/env python3
"""Real-time engine under load: rockstar-cx's engine process vs the naive in-process design.

For 64-, 128- and 256-frame blocks on a private JACK dummy server, each design performs a show
of 8 sections with about 32 overlapping voices for --seconds, once idle and once with a GIL
hog in the app process (a pure-Python loop holding the GIL 50 ms of every 100 ms), and once
listening to the room (a duplex stream with the room input, the room ring, and the app's listener
measuring every bar: issue 15 asks that this changes nothing in the engine's figures).  It prints
the callback's cost (p99 and max as a share of the block period), underflows after warm-up
and callbacks missed — and the naive design's figures against ours as ratios.  The floor row is
a stream whose callback only writes silence: what any callback costs on this machine (on a
virtual machine, waking a thread that slept through the period costs far more than its work).
The spin row's callback only spins for as long as the engine's median callback took, then
writes silence: what this machine does to a callback that works that long and touches nothing.
On a virtual machine the host takes the CPU away now and then (steal: the last column, from
/proc/stat) and a callback it catches runs late by that long, whatever it does.

    .venv/bin/python scripts/bench_realtime.py [--seconds 10] [--blocks 64 128 256]

Each run is a fresh child process (PortAudio must not outlive a JACK restart in one process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

RATE = 48000
# the spin run spins for the median callback of the process/idle run before it
RUNS = (("floor", "idle"), ("process", "idle"), ("process", "listening"), ("spin", "idle"), ("process", "gil-hog"),
        ("naive", "idle"), ("naive", "gil-hog"))
SOUNDS = ("kick", "cowbell", "clap", "stomp", "kick", "cowbell", "clap", "stomp")


def bench_show():
    """8 sections, 16ths at 200 bpm on long sounds: about 32 voices sound at once."""
    from rockstar_cx.show.model import Meter, Moment, Section, Show, Step

    sections = tuple(Section(f"s{i}", f"S{i}", "#FFFFFF", sound, (Step.HIT,) * 4, 4, 0.2)
                     for i, sound in enumerate(SOUNDS))
    moments = (Moment("all", "All", "", tuple(s.id for s in sections), 0),)
    return Show("bench", 200.0, Meter(4, 4), sections, moments, count_in=0)


def mean_voices(show, seconds: float) -> tuple[float, int]:
    """Average and peak sounds overlapping per 128-frame block over the first ``seconds``, offline."""
    from rockstar_cx.audio.kit import kit_for_show
    from rockstar_cx.conductor import Conductor, Hit, Start

    kit, conductor = kit_for_show(show, RATE), Conductor(show, RATE)
    conductor.submit(Start(count_in=False))
    hits = [e for e in conductor.advance(int(seconds * RATE)) if type(e) is Hit]
    counts = [sum(h.sample < end and start < h.sample + len(kit[show.sections[h.section].sound]) for h in hits)
              for start, end in ((b * 128, b * 128 + 128) for b in range(int(seconds * RATE / 128)))]
    return sum(counts) / len(counts), max(counts)


def child(design: str, load: str, blocksize: int, seconds: float) -> dict:
    from load import GilHog
    from rockstar_cx.audio.engine import EngineConfig
    from rockstar_cx.audio.supervisor import AudioEngine
    from rockstar_cx.conductor import Start

    show, listening = bench_show(), load == "listening"
    engine = AudioEngine(EngineConfig(show, device="system", blocksize=blocksize, room_channel=1 if listening else None),
                         in_process=design == "naive").start()
    listener = None
    if listening:
        from rockstar_cx.live.listener import RoomListener
        from rockstar_cx.live.view import EngineView

        listener = RoomListener(show, RATE, engine.room, EngineView.of(engine)).start()
    engine.send(Start(count_in=False))
    began = os.times()
    if load == "gil-hog":
        GilHog().run_for(seconds)
    else:
        time.sleep(seconds)
    ended = os.times()
    if listener is not None:
        listener.stop()
        listener.view.close()
    report = engine.close()
    # this process's CPU (the app's side: the listener when listening), % of one core
    report["app_cpu_percent"] = 100 * (ended.user + ended.system - began.user - began.system) / seconds
    report["bars_heard"] = len(listener.heard_bars()) if listener is not None else "-"
    return report


def floor_child(blocksize: int, seconds: float, spin: float) -> dict:
    """The floor: a stream whose callback only writes silence (after spinning ``spin`` seconds),
    timed as the engine times its own."""
    import numpy as np
    import sounddevice

    from rockstar_cx.audio.device import choose_output

    durations, calls = np.zeros(int(2 * seconds * RATE / blocksize) + 100), [0]

    def callback(outdata, frames, time_info, status) -> None:
        began = time.perf_counter()
        while time.perf_counter() - began < spin:
            pass
        outdata.fill(0.0)
        if calls[0] < len(durations):
            durations[calls[0]] = time.perf_counter() - began
        calls[0] += 1

    index, _ = choose_output(sounddevice, "system")
    with sounddevice.OutputStream(samplerate=RATE, blocksize=blocksize, device=index, channels=1, dtype="float32",
                                  callback=callback):
        time.sleep(seconds)
    timed = durations[:min(calls[0], len(durations))]
    return {"callback_ms_p50": float(np.percentile(timed, 50)) * 1000,
            "callback_ms_p99": float(np.percentile(timed, 99)) * 1000, "callback_ms_max": float(timed.max()) * 1000,
            "underflows_after_warmup": "-", "callbacks_missed": "-", "late_callbacks": "-", "callbacks": calls[0],
            "callback_renders": "-", "dropped_blocks": "-"}


def steal_seconds() -> float | None:
    """CPU time the virtual machine's host took from this machine so far (Linux), all CPUs."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()  # cpu user nice system idle iowait irq softirq steal ...
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run(design: str, load: str, blocksize: int, seconds: float) -> dict:
    """One run in a child process; ``load`` is the spin in seconds for the floor designs."""
    out = subprocess.run([sys.executable, __file__, "--child", design, load, str(blocksize), str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 90)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{design}/{load}/{blocksize} failed:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--blocks", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        design, load, blocksize, seconds = args.child
        result = (floor_child(int(blocksize), float(seconds), float(load)) if design in ("floor", "spin")
                  else child(design, load, int(blocksize), float(seconds)))
        print(json.dumps(result), flush=True)
        os._exit(0)  # PortAudio's exit handler is not needed (and may abort after JACK restarts)

    from jackcapture import XrunMonitor
    from jackserver import JackServer

    average, peak = mean_voices(bench_show(), 5.0)
    print(f"show: 8 sections, {average:.0f} voices on average ({peak} at most), {args.seconds:.0f} s per run\n")
    print(f"{'block':>5} {'design':<8} {'load':<8} {'p99 %':>7} {'max %':>7} {'underflows':>10} "
          f"{'missed':>7} {'late':>6} {'callbacks':>9} {'rendered':>8} {'dropped':>7} {'JACK xruns':>10} {'steal ms':>8}")
    results = {}
    for blocksize in args.blocks:
        server = JackServer(name="rockstar-cx-bench", period=blocksize,
                            fallback_period=max(blocksize, 256))
        server.start()
        try:
            for design, load in RUNS:
                arg, label = load, load  # the child's load argument: the spin, in seconds, for a floor
                if design == "floor":
                    arg = "0"
                elif design == "spin":
                    arg = str(results[blocksize, "process", "idle"]["callback_ms_p50"] / 1000)
                    label = f"{float(arg) * 1e6:.0f} us"
                monitor = XrunMonitor()  # the server's own dropped cycles: every client's underflows
                stolen = steal_seconds()
                try:
                    r = run(design, arg, blocksize, args.seconds)
                finally:
                    monitor.close()
                steal = "-" if stolen is None else f"{1000 * (steal_seconds() - stolen):.0f}"
                results[blocksize, design, load] = r
                period_ms = 1000.0 * blocksize / RATE
                print(f"{blocksize:>5} {design:<8} {label:<8} {100 * r['callback_ms_p99'] / period_ms:>7.2f} "
                      f"{100 * r['callback_ms_max'] / period_ms:>7.2f} {r['underflows_after_warmup']:>10} "
                      f"{r['callbacks_missed']:>7} {r['late_callbacks']:>6} {r['callbacks']:>9} "
                      f"{r['callback_renders']:>8} {r['dropped_blocks']:>7} {monitor.xruns:>10} {steal:>8}",
                      flush=True)
        finally:
            server.stop()
    print("\nnaive / process under the GIL hog (higher = the engine process saves more):")
    for blocksize in args.blocks:
        ours, naive = results[blocksize, "process", "gil-hog"], results[blocksize, "naive", "gil-hog"]
        print(f"  {blocksize:>4} frames: missed callbacks {naive['callbacks_missed']} vs {ours['callbacks_missed']}"
              f" ({_ratio(naive['callbacks_missed'], ours['callbacks_missed'])}), underflows "
              f"{naive['underflows_after_warmup']} vs {ours['underflows_after_warmup']} "
              f"({_ratio(naive['underflows_after_warmup'], ours['underflows_after_warmup'])}), callback max "
              f"{naive['callback_ms_max']:.2f} vs {ours['callback_ms_max']:.2f} ms "
              f"({_ratio(naive['callback_ms_max'], ours['callback_ms_max'])})")
    goal = all(results[b, "process", load]["callback_ms_p99"] <= 0.05 * 1000 * b / RATE and
               results[b, "process", load]["callback_ms_max"] <= 0.25 * 1000 * b / RATE
               for b in args.blocks for load in ("idle", "gil-hog"))
    print(f"goal (engine process: p99 <= 5 %, max <= 25 % of the period): {'met' if goal else 'NOT met'}")
    print("the floor (a callback writing silence, nothing else) on this machine, p99 / max:")
    for blocksize in args.blocks:
        floor, ours = results[blocksize, "floor", "idle"], results[blocksize, "process", "idle"]
        print(f"  {blocksize:>4} frames: {floor['callback_ms_p99'] * 1000:.0f} / {floor['callback_ms_max'] * 1000:.0f} us;"
              f" the engine's idle p99 is {ours['callback_ms_p99'] / floor['callback_ms_p99']:.1f}x the floor's")
    print("listening to the room (duplex stream, room ring, the app's listener) against not, engine idle:")
    for blocksize in args.blocks:
        quiet, heard = results[blocksize, "process", "idle"], results[blocksize, "process", "listening"]
        print(f"  {blocksize:>4} frames: callback p99 {_pct(heard, 'p99', blocksize)} vs {_pct(quiet, 'p99', blocksize)} %"
              f" ({_ratio(heard['callback_ms_p99'], quiet['callback_ms_p99'])}), max {_pct(heard, 'max', blocksize)} vs "
              f"{_pct(quiet, 'max', blocksize)} %, underflows {heard['underflows_after_warmup']} vs "
              f"{quiet['underflows_after_warmup']}; the listener {heard['app_cpu_percent']:.1f} % of a core "
              f"({heard['bars_heard']} bars measured)")
    print("a callback that only spins for the engine's median callback, p99 / max % of the period (engine idle):")
    for blocksize in args.blocks:
        spin, ours = results[blocksize, "spin", "idle"], results[blocksize, "process", "idle"]
        met = spin['callback_ms_max'] <= 0.25 * 1000.0 * blocksize / RATE
        print(f"  {blocksize:>4} frames: {_pct(spin, 'p99', blocksize)} / {_pct(spin, 'max', blocksize)} % "
              f"({_pct(ours, 'p99', blocksize)} / {_pct(ours, 'max', blocksize)} %); max <= 25 %: "
              f"{'met' if met else 'NOT met, by a callback doing nothing'}")


def _pct(result: dict, which: str, blocksize: int) -> str:
    """A run's callback p99 or max as a share of the block period, in %."""
    return f"{100 * result[f'callback_ms_{which}'] / (1000.0 * blocksize / RATE):.2f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else ("equal" if not a else f"{a} vs none")


if __name__ == "__main__":
    main()
