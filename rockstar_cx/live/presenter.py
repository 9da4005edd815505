"""The presenter: what they ask for (a :class:`~.intent.Target`) turned into engine commands, by
one set of rules whichever front-end asked — a key, a console button, a pad or a fader.

* GO / back: at most one every :data:`GO_INTERVAL_S`, so a clicker's double click (or a pad's
  bounce) never skips a moment.  GO in the last moment arms the end; back cancels it before it
  comes (the conductor disarms: the moment plays on where it is).  During a panic's fade both
  are refused.
* Start/stop on one clicker button that sends F5 and Esc alternately: start when stopped; while
  playing, start/stop and panic both fade out by the next bar line (Panic), and a second press of
  either during the fade stops at once — the fade the engine reports (the view's panic sample),
  or one sent within :data:`PANIC_GRACE_S` that the engine has not reported yet.  Panic when
  stopped does nothing, so a clicker that got out of step costs one extra press, never a surprise.
* Teaching a section, with the conductor's own commands: solo it and play the first moment it
  belongs to (from stopped: Start with a count-in; while playing: Launch at the next bar line);
  :meth:`Presenter.tick` re-arms the moment at its own end (Launch quantized to the moment) when
  it would move on there (``then = "next"``, or any moment with ``--no-ui``, where held moments
  play a few bars), so the part loops for as long as the presenter teaches; a moment that holds
  loops its parts by itself.  After :data:`LISTEN_BARS` of it the
  stage says "your turn" (:meth:`Presenter.teach_at`).  GO ends it and moves on from where the
  presenter was, back returns there, the same teach target (or another section's) ends or
  switches it; stopping the show under it ends it too.
* Launch moment N (quantized to the bar), live hits (accented from a velocity of
  :data:`ACCENT_VELOCITY`), section and master volumes (a fader's 0-127 on a square law: half way
  is about -12 dB, as on a mixing desk, not -6 dB).  Sections and moments the show does not have
  are refused with a message; nothing is sent.
* Reset: back to the show file (the conductor's Reset: no mutes, solos or tempo changes), the
  click off and teaching over; the front-end clears its overlays (``on_view``).  A tempo to
  restore after a resume (:attr:`Presenter.restore_tempo`) is sent once the show plays it, as a
  moment with a tempo of its own starts at that one.
* The front-end's own actions (:data:`~.intent.VIEW_ACTIONS`: blackout, help …) go to its
  ``on_view`` handler; without one, a message says they need the stage.

Threading contract: :meth:`~Presenter.act` and :meth:`~Presenter.tick` from the front-end's
thread (the one that updates the view) — except the HIT and TAP targets, which only send (and
set the message, one attribute store) and may be called from a MIDI reader thread; ``send``
must be thread-safe (as :meth:`~rockstar_cx.audio.supervisor.AudioEngine.send` is).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ..audio.commands import PlayProbe, SetClick, SetCue, SetGain
from ..conductor.commands import (Launch, LiveHit, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Reset, SetTempo,
                                  Solo, Start, Stop, TapTempo)
from ..conductor.conductor import Transport
from ..conductor.events import Event, MomentStart
from .intent import VIEW_ACTIONS, Action, Target
from .recovery import Recovery, Revive
from .view import EngineView

if TYPE_CHECKING:  # the listener needs scipy: imported only when a room is heard (--room-input)
    from .listener import RoomListener

GO_INTERVAL_S = 0.3
LISTEN_BARS = 2
PANIC_GRACE_S = 0.25  # a panic just sent counts as under way until the engine's replay shows it
NUDGE_BPM = 1.0
ACCENT_VELOCITY = 100
FULL = 127  # a value (velocity, controller) when none is given


class Teach(NamedTuple):
    """What the stage shows of a section being taught."""

    section: int
    phase: str  # "listen" or "your turn"


@dataclass
class Teaching:
    section: int
    moment: int  # the moment whose part it plays
    resume: int  # the moment the show returns to (or moves on from)
    since: int  # the view's position when it began: the taught moment begins after it
    heard_from: int | None = None  # sample from which the part has been playing
    relaunch_after: int = -1  # the loop's Launch was sent; wait for the engine past this sample


class Presenter:
    def __init__(self, view: EngineView, send: Callable[[object], bool], *,
                 clock: Callable[[], float] = time.monotonic, on_view: Callable[[Action], None] | None = None,
                 revive: Revive | None = None, room: RoomListener | None = None) -> None:
        self.view = view
        self.room = room  # what the room's microphone heard (--room-input), for the front-ends to show
        self.send = send
        self.clock = clock
        self.on_view = on_view  # the front-end's handler of VIEW_ACTIONS (the stage sets it)
        self.recovery = None if revive is None else Recovery(view, revive)  # a dead engine's conductor, revived
        self.show = view.show
        self.rate = view.rate
        self.teaching: Teaching | None = None
        self.restore_tempo: float | None = None  # a resumed run's tempo, sent once the show plays
        self.message = "Ready: F5 starts the show"
        self._last_nav = -1e9
        self._panic_sent = -1e9

    def panicking(self) -> bool:
        """A fade-out is under way: the next start/stop or panic stops at once."""
        return self.view.panic_sample is not None or self.clock() - self._panic_sent < PANIC_GRACE_S

    # -- acting ----------------------------------------------------------------------------------

    def act(self, target: Target, value: int | None = None) -> None:
        """Do what the presenter asked; ``value`` is a control's 0-127 (a velocity, a fader), if any."""
        action, index = target.action, target.index
        value = FULL if value is None else value
        if action is Action.HIT:
            if self._section(index, "live hit"):
                self.send(LiveHit(index, accent=value >= ACCENT_VELOCITY))
            return
        if action is Action.TAP:
            self.send(TapTempo())
            self.message = "Tap"
            return
        if action is Action.RESET:
            self._reset()
            return
        if action is Action.ROOM:
            self._calibrate_room()
            return
        if action in VIEW_ACTIONS:
            if self.on_view is not None:
                self.on_view(action)
            else:
                self.message = f"{action.value.capitalize()} needs the stage (play without --no-ui)"
            return
        now = self.view.transport()
        if action in (Action.GO, Action.BACK):
            self._navigate(action, now)
        elif action in (Action.START_STOP, Action.PANIC):
            self._start_stop(action, now)
        elif action is Action.LAUNCH:
            if index is None or not 0 <= index < len(self.show.moments):
                self.message = f"There is no moment {'?' if index is None else index + 1}"
            else:
                self.send(Launch(index, Quantize.BAR))
        elif action is Action.MASTER:
            self.send(SetGain(None, (value / 127.0) ** 2))
        elif action is Action.VOLUME:
            if self._section(index, "volume"):
                self.send(SetGain(index, (value / 127.0) ** 2))
        elif action in (Action.MUTE, Action.SOLO, Action.TEACH):
            if self._section(index, action.value):
                self._section_action(action, index, now)
        elif action is Action.FASTER:
            self.send(NudgeTempo(NUDGE_BPM))
            self.message = "Tempo +1"
        elif action is Action.SLOWER:
            self.send(NudgeTempo(-NUDGE_BPM))
            self.message = "Tempo −1"
        elif action is Action.CLICK:
            click = self.view.click
            self.send(SetClick(not click))
            self.message = f"Click track {'off' if click else 'on'}"
        elif action is Action.CUE:
            cue = self.view.cue
            if cue is None:
                self.message = "No cue mix: play with --cue-channels (e.g. 3,4) for in-ear monitors"
            else:
                self.send(SetCue(not cue))
                self.message = f"Cue mix {'off' if cue else 'on'}"

    def _section(self, index: int | None, what: str) -> bool:
        """Is ``index`` one of the show's sections?  If not, say so."""
        if index is not None and 0 <= index < len(self.show.sections):
            return True
        self.message = f"There is no section {index + 1}" if index is not None else f"{what}: which section?"
        return False

    def _section_action(self, action: Action, section: int, now: Transport) -> None:
        name = self.show.sections[section].name
        if action is Action.MUTE:
            self.send(Mute(section))
            self.message = f"{name}: {'unmuted' if section in now.muted else 'muted'}"
        elif action is Action.SOLO:
            self.send(Solo(section))
            self.message = f"{name}: {'solo off' if section in now.soloed else 'solo'}"
        else:
            self._teach(section, now)

    # -- GO and back ---------------------------------------------------------------------------

    def _navigate(self, action: Action, now: Transport) -> None:
        if self.clock() - self._last_nav < GO_INTERVAL_S:
            self.message = "Ignored: a second press within 0.3 s"
            return
        go = action is Action.GO
        if self.panicking():
            self.message = f"{'GO' if go else 'Back'} ignored: fading out (F5 or Esc stops at once)"
            return
        self._last_nav = self.clock()
        if self.teaching is not None:
            resume = self.teaching.resume
            self._end_teaching()
            target = resume + 1 if go else resume
            if target >= len(self.show.moments):
                self.send(Stop(Quantize.BAR))
                self.message = "Teaching over: the show ends at the next bar"
                return
            self.send(Launch(target, Quantize.BAR) if now.playing else Start(moment=target, count_in=True))
            self.message = f"Teaching over: {self.show.moments[target].title}"
            return
        if not go and now.playing and now.armed == -1:  # the end armed by GO: back disarms it
            self.send(Previous(Quantize.BAR))
            self.message = f"Ending cancelled: {self.show.moments[now.moment].title} plays on"
            return
        if go and not now.playing and now.moment + 1 >= len(self.show.moments):
            self.message = "GO ignored: this is the last moment (F5 starts it)"
            return
        self.send(Next(Quantize.BAR) if go else Previous(Quantize.BAR))
        base = now.armed if now.armed is not None and now.armed >= 0 else now.moment
        target = base + 1 if go else max(0, base - 1)
        if go and target >= len(self.show.moments):
            self.message = "GO: ENDING ARMED — the final hit on the bar line; back (PgUp) cancels"
        elif not now.playing:
            self.message = f"Starts at: {self.show.moments[min(target, len(self.show.moments) - 1)].title}"
        else:
            self.message = f"{'GO' if go else 'Back'}: {self.show.moments[target].title} at the next bar"

    # -- start, stop, panic --------------------------------------------------------------------

    def _start_stop(self, action: Action, now: Transport) -> None:
        if not now.playing:
            if action is Action.START_STOP:
                self.send(Start(count_in=True))
                self.message = f"Start: count-in, then {self.show.moments[0 if now.finished else now.moment].title}"
            return
        if self.teaching is not None:
            self._end_teaching()
        if self.panicking():
            self.send(Stop())
            self.message = "Stopped"
            return
        self.send(Panic())
        self._panic_sent = self.clock()
        self.message = "Fading out: stops at the next bar line (press again to stop now)"

    # -- teaching ------------------------------------------------------------------------------

    def _teach(self, section: int, now: Transport) -> None:
        current = self.teaching
        if current is not None:
            self._end_teaching()
            if current.section == section:  # the same target again: back to the show
                self.send(Launch(current.resume, Quantize.BAR))
                self.message = f"Teaching over: back to {self.show.moments[current.resume].title}"
                return
        moment = next((i for i, members in enumerate(self.show.moment_sections) if section in members), None)
        name = self.show.sections[section].name
        if moment is None:
            self.message = f"{name} plays in no moment: nothing to teach"
            return
        resume = current.resume if current is not None else now.moment
        for other in now.soloed:
            if other != section:
                self.send(Solo(other, False))
        self.send(Solo(section, True))
        self.send(Launch(moment, Quantize.BAR) if now.playing else Start(moment=moment, count_in=True))
        self.teaching = Teaching(section, moment, resume, since=self.view.position)
        self.message = f"Teaching {name}: listen, then their turn (same key again to end)"

    def _reset(self) -> None:
        self.send(Reset())
        self.send(SetClick(False))
        self.teaching = None  # Reset clears its solo; the taught moment plays on, as the show's
        self.restore_tempo = None
        self.message = "Reset: no mutes, solos or tempo changes; click off"
        if self.on_view is not None:
            self.on_view(Action.RESET)  # the stage's overlays

    def _end_teaching(self) -> None:
        self.send(Solo(self.teaching.section, False))
        self.teaching = None

    # -- every frame (or every few milliseconds) ---------------------------------------------------

    def tick(self) -> list[Event]:
        """Catch the view up with the engine and keep a taught part looping; every front-end calls
        this often (the stage once a frame).  Returns the events played since the last update."""
        played = self.view.update()
        if self.room is not None and (said := self.room.said()) is not None:
            self.message = said
        if self.recovery is not None:
            played += self.recovery.check()
        if self.restore_tempo is not None:
            self._restore_tempo()
        teaching = self.teaching
        if teaching is None:
            return played
        now = self.view.transport()
        if teaching.heard_from is None:
            teaching.heard_from = next((m.sample for m in self.view.marks if type(m) is MomentStart
                                        and m.moment == teaching.moment and m.sample >= teaching.since), None)
        if not now.playing and teaching.heard_from is not None:
            self.teaching = None  # the show was stopped under it
            return played
        if (now.playing and not now.counting_in and now.moment == teaching.moment and now.armed is None
                and now.moves_on and now.sample > teaching.relaunch_after):  # a holding moment loops by itself
            self.send(Launch(teaching.moment, Quantize.MOMENT))  # play it again from its end
            teaching.relaunch_after = now.sample + self.rate // 10
        return played

    def _calibrate_room(self) -> None:
        if self.room is None:
            self.message = "No room microphone: play with --room-input (the mic's input channel)"
        elif self.view.transport().playing:
            self.message = "Room calibration plays a sweep from the PA: stop the show first (F5)"
        elif self.room.calibrate():
            self.send(PlayProbe())
            self.message = "Calibrating the room: a one-second sweep from the PA…"

    def _restore_tempo(self) -> None:
        """A resumed run's tempo, once the show plays (its first moment may have set its own)."""
        now = self.view.transport()
        if now.playing and not now.counting_in:
            if abs(now.tempo - self.restore_tempo) > 0.01:
                self.send(SetTempo(self.restore_tempo))
            self.restore_tempo = None

    def teach_at(self, sample: float, beat_seconds: float) -> Teach | None:
        """What the stage shows of the teaching at ``sample`` (a frame's, with its beat length):
        "listen" for :data:`LISTEN_BARS` from when the part began, then "your turn"."""
        teaching = self.teaching
        if teaching is None:
            return None
        phase = "listen"
        if teaching.heard_from is not None:
            bars = (sample - teaching.heard_from) / self.rate / (beat_seconds * self.show.meter.beats)
            phase = "your turn" if bars >= LISTEN_BARS else "listen"
        return Teach(teaching.section, phase)
