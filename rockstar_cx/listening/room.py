"""What the room did in each moment of a recorded performance.

The conductor's own events say where every beat and every section's step falls; shifted to where
the performance starts in the recording, they are the grid.  Conducted moments are folded on the
steps the sections play (the guide's hits); a chaos moment has no common grid, so the room's own
pulse is followed from the conductor's tempo at its start and the spread is taken around that.
A moment without clapping gets ``clapping = False`` and no figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..conductor.events import Beat, Event, Hit
from ..show.model import Show
from .circular import Spread, fold, heard_clapping
from .kernel import Kernel
from .onset import Envelope
from .tempo import bar_tempo, follow, pulse, pulse_shape

SAME_STEP_S = 0.002  # sections hitting the same step are one expected time


@dataclass(frozen=True)
class MomentMeasures:
    """One moment as the room played it.  Figures are None when no clapping was heard (or, for a chaos
    moment's ahead/behind, when there is no conductor's grid to be ahead of)."""

    id: str
    title: str
    mode: str
    start_s: float  # in the recording
    seconds: float
    clapping: bool
    spread_ms: float | None
    ahead_ms: float | None  # negative: ahead of the beat
    tempo_start_bpm: float | None  # the room's, over the moment's first bar
    tempo_end_bpm: float | None  # and its last
    conductor_tempo_start_bpm: float
    conductor_tempo_end_bpm: float
    r: float | None
    n_beats: int
    pulse: str | None  # same, half or double: the room's pulse against the guide's

    def as_dict(self) -> dict[str, object]:
        return {key: _plain(value) for key, value in asdict(self).items()}


def _plain(value: object) -> object:
    """A JSON-ready value: floats rounded to what is meaningful, NaN as None."""
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 2)
    return value


def expected_times(hits: Sequence[Hit], offset_s: float) -> np.ndarray:
    """The distinct times the sections play, shifted by ``offset_s``."""
    times = np.unique(np.array([hit.time for hit in hits], dtype=float)) + offset_s
    if len(times) < 2:
        return times
    return times[np.concatenate(([True], np.diff(times) > SAME_STEP_S))]


def measure_moment(show: Show, index: int, events: Sequence[Event], room: Envelope, guide: Envelope | None,
                   offset_s: float, kernel: Kernel) -> MomentMeasures:
    """The measures of moment ``index`` from the room's onset strength (the guide already taken out)."""
    moment = show.moments[index]
    beats = [e for e in events if type(e) is Beat and e.moment == index]
    hits = [e for e in events if type(e) is Hit and e.moment == index]
    beat_times = np.array([b.time for b in beats]) + offset_s
    start, period = float(beat_times[0]), 60.0 / beats[0].tempo
    seconds = float(beat_times[-1] - beat_times[0]) + 60.0 / beats[-1].tempo
    track = follow(room, start, period, len(beats))
    chaos = moment.mode == "chaos"
    grid, periods = (track.grid, track.periods) if chaos else (
        expected_times(hits, offset_s) if hits else beat_times, None)
    spread: Spread = fold(room, grid, periods)
    common = dict(id=moment.id, title=moment.title, mode=moment.mode, start_s=start, seconds=seconds,
                  conductor_tempo_start_bpm=beats[0].tempo, conductor_tempo_end_bpm=beats[-1].tempo,
                  n_beats=spread.n_beats)
    if not heard_clapping(spread, fold(guide, grid, periods) if guide is not None else None):
        return MomentMeasures(clapping=False, spread_ms=None, ahead_ms=None, tempo_start_bpm=None,
                              tempo_end_bpm=None, r=None, pulse=None, **common)
    tempo = bar_tempo(track, show.meter.beats)
    sigma, ahead = kernel.correct(spread)
    expected = pulse_shape(guide, track.grid, track.periods) if guide is not None and hits else None
    return MomentMeasures(
        clapping=True, spread_ms=sigma, ahead_ms=None if chaos else ahead,
        tempo_start_bpm=tempo.start_bpm if tempo else None, tempo_end_bpm=tempo.end_bpm if tempo else None,
        r=spread.r, pulse=pulse(pulse_shape(room, track.grid, track.periods), expected), **common)
