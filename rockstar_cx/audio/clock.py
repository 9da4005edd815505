"""One clock: the audio sample counter, mapped to host time for the stage view and MIDI.

Callbacks arrive irregularly (scheduling jitter) and PortAudio's DAC timestamps are unreliable
on several host APIs, so — as Ableton Link does — the engine fits a straight line through the
(sample, host time) pairs of the last :data:`WINDOW` callbacks.  The slope is the real length
of a sample on this machine's clock (sound cards drift from their nominal rate), the intercept
anchors it.  Host time is :func:`time.perf_counter`, which is system-wide on Linux, macOS and
Windows, so the app process can use the fit too.

A cycle the audio device drops or runs late (an xrun) moves the whole audio timeline against
host time, for good.  A regression over the last second would take that second to follow, and
MIDI placed by it would sit a block off meanwhile; so when the newest :data:`STEP_PAIRS`
callbacks all land more than half a block off the line, the pairs before them are dropped and
the line starts again from them, keeping the old slope (the device's rate did not change) until
enough new pairs pin it.
"""

from __future__ import annotations

from collections import deque

import numpy as np

WINDOW = 512
STEP_PAIRS = 8  # the newest callbacks that must agree before a jump of the timeline is believed
SLOPE_PAIRS = 128  # fewer pairs than this since a jump: keep the slope from before it


class HostClock:
    """Collects (sample, host time) pairs in the callback; fits them elsewhere.

    Threading contract: :meth:`add` is for the audio callback (one append to a bounded deque).
    :meth:`fit` may run in another thread: it takes a snapshot of the deque in one C call,
    which the GIL keeps whole.
    """

    def __init__(self, sample_rate: int, window: int = WINDOW) -> None:
        self.sample_rate = sample_rate
        self._pairs: deque[tuple[int, float]] = deque(maxlen=window)
        self.add = self._pairs.append  # add((sample, host)): the bound method, no Python frame
        self._slope: float | None = None  # the slope before the last jump, while few pairs follow it
        self.jumps = 0  # timeline jumps followed (xruns, mostly)

    def reset(self) -> None:
        """Forget the pairs (a new stream has a new relation to host time)."""
        self._pairs.clear()
        self._slope = None

    def fit(self) -> tuple[float, float, float] | None:
        """(sample, host, seconds per sample): host time of any sample s is host + (s - sample)·period."""
        pairs = np.array(tuple(self._pairs), np.float64).reshape(-1, 2)
        line = self._line(pairs)
        if line is None or len(pairs) < 2 * STEP_PAIRS:
            return line
        recent = pairs[-STEP_PAIRS:]
        off = recent[:, 1] - host_time(line, recent[:, 0])
        half_block = 0.5 * float(np.median(np.diff(recent[:, 0]))) * line[2]
        if np.all(off > half_block) or np.all(off < -half_block):  # the timeline jumped: follow it now
            self._slope = self._line(pairs[:-STEP_PAIRS])[2]  # the rate from before the jump, unbent by it
            self.jumps += 1
            for _ in range(len(pairs) - STEP_PAIRS):
                self._pairs.popleft()  # the callback only appends: popping the oldest is safe
            line = self._line(recent)
        return line

    def _line(self, pairs: np.ndarray) -> tuple[float, float, float] | None:
        if len(pairs) < 2:
            return None
        samples, hosts = pairs[:, 0], pairs[:, 1]
        mean_sample, mean_host = samples.mean(), hosts.mean()
        spread = samples - mean_sample
        variance = float(spread @ spread)
        if variance == 0.0:
            return None
        if self._slope is not None and len(pairs) < SLOPE_PAIRS:
            return float(mean_sample), float(mean_host), self._slope
        self._slope = None
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
