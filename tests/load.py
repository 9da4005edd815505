"""Deliberate load for real-time tests and benchmarks: a GIL hog."""

from __future__ import annotations

import time

HOLD_S = 0.050
EVERY_S = 0.100


def _calibrate() -> int:
    """How many integers ``sum(range(n))`` must add to take HOLD_S on this machine."""
    n = 200_000
    while True:
        started = time.perf_counter()
        sum(range(n))
        took = time.perf_counter() - started
        if took > 0.01:
            return int(n * HOLD_S / took)
        n *= 4


class GilHog:
    """Holds the GIL for 50 ms out of every 100 ms, on the thread that calls it.

    One ``sum(range(n))`` is a single C call: no thread switch can happen inside it, so the
    GIL is held for the whole 50 ms — the worst a slow frame, a font render or a garbage
    collection can do to a callback sharing this process.  It runs on the caller's thread
    (call :meth:`tick` between frames, or :meth:`run_for`): a background thread would starve,
    because a pygame loop releases and retakes the GIL so often that a waiting thread rarely
    wins it.
    """

    def __init__(self) -> None:
        self._size = _calibrate()
        self._due = time.perf_counter()
        self.holds = 0

    def tick(self) -> None:
        """Hold the GIL now if a hold is due (a fixed 100 ms grid)."""
        if time.perf_counter() >= self._due:
            sum(range(self._size))
            self.holds += 1
            self._due += EVERY_S

    def run_for(self, seconds: float) -> None:
        """Nothing but the hog for ``seconds``."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            time.sleep(max(0.0, min(self._due, end) - time.perf_counter()))
            self.tick()
