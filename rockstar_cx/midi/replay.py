"""The engine's performance, replayed for MIDI out: what was played, what comes next, and when.

MIDI out never keeps time itself.  It reads the engine's event ring through its *own* reader
(every reader of the ring has its own tail, so the stage view loses nothing to us), replays the
commands the engine applied into a :class:`~rockstar_cx.conductor.follower.Follower`, and maps
samples to host time with the engine's clock fit — the regression of callback host times over
audio samples.  Every MIDI message is therefore placed on the audio's own sample clock and cannot
drift from it, however long the show.

Reading order matters: the transport position is read *before* the events, so every command
the engine applied before that position is already in the ring when we advance to it.

Threading contract: one thread calls :meth:`Replay.update`; :meth:`host_of` and
:meth:`sample_at` only read the last fit (a tuple, replaced whole) and may be called from any thread.
"""

from __future__ import annotations

from ..audio.health import ClockFit
from ..audio.ipc import Applied, SharedState
from ..conductor.events import Event
from ..conductor.follower import Follower
from ..show.model import Show


class Replay:
    def __init__(self, show: Show, shared: SharedState, rate: int, *, hold_bars: int | None = None) -> None:
        self.show = show
        self.rate = rate
        self.shared = shared  # an attached view with its own event tail
        self.follower = Follower(show, rate, hold_bars=hold_bars)
        self.fit: ClockFit | None = None
        self.lost = 0  # events overwritten before we read them: the replay can no longer be exact

    def update(self) -> list[Event]:
        """Catch up with the engine; returns the events played since the last call, in order."""
        position = self.shared.read_position()  # first: see the docstring
        events, lost = self.shared.read_events()
        self.lost += lost
        played = self.follower.catch_up([event for event in events if type(event) is Applied], position)
        self.fit = self.shared.read_health().clock or self.fit
        return played

    def preview(self) -> list[Event]:
        """The events from the replay's position on, about two seconds of them, if nothing changes."""
        return self.follower.preview()

    def host_of(self, sample: float) -> float | None:
        """When sample ``sample`` leaves the speakers (perf_counter seconds); None before the first fit."""
        fit = self.fit
        return None if fit is None else fit.host_of(sample)

    def block_host(self, sample: float) -> float | None:
        """When the engine starts computing the block holding ``sample`` (its callback's host time)."""
        fit = self.fit
        return None if fit is None else fit.block_host(sample)

    def sample_at(self, host: float) -> float | None:
        """Inverse of :meth:`host_of`."""
        fit = self.fit
        return None if fit is None else fit.sample_at(host)
