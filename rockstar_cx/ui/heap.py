"""Freed memory given back to the system, now and then, while the stage runs.

The stage's line cache (:mod:`.text`) holds rendered lines up to a byte bound; a journey whose lines
outgrow it renders and frees megabyte surfaces (a cue word at 1080p is ~0.6 MB) all show long.  glibc
keeps freed heap memory for reuse, and when the sizes keep changing it ends up holding more and more
of it: a stage-only soak (the built-in show, GO every minute) grew 214 → 224 MB between its 9th and
42nd minute, and 204 → 210 MB with a trim every 3 minutes.  A trim every minute still let the app's
RSS peak 3–11 MB above its floor between trims (a 35-minute soak read +1.4 MB per 10 minutes from those
peaks alone), so it trims every 10 s.  ``malloc_trim`` returns the free part (it took under 1 ms
there).  Elsewhere than glibc there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

TRIM_EVERY_S = 10.0


def _glibc_trim() -> Callable[[int], object] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): no malloc_trim
        return None


class HeapTrim:
    """Call :meth:`tick` every frame: at most every ``every_s`` (monotonic seconds) it trims the heap."""

    def __init__(self, now: float, every_s: float = TRIM_EVERY_S,
                 trim: Callable[[int], object] | None = None) -> None:
        self._trim = trim or _glibc_trim()
        self._every_s = every_s
        self._due = now + every_s
        self.trims = 0

    def tick(self, now: float) -> None:
        if self._trim is None or now < self._due:
            return
        self._trim(0)
        self.trims += 1
        self._due = now + self._every_s
