#!/usr/bin/env python3
"""The mixer's cost per audio block: bus rings (now) vs gathering every voice in every block (before).

Both mix bench_realtime's show (8 sections, about 32 sounds overlapping, all 8 hitting together
every 16th) block by block, the conductor's events in hand.  Each block follows a sleep of one
block period, as the audio callback does: that is where caches are cold and each numpy call
costs several times its warm price.  The floor row times a block of zeros alone, the same
way: what waking up costs on this machine, whatever the mixer.  The baseline is the gather
mixer as it was at commit BASELINE, read from git history, so both run in this one process,
interleaved.

    .venv/bin/python scripts/bench_mixer.py [--seconds 10] [--blocks 64 128 256]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_realtime import RATE, bench_show  # noqa: E402
from rockstar_cx.audio.kit import kit_for_show  # noqa: E402
from rockstar_cx.audio.mixer import Mixer  # noqa: E402
from rockstar_cx.conductor import Conductor, Start  # noqa: E402

BASELINE = "67a4e1f"  # the last commit with the gather mixer


def baseline_mixer() -> type:
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE}:rockstar_cx/audio/mixer.py"],
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("rockstar_cx.audio.gather_mixer")
    module.__package__ = "rockstar_cx.audio"
    exec(compile(source, f"{BASELINE}:mixer.py", "exec"), module.__dict__)
    return module.Mixer


class Silence:
    """The floor: a block of zeros and nothing else, timed the same way (what waking up costs here)."""

    def __init__(self, show, kit, max_block: int) -> None:
        self.master = np.zeros(max_block, np.float32)

    def process(self, start: int, frames: int, events) -> np.ndarray:
        self.master[:frames].fill(0.0)
        return self.master[:frames]


def block_costs(mixers: dict, blocksize: int, seconds: float, *, sleep: bool) -> dict[str, np.ndarray]:
    """Microseconds per block for each mixer, the blocks interleaved (each after a period's sleep, or none)."""
    show = bench_show()
    conductor = Conductor(show, RATE)
    conductor.submit(Start(count_in=False))
    kit = kit_for_show(show, RATE)
    live = {name: kind(show, kit, blocksize) for name, kind in mixers.items()}
    costs: dict[str, list[float]] = {name: [] for name in mixers}
    period = blocksize / RATE
    for block in range(int(seconds * RATE / blocksize)):
        events = conductor.advance(blocksize)
        for name, mixer in live.items():
            if sleep:
                time.sleep(period)
            began = time.perf_counter()
            mixer.process(block * blocksize, blocksize, events)
            costs[name].append(time.perf_counter() - began)
    return {name: np.array(c) * 1e6 for name, c in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--blocks", type=int, nargs="+", default=[64, 128, 256])
    args = parser.parse_args()
    mixers = {"rings": Mixer, "gather": baseline_mixer(), "floor": Silence}
    print(f"mixer cost per block, {args.seconds:.0f} s of bench_realtime's show; % of the block period")
    for sleep in (False, True):
        print(f"\n{'after a sleep, as in the callback' if sleep else 'warm: blocks back to back'}")
        print(f"{'block':>5} {'mixer':<7} {'p50 us':>7} {'p99 us':>7} {'max us':>7} {'p99 %':>6} {'max %':>6}")
        for blocksize in args.blocks:
            report(blocksize, block_costs(mixers, blocksize, args.seconds, sleep=sleep))


def report(blocksize: int, costs: dict[str, np.ndarray]) -> None:
    period_us = 1e6 * blocksize / RATE
    for name, c in costs.items():
        p50, p99, top = np.percentile(c, 50), np.percentile(c, 99), c.max()
        print(f"{blocksize:>5} {name:<7} {p50:>7.1f} {p99:>7.1f} {top:>7.1f} {100 * p99 / period_us:>6.2f} "
              f"{100 * top / period_us:>6.2f}")
    ours, base, floor = costs["rings"], costs["gather"], costs["floor"]
    print(f"      gather / rings: p50 {np.median(base) / np.median(ours):.2f}x, "
          f"p99 {np.percentile(base, 99) / np.percentile(ours, 99):.2f}x, mean {base.mean() / ours.mean():.2f}x; "
          f"above the floor: p50 {(np.median(base) - np.median(floor)) / (np.median(ours) - np.median(floor)):.2f}x",
          flush=True)


if __name__ == "__main__":
    main()
