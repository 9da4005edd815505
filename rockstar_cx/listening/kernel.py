"""The smear kernel: how spread and how late a room reads through a room response and the detector.

Reverberation and the detector's own width widen every burst.  Known only as one number (the
spread a perfectly tight source reads as, σ_k: the guide's own, say), it is removed as σ² − σ_k².
Known as a response (from the latency probe), it is measured as a curve instead: crowds of
known spread, clapping through that response, folded by the same detector — what each reads as.
A reverberant tail is no Gaussian, and the curve, unlike σ² − σ_k², gets small spreads right.

Many hands clapping at once sound like noise bursts, fresh every beat (their flicker through the
reverberation differs beat by beat, as a crowd's does); one recorded clap repeated would not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .circular import Spread, fold
from .onset import onset_strength

BEATS = 20  # enough for the tail of earlier beats to build up, and the flicker to average, as in a show
HANDS = 24  # bursts per beat in a simulated crowd
BURST_DECAY_S = 0.008  # a clap's decay (5-12 ms)
CURVE_MS = (0.0, 10.0, 25.0, 45.0, 70.0, 100.0)  # the spreads simulated
SEED = 15  # the same kernel every time for the same response


@dataclass(frozen=True)
class Kernel:
    """What the room adds: at a true spread of 0, ``sigma_ms`` and ``ahead_ms``; with a ``curve`` of
    (true σ, σ read, ahead read) in ms, at every spread."""

    sigma_ms: float
    ahead_ms: float
    curve: tuple[tuple[float, float, float], ...] = ()

    @classmethod
    def none(cls) -> "Kernel":
        return cls(0.0, 0.0)

    def correct(self, spread: Spread) -> tuple[float, float]:
        """(σ, ahead/behind) of the room with the kernel removed."""
        if not math.isfinite(spread.raw_sigma_ms):
            return math.nan, math.nan
        if not self.curve:
            return math.sqrt(max(spread.raw_sigma_ms ** 2 - self.sigma_ms ** 2, 0.0)), spread.ahead_ms - self.ahead_ms
        true, read, ahead = (np.array(column) for column in zip(*self.curve))
        read = np.maximum.accumulate(read)  # monotonic, so the curve can be read backwards
        sigma = float(np.interp(spread.raw_sigma_ms, read, true, left=0.0, right=math.nan))
        if not math.isfinite(sigma):  # beyond the curve: what is above its end, added in quadrature
            sigma = math.sqrt(true[-1] ** 2 + max(spread.raw_sigma_ms ** 2 - read[-1] ** 2, 0.0))
        return sigma, spread.ahead_ms - float(np.interp(sigma, true, ahead))


def _crowd_through(response: np.ndarray, rate: int, period_s: float, spread_s: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(what the mic hears, the beat times) of a simulated crowd of ``spread_s`` through ``response``."""
    length = int((BEATS + 2) * period_s * rate) + len(response)
    beats = np.arange(BEATS) * period_s + period_s
    burst = int(6 * BURST_DECAY_S * rate)
    decay = np.exp(-np.arange(burst) / (BURST_DECAY_S * rate))
    starts = np.round((beats[:, None] + rng.normal(0.0, spread_s, (BEATS, HANDS))) * rate).astype(int).ravel()
    crowd = np.zeros(length + burst)
    for start in starts:
        crowd[start:start + burst] += rng.normal(0.0, 1.0, burst) * decay
    return signal.oaconvolve(crowd[:length], response)[:length], beats


def measure_kernel(response: np.ndarray, rate: int, period_s: float) -> Kernel:
    """The kernel of ``response`` (the path to the mic as a FIR at ``rate``) on a grid of ``period_s``."""
    rng = np.random.default_rng(SEED)
    direct = int(np.argmax(np.abs(response))) / rate  # the grid as heard: the direct sound's delay
    curve = []
    for spread_ms in CURVE_MS:
        heard, beats = _crowd_through(response, rate, period_s, spread_ms / 1000, rng)
        read = fold(onset_strength(heard, rate), beats + direct)
        curve.append((spread_ms, read.raw_sigma_ms, read.ahead_ms))
    return Kernel(curve[0][1], curve[0][2], tuple(curve))
