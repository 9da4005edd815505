"""Reviving a dead engine: a fresh process takes the conductor where the journey should be now.

An engine process can die (``kill -9``, a segfault in PortAudio or libjack) and take its
conductor with it.  The app's replay (:class:`~rockstar_cx.live.view.EngineView`) holds an exact
copy of that conductor as of the last published sample; :class:`Revival` carries a copy of it,
with the dead engine's sample↔host line, to a new engine, which advances it silently (nothing
of the gap is played) to the sample that is due now — so the journey is neither restarted nor
late, as after a device loss.

:class:`Backoff` keeps a failure that repeats from becoming a spawn storm: each retry waits
twice as long as the last (0.5, 1, 2, 4 s …) and after :data:`GIVE_UP_AFTER` failures within
:data:`WINDOW_S` the device is given up: the show goes on silently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..conductor.conductor import Conductor
from .health import Counters
from .ipc import SharedState, transport_record

FIRST_DELAY_S = 0.5
MAX_DELAY_S = 30.0
WINDOW_S = 30.0  # failures further apart than this are unrelated
GIVE_UP_AFTER = 3  # failures within WINDOW_S: stop trying the device, perform silently


@dataclass(frozen=True)
class Revival:
    """What a new engine needs to carry on a dead one's journey."""

    conductor: Conductor  # a copy of the dead engine's, as the app replayed it (at its last published sample)
    line: tuple[float, float, float]  # the dead engine's (sample, host, period): where the journey is at a host time
    counters: Counters  # the dead engine's, with its failure counted
    click: bool = False
    cue_on: bool = True
    levels: dict[int | None, float] = field(default_factory=dict)  # section (None: master) -> gain
    silent: bool = False  # the device was given up: perform without it
    message: str = ""  # the health's message while it plays

    def sample_due(self, host: float) -> int:
        """The sample the journey has reached at ``host`` (perf_counter, the same clock in every process)."""
        sample, at, period = self.line
        return round(sample + (host - at) / period)


def take_revival(engine, revival: Revival) -> None:
    """``engine`` (standing by, its drivers running) carries on ``revival``'s journey from now on."""
    conductor = revival.conductor
    due = revival.sample_due(time.perf_counter())
    if due > conductor.position:
        conductor.advance(due - conductor.position)  # silently: the gap's events are gone with the old engine
    counters = revival.counters
    counters.engine_recoveries += 1
    engine.counters.assign(counters)  # in place: the renderer counts into the same object
    mixer = engine.mixer
    mixer.click = revival.click
    mixer.cue_on = revival.cue_on
    for section, level in revival.levels.items():
        mixer.set_level(section, level)
    if revival.message:
        engine.message = revival.message
    # the transport first (nothing else writes it while no conductor plays), then the conductor
    SharedState.write_record(engine.shared.transport, transport_record(conductor.transport(), revival.click))
    engine.renderer.conductor = conductor  # the next block rendered (by the renderer or the callback) goes on


@dataclass
class Backoff:
    """When the next attempt may be made after failures, and whether to give up on the device."""

    failures: list[float] = field(default_factory=list)  # monotonic times of the recent failures
    reason: str = ""  # the last failure's, in words

    def failed(self, reason: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.failures = [t for t in self.failures if now - t < WINDOW_S] + [now]
        self.reason = reason

    def delay(self) -> float:
        """How long after the last failure the next attempt may start."""
        if not self.failures:
            return 0.0
        return min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (len(self.failures) - 1))

    def ready(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return not self.failures or now - self.failures[-1] >= self.delay()

    def exhausted(self, now: float | None = None) -> bool:
        """Too many failures lately: stop trying what keeps failing."""
        now = time.monotonic() if now is None else now
        return sum(now - t < WINDOW_S for t in self.failures) >= GIVE_UP_AFTER
