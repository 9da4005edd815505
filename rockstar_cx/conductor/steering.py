"""The conductor's steering: the presenter's commands applied, and moment changes scheduled.

Start, Stop, Panic, Next, Previous and Launch choose the moment to enter (or the stop) and when:
now, or at the beat / bar line / moment end a :class:`~rockstar_cx.conductor.commands.Quantize`
names, with the show's warning beats before a GO at the bar.  The rest of the commands (tempo,
mute and solo, live hits, reset) are dispatched from here too.  A mixin of
:class:`~rockstar_cx.conductor.conductor.Conductor`: it works on the conductor's own state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from . import commands as cmd
from .events import COUNT_IN, Event, Hit
from .timeline import Span


@dataclass(frozen=True)
class Pending:
    beat: int  # global beat where it happens
    moment: int | None  # moment to enter; None = stop
    finished: bool = False  # a stop because the journey is over (Next past the last moment)


class Steering:
    """The commands of :class:`~rockstar_cx.conductor.conductor.Conductor` (a mixin)."""

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
        """The moment armed, else the one playing; the journey's end armed by GO counts as one past the
        last moment, so back from it is back to where the show is: a disarm."""
        pending = self._pending
        if pending is None:
            return self._moment
        if pending.moment is None:
            return len(self.show.moments) if pending.finished else self._moment
        return pending.moment

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
        self._pending = Pending(self._boundary(quantize, sample, warn_beats), moment, finished)

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


def _toggle(members: set[int], item: int, on: bool | None) -> None:
    if on is None:
        on = item not in members
    if on:
        members.add(item)
    else:
        members.discard(item)
