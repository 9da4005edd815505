#!/usr/bin/env python3
"""Closing JACK MIDI ports on a busy machine: libjack's crash, without and with our settling.

libjack removes a port from its client's list in the closing thread while the client's
notification thread may still be walking that list for a latency notification about the last
change to the graph (jack2 issue #216): a segfault.  ``rockstar_cx.midi.ports.graph_change`` waits
``SETTLE_S`` after this process's last change before it unregisters a port.  This script opens
three virtual ports and closes them back to back, round after round, in child processes, while
two busy loops load both cores; it counts the children that crash, with ``SETTLE_S = 0`` (what
python-rtmidi alone does) and with ours, in alternating slices of the same run.

    .venv/bin/python scripts/stress_midi_close.py [--minutes 10]

Measured on the 2-core VM: 10 crashes in ~1,700 rounds unsettled, 0 in ~725 rounds settled.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

ROUNDS_PER_CHILD = 25
SLICE_S = 30.0

CHILD = """
import sys
from rockstar_cx.midi import ports
if sys.argv[2] != "ours":
    ports.SETTLE_S = float(sys.argv[2])
for _ in range(int(sys.argv[1])):
    opened = [ports.OutPort("virtual", "jack"), ports.InPort("virtual", "jack"), ports.OutPort("virtual", "jack")]
    for port in opened:
        port.connect()
    for port in opened:
        port.close()
print("done")
"""


def busy() -> None:
    while True:
        pass


def no_core_files() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def slice_of(settle: str, seconds: float, workdir: str) -> tuple[int, int]:
    """(rounds run, children crashed) for one arm over ``seconds``."""
    rounds = crashes = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        child = subprocess.run([sys.executable, "-c", CHILD, str(ROUNDS_PER_CHILD), settle], capture_output=True,
                               text=True, cwd=workdir, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               preexec_fn=no_core_files)
        if child.returncode < 0:  # killed by a signal: the segfault this script is about
            crashes += 1
        elif child.returncode == 0 and "done" in child.stdout:
            rounds += ROUNDS_PER_CHILD
        else:  # anything else is not a crash to count: say what it was
            raise RuntimeError(f"a stress child failed (exit {child.returncode}):\n{child.stderr[-2000:]}")
    return rounds, crashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    from jackserver import JackServer

    from rockstar_cx.midi.ports import SETTLE_S

    arms = {"0": [0, 0], "ours": [0, 0]}
    server = JackServer(name="rockstar-cx-stress").start()
    load = [multiprocessing.Process(target=busy, daemon=True) for _ in range(2)]
    for process in load:
        process.start()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            deadline = time.monotonic() + 60.0 * args.minutes
            while time.monotonic() < deadline:
                for settle, totals in arms.items():
                    rounds, crashes = slice_of(settle, SLICE_S, workdir)
                    totals[0] += rounds
                    totals[1] += crashes
                print(f"  unsettled: {arms['0'][1]} crashes, {arms['0'][0]} rounds completed · "
                      f"settled ({SETTLE_S} s): {arms['ours'][1]} crashes, {arms['ours'][0]} rounds", flush=True)
    finally:
        for process in load:
            process.kill()
        server.stop()


if __name__ == "__main__":
    main()
