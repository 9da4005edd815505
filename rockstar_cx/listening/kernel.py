"""The smear kernel: how spread and how late a perfectly tight room reads through a room response.

Reverberation and the detector's own width widen every burst; a crowd's true spread is the
measured one with the kernel removed (σ² − σ_k², :mod:`.circular`).  The kernel is measured the
way the claps are: a perfectly tight crowd on every beat of the grid, through the room's response
(from the latency probe or estimated from the guide, :mod:`.bleed`), folded by the same detector.
Many hands clapping at once sound like one noise burst, fresh every beat (its flicker through the
reverberation differs beat by beat, as a crowd's does); one recorded clap repeated would not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .circular import fold
from .onset import onset_strength

BEATS = 32  # enough for the tail of earlier beats to build up, and the flicker to average, as in a show
BURST_DECAY_S = 0.008  # a clap's decay (5-12 ms)
SEED = 15  # the kernel is the same every time for the same response


@dataclass(frozen=True)
class Kernel:
    sigma_ms: float  # the spread a perfectly tight room reads as
    ahead_ms: float  # and where it reads (negative: early); removed from the room's ahead/behind

    @classmethod
    def none(cls) -> "Kernel":
        return cls(0.0, 0.0)


def measure_kernel(response: np.ndarray, rate: int, period_s: float) -> Kernel:
    """The kernel of ``response`` (the room's, as a FIR at ``rate``) at a grid of ``period_s``."""
    rng = np.random.default_rng(SEED)
    length = int((BEATS + 1) * period_s * rate) + len(response)
    beats = np.arange(BEATS) * period_s + period_s
    burst = int(6 * BURST_DECAY_S * rate)
    decay = np.exp(-np.arange(burst) / (BURST_DECAY_S * rate))
    tight = np.zeros(length)
    for start in np.round(beats * rate).astype(int):
        tight[start:start + burst] = rng.normal(0.0, 1.0, burst) * decay
    heard = signal.oaconvolve(tight, response)[:length]
    direct = int(np.argmax(np.abs(response)))  # the grid as heard: the direct sound's delay
    spread = fold(onset_strength(heard, rate), beats + direct / rate)
    return Kernel(spread.raw_sigma_ms, spread.ahead_ms)
