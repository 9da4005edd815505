"""The conductor: a show plus live commands in, sample-exact events out, one window at a time.

The conductor owns no clock and no thread: the caller advances it over consecutive sample
windows (an audio block, a render chunk) and it returns exactly the events whose sample lies in
each window — none lost or doubled, whatever the window sizes.  The same code drives the live
engine, offline render, MIDI export and the visuals, so they cannot disagree.

Threading contract: not thread-safe.  One owner calls :meth:`Conductor.submit` and
:meth:`Conductor.advance`; in the live engine that is whoever holds the renderer's token
(:mod:`rockstar_cx.audio.ahead`), fed from a lock-free queue.  ``advance`` allocates small Python objects but never blocks.

Here: the windows, the spans and their events, and the snapshot for the outside.  How commands
change the performance is in :mod:`.steering`, the tempo's rules in :mod:`.tempo`.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

from ..show.model import THEN_NEXT, Show
from . import commands as cmd
from .events import COUNT_IN, Beat, Event, Hit, Stop
from .steering import Steering, Pending
from .tempo import TAP_INTERVALS, TempoControl
from .timeline import EventStream, Span, span_events


@dataclass(frozen=True)
class Transport:
    """A snapshot of where the performance is, for the stage view, console and MIDI."""

    sample: int
    playing: bool
    counting_in: bool
    moment: int  # playing now, or the one Start will play
    bar: int  # of the last beat passed, 0-based within the moment
    beat: int
    tempo: float
    armed: int | None  # moment that will enter next on the presenter's command (-1: the end)
    armed_sample: int | None  # when it enters, once known
    muted: frozenset[int]
    soloed: frozenset[int]
    finished: bool
    # The moment's length here (its bars; held moments: hold_bars if set), None: it holds from its start.
    moment_bars: int | None = None
    moves_on: bool = False  # at the end of moment_bars it moves on by itself; else it holds until GO


class Conductor(Steering, TempoControl):
    """Turns a :class:`Show` and live commands into events.

    ``hold_bars``: None performs live — a moment plays its bars, then (``then = "hold"``, the
    default) loops its parts at its end tempo until the presenter moves on; ``bars = 0`` holds
    from the start.  An int (offline render, MIDI export, headless rehearsal: nobody presses GO)
    moves every moment on after its bars, and gives held moments that many bars.
    """

    def __init__(self, show: Show, sample_rate: int, *, hold_bars: int | None = None) -> None:
        self.show = show
        self.rate = sample_rate
        self.position = 0  # the next sample to process
        self._hold_bars = hold_bars
        self._commands: deque[cmd.Command] = deque()
        self._span: Span | None = None
        self._stream = EventStream()  # the current span's events still to come
        self._next: Event | None = None  # the first of them
        self._quiet_until = 0  # no event and no span change before this sample (commands aside)
        self._pending: Pending | None = None
        self._pending_tempo: tuple[int, float, float] | None = None  # (global beat, bpm there, bpm at the end)
        self._moment = 0
        self._file_tempi = show.moment_tempi()
        self._tempo = self._file_tempi[0][0]
        self._start_tempo: float | None = None  # set, tapped or nudged while stopped: for the next Start only
        self._beat_counter = 0  # global beats are numbered on, across spans and restarts
        self._last_beat: Beat | None = None
        self._muted: set[int] = set()
        self._soloed: set[int] = set()
        self._taps: deque[int] = deque(maxlen=TAP_INTERVALS + 1)
        self._finished = False

    # -- the two calls --------------------------------------------------------------------

    def submit(self, command: cmd.Command) -> None:
        """Queue a command; it takes effect at the start of the next :meth:`advance` window."""
        self._commands.append(command)

    def advance(self, frames: int) -> list[Event]:
        """Process the window ``[position, position + frames)``; return its events in sample order."""
        start, stop = self.position, self.position + frames
        out: list[Event] = []
        if stop <= self._quiet_until and not self._commands:  # most audio blocks: nothing happens
            self.position = stop
        else:
            while self._commands:
                self._apply(self._commands.popleft(), start, out)
            cut = stop
            while self._span is not None:
                cut, beat = self._next_switch()
                self._emit_until(min(cut, stop), out)
                if cut >= stop:
                    break
                self._switch(cut, beat, out)
            self.position = stop
            self._quiet_until = min(cut, self._next.sample) if self._next is not None else cut
        if self._span is not None:
            self._stream.read_ahead(1 + frames // 256)  # enough to keep ahead of any show's event rate
        return out

    def fork(self) -> Conductor:
        """An independent copy: advancing or commanding it leaves this one untouched."""
        twin = copy.copy(self)
        twin._commands = deque(self._commands)
        twin._muted, twin._soloed = set(self._muted), set(self._soloed)
        twin._taps = copy.copy(self._taps)
        twin._resume_stream()  # spans and pending changes are immutable: sharing them is safe
        return twin

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_stream"], state["_next"]  # generators do not pickle: it is rebuilt from the span
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._resume_stream()

    def _resume_stream(self) -> None:
        """Rebuild the current span's event stream from the span, at the current position."""
        self._stream, self._next, self._quiet_until = EventStream(), None, 0
        if self._span is not None:
            self._stream = span_events(self.show, self._span, seed=self.show.seed)
            self._next = next(self._stream, None)
            while self._next is not None and self._next.sample < self.position:
                self._next = next(self._stream, None)

    # -- state for the outside ------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._span is not None

    def transport(self) -> Transport:
        span, pending, last = self._span, self._pending, self._last_beat
        armed_sample = None
        if pending and span and span.start_beat <= pending.beat:
            armed_sample = self._sample_ahead(pending.beat)
        armed = None if pending is None else (-1 if pending.moment is None else pending.moment)
        total = self._moment_beats(self._moment)
        return Transport(
            sample=self.position,
            playing=span is not None,
            counting_in=span is not None and span.moment == COUNT_IN,
            moment=self._moment,
            bar=last.bar if last and span else 0,
            beat=last.beat if last and span else 0,
            tempo=last.tempo if last and span else self._stopped_tempo(),
            armed=armed,
            armed_sample=armed_sample,
            muted=frozenset(self._muted),
            soloed=frozenset(self._soloed),
            finished=self._finished,
            moment_bars=None if total is None else total // self.show.meter.beats,
            moves_on=total is not None and not self._holds(self._moment),
        )

    def next_boundary(self, quantize: cmd.Quantize) -> int | None:
        """The sample of the next beat / bar line / moment end from now; None when stopped."""
        span = self._span
        if span is None:
            return None
        beat = self._boundary(quantize, self.position)
        if beat > span.end_beat:  # the moment's end, in a later span: assume the tempo holds
            return span.end_sample + round((beat - span.end_beat) * 60.0 * self.rate / span.tempo_end)
        return span.sample_of_beat(beat - span.start_beat)

    def audible(self, section: int) -> bool:
        """Mute and solo: a soloed section always plays; with any solo, only soloed ones do."""
        if self._soloed:
            return section in self._soloed
        return section not in self._muted

    # -- emitting ---------------------------------------------------------------------------

    def _emit_until(self, limit: int, out: list[Event]) -> None:
        event, stream = self._next, self._stream
        while event is not None and event.sample < limit:
            if type(event) is not Hit:
                if type(event) is Beat:
                    self._last_beat = event
                out.append(event)
            elif self.audible(event.section):
                out.append(event)
            event = next(stream, None)
        self._next = event

    def _next_switch(self) -> tuple[int, int]:
        """(sample, global beat) of the next span change: the span's end or a pending change inside it."""
        span = self._span
        beat = span.end_beat
        for pending_beat in (self._pending and self._pending.beat, self._pending_tempo and self._pending_tempo[0]):
            if pending_beat is not None and span.start_beat <= pending_beat < beat:
                beat = pending_beat
        if beat == span.end_beat:
            return span.end_sample, beat
        return span.sample_of_beat(beat - span.start_beat), beat

    def _switch(self, sample: int, beat: int, out: list[Event]) -> None:
        """At a span boundary: a pending change, else the journey's own next step."""
        span = self._span
        time = span.time_of_beat(beat - span.start_beat)
        self._beat_counter = beat
        tempo_changed = self._pending_tempo is not None and self._pending_tempo[0] == beat
        tempo_end = None
        if tempo_changed:
            _, self._tempo, tempo_end = self._pending_tempo
            self._pending_tempo = None
        else:
            self._tempo = span.tempo_at(beat - span.start_beat)
        pending = self._pending if self._pending and self._pending.beat == beat else None
        if pending:
            self._pending = None
            if pending.moment is None:
                self._end(span, sample, time, out, finished=pending.finished)
            else:
                self._begin_moment(pending.moment, time, beat, span)
            return
        if span.moment == COUNT_IN:
            self._begin_moment(self._moment, time, beat, None)
        elif beat < span.end_beat or self._holds(span.moment):
            self._continue_moment(span, time, beat, tempo_end)
        elif span.moment + 1 < len(self.show.moments):
            self._begin_moment(span.moment + 1, time, beat, span)
        else:
            self._end(span, sample, time, out, finished=True)

    # -- span making ------------------------------------------------------------------------

    def _moment_beats(self, moment: int) -> int | None:
        """A moment's length in beats; None for a held moment performed live."""
        bars = self.show.moments[moment].bars or self._hold_bars
        return None if bars is None else bars * self.show.meter.beats

    def _holds(self, moment: int) -> bool:
        """Live, the moment waits for the presenter at the end of its bars (or from its start)."""
        return self._hold_bars is None and (self.show.moments[moment].holds or self.show.moments[moment].then != THEN_NEXT)

    def _begin_moment(self, index: int, time: Fraction, beat: int, previous: Span | None) -> None:
        moment = self.show.moments[index]
        tempo = moment.tempo if moment.tempo is not None else self._tempo
        tempo_end = moment.tempo_end if moment.tempo_end is not None else tempo
        playing_on = dict(previous.entries) if previous is not None and previous.moment != COUNT_IN else {}
        entries = tuple((s, playing_on.get(s, beat)) for s in self.show.moment_sections[index])
        beats = self._moment_beats(index) or self.show.meter.beats
        self._moment = index
        self._set_span(Span(self.rate, index, time, beat, beats, tempo, tempo_end, beat, 0, True, entries,
                            moment.mode == "chaos"))

    def _continue_moment(self, span: Span, time: Fraction, beat: int, tempo_end: float | None) -> None:
        """The same moment goes on: the next bar of a holding moment, or the rest at a new tempo.

        ``tempo_end``: where a tempo change ramps to (None: no change, the span's own line goes on)."""
        moment_beat = span.moment_beat + beat - span.start_beat
        total = self._moment_beats(span.moment)
        held = total is None or moment_beat >= total  # past its bars: it loops at one tempo
        meter = self.show.meter.beats
        beats = meter - moment_beat % meter if held else total - moment_beat  # held: to the bar line
        if held or tempo_end is None:
            tempo_end = self._tempo if held else span.tempo_end
        self._set_span(Span(self.rate, span.moment, time, beat, beats, self._tempo, tempo_end, span.bar_origin,
                            moment_beat, False, span.entries, span.chaos, span.origin or span))

    def _set_span(self, span: Span) -> None:
        self._span = span
        self._stream = span_events(self.show, span, seed=self.show.seed)
        self._next = next(self._stream, None)

    def _end(self, span: Span, sample: int, time: Fraction, out: list[Event], *, finished: bool) -> None:
        """Stop; at the end of the journey the room ends together: one accent on the following downbeat."""
        if finished:
            for section, _ in sorted(span.entries):
                if self.audible(section):
                    out.append(Hit(sample, float(time), section, True, span.moment))
        out.append(Stop(sample, float(time), finished))
        self._span = None
        self._stream, self._next = EventStream(), None
        self._pending = self._pending_tempo = None
        self._finished = finished
        if finished:
            self._moment = 0

    def _sample_ahead(self, beat: int) -> int:
        """The sample of global ``beat``, in this span or beyond it.  Beyond it the moment holds
        (a change never lies past the end of one that moves on), at one tempo from this span's
        end or the pending tempo change on: the same exact sum the spans will make."""
        span = self._span
        if beat <= span.end_beat:
            return span.sample_of_beat(beat - span.start_beat)
        if self._pending_tempo is not None:
            origin, bpm, _ = self._pending_tempo
        else:
            origin, bpm = span.end_beat, span.tempo_at(span.beats)
        time = span.time_of_beat(origin - span.start_beat) + Fraction(60 * (beat - origin)) / Fraction(bpm)
        return span.sample_of_time(time)
