"""What a presenter can ask for: one vocabulary for the keys, the console's buttons and MIDI controls.

A :class:`Target` is an :class:`Action` and, for some, a section or a moment (:data:`INDEXED`).
The keys (:mod:`rockstar_cx.ui.controls`), the console's buttons and ``midi.toml``'s bindings
all name targets; :class:`~.presenter.Presenter` carries them out.  An action's value is the
word ``midi.toml`` saves (so saved mappings keep working): ``action = "go"``.

Some actions are the front-end's business, not the show's (:data:`VIEW_ACTIONS`: blackout, the
help, the console overlay …): the presenter hands them to its front-end.  Some only a controller
offers (:data:`CONTROLLER_ONLY`: launch a moment, a live hit, a volume); no key has them.
No pygame and no mido here: every front-end can speak this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    GO = "go"
    BACK = "back"
    START_STOP = "start/stop"
    PANIC = "panic"
    BLACKOUT = "blackout"
    MUTE = "mute"  # index: section
    SOLO = "solo"  # index: section
    TEACH = "teach"  # index: section
    TAP = "tap"
    FASTER = "faster"
    SLOWER = "slower"
    CLICK = "click"
    CUE = "cue"  # the presenter's cue mix on the cue channels (--cue-channels) on / off
    RESET = "reset"  # back to the show file: mutes, solos, tempo, click, overlays, teaching
    HELP = "help"
    CONSOLE = "console"
    CALIBRATE = "calibrate"
    ROOM = "room"  # the room's round trip through the air, while stopped (--room-input)
    LEARN = "learn"
    SCREENSHOT = "screenshot"
    FULLSCREEN = "fullscreen"
    QUIT = "quit"
    LAUNCH = "launch"  # index: moment
    HIT = "hit"  # index: section; a velocity of 100 or more plays an accent
    VOLUME = "volume"  # index: section; continuous, 0-127
    MASTER = "master"  # continuous, 0-127


INDEXED = frozenset({Action.MUTE, Action.SOLO, Action.TEACH, Action.LAUNCH, Action.HIT, Action.VOLUME})
CONTINUOUS = frozenset({Action.VOLUME, Action.MASTER})  # a fader's or knob's every value counts, not a press
CONTROLLER_ONLY = frozenset({Action.LAUNCH, Action.HIT, Action.VOLUME, Action.MASTER})
VIEW_ACTIONS = frozenset({Action.BLACKOUT, Action.HELP, Action.CONSOLE, Action.CALIBRATE, Action.LEARN,
                          Action.SCREENSHOT, Action.FULLSCREEN, Action.QUIT})  # the front-end's, not the show's


@dataclass(frozen=True)
class Target:
    """What a key, a button or a control does: an action, and the section or moment it is for."""

    action: Action
    index: int | None = None  # section or moment, from 0; None for the rest

    def __str__(self) -> str:
        return self.action.value + ("" if self.index is None else f" {self.index + 1}")
