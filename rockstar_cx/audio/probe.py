"""The calibration probe: a logarithmic sine sweep the engine plays into the main mix on command.

:class:`~.commands.PlayProbe` starts it at the next block rendered, published as applied at that
block's first sample; the room ring (:mod:`.room`) holds what the microphone heard at the same
show positions, so the round trip is counted from the probe's first sample played, never from
what a driver reports (:func:`~rockstar_cx.listening.measure_latency` finds it there).
"""

from __future__ import annotations

import math

import numpy as np

SWEEP_S = 1.0
SWEEP_HZ = (50.0, 16000.0)
FADE_S = 0.01
PROBE_LEVEL = 0.25  # -12 dBFS: loud enough to stand out of a room's noise, no strain on the PA


def log_sweep(rate: int, seconds: float = SWEEP_S, band: tuple[float, float] = SWEEP_HZ) -> np.ndarray:
    """An exponential sine sweep at full scale with short raised-cosine fades (no clicks at its ends)."""
    from scipy import signal  # here: an engine without a room input never pays for scipy's import

    t = np.arange(int(seconds * rate)) / rate
    sweep = signal.chirp(t, band[0], seconds, min(band[1], 0.45 * rate), method="logarithmic", phi=-90)
    fade = int(FADE_S * rate)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, math.pi, fade))
    sweep[:fade] *= ramp
    sweep[-fade:] *= ramp[::-1]
    return sweep


def probe(rate: int) -> np.ndarray:
    """The sweep as the engine plays it (float32, at :data:`PROBE_LEVEL`)."""
    return (PROBE_LEVEL * log_sweep(rate)).astype(np.float32)


def add_probe(audio: np.ndarray, start: int, begun: int, sweep: np.ndarray) -> bool:
    """Add the part of ``sweep`` (begun at show sample ``begun``) that falls in the block ``audio``
    starting at ``start``; False once the sweep has ended."""
    offset = start - begun
    part = sweep[offset:offset + len(audio)]
    audio[:len(part)] += part
    return offset + len(audio) < len(sweep)
