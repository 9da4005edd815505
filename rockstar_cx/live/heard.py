"""What the room did, as the live listener heard it: the records, and the summaries the console, the stage's
reveal and the run report read.

    RoomNow(level_db, last_bar).words()     # the console's line: "ROOM  tight 18 ms · 6 ms behind · mic -24 dB"
    reveal_of(show, bars, moment, before)   # a chaos against the conductor's return, in the room's numbers
    moment_rows(show, bars)                 # the run report's ``room``, a row per moment heard
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..listening.report import BANDS
from ..show.model import Show

SILENT_DB = -90.0
LEVEL_STEP_DB = 3.0  # the meter's steps on the console: a level, not a new text every frame


@dataclass(frozen=True)
class BarHeard:
    """What the room did in one bar."""

    moment: int
    bar: int
    clapping: bool
    spread_ms: float | None  # None: no clapping, or too few clear steps to tell
    ahead_ms: float | None  # negative: ahead of the beat
    round_trip_ms: float | None  # PA → room → mic, as the guide heard back says
    tempo_bpm: float | None = None  # the room's own pulse over the measure (None: no clapping, or not followed)
    conductor_bpm: float | None = None  # the conductor's, at the bar's start


@dataclass(frozen=True)
class Reveal:
    """What the room did without the conductor and with it: the spread (ms) and the tempo's drift (bpm)
    over each moment's measures — the keynote's point, in the room's own numbers."""

    without_spread_ms: float
    without_drift_bpm: float
    with_spread_ms: float
    with_drift_bpm: float


@dataclass(frozen=True)
class RoomNow:
    level_db: float = SILENT_DB  # the clap band over the last METER_S, dBFS
    last_bar: BarHeard | None = None

    def band(self) -> str | None:
        """The last bar's spread in words — tight, ok or loose — or None (no clapping, or no figure)."""
        bar = self.last_bar
        if bar is None or not bar.clapping or bar.spread_ms is None:
            return None
        return next((word for limit, word in BANDS if bar.spread_ms < limit), "loose")

    def words(self) -> str:
        """The console's line: "ROOM  tight 18 ms · 6 ms behind · mic -24 dB" (the level in 3 dB steps)."""
        level = f"mic {LEVEL_STEP_DB * round(self.level_db / LEVEL_STEP_DB):.0f} dB"
        bar = self.last_bar
        if bar is None:
            return f"ROOM  listening… · {level}"
        if not bar.clapping:
            return f"ROOM  no clapping heard · {level}"
        if bar.spread_ms is None:
            return f"ROOM  clapping · {level}"
        side = f" · {abs(bar.ahead_ms):.0f} ms {'ahead' if bar.ahead_ms < 0 else 'behind'}" \
            if bar.ahead_ms is not None and math.isfinite(bar.ahead_ms) else ""
        tempo = f" · {bar.tempo_bpm:.0f} bpm (conductor {bar.conductor_bpm:.0f})" if bar.tempo_bpm is not None else ""
        return f"ROOM  {self.band()} {bar.spread_ms:.0f} ms{side}{tempo} · {level}"


def reveal_of(show: Show, heard: list[BarHeard], moment: int, before: int | None) -> Reveal | None:
    """For a conducted moment entered from a chaos (``before``): the room in that chaos against the room
    now, once both have been measured in ``heard`` (and the show file lets this moment reveal it); else None."""
    if (before is None or show.moments[before].mode != "chaos" or show.moments[moment].mode == "chaos"
            or not show.moments[moment].reveal):
        return None
    runs: dict[int, list[BarHeard]] = {}
    for bar in reversed(heard):  # the latest pass: this moment's measures, then the chaos's
        if bar.moment not in (moment, before) or (bar.moment == moment and before in runs):
            break
        runs.setdefault(bar.moment, []).insert(0, bar)
    now, then = _figures(runs.get(moment, [])), _figures(runs.get(before, []))
    if now is None or then is None:
        return None
    return Reveal(then[0], then[1], now[0], now[1])


def moment_rows(show: Show, heard: list[BarHeard]) -> list[dict]:
    """The run report's ``room``: per moment heard, its bars measured, how many with clapping,
    and the median spread and ahead/behind over those (ms)."""
    moments: dict[int, list[BarHeard]] = {}
    for bar in heard:
        moments.setdefault(bar.moment, []).append(bar)
    rows = []
    for index, bars in moments.items():
        clapped = [b for b in bars if b.clapping and b.spread_ms is not None]
        rows.append({"moment": index + 1, "id": show.moments[index].id, "bars": len(bars),
                     "clapping_bars": sum(b.clapping for b in bars),
                     "spread_ms": _median([b.spread_ms for b in clapped]),
                     "ahead_ms": _median([b.ahead_ms for b in clapped]),
                     "round_trip_ms": _median([b.round_trip_ms for b in bars]),
                     # the room's own tempo at the moment's first and last measure: how it drifted
                     "tempo_start_bpm": _median([b.tempo_bpm for b in clapped[:1]]),
                     "tempo_end_bpm": _median([b.tempo_bpm for b in clapped[-1:]])})
    return rows


def _figures(bars: list[BarHeard]) -> tuple[float, float] | None:
    """(median spread, tempo drift from the first measure to the last) of a moment's clapping measures."""
    heard = [b for b in bars if b.clapping and b.spread_ms is not None and b.tempo_bpm is not None]
    if not heard:
        return None
    return float(np.median([b.spread_ms for b in heard])), heard[-1].tempo_bpm - heard[0].tempo_bpm


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return round(float(np.median(known)), 2) if known else None
