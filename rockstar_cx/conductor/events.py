"""What the conductor emits: small immutable events, each stamped with its exact sample.

Every consumer — the mixer, the stage view, MIDI out, the MIDI file writer — reads the same
events, so what you hear, see and send can never disagree.  ``time`` is the exact time in
seconds from the performance origin before rounding; ``sample`` is ``round(time · rate)``
(halves up).
"""

from __future__ import annotations

from typing import NamedTuple, Union

#: Moment index used for the count-in, which belongs to no moment.
COUNT_IN = -1


class Hit(NamedTuple):
    """A section plays its sound.  ``live`` marks an unquantized hit from a pad or key."""

    sample: int
    time: float
    section: int
    accent: bool
    moment: int
    live: bool = False


class Beat(NamedTuple):
    """The conductor's beat: ``bar`` and ``beat`` count from 0 within the moment (or the count-in)."""

    sample: int
    time: float
    moment: int
    bar: int
    beat: int
    tempo: float  # bpm at this beat

    @property
    def count_in(self) -> bool:
        return self.moment == COUNT_IN


class MomentStart(NamedTuple):
    sample: int
    time: float
    moment: int


class Stop(NamedTuple):
    """The performance stopped: ``finished`` when the last moment ended, else the presenter stopped it."""

    sample: int
    time: float
    finished: bool


Event = Union[Hit, Beat, MomentStart, Stop]
