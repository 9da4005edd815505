"""LED feedback: what each bound control shows, from the engine's transport, as MIDI.

* section pads (live hit): the section's colour — lit while it plays, pulsing while it waits in
  the armed moment, flashing when that moment enters on the next bar line;
* mute / solo: lit (section colour) while engaged;
* moment pads: lit while playing, pulsing while armed (or chosen to start), flashing when it
  enters on the next bar line; GO shows the same for whatever is armed;
* start/stop lit while playing, click lit while the click track is on; everything else dark.

:meth:`Feedback.changes` returns only the messages for LEDs whose state changed, so a steady
show sends nothing; :meth:`Feedback.repaint` sends everything (a device just (re)connected).

Threading contract: one thread (the controller hub's) owns a Feedback.
"""

from __future__ import annotations

from ..conductor.conductor import Transport
from ..show.model import Show
from ..live.intent import Action, Target
from .mapping import Control, Mapping
from .profiles import OFF, Led, Mode, Profile


def led_for(target: Target, show: Show, transport: Transport, click: bool, rate: int) -> Led:
    """The state of one target's LED, given where the performance is and whether the click plays."""
    action, index, t = target.action, target.index, transport
    playing = t.playing and not t.counting_in
    armed = t.armed if t.armed is not None and t.armed >= 0 else None  # a moment (not the end) is armed
    bar = show.meter.beats * 60.0 * rate / t.tempo
    entering = armed is not None and t.armed_sample is not None and t.armed_sample - t.sample <= bar
    waiting = Led(Mode.FLASH if entering else Mode.PULSE)
    if action is Action.LAUNCH:
        if t.counting_in and index == t.moment:
            return Led(Mode.FLASH)  # it enters when the count-in ends
        if index == armed or (not t.playing and index == t.moment):
            return waiting  # stopped: the moment Start will play
        return Led(Mode.LIT) if playing and index == t.moment else OFF
    if action is Action.GO:
        return waiting if t.armed is not None else OFF
    if action is Action.START_STOP:
        return Led(Mode.LIT) if t.playing else OFF
    if action is Action.CLICK:
        return Led(Mode.LIT) if click else OFF
    if index is None or index >= len(show.sections):
        return OFF
    color = show.sections[index].color
    if action in (Action.MUTE, Action.SOLO):
        return Led(Mode.LIT, color) if index in (t.muted if action is Action.MUTE else t.soloed) else OFF
    if action is Action.HIT:
        if playing and index in show.moment_sections[t.moment]:
            return Led(Mode.LIT, color)
        upcoming = armed if armed is not None else (t.moment if not t.playing else None)
        if upcoming is not None and index in show.moment_sections[upcoming]:
            return Led(waiting.mode, color)
    return OFF


class Feedback:
    def __init__(self, profile: Profile, mapping: Mapping, show: Show, rate: int) -> None:
        self.profile = profile
        self.show = show
        self.rate = rate
        self.targets = {c: t for c, t in mapping.bindings.items() if t.action not in (Action.VOLUME, Action.MASTER)}
        self._shown: dict[Control, Led] = {}

    @property
    def lights(self) -> bool:
        return self.profile.render is not None

    def states(self, transport: Transport, click: bool) -> dict[Control, Led]:
        return {c: led_for(t, self.show, transport, click, self.rate) for c, t in self.targets.items()}

    def changes(self, transport: Transport, click: bool) -> list[bytes]:
        if not self.lights:
            return []
        out = []
        for control, led in sorted(self.states(transport, click).items()):
            if self._shown.get(control) != led:
                out.append(self.profile.render(control, led))
                self._shown[control] = led
        return out

    def repaint(self, transport: Transport, click: bool) -> list[bytes]:
        self._shown.clear()
        return list(self.profile.init) + self.changes(transport, click)
