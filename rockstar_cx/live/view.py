"""The engine, seen from the app: one replay of what it played, with its health, as typed records.

    view = EngineView.of(engine)       # in the app: a reader of its own on the engine's memory
    played = view.update()             # catch up; the events played since the last update, hits included
    view.transport(); view.click       # where the performance is (replayed); the click track
    view.cue                           # the cue mix on or off (None: the engine has no cue channels)
    view.panic_sample                  # when a panic fade began (None: none under way)
    view.preview()                     # the next two seconds of events, if nobody changes anything
    view.history; view.marks           # the last seconds of events; the moments begun and the stops
    view.entry_bars                    # bars begun in each moment entered (by its MomentStart's sample)
    view.stopped_sample                # where the performance last stopped (None while playing)
    view.health(); view.fit            # the engine's health; its clock fit (None before the first)
    view.host_of(sample); view.sample_at(host)   # a sample <-> when it leaves the speakers
    point = view.resume_point()        # where the replay is (picklable) ...
    EngineView.resumed(show, rate, source, point)   # ... and a replay that starts there (MIDI out, restarted)

Why a replay: the engine publishes the commands it applied, each with its sample, and its
markers (beats, moment starts, stops), but not its hits (a block where every section hits
would cost the callback the most).  The conductor is deterministic and indifferent to block
sizes, so replaying the commands into a :class:`~rockstar_cx.conductor.follower.Follower` gives
every event exactly — and a fork of it gives what comes next, which the stage needs to show a
hit *before* it sounds.  The stage (:class:`~rockstar_cx.ui.cues.CueTrack`), the presenter,
the LEDs, the console, the terminal's status line and MIDI out (a view of its own, in its own
process) all read this; nothing else decodes the shared memory.

The reading order, stated once: :meth:`EngineView.update` reads the engine's **position
first, then the events**.  The engine publishes a block's applied commands before it publishes
the position after that block, so every command applied before the position read is already
in the event ring when the replay advances to that position; read the other way round, a
command applied in between would lie behind the replay's position, and be replayed late.

Threading contract: one thread calls :meth:`~EngineView.update` and :meth:`~EngineView.preview`
and reads :attr:`~EngineView.history`, :attr:`~EngineView.marks` and :attr:`~EngineView.applied`
(deques it changes).  The snapshots — :meth:`~EngineView.transport`, :attr:`~EngineView.click`,
:attr:`~EngineView.panic_sample`, :attr:`~EngineView.fit`, :meth:`~EngineView.health` — are
replaced whole, never changed, so any thread may read them (the LED thread reads the
transport); :meth:`~EngineView.host_of` and friends only read :attr:`~EngineView.fit`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

from ..audio.commands import ENGINE_COMMANDS, SetClick, SetCue, SetGain
from ..audio.health import ClockFit, Health
from ..audio.ipc import Applied, SharedState
from ..audio.supervisor import AudioEngine
from ..conductor.commands import Panic, Start
from ..conductor.conductor import Conductor, Transport
from ..conductor.events import Beat, Event, MomentStart, Stop
from ..conductor.follower import Follower
from ..show.model import Show

HISTORY_S = 4.0  # the past kept in :attr:`EngineView.history` (more than a beat at 20 bpm)
MARKS = 4096  # moments begun and stops kept: a long rehearsal's whole journey, for its report
APPLIED = 4096  # commands applied kept (as many as the event ring holds)


class EngineSource(Protocol):
    """What a view reads: the engine's shared memory (:class:`~rockstar_cx.audio.ipc.SharedState`,
    an attached one, with a tail of its own in the event ring) — or a test's script."""

    def read_position(self) -> int: ...
    def read_events(self) -> tuple[list, int]: ...
    def read_health(self) -> Health: ...


@dataclass(frozen=True)
class ResumePoint:
    """Where a replay is, to start another from (in another process: it pickles)."""

    conductor: Conductor  # a fork of the replay's conductor, at its position
    tail: int  # the replay's reader tail in the event ring: the events after it are not replayed yet
    recent: tuple[Event, ...] = ()  # the last seconds of events played (its history): what may still be due


