"""What the room did in each moment of a recorded performance.

The conductor's own events say where every beat and every section's step falls; shifted to where
the performance starts in the recording, they are the grid.  Conducted moments are folded on the
steps the sections play (the guide's hits); a chaos moment has no common grid, so the room's own
pulse is followed from the conductor's tempo at its start and the spread is taken around that — as
it is in a conducted moment whose room drifted off the steps (no clapping heard on them).
A moment without clapping gets ``clapping = False`` and no figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..conductor.events import Beat, Event, Hit
from ..show.model import Show
from .circular import Spread, fold, heard_clapping, periods
from .kernel import Kernel
from .onset import Envelope
from .tempo import bar_tempo, follow, pulse, pulse_fit, pulse_shape

SAME_STEP_S = 0.002  # sections hitting the same step are one expected time
#: In a chaos moment the guide's sections drift on their own, and what taking it out leaves of them
#: pulls the follower off the room's pulse (0.9 bpm over 8 bars, simulated); this share of the guide's
#: onset strength as heard is taken from the room's there (~3 % of its power: ~15 dB, what the take-out
#: leaves).  Not in conducted moments: there the guide and the room share the grid, and it would trim
#: the room's own claps on it (ahead/behind read 4 ms early).
CHAOS_GUIDE_TRACE = 0.03
MIN_WINDOWS = 6  # clear steps to fold on, at least, for a spread (fewer: clapping, but no figure)


@dataclass(frozen=True)
class MomentMeasures:
    """One moment as the room played it.  Figures are None when no clapping was heard; the spread also
    when the sections' steps are too close together to tell apart (fewer than MIN_WINDOWS clear of their
    neighbours); ahead/behind (and the sections' phases) where the room is measured around its own pulse:
a chaos moment, or a room that left the conductor's steps — no grid to be ahead of."""

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
    pulse: str | None  # same, half or double: the room's pulse against the one the sections play
    sections: dict[str, float | None]  # each section's ahead/behind, on the steps only it plays

    def as_dict(self) -> dict[str, object]:
        return {key: _plain(value) for key, value in asdict(self).items()}


def _plain(value: object) -> object:
    """A JSON-ready value: floats rounded to what is meaningful, NaN as None."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 2)
    return value


def expected_times(hits: Sequence[Hit], offset_s: float) -> np.ndarray:
    """The distinct times the sections play, shifted by ``offset_s``."""
    times = np.unique(np.array([hit.time for hit in hits], dtype=float)) + offset_s
    if len(times) < 2:
        return times
    return times[np.concatenate(([True], np.diff(times) > SAME_STEP_S))]


def clear_times(times: np.ndarray) -> tuple[np.ndarray, float]:
    """The expected times whose neighbours are at least the median gap away, and that gap: a window of one
    gap around each holds no neighbour's claps (a sixteenth before a downbeat, say, would read as spread).
    The first and the last are left out: the moments around may play next to them."""
    if len(times) < 2:
        return times, 1.0
    gaps = np.diff(times)
    period = float(np.median(gaps))
    nearest = np.minimum(np.concatenate(([0.0], gaps)), np.concatenate((gaps, [0.0])))
    return times[nearest >= period - SAME_STEP_S], period


def drifted(times: np.ndarray, beats: np.ndarray, pulse_s: np.ndarray | None) -> np.ndarray:
    """``times`` (the steps, s) moved by as much as the room's pulse (:func:`.tempo.pulse_fit`) drifted from the
    conductor's ``beats`` around them — each pulse beat against the beat nearest it, interpolated — so a room
    pulling away from the conductor is folded where it clapped the steps and its drift is not read as spread
    (σ 15 ms, ramping to 126 bpm over 8 bars: 23-26 ms in two-bar windows).  As they are without a pulse."""
    if pulse_s is None or len(beats) < 2:
        return times
    nearest = np.clip(np.searchsorted(beats, pulse_s), 1, len(beats) - 1)
    nearest -= (pulse_s - beats[nearest - 1]) < (beats[nearest] - pulse_s)
    anchors, first = np.unique(beats[nearest], return_index=True)
    return times + np.interp(times, anchors, (pulse_s - beats[nearest])[first])


def section_phases(show: Show, hits: Sequence[Hit], room: Envelope, offset_s: float,
                   kernel_for: Callable[[float], Kernel]) -> dict[str, float | None]:
    """Each section's ahead/behind (ms), from the steps it plays and no other section does; None for a
    section with fewer than MIN_WINDOWS such steps clear of their neighbours."""
    everyone = expected_times(hits, offset_s)
    phases: dict[str, float | None] = {}
    for index in sorted({hit.section for hit in hits}):
        own = expected_times([hit for hit in hits if hit.section == index], offset_s)
        others = expected_times([hit for hit in hits if hit.section != index], offset_s)
        alone = own[np.all(np.abs(own[:, None] - others[None, :]) > SAME_STEP_S, axis=1)] if len(others) else own
        clear, period = clear_times(everyone)
        mine = clear[np.isin(clear, alone)]
        phase = None
        if len(mine) >= MIN_WINDOWS:
            phase = kernel_for(period).correct(fold(room, mine, np.full(len(mine), period)))[1]
        phases[show.sections[index].id] = phase
    return phases


def played(times: np.ndarray, start_s: float, end_s: float) -> Envelope:
    """What the sections play as an onset strength: one unit at each time (for the pulse they imply)."""
    rate = 1000.0
    values = np.zeros(int((end_s - start_s) * rate) + 1)
    frames = np.round((times - start_s) * rate).astype(int)
    np.add.at(values, frames[(frames >= 0) & (frames < len(values))], 1.0)
    return Envelope(values, rate, start_s)


def measure_moment(show: Show, index: int, events: Sequence[Event], room: Envelope, guide: Envelope | None,
                   offset_s: float, kernel_for: Callable[[float], Kernel]) -> MomentMeasures:
    """The measures of moment ``index`` from the room's onset strength (the guide already taken out) and
    the guide as heard; ``kernel_for(period_s)`` gives the smear kernel on a grid of that period."""
    moment = show.moments[index]
    beats = [e for e in events if type(e) is Beat and e.moment == index]
    hits = [e for e in events if type(e) is Hit and e.moment == index]
    beat_times = np.array([b.time for b in beats]) + offset_s
    start, period = float(beat_times[0]), 60.0 / beats[0].tempo
    seconds = float(beat_times[-1] - beat_times[0]) + 60.0 / beats[-1].tempo
    chaos = moment.mode == "chaos"
    if chaos and guide is not None:
        room = Envelope(np.maximum(room.values - CHAOS_GUIDE_TRACE * guide.values, 0.0), room.rate, room.start_s)
    track = follow(room, start, period, len(beats))
    expected = expected_times(hits, offset_s) if hits else beat_times

    steps, pulse_grid = (expected, periods(expected)), (track.grid, track.periods)

    def clapping_on(grid: np.ndarray, periods_s: np.ndarray) -> bool:  # every step, each in its own window
        return heard_clapping(fold(room, grid, periods_s), fold(guide, grid, periods_s) if guide is not None else None)

    # with the conductor: the room around the steps the sections played; without (chaos), or where it left
    # them by more than a step's window (a room drifting away), around its own pulse, as the live listener does
    on_steps = not chaos and clapping_on(*steps)
    common = dict(id=moment.id, title=moment.title, mode=moment.mode, start_s=start, seconds=seconds,
                  conductor_tempo_start_bpm=beats[0].tempo, conductor_tempo_end_bpm=beats[-1].tempo)
    if not on_steps and not clapping_on(*pulse_grid):
        return MomentMeasures(clapping=False, spread_ms=None, ahead_ms=None, tempo_start_bpm=None,
                              tempo_end_bpm=None, r=None, pulse=None, sections={}, **common,
                              n_beats=fold(room, *(pulse_grid if chaos else steps)).n_beats)
    tempo = bar_tempo(track, show.meter.beats)
    if on_steps:  # the figures only from steps clear of their neighbours, on one period; the spread where the
        grid, period_s = clear_times(expected)  # room clapped them, ahead/behind against where they were played
        periods_s = np.full(len(grid), period_s)
        around = drifted(grid, beat_times, pulse_fit(track, show.meter.beats))
    else:
        grid, periods_s = pulse_grid
        around = grid
    spread: Spread = fold(room, around, periods_s)
    sigma, ahead = kernel_for(float(np.mean(periods_s))).correct(spread) if spread.n_beats >= MIN_WINDOWS \
        else (math.nan, math.nan)
    ahead += 1000.0 * float(np.mean(around - grid))  # against where the steps were played: the drift is ahead too
    implied = None if chaos else pulse_shape(played(expected, start - period, start + seconds + period),
                                             track.grid, track.periods)
    return MomentMeasures(
        clapping=True, spread_ms=sigma, ahead_ms=ahead if on_steps else None,
        tempo_start_bpm=tempo.start_bpm if tempo else None, tempo_end_bpm=tempo.end_bpm if tempo else None,
        r=spread.r if math.isfinite(sigma) else None, n_beats=spread.n_beats,
        pulse=pulse(pulse_shape(room, track.grid, track.periods), implied),
        sections=section_phases(show, hits, room, offset_s, kernel_for) if on_steps else {}, **common)
