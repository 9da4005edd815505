"""The engine's conductor, replayed in the app: exact, and able to look ahead.

The conductor is deterministic and indifferent to block sizes, so feeding a second conductor
the same commands at the same samples reproduces every event of the engine's.  The engine
publishes each command it applied with the sample it applied it at; the app replays them here.
Unlike the engine's events (published as they play), the follower can *preview*: a fork runs
ahead to show what comes next if nobody changes anything — what the stage view needs to
announce a hit before it sounds.

Rule for callers: never :meth:`advance_to` beyond the engine's published position, or a
command the engine applied before it could arrive too late to replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from ..show.model import Show
from .commands import Command
from .conductor import Conductor, Transport
from .events import Event

PREVIEW_S = 2.0  # how far ahead the preview looks
_CONDUCTOR_COMMANDS = get_args(Command)


class Follower:
    def __init__(self, show: Show, sample_rate: int, *, hold_bars: int | None = None) -> None:
        self.conductor = Conductor(show, sample_rate, hold_bars=hold_bars)
        self._horizon = int(PREVIEW_S * sample_rate)
        self._preview: list[Event] = []
        self._preview_end = 0  # the preview is good until here; 0: stale

    @property
    def position(self) -> int:
        return self.conductor.position

    def apply(self, sample: int, command: Command) -> list[Event]:
        """Replay a command the engine applied at ``sample``; returns the events played up to there."""
        played = self.advance_to(sample)
        self.conductor.submit(command)
        self._preview_end = 0  # the future may have changed
        return played

    def catch_up(self, applied: Iterable[tuple[int, object]], position: int) -> list[Event]:
        """Replay the engine's applied ``(sample, command)`` pairs, then play on to ``position``.

        Commands that are not the conductor's (engine-level ones such as the click) are skipped.
        Returns every event played, hits included, in order.
        """
        played: list[Event] = []
        for sample, command in applied:
            if isinstance(command, _CONDUCTOR_COMMANDS):
                played += self.apply(sample, command)
        played += self.advance_to(position)
        return played

    def advance_to(self, sample: int) -> list[Event]:
        """Play on to ``sample`` (not beyond the engine's position); returns the events played."""
        if sample <= self.conductor.position:
            return []
        return self.conductor.advance(sample - self.conductor.position)

    def preview(self) -> list[Event]:
        """Events from the current position to :data:`PREVIEW_S` ahead, if no command intervenes."""
        position = self.conductor.position
        if self._preview_end < position + self._horizon // 2:  # refresh when half of it has been used
            ghost = self.conductor.fork()
            self._preview = ghost.advance(self._horizon)
            self._preview_end = ghost.position
        return [event for event in self._preview if event.sample >= position]

    def transport(self) -> Transport:
        return self.conductor.transport()
