"""Which screen shows what, and how large a window may open: decisions over the displays' sizes.

    placement = place([(1920, 1080), (1280, 800)], wanted=None, separate=None)  # Placement(stage=1, console=0)
    window_size((1280, 720), (1024, 768))                                          # (1024, 576): never larger
    presenter_screen([(1280, 800), (1920, 1080)], stage=0)                        # 1: a screen for the console

Nothing here touches SDL: the app passes ``pygame.display.get_desktop_sizes()`` in, so the rules
are tested with made-up display lists.  A display plugged in while the show runs is found by
polling that list (:data:`POLL_S`): pygame-ce 2.5 passes SDL's display events (connected,
disconnected) on to no one, but SDL (2.0.22 and later on X11, through XRandR) does update its
display list when they happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Size = tuple[int, int]
POLL_S = 1.0  # how often the app looks for a display plugged in or pulled out


@dataclass(frozen=True)
class Placement:
    stage: int  # the stage's display, counted from 0
    console: int | None  # the console window's display; None: one screen, the console overlays the stage


def place(sizes: Sequence[Size], wanted: int | None, separate: bool | None) -> Placement:
    """The stage on display ``wanted`` (counted from 1; None: the last), the console on another one when there
    is one (``separate`` forces a console window or none)."""
    count = max(1, len(sizes))
    stage = min(max(wanted or count, 1), count) - 1
    if not (count >= 2 if separate is None else separate):
        return Placement(stage, None)
    return Placement(stage, 0 if stage != 0 else min(1, count - 1))


def window_size(wanted: Size, screen: Size | None) -> Size:
    """``wanted``, scaled down (keeping its shape) until it fits ``screen``: a window never opens larger than
    the display it is on (a 1280×720 stage on a 1024×768 projector would hang off its edges)."""
    if screen is None or screen[0] <= 0 or screen[1] <= 0:
        return wanted
    scale = min(1.0, screen[0] / wanted[0], screen[1] / wanted[1])
    return max(1, int(wanted[0] * scale)), max(1, int(wanted[1] * scale))


def presenter_screen(sizes: Sequence[Size], stage: int) -> int | None:
    """The display a console overlaid on the stage can move to: the first one that is not the stage's."""
    return next((index for index in range(len(sizes)) if index != stage), None)
