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

from dataclasses import dataclass

from ..audio.clock import host_time, sample_at
from ..audio.ipc import Applied, SharedState
from ..conductor.events import Event
from ..conductor.follower import Follower
from ..show.model import Show


@dataclass(frozen=True)
class Fit:
    """The engine's sample↔host mapping, plus the output latency (sound leaves that much later)."""

    sample: float
    host: float
    period: float  # seconds per sample
    latency: float
    block: int  # the engine's block size: its blocks start on multiples of it

    @property
    def line(self) -> tuple[float, float, float]:
        return self.sample, self.host, self.period



class Replay:
    def __init__(self, show: Show, shared: SharedState, rate: int, *, hold_bars: int | None = None) -> None:
        self.show = show
        self.rate = rate
        self.shared = shared  # an attached view with its own event tail
        self.follower = Follower(show, rate, hold_bars=hold_bars)
        self.fit: Fit | None = None
        self.lost = 0  # events overwritten before we read them: the replay can no longer be exact

    def update(self) -> list[Event]:
        """Catch up with the engine; returns the events played since the last call, in order."""
        position = int(SharedState.read_record(self.shared.transport)["sample"])  # first: see the docstring
        events, lost = self.shared.read_events()
        self.lost += lost
        played = self.follower.catch_up([event for event in events if type(event) is Applied], position)
        self._refit()
        return played

    def preview(self) -> list[Event]:
        """The events from the replay's position on, about two seconds of them, if nothing changes."""
        return self.follower.preview()

    def _refit(self) -> None:
        health = SharedState.read_record(self.shared.health)
        period = float(health["clock_period"])
        if float(health["clock_host"]) > 0.0 and period > 0.0:
            self.fit = Fit(float(health["clock_sample"]), float(health["clock_host"]), period,
                           float(health["output_latency"]), int(health["blocksize"]))

    def host_of(self, sample: float) -> float | None:
        """When sample ``sample`` leaves the speakers (perf_counter seconds); None before the first fit."""
        fit = self.fit
        return None if fit is None else host_time(fit.line, sample) + fit.latency

    def block_host(self, sample: float) -> float | None:
        """When the engine starts computing the block holding ``sample`` (its callback's host time)."""
        fit = self.fit
        return None if fit is None else host_time(fit.line, sample - sample % fit.block)

    def sample_at(self, host: float) -> float | None:
        """Inverse of :meth:`host_of`."""
        fit = self.fit
        return None if fit is None else sample_at(fit.line, host - fit.latency)
