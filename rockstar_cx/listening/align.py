"""Where the performance starts in a recording: by the guide it hears.

The show's guide, rendered offline, is cross-correlated with the recording: first their envelopes
(1 ms frames, over the whole recording: cheap, and blind to a second device's clock drifting a few
ms), then the guide's first seconds sample by sample around that lag.  A show's guide changes from
moment to moment, so only one lag lines all of it up; the peak is where the guide's start is
*heard*, the path's delay included, which is the grid the room claps to when the mic is at the
back on the PA's axis.

The guide heard back is also a free pilot (:func:`track_delay`): window by window its delay, so
a moved mic or a changed path shows within a window, and a second device's clock skew is the
slope of the delays; :func:`unskew` puts such a recording back on the show's clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal, stats

from ..errors import ShowError
from .onset import band_power

ENVELOPE_BAND_HZ = (200.0, 8000.0)  # every kit sound has its attack in here
REFINE_S = 10.0  # of the guide, from its first sound, matched sample by sample
REFINE_REACH_S = 0.03  # either side of the envelopes' lag: a crowd clapping early can pull them that far
PILOT_WINDOW_S = 5.0  # the guide as a pilot, window by window: two bars at 96 bpm
PILOT_RANGE_S = 0.02  # how far the delay may move from the start's (a 100 ppm clock: 0.36 s per hour)


def find_start(recording: np.ndarray, guide: np.ndarray, rate: int) -> int:
    """The recording's sample where the guide's sample 0 is heard (negative: the recording began later).
    ShowError when the recording holds nothing of the guide."""
    recording = np.asarray(recording, dtype=np.float64)
    guide = np.asarray(guide, dtype=np.float64)
    sounding = np.flatnonzero(guide)
    if not len(sounding) or not np.any(recording):
        raise ShowError("the recording is silent: nothing of the show's guide is heard in it")
    heard, played = (np.sqrt(band_power(x, rate, ENVELOPE_BAND_HZ)) for x in (recording, guide))
    score = signal.correlate(heard - heard.mean(), played - played.mean(), mode="full", method="fft")
    hop = len(recording) // len(heard)
    return refine_start(recording, guide, rate,
                        int(signal.correlation_lags(len(heard), len(played), mode="full")[np.argmax(score)]) * hop)


def refine_start(recording: np.ndarray, guide: np.ndarray, rate: int, around: int) -> int:
    """The start within ±REFINE_REACH_S of ``around`` where the guide's first seconds match sample by sample
    (``around`` itself when the recording does not hold them there)."""
    sounding = np.flatnonzero(guide)
    if not len(sounding):
        return around
    first = int(sounding[0])
    piece = guide[first:first + int(REFINE_S * rate)]
    reach = int(REFINE_REACH_S * rate)
    lo = max(0, around + first - reach)
    hi = min(len(recording), around + first + len(piece) + reach)
    if hi - lo < len(piece):
        return around
    fine = signal.correlate(np.asarray(recording[lo:hi], dtype=np.float64), piece, mode="valid", method="fft")
    return lo + int(np.argmax(fine)) - first


@dataclass(frozen=True, eq=False)
class DelayTrack:
    """The guide's delay in the recording over time: ``delays[k]`` samples beyond ``start`` at ``times[k]``
    seconds of the guide; ``skew_ppm``, how much faster the recording's clock runs (a second device)."""

    times: np.ndarray
    delays: np.ndarray
    skew_ppm: float


def track_delay(recording: np.ndarray, guide: np.ndarray, start: int, rate: int,
                window_s: float = PILOT_WINDOW_S) -> DelayTrack:
    """Follow the guide heard back as a pilot: in every window of it that sounds, its delay (to a fraction
    of a sample, by a parabola through the correlation's peak) within ±PILOT_RANGE_S of ``start``."""
    window, reach = int(window_s * rate), int(PILOT_RANGE_S * rate)
    times, delays = [], []
    for lo in range(0, len(guide) - window + 1, window):
        piece = np.asarray(guide[lo:lo + window], dtype=np.float64)
        begin = start + lo - reach
        if begin < 0 or begin + window + 2 * reach > len(recording) or not np.any(piece):
            continue
        score = signal.correlate(np.asarray(recording[begin:begin + window + 2 * reach], dtype=np.float64),
                                 piece, mode="valid", method="fft")
        peak = int(np.argmax(score))
        if 0 < peak < len(score) - 1:
            a, b, c = score[peak - 1:peak + 2]
            offset = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c != 0 else 0.0
            times.append((lo + window / 2) / rate)
            delays.append(peak + offset - reach)
    t, d = np.array(times), np.array(delays)
    return DelayTrack(t, d, float(robust_line(t, d)[0] / rate * 1e6) if len(t) >= 2 else 0.0)


def robust_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) through the points by Theil and Sen (the median of the pairwise slopes): a
    window whose guide sounds only at one end reads that end's delay, which a drifting clock has moved."""
    slope, intercept, *_ = stats.theilslopes(y, x)
    return float(slope), float(intercept)


def measure_skew(recording: np.ndarray, guide: np.ndarray, start: int, rate: int) -> tuple[float, int]:
    """(skew in ppm, the start where the pilot's line begins) of a recording on its own clock; (0, start)
    when the pilot holds fewer than three windows.  A second pass on the recording put back on the show's
    clock takes the first's error out: inside a window the skew itself smears the delay."""
    total, first = 0.0, start
    for _ in range(2):
        pilot = track_delay(unskew(recording, first, total) if total else recording, guide, first, rate)
        if len(pilot.times) < 3:
            return 0.0, start
        slope, intercept = robust_line(pilot.times, pilot.delays)
        total += slope / rate * 1e6
        first += round(intercept)
    return total, first


def unskew(recording: np.ndarray, start: int, skew_ppm: float) -> np.ndarray:
    """The recording on the guide's clock: a device ``skew_ppm`` fast took that many more samples per
    million; linear interpolation is plenty below the clap band's 6 kHz."""
    n = int((len(recording) - start) / (1 + skew_ppm * 1e-6)) + start
    positions = start + (np.arange(n) - start) * (1 + skew_ppm * 1e-6)
    return np.interp(positions, np.arange(len(recording)), recording)
