"""Live control: commands the stage, the keyboard and MIDI controllers send to the conductor.

Commands are plain frozen values, so they cross process boundaries (pickled into the engine's
command queue) and can be recorded and replayed.  Each takes effect at the sample where the
conductor applies it (the start of the next processed window), or at the boundary its
:class:`Quantize` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union


class Quantize(Enum):
    """Where a change lands: at once, or on the next beat, bar line, or the end of the moment."""

    NOW = "now"
    BEAT = "beat"
    BAR = "bar"
    MOMENT = "moment"


@dataclass(frozen=True)
class Start:
    """Start performing ``moment`` (default: where the presenter stopped), after a count-in if asked.

    From stopped, a fresh start: at the show file's tempo for that moment (or one set while stopped)."""

    moment: int | None = None
    count_in: bool = True


@dataclass(frozen=True)
class Stop:
    quantize: Quantize = Quantize.NOW


@dataclass(frozen=True)
class Panic:
    """Stop at the next bar line, like ``Stop(Quantize.BAR)``; the live engine also fades the sound out by then."""


@dataclass(frozen=True)
class Next:
    """Arm the moment after the current (or after the one already armed)."""

    quantize: Quantize = Quantize.BAR


@dataclass(frozen=True)
class Previous:
    """Arm the moment before the current (or before the one already armed)."""

    quantize: Quantize = Quantize.BAR


@dataclass(frozen=True)
class Launch:
    moment: int
    quantize: Quantize = Quantize.BAR


@dataclass(frozen=True)
class SetTempo:
    """Play on at ``bpm`` from the next beat (a ramp in progress is dropped)."""

    bpm: float


@dataclass(frozen=True)
class NudgeTempo:
    delta_bpm: float


@dataclass(frozen=True)
class TapTempo:
    """One tap; from the third tap on, the tempo follows the average of the last intervals."""


@dataclass(frozen=True)
class Mute:
    section: int
    on: bool | None = None  # None toggles


@dataclass(frozen=True)
class Solo:
    section: int
    on: bool | None = None  # None toggles


@dataclass(frozen=True)
class LiveHit:
    """Play a section's sound now, unquantized (pads, keys)."""

    section: int
    accent: bool = False


@dataclass(frozen=True)
class Reset:
    """Back to the show file: tempo adjustments (set, nudged, tapped) are dropped — playing, the
    file's tempo line resumes from the next beat — and mutes and solos are cleared.

    The click and the stage's overlays are the app's and the engine's, not the conductor's: the
    presenter layer clears those itself when it sends Reset.
    """


Command = Union[Start, Stop, Panic, Next, Previous, Launch, SetTempo, NudgeTempo, TapTempo, Mute, Solo, LiveHit, Reset]
