"""Deliberate load for real-time tests and benchmarks: a GIL hog."""

from __future__ import annotations

import sys
import threading
import time

HOLD_S = 0.050
EVERY_S = 0.100


class GilHog:
    """A pure-Python loop that holds the GIL for 50 ms out of every 100 ms.

    The switch interval is raised to the hold time while it runs, so the interpreter does
    not hand the GIL to other threads in between: the worst a slow frame, a font render or
    a garbage collection can do to a callback sharing this process.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gil-hog", daemon=True)
        self._interval = sys.getswitchinterval()
        self.holds = 0

    def __enter__(self) -> GilHog:
        sys.setswitchinterval(HOLD_S)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._interval)

    def _run(self) -> None:
        while not self._stop.is_set():
            until = time.perf_counter() + HOLD_S
            x = 0
            while time.perf_counter() < until:
                x += 1
            self.holds += 1
            self._stop.wait(EVERY_S - HOLD_S)
