"""Where the performance starts in a recording: by the guide it hears.

The show's guide, rendered offline, is cross-correlated with the recording: first both are
low-passed and decimated (cheap, over the whole recording), then the best lag is refined at the
full rate around it.  A show's guide changes from moment to moment, so only one lag lines all of
it up; the peak is where the guide's start is *heard*, the path's delay included, which is the
grid the room claps to when the mic is at the back on the PA's axis.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from ..errors import ShowError

DECIMATE = 8  # 6 kHz at 48 kHz: the guide's attacks still line up within a sample or two there
REFINE = 16  # full-rate samples either side of the coarse lag


def find_start(recording: np.ndarray, guide: np.ndarray) -> int:
    """The recording's sample where the guide's sample 0 is heard (negative: the recording began later).
    ShowError when the recording holds nothing of the guide."""
    recording = np.asarray(recording, dtype=np.float64)
    guide = np.asarray(guide, dtype=np.float64)
    if not np.any(guide) or not np.any(recording):
        raise ShowError("the recording is silent: nothing of the show's guide is heard in it")
    coarse_rec = signal.decimate(recording, DECIMATE, ftype="fir")
    coarse_guide = signal.decimate(guide, DECIMATE, ftype="fir")
    score = signal.correlate(coarse_rec, coarse_guide, mode="full", method="fft")
    lags = signal.correlation_lags(len(coarse_rec), len(coarse_guide), mode="full")
    coarse = int(lags[np.argmax(score)]) * DECIMATE
    best, best_score = coarse, -np.inf
    for lag in range(coarse - REFINE, coarse + REFINE + 1):
        lo, hi = max(0, lag), min(len(recording), lag + len(guide))
        if hi <= lo:
            continue
        value = float(np.dot(recording[lo:hi], guide[lo - lag:hi - lag]))
        if value > best_score:
            best, best_score = lag, value
    return best
