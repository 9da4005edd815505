"""A show's length and event count, computed moment by moment: nothing is performed or listed.

``perform(show, rate)`` builds every event, which for a long, dense show is millions of objects
(issue 16: a 2.7 KB show made ``check`` take 32 s and 1.4 GB).  :func:`measure` walks the same
spans the conductor would play offline — one per moment, plus the count-in — using the very
:class:`~.timeline.Span` arithmetic for their times, and counts each span's events by arithmetic:

* a span's end is ``Span.end``, the exact Fraction the conductor chains, so ``seconds`` equals
  ``perform(show, rate)[-1].time`` exactly, at any rate;
* conducted hits: the pattern's hits among the span's steps, from prefix sums of the pattern;
* chaos hits: the number of steps the drifting tempo fits into the span, from the closed form
  of its geometric series; when that lands too near the span's end to tell from the float sum
  the conductor accumulates, the sum itself is replayed (that section's steps only).

The event count does not depend on the sample rate: every event of a span lands before its end
(hits at least half a step before it, chaos hits are clamped into it).
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

from ..show.model import HOLD_RENDER_BARS, Section, Show
from .events import COUNT_IN
from .timeline import CHAOS_SPEEDUP, CHAOS_TEMPO_SPREAD, Span, speedup_end

#: The chaos step count's closed form is trusted this far (relative) from the span's end.  The
#: float sum it stands for drifts by at most ~3 ulp per step: under 1e-10 for the longest span.
_CHAOS_MARGIN = 1e-8


@dataclass(frozen=True)
class ShowLength:
    """How long an offline performance lasts and how many events it has."""

    seconds: float  # the final Stop's time: perform(show, rate)[-1].time
    events: int  # len(perform(show, rate))
    moment_ends: tuple[tuple[float, int], ...]  # per moment, (seconds, events) at its end, before the last accents


def measure(show: Show, *, count_in: bool = False, hold_bars: int = HOLD_RENDER_BARS) -> ShowLength:
    """The length of ``perform(show, rate, count_in=count_in)`` (held moments last ``hold_bars``)."""
    meter = show.meter.beats
    hits = [_PatternHits(section) for section in show.sections]
    tempo = show.moment_tempi()[0][0]
    time, beat, events = Fraction(0), 0, 0
    if count_in and show.count_in > 0:
        first = show.moments[0].tempo
        start = first if first is not None else tempo
        span = Span(1, COUNT_IN, time, beat, show.count_in * meter, start, start, beat, 0, True, ())
        events += span.beats
        time, beat, tempo = span.end, span.end_beat, span.tempo_at(span.beats)
    playing: dict[int, int] = {}  # section -> beat its pattern started, carried into the next moment
    ends = []
    for index, moment in enumerate(show.moments):
        start = moment.tempo if moment.tempo is not None else tempo
        end = moment.tempo_end if moment.tempo_end is not None else start
        entries = tuple((s, playing.get(s, beat)) for s in show.moment_sections[index])
        beats = (moment.bars or hold_bars) * meter or meter  # as the conductor: a 0-bar hold plays one bar
        # The rate only matters for samples, never for the times and counts used here.
        span = Span(1, index, time, beat, beats, start, end, beat, 0, True, entries, moment.mode == "chaos")
        events += 1 + beats  # MomentStart and Beats
        for section, entry in entries:
            steps = _chaos_steps(show, span, section) if span.chaos else beats * hits[section].per_beat
            events += hits[section].between((beat - entry) * hits[section].per_beat, steps)
        time, beat, tempo = span.end, span.end_beat, span.tempo_at(beats)
        playing = dict(entries)
        ends.append((float(time), events))
    # The journey ends with an accent per section of the last moment, then Stop.
    return ShowLength(float(time), events + len(playing) + 1, tuple(ends))


class _PatternHits:
    """How many hits a looping pattern has among any run of its steps, in constant time."""

    def __init__(self, section: Section) -> None:
        self.per_beat = section.steps_per_beat
        self._prefix = array("q", accumulate((bool(step) for step in section.pattern), initial=0))

    def _before(self, step: int) -> int:
        loops, rest = divmod(step, len(self._prefix) - 1)
        return loops * self._prefix[-1] + self._prefix[rest]

    def between(self, first: int, count: int) -> int:
        """Hits among steps ``first`` to ``first + count - 1`` (step 0: where the pattern starts)."""
        return self._before(first + count) - self._before(first)


def _chaos_steps(show: Show, span: Span, section_index: int) -> int:
    """How many steps :func:`.timeline._chaos_hits` takes: its loop, ``seconds += step / rate;
    rate *= speedup`` while ``seconds < duration``, counted without running it."""
    per_beat = show.sections[section_index].steps_per_beat
    # The same draws, in the same order, as _chaos_hits makes before its loop.
    rng = random.Random(f"{show.seed}:{span.moment}:{span.moment_beat}:{section_index}")
    rate = 1.0 + rng.uniform(-CHAOS_TEMPO_SPREAD, CHAOS_TEMPO_SPREAD)
    step_seconds = 60.0 / (span.tempo * per_beat)
    duration = span.seconds_at(span.beats)
    speedup = (1.0 + rng.uniform(*CHAOS_SPEEDUP)) ** (step_seconds / duration)
    first = step_seconds / rate
    growth = math.log(speedup)  # step n lasts first·speedup^-n, so n steps last first·Σ speedup^-i

    def elapsed(steps: int) -> float:
        if growth == 0.0:
            return first * steps
        return first * math.expm1(-growth * steps) / math.expm1(-growth)

    if growth == 0.0:
        estimate = duration / first
    else:  # solve elapsed(n) = duration for n
        estimate = -math.log1p(duration * math.expm1(-growth) / first) / growth
    steps = max(1, math.ceil(estimate))  # the first step is always taken: the loop starts at 0 < duration
    while steps > 1 and elapsed(steps - 1) >= duration:
        steps -= 1
    while elapsed(steps) < duration:
        steps += 1
    low, high = duration * (1 - _CHAOS_MARGIN), duration * (1 + _CHAOS_MARGIN)
    if elapsed(steps - 1) < low and elapsed(steps) > high:
        return steps
    # the conductor's own float sum, for the rare span whose end the closed form cannot call
    return speedup_end(step_seconds, rate, speedup, duration)[0]
