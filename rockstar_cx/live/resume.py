"""Resume after a crash or a quit mid-show: the performance's state, kept on disk on every change.

    keeper = Keeper(show)                  # one state file per show file, in the user's state folder
    offer = keeper.offer()                 # at start: the state an interrupted run left (None: none)
    offer.words(); keeper.accept(offer, send) or keeper.decline()
    keeper.observe(view)                   # every frame: written (atomically) whenever it changed
    keeper.clear()                         # a clean end: the show finished, or quit while stopped

What is kept: the moment, the tempo if the presenter changed it (tapped, nudged), mutes and
solos, playing or stopped, and the show file's path and SHA-256, so a changed file is noticed.
Accepting parks the show there, stopped: F5 starts it with its count-in.  A finished show clears
the state; so does declining.  Writing never raises: a failure is kept in :attr:`Keeper.problem`
for the console, and the show goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..conductor.commands import Launch, Mute, SetTempo, Solo
from ..files import write_atomically
from ..paths import state_dir
from ..show.model import Show
from .status import tempo_adjustment
from .view import EngineView


@dataclass(frozen=True, kw_only=True)
class Saved:
    """The performance's state, as the state file holds it."""

    path: str  # the show file, absolute ("built-in show" for the built-in one)
    digest: str  # its SHA-256 (the built-in show's: of the show itself)
    moment: int  # playing, or where Start begins
    tempo: float | None  # the presenter's tempo (tapped, nudged, set); None: the show file's
    muted: tuple[int, ...]
    soloed: tuple[int, ...]
    playing: bool


@dataclass(frozen=True)
class Offer:
    """What an interrupted run left, offered at the start of the next one."""

    saved: Saved
    changed: bool  # the show file changed since

    def words(self, show: Show) -> str:
        n = len(show.moments)
        moment = min(self.saved.moment, n - 1)
        changed = "The show file has changed since. " if self.changed else ""
        return f"{changed}Resume at moment {moment + 1}/{n} “{show.moments[moment].title}”?"


def show_identity(show: Show) -> tuple[str, str]:
    """(path, digest) of a show: its file's, or for the built-in show its text's."""
    path = Path(show.source)
    try:
        data = path.read_bytes()
        return str(path.resolve()), hashlib.sha256(data).hexdigest()
    except OSError:  # the built-in show (its source is a name), or a file gone since
        return show.source, hashlib.sha256(repr(show).encode("utf-8")).hexdigest()


def state_file(path: str) -> Path:
    """The state file for the show file at ``path``: one per show, so shows never resume each other."""
    return state_dir() / f"resume-{hashlib.sha256(path.encode('utf-8')).hexdigest()[:16]}.json"


class Keeper:
    def __init__(self, show: Show, file: Path | None = None) -> None:
        self.show = show
        self.path, self.digest = show_identity(show)
        self.file = file or state_file(self.path)
        self.problem = ""  # the last write's failure, in words ("" when all is well)
        self._last: Saved | str | None = None
        self._waiting = False  # an offer is open: the state on disk is not overwritten until it is answered

    def offer(self) -> Offer | None:
        """The state left by an interrupted run of this show, if any; it is kept until answered."""
        try:
            saved = Saved(**json.loads(self.file.read_text(encoding="utf-8")))
            saved = Saved(**{**asdict(saved), "muted": tuple(saved.muted), "soloed": tuple(saved.soloed)})
        except (OSError, ValueError, TypeError):  # none, or unreadable: nothing to offer
            return None
        if saved.path != self.path:
            return None
        self._waiting = True
        return Offer(saved, changed=saved.digest != self.digest)

    def accept(self, offer: Offer, send: Callable[[object], bool]) -> float | None:
        """Park the show where it was, stopped; returns the presenter's tempo to restore once playing
        (a moment with a tempo of its own plays that first: the conductor's rule), or None."""
        self._waiting = False
        saved, show = offer.saved, self.show
        sections = range(len(show.sections))
        send(Launch(min(saved.moment, len(show.moments) - 1)))  # stopped: chooses where Start begins
        for section in saved.muted:
            if section in sections:
                send(Mute(section, True))
        for section in saved.soloed:
            if section in sections:
                send(Solo(section, True))
        if saved.tempo is not None:
            send(SetTempo(saved.tempo))
        return saved.tempo

    def decline(self) -> None:
        self._waiting = False
        self.clear()

    def observe(self, view: EngineView) -> None:
        """Save the state whenever it changed; a finished show clears it."""
        if self._waiting:
            return
        t = view.transport()
        if t.finished:
            if self._last != "finished":
                self.clear()
                self._last = "finished"  # cleared once, not every frame
            return
        adjusted = tempo_adjustment(self.show, t, view.applied)
        saved = Saved(path=self.path, digest=self.digest, moment=t.moment,
                      tempo=round(t.tempo, 3) if adjusted else None, muted=tuple(sorted(t.muted)),
                      soloed=tuple(sorted(t.soloed)), playing=t.playing)
        if saved != self._last:
            self._last = saved
            try:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(self.file, (json.dumps(asdict(saved), indent=1) + "\n").encode("utf-8"))
                self.problem = ""
            except OSError as error:
                self.problem = f"state not saved ({error.strerror or error}): no resume after a crash"

    def clear(self) -> None:
        """A clean end: nothing to resume."""
        self._last = None
        try:
            self.file.unlink(missing_ok=True)
        except OSError as error:
            self.problem = f"state not cleared ({error.strerror or error})"
