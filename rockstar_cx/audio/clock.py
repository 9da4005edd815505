"""One clock: the audio sample counter, mapped to host time for the stage view and MIDI.

Callbacks arrive irregularly (scheduling jitter) and PortAudio's DAC timestamps are unreliable
on several host APIs, so — as Ableton Link does — the engine fits a straight line through the
(sample, host time) pairs of the last :data:`WINDOW` callbacks.  The slope is the real length
of a sample on this machine's clock (sound cards drift from their nominal rate), the intercept
anchors it.  Host time is :func:`time.perf_counter`, which is system-wide on Linux, macOS and
Windows, so the app process can use the fit too.
"""

from __future__ import annotations

import numpy as np

WINDOW = 512


class HostClock:
    """Collects (sample, host time) pairs in the callback; fits them elsewhere.

    Threading contract: :meth:`add` is for the audio callback (two stores into preallocated
    arrays).  :meth:`fit` may run in another thread: it copies the arrays first, and one pair
    caught half-written only nudges a least-squares fit over hundreds of pairs.
    """

    def __init__(self, sample_rate: int, window: int = WINDOW) -> None:
        self.sample_rate = sample_rate
        self._samples = np.zeros(window, np.float64)
        self._hosts = np.zeros(window, np.float64)
        self._count = 0

    def add(self, sample: int, host: float) -> None:
        slot = self._count % len(self._samples)
        self._samples[slot] = sample
        self._hosts[slot] = host
        self._count += 1

    def reset(self) -> None:
        """Forget the pairs (a new stream has a new relation to host time)."""
        self._count = 0

    def fit(self) -> tuple[float, float, float] | None:
        """(sample, host, seconds per sample): host time of any sample s is host + (s - sample)·period."""
        count = min(self._count, len(self._samples))
        if count < 2:
            return None
        samples, hosts = self._samples[:count].copy(), self._hosts[:count].copy()
        mean_sample, mean_host = samples.mean(), hosts.mean()
        spread = samples - mean_sample
        variance = float(spread @ spread)
        if variance == 0.0:
            return None
        period = float(spread @ (hosts - mean_host)) / variance
        if not 0.5 / self.sample_rate < period < 2.0 / self.sample_rate:  # nonsense: keep the nominal rate
            period = 1.0 / self.sample_rate
        return float(mean_sample), float(mean_host), period


def host_time(fit: tuple[float, float, float], sample: float) -> float:
    anchor_sample, anchor_host, period = fit
    return anchor_host + (sample - anchor_sample) * period


def sample_at(fit: tuple[float, float, float], host: float) -> float:
    anchor_sample, anchor_host, period = fit
    return anchor_sample + (host - anchor_host) / period
