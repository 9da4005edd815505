"""Checks for the keys that say how a show waits for its presenter: a moment's ``then``, ``[show] warn_beats``.

Each check returns the message of a problem (the loader locates and reports it) or None.
"""

from __future__ import annotations

import difflib

from .model import MAX_WARN_BARS, THEN_NEXT, THEN_VALUES, Meter


def then_problem(then: str, bars: int | None) -> str | None:
    """``then`` must be "hold" or "next"; "next" needs bars to play before it moves on."""
    if then not in THEN_VALUES:
        close = difflib.get_close_matches(then, THEN_VALUES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"'then' must be \"hold\" (wait for the presenter) or \"next\" (move on by itself), not \"{then}\"{hint}"
    if then == THEN_NEXT and bars == 0:
        return "'then = \"next\"' needs 'bars' above 0: a moment with bars = 0 waits for the presenter from its start"
    return None


def warn_beats_problem(warn_beats: int, meter: Meter | None) -> str | None:
    """``warn_beats`` from 0 (the next bar line) to :data:`MAX_WARN_BARS` bars of the meter."""
    beats = meter.beats if meter is not None else 4  # a bad meter is reported on its own; judge by 4/4
    most = MAX_WARN_BARS * beats
    if not 0 <= warn_beats <= most:
        return (f"'warn_beats' must be between 0 and {most} beats ({MAX_WARN_BARS} bars of {beats}), "
                f"not {warn_beats}")
    return None
