"""Musical time to exact samples: spans of a tempo map, and the events inside them.

A *span* is a stretch of the performance with one tempo line (constant, or a linear ramp per
beat) that belongs to one moment (or the count-in).  The conductor strings spans together;
this module turns one span into its events.  Everything here is pure arithmetic.

Exactness: a span's start time is an exact :class:`~fractions.Fraction` of seconds, so spans
never accumulate rounding error, however long the show.  Inside a span, an event's offset is
computed in floating point (error ~1e-9 samples) and the sample is ``round(time · rate)`` with
halves rounded up; :data:`TIE_EPSILON` makes exact halves round up even when the float offset
lands a hair below them.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from ..show.model import Show
from .events import COUNT_IN, Beat, Event, Hit, MomentStart

#: Events an :class:`EventStream` computes early at most.
READ_AHEAD_MAX = 32

#: Samples.  Far above float error inside a span, far below any real distance from a half.
TIE_EPSILON = 1e-6

#: Chaos ("no conductor"): how far each section's own tempo strays at the start (±fraction),
#: how much it speeds up over the span (groups clapping alone speed up), and timing jitter.
CHAOS_TEMPO_SPREAD = 0.04
CHAOS_SPEEDUP = (0.02, 0.08)
CHAOS_JITTER_S = 0.006
CHAOS_JITTER_LIMIT_S = 0.015


@dataclass(frozen=True)
class Span:
    """A stretch of one moment with one tempo line, from global beat ``start_beat`` for ``beats`` beats."""

    rate: int  # samples per second
    moment: int  # index into show.moments, or COUNT_IN
    start: Fraction  # seconds from the performance origin, exact
    start_beat: int  # global beat count at the start
    beats: int
    tempo: float  # bpm at the start
    tempo_end: float  # bpm at the end (== tempo: constant)
    bar_origin: int  # global beat of the moment's first bar line
    moment_beat: int  # beats into the moment at the start
    begins_moment: bool
    entries: tuple[tuple[int, int], ...]  # (section index, global beat where its pattern started)
    chaos: bool = False

    @property
    def end_beat(self) -> int:
        return self.start_beat + self.beats

    @property
    def _slope(self) -> float:
        """Tempo change per beat."""
        return (self.tempo_end - self.tempo) / self.beats

    def tempo_at(self, x: float) -> float:
        """Tempo (bpm) ``x`` beats after the start."""
        return self.tempo + self._slope * x

    def seconds_at(self, x: float) -> float:
        """Seconds from the start to ``x`` beats after it: the integral of 60/tempo."""
        k = self._slope
        if k == 0.0:
            return 60.0 * x / self.tempo
        return 60.0 / k * math.log1p(k * x / self.tempo)

    def beat_at(self, seconds: float) -> float:
        """Inverse of :meth:`seconds_at`."""
        k = self._slope
        if k == 0.0:
            return seconds * self.tempo / 60.0
        return self.tempo / k * math.expm1(k * seconds / 60.0)

    def time_of_beat(self, x: int) -> Fraction:
        """Exact time of whole beat ``x`` after the start (exact for constant tempo)."""
        if self.tempo == self.tempo_end:
            return self.start + Fraction(60 * x) / Fraction(self.tempo)
        return self.start + Fraction(self.seconds_at(x))

    @cached_property
    def end(self) -> Fraction:
        return self.time_of_beat(self.beats)

    @cached_property
    def _origin(self) -> tuple[int, float]:
        # Split start·rate into an exact integer and a small float remainder.
        whole = self.start * self.rate
        integer = whole.numerator // whole.denominator
        return integer, float(whole - integer)

    def sample_at_seconds(self, seconds: float) -> int:
        """The sample of a time ``seconds`` after the start: round half up."""
        integer, fraction = self._origin
        return integer + math.floor(fraction + seconds * self.rate + 0.5 + TIE_EPSILON)

    def sample_of_beat(self, x: int) -> int:
        return self.sample_of_time(self.time_of_beat(x))

    def sample_of_time(self, time: Fraction) -> int:
        return math.floor(time * self.rate + Fraction(1, 2))

    @cached_property
    def end_sample(self) -> int:
        return self.sample_of_time(self.end)

    def local_beat_at_sample(self, sample: int) -> float:
        return self.beat_at(sample / self.rate - float(self.start))


def span_events(show: Show, span: Span, *, seed: int) -> EventStream:
    """Every event of a span in sample order (ties: moment start, beat, then hits by section).

    Lazy: events are computed as they are consumed, so starting a long moment costs the
    audio callback nothing up front.
    """
    streams = [_markers(show, span)]
    make_hits = _chaos_hits if span.chaos else _conducted_hits
    for section_index, entry in span.entries:
        streams.append(_ranked(make_hits(show, span, section_index, entry, seed), span, section_index))
    return EventStream(event for _, _, event in heapq.merge(*streams))


class EventStream:
    """An iterator of events that can compute a few of them early (:meth:`read_ahead`).

    When every section hits on the same sample, computing all those events in the one audio
    block that plays them makes it the slowest block of all; reading one or two events ahead
    in each block spreads that work over the quiet blocks before.  The events are the span's
    alone (mute and solo are applied as they are emitted), so reading ahead changes nothing.
    """

    __slots__ = ("_source", "_ahead")

    def __init__(self, source: Iterator[Event] | None = None) -> None:
        self._source = iter(()) if source is None else source
        self._ahead: deque[Event] = deque()

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> Event:
        if self._ahead:
            return self._ahead.popleft()
        return next(self._source)

    def read_ahead(self, count: int) -> None:
        """Compute up to ``count`` more events now, keeping at most :data:`READ_AHEAD_MAX` in hand."""
        ahead = self._ahead
        if len(ahead) >= READ_AHEAD_MAX:  # the common case once a span has run a while
            return
        for _ in range(min(count, READ_AHEAD_MAX - len(ahead))):
            event = next(self._source, None)
            if event is None:
                return
            ahead.append(event)


def _markers(show: Show, span: Span) -> Iterator[tuple[int, int, Event]]:
    """(sample, rank, event) of the moment start and the beats."""
    start = float(span.start)
    if span.begins_moment and span.moment != COUNT_IN:
        sample = span.sample_at_seconds(0.0)
        yield sample, -2, MomentStart(sample, start, span.moment)
    for x in range(span.beats):
        seconds = span.seconds_at(x)
        sample = span.sample_at_seconds(seconds)
        bar, beat = divmod(span.start_beat + x - span.bar_origin, show.meter.beats)
        yield sample, -1, Beat(sample, start + seconds, span.moment, bar, beat, span.tempo_at(x))


def _ranked(hits: Iterator[tuple[int, float, bool]], span: Span, section: int) -> Iterator[tuple[int, int, Event]]:
    start = float(span.start)
    for sample, seconds, accent in hits:
        yield sample, section, Hit(sample, start + seconds, section, accent, span.moment)


def _conducted_hits(show: Show, span: Span, section_index: int, entry: int, seed: int):
    """(sample, seconds, accent) of a section's steps on the conductor's grid."""
    section = show.sections[section_index]
    per_beat = section.steps_per_beat
    pattern = section.pattern
    steps_per_bar = show.meter.beats * per_beat
    swing_beats = show.swing / per_beat
    first = (span.start_beat - entry) * per_beat  # pattern phase counts from the entry
    bar_step = (entry - span.bar_origin) * per_beat  # swing parity counts from the bar line
    for k in range(first, first + span.beats * per_beat):
        step = pattern[k % len(pattern)]
        if not step:
            continue
        x = (k - first) / per_beat
        if swing_beats and (bar_step + k) % steps_per_bar % 2:
            x += swing_beats
        seconds = span.seconds_at(x)
        yield span.sample_at_seconds(seconds), seconds, step == 2


def _chaos_hits(show: Show, span: Span, section_index: int, entry: int, seed: int):
    """A section on its own: its own tempo, speeding up, with human jitter.  Deterministic per seed."""
    section = show.sections[section_index]
    per_beat = section.steps_per_beat
    pattern = section.pattern
    steps_per_bar = show.meter.beats * per_beat
    rng = random.Random(f"{seed}:{span.moment}:{span.moment_beat}:{section_index}")
    rate = 1.0 + rng.uniform(-CHAOS_TEMPO_SPREAD, CHAOS_TEMPO_SPREAD)
    step_seconds = 60.0 / (span.tempo * per_beat)
    duration = span.seconds_at(span.beats)
    speedup = (1.0 + rng.uniform(*CHAOS_SPEEDUP)) ** (step_seconds / duration)
    last = span.end_sample - 1
    k = (span.start_beat - entry) * per_beat
    bar_step = (entry - span.bar_origin) * per_beat
    seconds = previous = 0.0
    while seconds < duration:
        step = pattern[k % len(pattern)]
        if step:
            offset = seconds
            if (bar_step + k) % steps_per_bar % 2:
                offset += show.swing * step_seconds / rate
            jitter = max(-CHAOS_JITTER_LIMIT_S, min(CHAOS_JITTER_LIMIT_S, rng.gauss(0.0, CHAOS_JITTER_S)))
            offset = min(max(offset + jitter, previous, 0.0), duration)  # nobody plays a step before the last
            previous = offset
            sample = min(span.sample_at_seconds(offset), last)
            yield sample, offset, step == 2
        seconds += step_seconds / rate
        rate *= speedup
        k += 1
