"""Latency through the air: a logarithmic sweep from the PA, heard by the mic, deconvolved.

The sweep's energy spread over a second gives ~47 dB of processing gain, so the impulse response
stands out of noise as loud as the probe.  The direct sound is the *first* strong peak (a
reflection can be as strong, never earlier); its position is refined to a fraction of a sample
by band-limited upsampling around it and a parabola through the top, and its sign is the
polarity (a speaker or mic wired inverted reads -1).  The delay is counted in samples from the
probe's first sample: never from what a driver reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import signal


REGULARISATION = 1e-3  # of the probe's peak power spectrum: what its silent bands are divided by at most
FIRST_PEAK = 0.5  # of the highest peak: the first sound this strong is the direct one
UPSAMPLE = 32
REFINE_HALF_WIDTH = 32  # samples around the peak resampled


@dataclass(frozen=True)
class Latency:
    samples: float  # from the probe's first sample played to its direct sound heard
    polarity: int  # +1, or -1 when the path inverts
    peak_to_noise_db: float  # the direct peak over the response's median level
    #: the response itself (index 0: no delay): the room's path, clean of any crowd (a calibration is played
    #: in a quiet room), for the smear kernel (:func:`.bleed.path_from_response`)
    response: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    def seconds(self, rate: int) -> float:
        return self.samples / rate


def impulse_response(recording: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """The response from the probe to the recording (index 0: no delay), by regularised spectral division."""
    n = 1 << math.ceil(math.log2(len(recording) + len(probe)))
    heard = np.fft.rfft(recording, n)
    played = np.fft.rfft(probe, n)
    power = np.abs(played) ** 2
    return np.fft.irfft(heard * np.conj(played) / (power + REGULARISATION * power.max()), n)[:len(recording)]


def first_peak(response: np.ndarray) -> tuple[float, int]:
    """(fractional index, sign) of the first peak at least FIRST_PEAK of the highest."""
    size = np.abs(response)
    start = int(np.argmax(size >= FIRST_PEAK * size.max()))
    stop = start + 1
    while stop < len(size) and size[stop] >= size[stop - 1]:  # climb to the top of this peak
        stop += 1
    top = stop - 1
    lo, hi = max(0, top - REFINE_HALF_WIDTH), min(len(response), top + REFINE_HALF_WIDTH)
    fine = np.abs(signal.resample(response[lo:hi] * signal.windows.tukey(hi - lo, 0.25), (hi - lo) * UPSAMPLE))
    j = int(np.argmax(fine[UPSAMPLE:-UPSAMPLE])) + UPSAMPLE
    a, b, c = fine[j - 1], fine[j], fine[j + 1]
    offset = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c != 0 else 0.0
    return lo + (j + offset) / UPSAMPLE, 1 if response[top] >= 0 else -1


def measure_latency(recording: np.ndarray, probe: np.ndarray) -> Latency:
    """Where ``probe`` (played from the recording's sample 0) is heard first in ``recording``."""
    response = impulse_response(np.asarray(recording, dtype=np.float64), np.asarray(probe, dtype=np.float64))
    if not np.any(response):  # silence: nothing heard, no delay to find
        return Latency(math.nan, 1, 0.0)
    position, polarity = first_peak(response)
    noise = float(np.median(np.abs(response))) or 1e-30
    return Latency(float(position), polarity, 20 * math.log10(np.abs(response).max() / noise), response)
