"""A terminal progress bar for long work; silent when the output is not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
REFRESH_S = 0.1


class ProgressBar:
    def __init__(self, label: str, stream: TextIO = sys.stderr, *, unit_rate: float = 1.0, unit: str = "s") -> None:
        self.label, self.stream, self.unit_rate, self.unit = label, stream, unit_rate, unit
        self.enabled = stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (done < total and now - self._last < REFRESH_S):
            return
        self._last = now
        fraction = done / total if total else 1.0
        filled = round(WIDTH * fraction)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:4.0%} "
                          f"{done / self.unit_rate:.1f}/{total / self.unit_rate:.1f} {self.unit}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
