"""What an engine applied and played, hits included, replayed from its commands (as the app does).

The engine publishes its applied commands and markers (beats, moment starts, stops) but not
its hits; a reader replays those, exactly, with an :class:`~rockstar_cx.live.view.EngineView`.
:class:`Script` stands in for an engine where a test writes what it "applied".
"""

from __future__ import annotations

from rockstar_cx.audio.health import Health
from rockstar_cx.audio.ipc import Applied
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor.events import Event
from rockstar_cx.live.view import EngineView
from rockstar_cx.show.model import Show


class Played:
    """The events an engine played since the last call (reading its events: nobody else may)."""

    def __init__(self, engine: AudioEngine) -> None:
        config = engine.config
        self.view = EngineView(config.show, config.samplerate, engine.shared, hold_bars=config.hold_bars)

    def __call__(self) -> list[Event]:
        return self.view.update()


def applied_commands(engine: AudioEngine) -> list:
    """The commands the engine applied since the last read of its events, in order."""
    return [event.command for event in engine.events() if type(event) is Applied]


class Script:
    """An engine source a test writes: the commands "applied" (each at its sample) and the position."""

    def __init__(self, health: Health | None = None) -> None:
        self.position = 0
        self.events: list = []
        self.health = health or Health()

    def apply(self, sample: int, command: object) -> None:
        """The engine applied ``command`` at ``sample`` (and got that far)."""
        self.events.append(Applied(sample, command))
        self.position = max(self.position, sample)

    def read_position(self) -> int:
        return self.position

    def read_events(self) -> tuple[list, int]:
        events, self.events = self.events, []
        return events, 0

    def read_health(self) -> Health:
        return self.health


def scripted_view(show: Show, rate: int, *, hold_bars: int | None = None) -> tuple[EngineView, Script]:
    """A view of a :class:`Script` instead of an engine."""
    script = Script()
    return EngineView(show, rate, script, hold_bars=hold_bars), script
