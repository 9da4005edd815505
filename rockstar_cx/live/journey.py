"""The journey as it was performed: every moment entered, when, for how long, and what ended it.

    entries = journey(show, rate, view.marks, view.applied, view.entry_bars, view.position)
    report = [entry.report() for entry in entries]         # the run report's "moments"
    cause = pending_cause(view.applied, since, moment, n)  # who armed the change to come ("go", "panic" ...)

What left a moment is read from the commands the engine applied, by the conductor's own arming
rules: the command that armed the change the moment left by — Next is "go", Previous "back",
Panic "panic", Launch "launch" (a controller, teaching, a cancelled end), a Stop "stop" — and
none at all "by itself" (a moment that moves on after its bars).  A Stop that ends the journey
is "end".  A back that only disarms a GO leaves nothing armed.  Pure functions over the view's
records: no device needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..conductor.commands import Launch, Next, Panic, Previous, Start
from ..conductor.commands import Stop as StopCommand
from ..conductor.events import MomentStart, Stop
from ..show.model import Show

GO, BACK, PANIC, LAUNCH, STOP, BY_ITSELF, END = "go", "back", "panic", "launch", "stop", "by itself", "end"


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One moment entered."""

    moment: int  # from 0
    id: str
    start_s: float  # on the engine's clock (seconds since it started)
    seconds: float  # how long it played (to the end of the records, if it still plays)
    bars: int  # bars begun in it
    left_by: str | None  # GO ... end; None: the records end while it plays

    def report(self) -> dict:
        return {"moment": self.moment + 1, "id": self.id, "start_s": round(self.start_s, 3),
                "seconds": round(self.seconds, 3), "bars": self.bars, "left_by": self.left_by}


@dataclass
class _Arming:
    """The conductor's pending change, as far as the commands tell it."""

    moment: int  # the moment playing
    moments: int
    armed: int | None = None  # the moment armed; -1: the end
    cause: str | None = None

    def apply(self, command: object) -> None:
        kind = type(command)
        base = self.armed if self.armed is not None and self.armed >= 0 else self.moment
        if kind is Next:
            self.armed = base + 1 if base + 1 < self.moments else -1
            self.cause = GO
        elif kind is Previous:
            target = max(0, base - 1)
            if self.armed is not None and target == self.moment:  # back to where it is: just disarmed
                self.armed = self.cause = None
            else:
                self.armed, self.cause = target, BACK
        elif kind is Launch:
            self.armed, self.cause = min(max(command.moment, 0), self.moments - 1), LAUNCH
        elif kind is Panic:
            self.armed, self.cause = -1, PANIC
        elif kind is StopCommand:  # a stop during a panic's fade is still the panic
            self.armed, self.cause = -1, PANIC if self.cause == PANIC else STOP


def journey(show: Show, rate: int, marks: Iterable[MomentStart | Stop], applied: Iterable[tuple[int, object]],
            entry_bars: Mapping[int, int], position: int) -> list[Entry]:
    """Every moment entered, in order, from the view's marks and applied commands (see the module)."""
    items = sorted([(sample, 0, command) for sample, command in applied] + [(m.sample, 1, m) for m in marks],
                   key=lambda item: item[:2])  # a command applied at a mark's sample came first
    entries: list[Entry] = []
    current: MomentStart | None = None
    arming: _Arming | None = None

    def leave(sample: int, left_by: str | None) -> None:
        entries.append(Entry(moment=current.moment, id=show.moments[current.moment].id, start_s=current.sample / rate,
                             seconds=max(0, sample - current.sample) / rate,
                             bars=entry_bars.get(current.sample, 0), left_by=left_by))

    for sample, _, item in items:
        kind = type(item)
        if kind is MomentStart:
            if current is not None:
                leave(item.sample, arming.cause or BY_ITSELF)
            current, arming = item, _Arming(item.moment, len(show.moments))
        elif kind is Stop:
            if current is not None:
                leave(item.sample, END if item.finished else arming.cause or STOP)
            current = arming = None
        elif current is not None and kind is not Start:
            arming.apply(item)
    if current is not None:
        leave(position, None)
    return entries


def pending_cause(applied: Iterable[tuple[int, object]], since: int, moment: int, moments: int) -> str | None:
    """What armed the change still to come in ``moment`` (entered at sample ``since``): GO, back ..."""
    arming = _Arming(moment, moments)
    for sample, command in applied:
        if sample >= since:
            arming.apply(command)
    return arming.cause
