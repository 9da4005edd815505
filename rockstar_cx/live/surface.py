"""What the front-ends share about MIDI without importing each other.

The stage's console shows the MIDI ports and the external clock, and MIDI learn binds a control
to a target chosen by a key or a button; the terminal pumps the controllers and says when an
external clock leads.  :class:`~rockstar_cx.midi.session.MidiSession` is a :class:`MidiSurface`;
the stage app (:mod:`rockstar_cx.ui`) and the terminal (:mod:`rockstar_cx.terminal`) know only
this, so neither imports the MIDI package, and the MIDI package imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .intent import Target


@dataclass(frozen=True, kw_only=True)
class MidiSummary:
    """What the presenter console shows about MIDI."""

    inputs: tuple[tuple[str, bool], ...]  # (port asked for, connected now)
    outputs: tuple[tuple[str, bool], ...]
    clock_in: str | None  # the clock follower's state in words; None without --clock-in
    following: bool  # the show follows an external clock right now
    can_learn: bool  # there is a controller to learn from
    learning: bool
    selected: Target | None  # what the next control moved will do
    learned: str | None  # the last binding made, in words
    out_state: str = ""  # the MIDI-out process down or restarting, in words ("" while it runs)


class MidiSurface(Protocol):
    """MIDI, as a front-end drives it (from its own thread)."""

    def pump(self) -> None:
        """Carry out the controllers' actions since the last call (through the presenter)."""

    def summary(self) -> MidiSummary:
        """What the console shows (cheap: call it every frame)."""

    def learn(self, on: bool) -> bool:
        """MIDI learn on or off; False when there is no controller to learn from."""

    def select(self, target: Target | None) -> None:
        """While learning: the next control moved will do ``target``."""
