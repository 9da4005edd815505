"""After the engine died: hand the app's exact replay of its conductor to whoever revives it.

    recovery = Recovery(view, engine.revive)   # the Presenter holds one; tick() calls it
    recovery.check()                           # on the view's thread, after view.update()

The engine's conductor died with its process, but :class:`~.view.EngineView` replays it exactly
from the commands it applied; a fork of that replay, at the last sample the engine published,
is what a fresh engine carries on from (:meth:`~rockstar_cx.audio.supervisor.AudioEngine.revive`
advances it to the sample due now).  Asked once per failure: the supervisor keeps it until a
new engine takes it, retrying with a backoff.
"""

from __future__ import annotations

from collections.abc import Callable

from ..audio.health import AudioState
from ..conductor.events import Event
from .view import EngineView

Revive = Callable[..., None]  # AudioEngine.revive(conductor, *, click, cue_on, levels)


class Recovery:
    def __init__(self, view: EngineView, revive: Revive) -> None:
        self.view = view
        self.revive = revive
        self._asked = 0  # the engine failures already answered

    def check(self) -> list[Event]:
        """Revive a dead engine (once per death); returns events played by a last catch-up, if any."""
        health = self.view.health()
        failures = health.counters.engine_failures
        if health.state is not AudioState.DEAD or failures == self._asked:
            return []
        self._asked = failures
        # the position is final now (it was read before the death was written): catch up with it,
        # and with any command the engine applied just before it died
        played = self.view.update()
        view = self.view
        self.revive(view.follower.conductor.fork(), click=view.click, cue_on=bool(view.cue),
                    levels=dict(view.levels))
        return played
