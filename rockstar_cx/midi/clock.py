"""MIDI clock out: where the ticks and transport messages fall, in the engine's samples.

The plan is pure arithmetic over the conductor's own beats (each with its exact sample and
tempo); :mod:`.sender` turns samples into host times through the engine's clock fit and sends.

* **Ticks**: 24 per quarter note (so 24 per beat in x/4, 12 in x/8), interpolated between two
  consecutive beats.  Inside a tempo ramp the conductor's tempo rises linearly per beat, so the
  ticks follow the ramp's own curve (the integral of 60/tempo) rather than a straight line, and
  every beat's tick lands on the beat's exact sample.  After the last beat known (a slow tempo
  beyond the preview, or a stop right now) ticks carry on at that beat's tempo.
* **Transport**: Start (0xFA) on the first beat of the journey's first moment — a count-in
  clocks but does not start the receiver, so a DAW playing ``rockstar-cx export-midi``'s file
  starts with the show; a start at a later moment sends Song Position Pointer (that moment's
  position in the exported file: held moments count 4 bars) then Continue (0xFB).  Stop (0xFC)
  when the performance stops.  SPP is only sent while the receiver is stopped, as MIDI asks.
* **Clock while stopped** (``run_while_stopped``): ticks go on at the last tempo, so a DAW shows
  the tempo before the show starts.

Threading contract: one owner (the planner thread) calls :meth:`ClockPlan.observe` with the played
events in order, then :meth:`ClockPlan.plan` for a window; the result is a fresh list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..conductor.events import COUNT_IN, Beat, Event, Stop
from ..show.model import Show

CLOCK, START, CONTINUE, STOP, SONG_POSITION = 0xF8, 0xFA, 0xFB, 0xFC, 0xF2
CLOCKS_PER_QUARTER = 24
SPP_MAX = 0x3FFF
# Order of messages on one sample: position and start come before that beat's tick.
ORDER_POSITION, ORDER_START, ORDER_TICK, ORDER_STOP = 0, 1, 2, 3


@dataclass(frozen=True, order=True)
class Timed:
    """One message due at ``sample``; ``key`` tells repeats of the same message apart across plans."""

    sample: float
    order: int
    data: bytes
    key: tuple = ()


def clocks_per_beat(show: Show) -> int:
    return CLOCKS_PER_QUARTER * 4 // show.meter.unit


def song_position(show: Show, moment: int) -> int:
    """Sixteenths from the journey's start to ``moment`` as the exported MIDI file lays it out."""
    beats = sum(m.render_bars for m in show.moments[:moment]) * show.meter.beats
    return min(beats * 16 // show.meter.unit, SPP_MAX)


def beat_fractions(tempo: float, tempo_next: float, samples: float, rate: int, count: int) -> list[float]:
    """Where ``count`` equal parts of a beat start, as fractions of its ``samples``.

    The beat either holds ``tempo`` (the tempo changes at the next beat) or ramps linearly to
    ``tempo_next``; whichever predicts the beat's real length better is the one being played.
    """
    constant = 60.0 * rate / tempo
    steps = [j / count for j in range(count)]
    if tempo_next == tempo:
        return steps
    slope = tempo_next - tempo
    ramp = 60.0 * rate * math.log(tempo_next / tempo) / slope
    if abs(samples - constant) <= abs(samples - ramp):
        return steps
    total = math.log1p(slope / tempo)
    return [math.log1p(slope * x / tempo) / total for x in steps]


class ClockPlan:
    def __init__(self, show: Show, rate: int, *, run_while_stopped: bool = False) -> None:
        self.show = show
        self.rate = rate
        self.per_beat = clocks_per_beat(show)
        self.run_while_stopped = run_while_stopped
        # The transport before the kept history: (last beat of a running performance, receiver
        # started, stopped at, tempo).  Played events stay in the history while they may still be
        # due: the engine plays a beat before its sound (and its MIDI) is due.
        self._base: tuple[Beat | None, bool, int | None, float] = (None, False, None, show.tempo)
        self._history: list[Event] = []

    def observe(self, played: Iterable[Event], keep_from: float) -> None:
        """Take in the played events (in order); fold those before ``keep_from`` into the base state."""
        self._history += [e for e in played if type(e) in (Beat, Stop)]
        old = 0
        while old < len(self._history) and self._history[old].sample < keep_from:
            old += 1
        if old:
            self._base = self._walk(self._history[:old], *self._base, None)
            del self._history[:old]

    def plan(self, upcoming: list[Event], start: float, end: float, last_tick: float | None) -> list[Timed]:
        """Messages due in ``(start, end]`` given the preview ``upcoming``; ``last_tick``: the last tick sent."""
        events = self._history + [e for e in upcoming if type(e) in (Beat, Stop)]
        out: list[Timed] = []
        self._walk(events, *self._base, out, start, end)
        if self.run_while_stopped:
            out += self._free_run(out, events, start, end, last_tick)
        return sorted(t for t in out if start < t.sample <= end)

    # -- the walk over beats and stops -------------------------------------------------------------

    def _walk(self, events: Iterable[Event], beat: Beat | None, started: bool, stopped_at: int | None, tempo: float,
              out: list[Timed] | None, start: float = -math.inf, end: float = math.inf):
        """Replay the transport over ``events``; with ``out``, emit the messages of ``(start, end]``."""
        for event in events:
            kind = type(event)
            if kind is Beat:
                if out is not None:
                    if beat is not None and event.sample > start and beat.sample <= end:
                        self._ticks(beat, event.sample, event.tempo, out)
                    if not started and event.moment != COUNT_IN:
                        self._start(event, out)
                started = started or event.moment != COUNT_IN
                beat, tempo, stopped_at = event, event.tempo, None
            elif kind is Stop:
                if out is not None:
                    if beat is not None:
                        self._last_beat(beat, event.sample, out)
                    if started:
                        out.append(Timed(event.sample, ORDER_STOP, bytes([STOP]), ("stop", event.sample)))
                beat, started, stopped_at = None, False, event.sample
        if out is not None and beat is not None and beat.sample <= end:
            self._tail(beat, end, out)
        return beat, started, stopped_at, tempo

    def _last_beat(self, beat: Beat, stop: int, out: list[Timed]) -> None:
        """Ticks of the beat a stop ends.  A stop on a beat's place (a bar line, the journey's end)
        closes it like a next beat would — its tempo estimated from the beat's length, so a ramp
        is followed to its end; a stop mid-beat (stop now) ends the ticks at the beat's tempo."""
        length = stop - beat.sample
        nominal = 60.0 * self.rate / beat.tempo
        if abs(length - nominal) <= 0.1 * nominal:
            self._ticks(beat, stop, 2.0 * 60.0 * self.rate / length - beat.tempo, out)
        else:
            self._tail(beat, stop, out)

    def _ticks(self, beat: Beat, end: int, tempo_end: float, out: list[Timed]) -> None:
        """The ticks from ``beat`` to the next beat at sample ``end``, where the tempo is ``tempo_end``."""
        length = end - beat.sample
        for fraction in beat_fractions(beat.tempo, tempo_end, length, self.rate, self.per_beat):
            sample = beat.sample + fraction * length
            out.append(Timed(sample, ORDER_TICK, bytes([CLOCK]), ("tick", round(sample))))

    def _tail(self, beat: Beat, limit: float, out: list[Timed]) -> None:
        """Ticks after the last known beat, at its tempo, up to (not including) ``limit``."""
        step = 60.0 * self.rate / beat.tempo / self.per_beat
        count = min(self.per_beat * 64, math.ceil((limit - beat.sample) / step))  # bounded: a far ``limit``
        for j in range(max(count, 0)):
            sample = beat.sample + j * step
            out.append(Timed(sample, ORDER_TICK, bytes([CLOCK]), ("tick", round(sample))))

    def _start(self, beat: Beat, out: list[Timed]) -> None:
        if beat.moment == 0:
            out.append(Timed(beat.sample, ORDER_START, bytes([START]), ("start", beat.sample)))
            return
        position = song_position(self.show, beat.moment)
        out.append(Timed(beat.sample, ORDER_POSITION, bytes([SONG_POSITION, position & 0x7F, position >> 7]),
                         ("position", beat.sample)))
        out.append(Timed(beat.sample, ORDER_START, bytes([CONTINUE]), ("start", beat.sample)))

    def _free_run(self, planned: list[Timed], upcoming: list[Event], start: float, end: float,
                  last_tick: float | None) -> list[Timed]:
        """While stopped: ticks at the last tempo, on from the last tick, until a performance starts."""
        gaps: list[tuple[float, float, float]] = []  # (from, to, tempo) where nothing performs
        beat, _, stopped_at, tempo = self._base
        gap_from = None if beat is not None else (stopped_at if stopped_at is not None else -math.inf)
        for event in upcoming:
            if type(event) is Beat:
                if gap_from is not None:
                    gaps.append((gap_from, event.sample, tempo))
                    gap_from = None
                tempo = event.tempo
            elif type(event) is Stop:
                gap_from = event.sample
        if gap_from is not None:
            gaps.append((gap_from, math.inf, tempo))
        ticks = [t.sample for t in planned if t.order == ORDER_TICK]
        out: list[Timed] = []
        for gap_from, gap_to, gap_tempo in gaps:
            step = 60.0 * self.rate / gap_tempo / self.per_beat
            before = [s for s in ticks if s < gap_from] + ([last_tick] if last_tick is not None else [])
            sample = max(before) + step if before else max(gap_from, start)
            if sample < start:  # the sender stalled: rejoin the grid now rather than burst the missed ticks
                sample += math.ceil((start - sample) / step) * step
            while sample <= end and sample < gap_to - step / 2:
                out.append(Timed(sample, ORDER_TICK, bytes([CLOCK]), ("tick", round(sample))))
                ticks.append(sample)
                sample += step
        return out
