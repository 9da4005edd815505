#!/usr/bin/env python3
"""Render speed for a 10-minute show: rockstar-cx's streaming renderer vs a naive one.

Each renderer runs in its own process pinned to one core, so peak memory (max RSS) and time
are its own.  The naive baseline is the obvious approach: allocate the whole mix, add every
hit's sound at its sample, clip.  Both start from the same conductor events.

    python scripts/bench_render.py [--minutes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

RATE = 48000


def long_show(minutes: float):
    """The built-in show's journey, repeated until it lasts ``minutes``."""
    from rockstar_cx.conductor import perform
    from rockstar_cx.show import builtin_show

    show = builtin_show()
    once = perform(show, 1000)[-1].time
    repeats = max(1, round(minutes * 60 / once))
    moments = tuple(replace(m, id=f"{m.id}-{i}") for i in range(repeats) for m in show.moments)
    return replace(show, moments=moments)


def run_one(which: str, minutes: float) -> dict:
    os.sched_setaffinity(0, {0})
    import numpy as np

    from rockstar_cx.audio.kit import kit_for_show
    from rockstar_cx.audio.render import render_to_files
    from rockstar_cx.conductor import Hit, perform

    show = long_show(minutes)
    kit_for_show(show, RATE)  # synthesis is a one-off cost, not rendering
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if which == "rockstar-cx":
            seconds = render_to_files(show, Path(tmp) / "mix.wav", sample_rate=RATE).seconds
        else:
            import soundfile

            kit = kit_for_show(show, RATE)
            events = perform(show, RATE)
            length = events[-1].sample + RATE
            mix = np.zeros(length, dtype=np.float32)
            for e in events:
                if type(e) is Hit:
                    sound = kit[show.sections[e.section].sound]
                    n = min(len(sound), length - e.sample)
                    mix[e.sample:e.sample + n] += sound[:n] * (0.7 * (1.0 if e.accent else 0.6))
            np.clip(mix, -1.0, 1.0, out=mix)
            soundfile.write(Path(tmp) / "mix.wav", mix, RATE, subtype="PCM_24")
            seconds = length / RATE
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "audio_seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(which: str, minutes: float, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", which, "--minutes", str(minutes)],
                             capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["elapsed"])
    best["speed"] = best["audio_seconds"] / best["elapsed"]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per renderer; the fastest counts")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.minutes)))
        return
    ours = measure("rockstar-cx", args.minutes, args.repeat)
    naive = measure("naive", args.minutes, args.repeat)
    print(f"render of a {ours['audio_seconds'] / 60:.1f}-minute show at {RATE} Hz, one core, best of {args.repeat}:")
    print(f"{'renderer':<14}{'time s':>9}{'x real time':>14}{'peak RSS MB':>14}")
    for name, r in (("rockstar-cx", ours), ("naive", naive)):
        print(f"{name:<14}{r['elapsed']:>9.3f}{r['speed']:>14.0f}{r['peak_rss_mb']:>14.0f}")
    print(f"speed ratio rockstar-cx / naive: {ours['speed'] / naive['speed']:.2f}x; "
          f"memory ratio: {ours['peak_rss_mb'] / naive['peak_rss_mb']:.2f}x")
    print(f"goal >= 300x real time: {'met' if ours['speed'] >= 300 else 'NOT met'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
