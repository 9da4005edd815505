"""The room's spread around a grid: onset strength folded on known times, circular statistics.

Each expected time ``t_k`` (a beat, or a step the sections play) gets a window of one period
``T_k`` centred on it; every frame in it has a phase 2π(t − t_k)/T_k.  The folded profile's
floor (its quietest quarter: noise, reverb, claps far off the grid) is removed, and what is left
gives the mean resultant length R, the circular SD σ = T/(2π)·√(−2 ln R) and the mean phase
(negative: ahead of the grid).  What the room's reverberation and the detector add (the smear
kernel) is removed by :mod:`.kernel`.

Whether there is clapping at all is asked per window: claps lock each window's phase to the
same place (a Rayleigh test over windows), noise, speech and unrelated music do not.  The guide
locks too: what is left of it once taken out (:mod:`.bleed`) is perfectly on the grid, so the room
must also hold more on the grid than that remainder can (:func:`heard_clapping`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .onset import Envelope

BINS = 96
FLOOR_QUANTILE = 0.25  # the profile's quietest quarter is its floor
#: n·R² over windows: noise reaches it with p ≈ e^-6 (speech, music and silence, simulated, stayed under 3.3);
#: a clapping room's windows lock near R = 1, so 6 windows suffice (a 4-bar moment with 2 clear steps a bar).
RAYLEIGH_MIN = 6.0
MIN_WINDOWS = 6
CONTRAST_MIN = 0.35  # the share of the profile's mass above its floor
#: Taking the guide out leaves ~0.6 % of its on-grid onset strength (simulated, RT60 0-1.5 s); a crowd
#: 10 dB under the guide keeps ~10 %, 15 dB under ~4 %.  Below 2 % the room is the guide's remainder.
GUIDE_RESIDUE = 0.02


@dataclass(frozen=True)
class Spread:
    """The room around the grid, as read: the smear kernel is still in (see :meth:`.kernel.Kernel.correct`)."""

    r: float
    raw_sigma_ms: float
    ahead_ms: float  # negative: ahead of (before) the grid
    period_ms: float
    n_beats: int  # windows that held onset strength
    locking: float  # Rayleigh n·R² of the windows' own phases
    contrast: float  # share of the folded mass above the floor
    mass: float  # folded onset strength above the floor, per window

    @property
    def clapping(self) -> bool:
        return self.n_beats >= MIN_WINDOWS and self.locking >= RAYLEIGH_MIN and self.contrast >= CONTRAST_MIN


def heard_clapping(room: Spread, guide: Spread | None) -> bool:
    """Clapping in the room, beyond what the guide taken out of it (``guide``: the guide as heard) leaves."""
    return room.clapping and (guide is None or not guide.mass > 0 or room.mass >= GUIDE_RESIDUE * guide.mass)


def periods(times: np.ndarray) -> np.ndarray:
    """Each time's period: the gap to its nearer neighbour (a lone time gets 1 s)."""
    times = np.asarray(times, dtype=float)
    if len(times) < 2:
        return np.ones(len(times))
    gaps = np.diff(times)
    return np.minimum(np.concatenate((gaps[:1], gaps)), np.concatenate((gaps, gaps[-1:])))


def sigma_from_r(r: float, period_s: float) -> float:
    """Circular SD in seconds: T/(2π)·√(−2 ln R)."""
    return period_s / (2 * math.pi) * math.sqrt(-2.0 * math.log(min(max(r, 1e-12), 1.0)))


def fold(envelope: Envelope, times: np.ndarray, period_s: np.ndarray | None = None) -> Spread:
    """The spread of ``envelope`` around ``times`` (seconds), each with its period (default: :func:`periods`)."""
    times = np.asarray(times, dtype=float)
    period_s = periods(times) if period_s is None else np.asarray(period_s, dtype=float)
    total = np.zeros(BINS)
    count = np.zeros(BINS)
    windows: list[tuple[np.ndarray, np.ndarray]] = []
    for t, period in zip(times, period_s):
        frame_times, values = envelope.window(t - period / 2, t + period / 2)
        if len(values) == 0:
            continue
        phase = 2 * math.pi * (frame_times - t) / period
        bins = np.clip(((phase + math.pi) / (2 * math.pi) * BINS).astype(int), 0, BINS - 1)
        total += np.bincount(bins, values, BINS)
        count += np.bincount(bins, minlength=BINS)
        windows.append((phase, values))
    mean_period = float(np.mean(period_s)) if len(period_s) else 1.0
    profile = total / np.maximum(count, 1)
    floor = float(np.mean(np.sort(profile)[:max(1, int(BINS * FLOOR_QUANTILE))]))
    above = np.maximum(profile - floor, 0.0)
    centres = (np.arange(BINS) + 0.5) / BINS * 2 * math.pi - math.pi
    resultant = complex(np.sum(above * np.exp(1j * centres)))
    mass = float(np.sum(above))
    r = abs(resultant) / mass if mass > 0 else 0.0
    raw = sigma_from_r(r, mean_period) * 1000 if mass > 0 else math.nan
    phases = []
    for phase, values in windows:
        weights = np.maximum(values - floor, 0.0)
        vector = complex(np.sum(weights * np.exp(1j * phase)))
        if abs(vector) > 0:
            phases.append(vector / abs(vector))
    locking = len(phases) * abs(np.mean(phases)) ** 2 if phases else 0.0
    return Spread(
        r=r, raw_sigma_ms=raw,
        ahead_ms=math.atan2(resultant.imag, resultant.real) / (2 * math.pi) * mean_period * 1000
        if mass > 0 else math.nan,
        period_ms=mean_period * 1000, n_beats=len(phases), locking=float(locking),
        contrast=mass / float(np.sum(profile)) if np.sum(profile) > 0 else 0.0,
        mass=mass)
