"""The console's questions: quit while the show plays?  Resume where an interrupted run stood?

Both are asked on the presenter's console only (with one screen, the console overlay), never on
the stage, and both are answered with keys a clicker has:

* **Quit** while playing (Ctrl+Q, or the window manager's close: Alt+F4) asks for a second,
  deliberate request: the same again within :data:`QUIT_AGAIN_S`, or Enter; Esc carries on.
  While it is asked, every other key is ignored, with a message — none acts on the show.  A close
  event and the quit SDL sends with it (within :data:`CLOSE_BOUNCE_S`) are one request.  Stopped,
  quitting needs no confirmation.
* **Resume** (:class:`~rockstar_cx.live.resume.Offer`): Enter or GO (PageDown, →, Space) resumes,
  parked at that moment, stopped; Esc or back (PageUp, ←) starts from the top.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..live.resume import Offer
from ..show.model import Show

QUIT_AGAIN_S = 2.0
CLOSE_BOUNCE_S = 0.3


@dataclass(frozen=True)
class Dialog:
    """A question the console shows over everything."""

    title: str
    lines: tuple[str, ...]
    alert: bool = False


class QuitGuard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._asked: float | None = None
        self._last_close = -1e9

    @property
    def asking(self) -> bool:
        return self._asked is not None and self.clock() - self._asked < QUIT_AGAIN_S

    def request(self, playing: bool, *, close: bool = False) -> bool:
        """A quit request (``close``: the window manager's); True: quit now."""
        now = self.clock()
        if close:
            if now - self._last_close < CLOSE_BOUNCE_S:
                return False  # the WINDOWCLOSE and QUIT of one Alt+F4
            self._last_close = now
        if not playing or self.asking:
            return True
        self._asked = now
        return False

    def cancel(self) -> None:
        self._asked = None

    def dialog(self) -> Dialog | None:
        if not self.asking:
            return None
        return Dialog("QUIT WHILE THE SHOW PLAYS?", (
            f"Ctrl+Q again (or Alt+F4) within {QUIT_AGAIN_S:g} s, or Enter: quit — the show can be resumed",
            "Esc: carry on playing    (other keys are ignored)"), alert=True)


def resume_dialog(offer: Offer, show: Show) -> Dialog:
    saved = offer.saved
    names = [show.sections[i].name for i in saved.muted if i < len(show.sections)]
    solos = [show.sections[i].name for i in saved.soloed if i < len(show.sections)]
    details = [f"muted: {', '.join(names)}" if names else "", f"solo: {', '.join(solos)}" if solos else "",
               f"tempo {saved.tempo:g} bpm" if saved.tempo is not None else "the show's tempo"]
    was = "it was playing" if saved.playing else "it was stopped"
    return Dialog(offer.words(show), (
        f"The last run ended without finishing ({was}): " + " · ".join(d for d in details if d),
        "Enter or GO (PgDn →): resume there, stopped — F5 starts it with the count-in",
        "Esc or back (PgUp ←): start from the top"), alert=offer.changed)
