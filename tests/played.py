"""What an engine applied and played, hits included, replayed from its commands (as the stage does).

The engine publishes its applied commands and markers (beats, moment starts, stops) but not
its hits; a reader replays those, exactly, with a :class:`~rockstar_cx.conductor.follower.Follower`.
"""

from __future__ import annotations

from rockstar_cx.audio.ipc import Applied
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor.events import Event
from rockstar_cx.conductor.follower import Follower


class Played:
    def __init__(self, engine: AudioEngine) -> None:
        config = engine.config
        self.engine = engine
        self.follower = Follower(config.show, config.samplerate, hold_bars=config.hold_bars)

    def __call__(self) -> list[Event]:
        """The events played since the last call, in order."""
        position = self.engine.position()  # first: every command before it is in the ring
        applied = [event for event in self.engine.events() if type(event) is Applied]
        return self.follower.catch_up(applied, position)


def applied_commands(engine: AudioEngine) -> list:
    """The commands the engine applied since the last read of its events, in order."""
    return [event.command for event in engine.events() if type(event) is Applied]
