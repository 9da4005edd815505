"""The presenter's actions turned into engine commands, with the stage's rules of timing and safety.

* GO / back: at most one every :data:`GO_INTERVAL_S`, so a clicker's double click never skips a moment.
* Start/stop on one clicker button that sends F5 and Esc alternately: F5 starts when stopped;
  while playing, F5 and Esc both fade out by the next bar line (Panic), and a second press of
  either during the fade stops at once.  Esc when stopped does nothing, so a clicker that got out
  of step costs one extra press, never a surprise.
* Teaching a section, with the conductor's own commands: solo it and play the first moment it
  belongs to (from stopped: Start with a count-in; while playing: Launch at the next bar line);
  the moment is re-armed at its own end (Launch quantized to the moment) so the part loops for
  as long as the presenter teaches.  After :data:`LISTEN_BARS` the stage says "your turn".  GO
  ends it and moves on from where the presenter was, back returns there, the same teach key
  (or another section's) ends or switches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..audio.commands import SetClick
from ..conductor.commands import (Launch, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Solo, Start, Stop,
                                  TapTempo)
from ..conductor.conductor import Transport
from ..show.model import Show
from .controls import Action
from .cues import Frame
from .stage import Teach

GO_INTERVAL_S = 0.3
LISTEN_BARS = 2
PANIC_GRACE_S = 0.25  # a panic just sent counts as under way until the engine's replay shows it
NUDGE_BPM = 1.0


@dataclass
class Teaching:
    section: int
    moment: int  # the moment whose part it plays
    resume: int  # the moment the show returns to (or moves on from)
    heard_from: int | None = None  # sample from which the part has been playing
    relaunch_after: int = -1  # the loop's Launch was sent; wait for the engine past this sample


class Director:
    def __init__(self, show: Show, send: Callable[[object], bool], rate: int, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show = show
        self.send = send
        self.rate = rate
        self.clock = clock
        self.blackout = False
        self.help = False
        self.console = False  # the console overlay, with one screen
        self.teaching: Teaching | None = None
        self.message = "Ready: F5 starts the show"
        self._last_nav = -1e9
        self._panic_sent = -1e9

    def panicking(self, panic_sample: int | None) -> bool:
        return panic_sample is not None or self.clock() - self._panic_sent < PANIC_GRACE_S

    def act(self, action: Action, section: int | None, now: Transport, *, click: bool = False,
            panic_sample: int | None = None) -> None:
        """Do what the presenter asked; ``now`` is the replayed engine transport."""
        if action in (Action.GO, Action.BACK):
            return self._navigate(action, now)
        if action in (Action.START_STOP, Action.PANIC):
            return self._start_stop(action, now, panic_sample)
        if section is not None:
            if section >= len(self.show.sections):
                self.message = f"There is no section {section + 1}"
                return
            name = self.show.sections[section].name
            if action is Action.MUTE:
                self.send(Mute(section))
                self.message = f"{name}: {'unmuted' if section in now.muted else 'muted'}"
            elif action is Action.SOLO:
                self.send(Solo(section))
                self.message = f"{name}: {'solo off' if section in now.soloed else 'solo'}"
            elif action is Action.TEACH:
                self._teach(section, now)
            return
        simple = {Action.TAP: (TapTempo(), "Tap"), Action.FASTER: (NudgeTempo(NUDGE_BPM), "Tempo +1"),
                  Action.SLOWER: (NudgeTempo(-NUDGE_BPM), "Tempo −1"),
                  Action.CLICK: (SetClick(not click), f"Click track {'off' if click else 'on'}")}
        if action in simple:
            command, self.message = simple[action]
            self.send(command)
        elif action is Action.BLACKOUT:
            self.blackout = not self.blackout
            self.message = "Stage blacked out (the sound goes on)" if self.blackout else "Stage back"
        elif action is Action.HELP:
            self.help = not self.help
        elif action is Action.CONSOLE:
            self.console = not self.console

    # -- GO and back ---------------------------------------------------------------------------

    def _navigate(self, action: Action, now: Transport) -> None:
        if self.clock() - self._last_nav < GO_INTERVAL_S:
            self.message = "Ignored: a second press within 0.3 s"
            return
        self._last_nav = self.clock()
        go = action is Action.GO
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
        self.send(Next(Quantize.BAR) if go else Previous(Quantize.BAR))
        base = now.armed if now.armed is not None and now.armed >= 0 else now.moment
        target = base + 1 if go else max(0, base - 1)
        if go and target >= len(self.show.moments):
            self.message = "GO: the show ends at the next bar" if now.playing else "This is the last moment"
        elif not now.playing:
            self.message = f"Starts at: {self.show.moments[min(target, len(self.show.moments) - 1)].title}"
        else:
            self.message = f"{'GO' if go else 'Back'}: {self.show.moments[target].title} at the next bar"

    # -- start, stop, panic --------------------------------------------------------------------

    def _start_stop(self, action: Action, now: Transport, panic_sample: int | None) -> None:
        if not now.playing:
            if action is Action.START_STOP:
                self.send(Start(count_in=True))
                self.message = f"Start: count-in, then {self.show.moments[0 if now.finished else now.moment].title}"
            return
        if self.teaching is not None:
            self._end_teaching()
        if self.panicking(panic_sample):
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
            if current.section == section:  # the same key again: back to the show
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
        self.teaching = Teaching(section, moment, resume)
        self.message = f"Teaching {name}: listen, then their turn (same key again to end)"

    def _end_teaching(self) -> None:
        self.send(Solo(self.teaching.section, False))
        self.teaching = None

    def update(self, now: Transport, frame: Frame) -> Teach | None:
        """Once a frame: keep a taught part looping; returns what the stage should show of it."""
        teaching = self.teaching
        if teaching is None:
            return None
        if not now.playing and not frame.performing and teaching.heard_from is not None:
            self.teaching = None  # the show was stopped under it
            return None
        moment = self.show.moments[teaching.moment]
        if (now.playing and not now.counting_in and now.moment == teaching.moment and now.armed is None and moment.bars
                and now.sample > teaching.relaunch_after):
            self.send(Launch(teaching.moment, Quantize.MOMENT))  # play it again from its end
            teaching.relaunch_after = now.sample + self.rate // 10
        if frame.state == "playing" and frame.moment == teaching.moment and teaching.heard_from is None:
            teaching.heard_from = frame.sample
        phase = "listen"
        if teaching.heard_from is not None:
            bars = (frame.sample - teaching.heard_from) / self.rate / (frame.beat_seconds * self.show.meter.beats)
            phase = "your turn" if bars >= LISTEN_BARS else "listen"
        return Teach(teaching.section, phase)
