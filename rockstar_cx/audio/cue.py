"""The presenter's cue mix: which device channels carry the room's mix and which the in-ear cue mix.

    routing = Routing(main=(1, 2), cue=(3, 4))   # channels counted from 1, as the user types them
    main, cue = routing.views(out)               # views of a block (frames × channels) to copy each bus into

With cue channels the mixer renders a second, small bus beside the master (see
:class:`~rockstar_cx.audio.mixer.Mixer`): the click on every beat, the count-in (which stays in
the room's mix too) and the :class:`PreEntry` cue one bar before every moment change.  The click
and that cue never reach the main channels.  Without cue channels there is no cue bus and the
click plays in the main mix, as the audience hears it.

:func:`pre_entry` finds the cue's sample.  The renderer renders only two blocks ahead, but every
change it cues is known a bar ahead: the block holding a downbeat asks the conductor whether the
next bar line is a moment change (armed, or the moment's end), and a fork of the conductor,
played up to that bar line, says for sure, with the conductor's own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..conductor.commands import Quantize
from ..conductor.conductor import Conductor
from ..conductor.events import Beat, Event, MomentStart, Stop
from ..errors import ShowError


@dataclass(frozen=True)
class Routing:
    """The device channels of the main mix and of the cue mix (counted from 1; the rest stay silent)."""

    main: tuple[int, ...] = (1, 2)
    cue: tuple[int, ...] = ()

    @property
    def channels(self) -> int:
        """How many channels the stream opens: up to the highest one asked."""
        return max(self.main + self.cue)

    @property
    def click_in_main(self) -> bool:
        """The click has no cue channels to go to: the audience hears it."""
        return not self.cue

    def report(self) -> dict:
        """The run report's words for it."""
        return {"channels": {"main": list(self.main), "cue": list(self.cue)}, "click_in_main": self.click_in_main}

    def views(self, out: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """(main, cue): views of ``out`` (frames × channels), one per run of neighbouring channels,
        so the usual routings (1,2 and 3,4) cost one copy a bus."""
        return _runs(out, self.main), _runs(out, self.cue)


def _runs(out: np.ndarray, channels: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    views: list[np.ndarray] = []
    first = last = None
    for channel in sorted(channels):
        if last is not None and channel == last + 1:
            last = channel
            continue
        if first is not None:
            views.append(out[:, first - 1:last])
        first = last = channel
    if first is not None:
        views.append(out[:, first - 1:last])
    return tuple(views)


def parse_channels(option: str, text: str) -> tuple[int, ...]:
    """``"3,4"`` as (3, 4); ShowError naming ``option`` for anything but distinct channels from 1."""
    try:
        channels = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ShowError(f"{option} {text}: give channel numbers separated by commas, e.g. 3,4") from None
    if min(channels) < 1:
        raise ShowError(f"{option} {text}: channels are counted from 1")
    if len(set(channels)) < len(channels):
        raise ShowError(f"{option} {text}: a channel is named twice")
    return channels


def check_routing(main: tuple[int, ...], cue: tuple[int, ...]) -> Routing:
    """The routing, once no channel is in both mixes (ShowError naming them)."""
    both = sorted(set(main) & set(cue))
    if both:
        raise ShowError(f"--main-channels and --cue-channels share channel {', '.join(map(str, both))}: "
                        "the cue mix must not reach the room")
    return Routing(main, cue)


class PreEntry(NamedTuple):
    """The pre-entry cue, a bar before a moment change: an event for the mixer alone (never published)."""

    sample: int


def pre_entry(conductor: Conductor, events: list[Event]) -> PreEntry | None:
    """The cue for the window the conductor just advanced over (``events``, its output): at the
    downbeat among them whose next bar line is a moment change or the end, else None.

    Only a change known by that downbeat is cued: one armed for the next bar line (GO in the bar
    before) is counted down on stage, not here.  The count-in counts into the first moment itself.
    """
    for downbeat in events:
        if type(downbeat) is Beat and downbeat.beat == 0 and not downbeat.count_in:
            break
    else:
        return None  # nearly every block
    line = conductor.next_boundary(Quantize.BAR)  # a bar is far longer than a block: the one after this downbeat
    if line is None or line not in (conductor.transport().armed_sample, conductor.next_boundary(Quantize.MOMENT)):
        return None
    # Whether the journey changes there is the conductor's to say (a held moment goes on): its twin plays up to it.
    for event in conductor.fork().advance(line + 1 - conductor.position):
        if event.sample == line and type(event) in (MomentStart, Stop):
            return PreEntry(downbeat.sample)
    return None
