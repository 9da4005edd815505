"""The conductor: a show plus live commands in, sample-exact events out, one window at a time.

The conductor owns no clock and no thread: the caller advances it over consecutive sample
windows (an audio block, a render chunk) and it returns exactly the events whose sample lies in
each window — none lost or doubled, whatever the window sizes.  The same code drives the live
engine, offline render, MIDI export and the visuals, so they cannot disagree.

Threading contract: not thread-safe.  One owner calls :meth:`Conductor.submit` and
:meth:`Conductor.advance`; in the live engine that is whoever holds the renderer's token
(:mod:`rockstar_cx.audio.ahead`), fed from a lock-free queue.  ``advance`` allocates small Python objects but never blocks.
"""

from __future__ import annotations

import copy
import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

from ..show.model import THEN_NEXT, Show
from . import commands as cmd
from .events import COUNT_IN, Beat, Event, Hit, Stop
from .timeline import EventStream, Span, span_events

MIN_TEMPO, MAX_TEMPO = 20.0, 300.0
TAP_RESET_SECONDS = 2.0  # a pause this long starts a new tap sequence
TAP_INTERVALS = 4  # taps averaged


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


@dataclass(frozen=True)
class _Pending:
    beat: int  # global beat where it happens
    moment: int | None  # moment to enter; None = stop
    finished: bool = False  # a stop because the journey is over (Next past the last moment)