class EngineView:
    def __init__(self, show: Show, rate: int, source: EngineSource, *, hold_bars: int | None = None,
                 cue: bool | None = None, owns_source: bool = False) -> None:
        self.show = show
        self.rate = rate
        self.source = source
        self.hold_bars = hold_bars  # as the engine's conductor: None, held moments wait for the presenter
        self.follower = Follower(show, rate, hold_bars=hold_bars)
        self.history: deque[Event] = deque()  # every event played in the last HISTORY_S, hits included
        self.marks: deque[MomentStart | Stop] = deque(maxlen=MARKS)  # moments begun and stops, as played
        self.applied: deque[tuple[int, object]] = deque(maxlen=APPLIED)  # (sample, command) the engine applied
        self.click = False  # the click track (SetClick replayed)
        self.cue = cue  # the cue mix (SetCue replayed); None: no cue channels, nothing to toggle
        self.levels: dict[int | None, float] = {}  # volumes set (SetGain replayed): what a revived engine restores
        self.panic_sample: int | None = None  # when a panic fade began, until the stop (or a Start)
        self.started_sample: int | None = None  # the last Start that started the show
        self.moment_sample = 0  # the last moment start played
        self.stopped_sample: int | None = None  # the last stop played, until the next Start
        self.entry_bars: dict[int, int] = {}  # MomentStart sample -> bars begun in that entry (MARKS kept)
        self.fit: ClockFit | None = None  # the engine's clock fit, the last it published
        self.lost = 0  # events overwritten before they were read: the replay can no longer be exact
        self._transport = self.follower.transport()
        self._health = Health()
        self._owns_source = owns_source

    @classmethod
    def of(cls, engine: AudioEngine) -> EngineView:
        """A view of ``engine`` with a reader of its own (it sees the ring from its start: the last
        4,096 events); :meth:`close` lets go of it."""
        config = engine.config
        return cls(config.show, config.samplerate, SharedState.attach(engine.shared.name), hold_bars=config.hold_bars,
                   cue=True if config.cue_channels else None, owns_source=True)

    @classmethod
    def resumed(cls, show: Show, rate: int, source: SharedState, point: ResumePoint, *, hold_bars: int | None = None,
                cue: bool | None = None, owns_source: bool = False) -> EngineView:
        """A view that starts where another was (its :meth:`resume_point`), not at the ring's start:
        its conductor is ``point``'s and its reader reads the ring from ``point.tail`` on."""
        view = cls(show, rate, source, hold_bars=hold_bars, cue=cue, owns_source=owns_source)
        view.follower.conductor = point.conductor
        view.history.extend(point.recent)
        view._transport = view.follower.transport()
        source._event_tail = point.tail  # SharedState's reader tail: this reader goes on from there
        return view

    def resume_point(self) -> ResumePoint:
        """Where this replay is now (on the updating thread, between updates): see :meth:`resumed`."""
        return ResumePoint(self.follower.conductor.fork(), self.source._event_tail, tuple(self.history))

    def close(self) -> None:
        if self._owns_source:
            self._owns_source = False
            self.source.close()

    @property
    def position(self) -> int:
        """The replay's position: the engine's, as of the last update."""
        return self.follower.position

    # -- the one writer ---------------------------------------------------------------------------

    def update(self) -> list[Event]:
        """Catch up with the engine; returns the events played since the last call, in order."""
        position = self.source.read_position()  # first: see the module's docstring
        events, lost = self.source.read_events()
        self.lost += lost
        played: list[Event] = []
        for event in events:
            if type(event) is Applied:
                played += self._apply(event.sample, event.command)
        played += self._played(self.follower.advance_to(position))
        health = self.source.read_health()
        self._health = health
        self.fit = health.clock or self.fit  # a fresh engine (a handover) has none for a moment
        self._transport = self.follower.transport()
        return played

    def _apply(self, sample: int, command: object) -> list[Event]:
        self.applied.append((sample, command))
        kind = type(command)
        if kind is SetClick:
            self.click = command.on
            return []
        if kind is SetCue:
            self.cue = None if self.cue is None else command.on
            return []
        if kind is SetGain:
            self.levels[command.section] = command.gain
            return []
        if kind in ENGINE_COMMANDS:
            return []
        played = self._played(self.follower.advance_to(sample))
        if kind is Start:
            self.panic_sample = None
            if not self.follower.conductor.playing:
                self.started_sample = sample
                self.stopped_sample = None
        self.follower.apply(sample, command)
        if kind is Panic and self.follower.conductor.playing:  # the fade runs until the bar line
            self.panic_sample = sample
        return played

    def _played(self, events: list[Event]) -> list[Event]:
        history = self.history
        history.extend(events)
        for event in events:
            kind = type(event)
            if kind is Beat:
                if event.moment >= 0 and event.bar >= self.entry_bars.get(self.moment_sample, 0):
                    self.entry_bars[self.moment_sample] = event.bar + 1
            elif kind is MomentStart:
                self.moment_sample = event.sample
                self.marks.append(event)
                self.entry_bars[event.sample] = 0
                if len(self.entry_bars) > MARKS:
                    del self.entry_bars[next(iter(self.entry_bars))]
            elif kind is Stop:
                self.panic_sample = None
                self.stopped_sample = event.sample
                self.marks.append(event)
        horizon = self.follower.position - HISTORY_S * self.rate
        while history and history[0].sample < horizon:
            history.popleft()
        return events

    def preview(self) -> list[Event]:
        """The events from the replay's position on, about two seconds of them, if nothing changes."""
        return self.follower.preview()

    # -- snapshots, for any thread ------------------------------------------------------------------

    def transport(self) -> Transport:
        """Where the performance is, replayed: the engine's transport at :attr:`position`."""
        return self._transport

    def health(self) -> Health:
        """The engine's health as of the last update."""
        return self._health

    def host_of(self, sample: float) -> float | None:
        """When sample ``sample`` leaves the speakers (perf_counter seconds); None before the first fit."""
        fit = self.fit
        return None if fit is None else fit.host_of(sample)

    def sample_at(self, host: float) -> float | None:
        """The sample leaving the speakers at host time ``host``: the inverse of :meth:`host_of`."""
        fit = self.fit
        return None if fit is None else fit.sample_at(host)
