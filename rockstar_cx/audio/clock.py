"""One clock: the audio sample counter, mapped to host time for the stage view and MIDI.

Callbacks arrive irregularly (scheduling jitter) and PortAudio's DAC timestamps are unreliable
on several host APIs, so — as Ableton Link does — the engine fits a straight line through the
(sample, host time) pairs of the last :data:`WINDOW` callbacks.  The slope is the real length
of a sample on this machine's clock (sound cards drift from their nominal rate), the intercept
anchors it.  Host time is :func:`time.perf_counter`, which is system-wide on Linux, macOS and
Windows, so the app process can use the fit too.

The line is anchored on the *early edge* of the callbacks, not their mean: a callback wakes some
time after its device period began, and how long after varies — on a loaded machine a client
thread may wake a millisecond late for seconds at a time, and a mean follows that.  The
:data:`EDGE_PERCENTILE` of the callbacks' offsets from the fitted line is where the periods
begin, as near as the callbacks can tell (none wakes before its period), so everything placed
by the fit — MIDI sent into the right JACK period above all — keeps to the device's clock
however late its callbacks run.

A cycle the audio device drops or runs late (an xrun) moves the whole audio timeline against
host time, for good.  A regression over the last second would take that second to follow, and
MIDI placed by it would sit a block off meanwhile; so when the newest :data:`STEP_PAIRS`
callbacks all land more than half a block off the line, the pairs before them are dropped and
the line starts again from them, keeping the old slope (the device's rate did not change) until
enough new pairs pin it.
"""

from __future__ import annotations

import numpy as np

WINDOW = 512
STEP_PAIRS = 8  # the newest callbacks that must agree before a jump of the timeline is believed
SLOPE_PAIRS = 128  # fewer pairs than this since a jump: keep the slope from before it
#: Not the earliest callback (one lucky wake, and a slope error at the window's ends would move
#: it): the 10th percentile is as steady as the mean and within ~50 µs of the period's start here.
EDGE_PERCENTILE = 10.0


class HostClock:
    """Collects (sample, host time) pairs in the callback; fits them elsewhere.

    Threading contract: :meth:`add` is for the audio callback: two list stores and a count, in
    a ring of :data:`WINDOW` pairs.  :meth:`fit` and :meth:`reset` may run in another thread: the
    fit copies each list in one C call, reads the count before and after, and keeps only the
    pairs written before the first read that no add since (nor one half done) can have touched.
    """

    def __init__(self, sample_rate: int, window: int = WINDOW) -> None:
        self.sample_rate = sample_rate
        self._window = window
        # plain lists: a store costs the callback least, and numpy reads them fastest as floats
        self._samples = [0] * window
        self._hosts = [0.0] * window
        self._count = 0  # pairs ever added
        self._first = 0  # the oldest pair still believed: a reset or a jump forgets those before
        self._slope: float | None = None  # the slope before the last jump, while few pairs follow it

    def add(self, sample: int, host: float) -> None:
        at = self._count % self._window
        self._samples[at] = sample
        self._hosts[at] = host
        self._count += 1

    def reset(self) -> None:
        """Forget the pairs (a new stream has a new relation to host time)."""
        self._first = self._count
        self._slope = None

    def fit(self) -> tuple[float, float, float] | None:
        """(sample, host, seconds per sample): host time of any sample s is host + (s - sample)·period,
        the start of the device period that plays s (the callbacks' early edge, see the module docstring)."""
        count = self._count
        samples, hosts = self._samples[:], self._hosts[:]
        latest = self._count  # adds up to here may have overwritten slots, and one may be half done
        order = np.arange(max(self._first, latest - self._window + 1), count) % self._window
        pairs = np.empty((len(order), 2))
        pairs[:, 0] = np.fromiter(samples, np.float64, self._window)[order]
        pairs[:, 1] = np.fromiter(hosts, np.float64, self._window)[order]
        line = self._line(pairs)
        if line is None:
            return None
        if len(pairs) >= 2 * STEP_PAIRS:
            recent = pairs[-STEP_PAIRS:]
            off = recent[:, 1] - host_time(line, recent[:, 0])
            half_block = 0.5 * float(recent[-1, 0] - recent[0, 0]) / (STEP_PAIRS - 1) * line[2]  # blocks are even
            if np.all(off > half_block) or np.all(off < -half_block):  # the timeline jumped: follow it now
                self._slope = self._line(pairs[:-STEP_PAIRS])[2]  # the rate from before the jump, unbent by it
                self._first = count - STEP_PAIRS
                pairs, line = recent, self._line(recent)
        edge = np.percentile(pairs[:, 1] - host_time(line, pairs[:, 0]), EDGE_PERCENTILE)
        return line[0], line[1] + float(edge), line[2]

    def _line(self, pairs: np.ndarray) -> tuple[float, float, float] | None:
        if len(pairs) < 2:
            return None
        samples, hosts = pairs[:, 0], pairs[:, 1]
        mean_sample, mean_host = samples.sum() / len(pairs), hosts.sum() / len(pairs)
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