class Conductor:
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
        self._pending: _Pending | None = None
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
                            moment_beat, False, span.entries, span.chaos))

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

    # -- commands ---------------------------------------------------------------------------

    def _apply(self, command: cmd.Command, sample: int, out: list[Event]) -> None:
        match command:
            case cmd.Start():
                self._start(command, sample)
            case cmd.Stop(quantize=quantize):
                if self._span is not None:
                    self._arm(None, quantize, sample, out)
            case cmd.Panic():
                if self._span is not None:
                    self._arm(None, cmd.Quantize.BAR, sample, out)
            case cmd.Next(quantize=quantize):
                target = self._armed_or_current() + 1
                self._arm(target if target < len(self.show.moments) else None, quantize, sample, out,
                          finished=target >= len(self.show.moments), warn=True)
            case cmd.Previous(quantize=quantize):
                target = max(0, self._armed_or_current() - 1)
                if self._pending is not None and target == self._moment:
                    self._pending = None  # back to where we are: just disarm
                else:
                    self._arm(target, quantize, sample, out, warn=True)
            case cmd.Launch(moment=moment, quantize=quantize):
                self._arm(min(max(moment, 0), len(self.show.moments) - 1), quantize, sample, out, warn=True)
            case cmd.SetTempo(bpm=bpm):
                self._change_tempo(bpm, sample)
            case cmd.NudgeTempo(delta_bpm=delta):  # on top of a change still waiting for its beat
                base = self._pending_tempo[1] if self._pending_tempo else self._current_tempo(sample)
                self._change_tempo(base + delta, sample)
            case cmd.Reset():
                self._reset(sample)
            case cmd.TapTempo():
                self._tap(sample)
            case cmd.Mute(section=section, on=on):
                _toggle(self._muted, section, on)
            case cmd.Solo(section=section, on=on):
                _toggle(self._soloed, section, on)
            case cmd.LiveHit(section=section, accent=accent):
                out.append(Hit(sample, sample / self.rate, section, accent, self._moment, live=True))

    def _armed_or_current(self) -> int:
        pending = self._pending
        return pending.moment if pending is not None and pending.moment is not None else self._moment

    def _start(self, command: cmd.Start, sample: int) -> None:
        if self._span is not None:
            return
        moment = self._moment if command.moment is None else command.moment
        self._moment = min(max(moment, 0), len(self.show.moments) - 1)
        self._finished = False
        # A fresh start plays at the show file's tempo: adjustments made while playing end with the playing.
        self._tempo, self._start_tempo = self._stopped_tempo(), None
        time = Fraction(sample, self.rate)
        beat = self._beat_counter
        if command.count_in and self.show.count_in > 0:
            first = self.show.moments[self._moment].tempo
            tempo = first if first is not None else self._tempo
            beats = self.show.count_in * self.show.meter.beats
            self._set_span(Span(self.rate, COUNT_IN, time, beat, beats, tempo, tempo, beat, 0, True, ()))
        else:
            self._begin_moment(self._moment, time, beat, None)

    def _arm(self, moment: int | None, quantize: cmd.Quantize, sample: int, out: list[Event],
             *, finished: bool = False, warn: bool = False) -> None:
        """Schedule a change of moment (None: stop) at the quantize boundary.

        ``warn``: the presenter's GO; quantized to the bar, it gives the sections at least
        the show's warning beats (a moment that moves on by itself sooner takes it along)."""
        span = self._span
        if span is None:
            if moment is not None:
                self._moment = moment  # stopped: just choose where Start begins
            return
        if span.moment == COUNT_IN and moment is not None:
            self._moment = moment  # the count-in leads into the new choice
            return
        if quantize is cmd.Quantize.NOW:
            time = Fraction(sample, self.rate)
            beat = span.start_beat + math.ceil(span.local_beat_at_sample(sample) - 1e-9)
            self._beat_counter = beat
            self._pending = None
            if moment is None:
                self._end(span, sample, time, out, finished=finished)
            else:
                self._begin_moment(moment, time, beat, span)
            return
        warn_beats = self.show.warning_beats if warn and quantize is cmd.Quantize.BAR else 0
        self._pending = _Pending(self._boundary(quantize, sample, warn_beats), moment, finished)

    def _boundary(self, quantize: cmd.Quantize, sample: int, warn_beats: int = 0) -> int:
        """The global beat of the first beat / bar line / moment end at or after ``sample``
        (a bar line: at least ``warn_beats`` beats after the first beat there, or the end of a
        moment that moves on by itself, if that comes first)."""
        span = self._span
        local = max(0, math.ceil(span.local_beat_at_sample(sample) - 1e-9))
        while span.sample_of_beat(local) < sample:
            local += 1
        beat = span.start_beat + local
        meter = self.show.meter.beats
        total = self._moment_beats(span.moment) if span.moment != COUNT_IN else span.beats
        end = None if total is None else span.bar_origin + total
        if quantize is cmd.Quantize.MOMENT and end is not None and beat <= end:  # else: holding, no end
            return end
        if quantize is not cmd.Quantize.BEAT:
            beat += warn_beats
            beat += -(beat - span.bar_origin) % meter
            if end is not None and beat > end and (span.moment == COUNT_IN or not self._holds(span.moment)):
                beat = end  # the moment moves on there anyway: the change comes with it
        return beat

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

    def _current_tempo(self, sample: int) -> float:
        span = self._span
        if span is None:
            return self._stopped_tempo()
        return span.tempo_at(span.local_beat_at_sample(sample))

    def _stopped_tempo(self) -> float:
        """The tempo Start will play: one set while stopped, else the show file's for the moment."""
        return self._file_tempi[self._moment][0] if self._start_tempo is None else self._start_tempo

    def _change_tempo(self, bpm: float, sample: int) -> None:
        bpm = min(max(bpm, MIN_TEMPO), MAX_TEMPO)
        if self._span is None:
            self._start_tempo = bpm
        else:
            self._pending_tempo = (self._boundary(cmd.Quantize.BEAT, sample), bpm, bpm)

    def _reset(self, sample: int) -> None:
        """Back to the show file: no mutes, solos or taps; the file's tempo line from the next beat on."""
        self._muted.clear()
        self._soloed.clear()
        self._taps.clear()
        self._start_tempo = None
        span = self._span
        if span is None or span.moment == COUNT_IN:  # the count-in's tempo is the one Start chose
            self._pending_tempo = None
            return
        beat = self._boundary(cmd.Quantize.BEAT, sample)
        start, end = self._file_tempi[span.moment]
        total = self._moment_beats(span.moment)
        moment_beat = span.moment_beat + beat - span.start_beat
        if total is None or moment_beat >= total:
            self._pending_tempo = (beat, end, end)
        else:  # on the written ramp, where the moment would be without adjustments
            self._pending_tempo = (beat, start + (end - start) * moment_beat / total, end)

    def _tap(self, sample: int) -> None:
        if self._taps and sample - self._taps[-1] > TAP_RESET_SECONDS * self.rate:
            self._taps.clear()
        self._taps.append(sample)
        if len(self._taps) >= 3:
            interval = (self._taps[-1] - self._taps[0]) / (len(self._taps) - 1)
            self._change_tempo(60.0 * self.rate / interval, sample)


def _toggle(members: set[int], item: int, on: bool | None) -> None:
    if on is None:
        on = item not in members
    if on:
        members.add(item)
    else:
        members.discard(item)
