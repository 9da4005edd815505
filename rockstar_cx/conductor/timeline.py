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
from functools import cached_property, lru_cache

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
    origin: Span | None = None  # the span that began this moment (None: this one, or a count-in)

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
    """A section on its own: its own tempo, speeding up over the moment's bars, with human jitter;
    held on past them at the tempo it reached, so the sections go on drifting apart until the
    conductor returns.  Each section's time runs from the moment's start, whichever span of the
    moment asks (a held bar, a nudged tempo: nobody is conducting).  Deterministic per seed.

    The moment's bars draw their jitter from one generator per section, in order (the offline
    render's hits, unchanged); each held step draws its own, so a held bar costs the same
    however long the hold has lasted.
    """
    first = span.origin or span
    section = show.sections[section_index]
    per_beat = section.steps_per_beat
    pattern = section.pattern
    steps_per_bar = show.meter.beats * per_beat
    rng = random.Random(f"{seed}:{first.moment}:{first.moment_beat}:{section_index}")
    rate = 1.0 + rng.uniform(-CHAOS_TEMPO_SPREAD, CHAOS_TEMPO_SPREAD)
    step_seconds = 60.0 / (first.tempo * per_beat)
    duration = first.seconds_at(first.beats)
    speedup = (1.0 + rng.uniform(*CHAOS_SPEEDUP)) ** (step_seconds / duration)
    k = (first.start_beat - entry) * per_beat
    bar_step = (entry - first.bar_origin) * per_beat
    # The span's window in seconds from the moment's start; a hit lands inside it.
    since = float(span.start - first.start)
    until = duration if span is first else float(span.end - first.start)
    last = span.end_sample - 1

    def hit(base: float, step: int, jitter: float, step_rate: float, previous: float) -> tuple[int, float, bool, float]:
        offset = base
        if (bar_step + step) % steps_per_bar % 2:
            offset += show.swing * step_seconds / step_rate
        jitter = max(-CHAOS_JITTER_LIMIT_S, min(CHAOS_JITTER_LIMIT_S, jitter))
        offset = min(max(offset + jitter, previous, since), until)  # nobody plays a step before the last
        seconds = offset - since
        return min(span.sample_at_seconds(seconds), last), seconds, pattern[step % len(pattern)] == 2, offset

    previous = since
    steps, seconds, rate_reached = speedup_end(step_seconds, rate, speedup, duration)
    if since < duration:  # the moment's bars: replayed from its start (only a nudged tempo starts a span inside them)
        seconds = 0.0
        for n in range(steps):
            if pattern[(k + n) % len(pattern)]:
                jitter = rng.gauss(0.0, CHAOS_JITTER_S)
                if since <= seconds < until:
                    sample, at, accent, previous = hit(seconds, k + n, jitter, rate, previous)
                    yield sample, at, accent
            seconds += step_seconds / rate
            rate *= speedup
    if span is first:
        return
    interval = step_seconds / rate_reached
    n = max(0, math.floor((since - seconds) / interval))
    while (base := seconds + n * interval) < until:
        step = k + steps + n
        if base >= since and pattern[step % len(pattern)]:
            jitter = random.Random(f"{seed}:{first.moment}:{section_index}:{steps + n}").gauss(0.0, CHAOS_JITTER_S)
            sample, at, accent, previous = hit(base, step, jitter, rate_reached, previous)
            yield sample, at, accent
        n += 1


@lru_cache(maxsize=256)
def speedup_end(step_seconds: float, rate: float, speedup: float, duration: float) -> tuple[int, float, float]:
    """(steps, seconds, rate) where a chaos section's speeding up ends: the steps that start
    within ``duration``, the time the next one starts, and the rate it has reached."""
    seconds, steps = 0.0, 0
    while seconds < duration:
        seconds += step_seconds / rate
        rate *= speedup
        steps += 1
    return steps, seconds, rate
