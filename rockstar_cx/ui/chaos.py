"""Chaos against the conductor, as numbers the stage draws: how far each section has left the beat.

In a chaos moment every section plays its pattern at its own, speeding tempo while the conductor's
beat goes on unheard (:attr:`.cues.Frame.grid`).  :func:`drift` places each section's latest hit
against that grid — the nearest step of its own pattern where the conductor would have had it
play (an accent where it played an accent) — and gives the spread, the time between the earliest
and the latest section.  :func:`conductor_returns` tells the punchline's bar: the first conducted
bar after a chaos moment.  Pure functions of a frame, tested without drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..show.model import Show
from .cues import Frame


@dataclass(frozen=True)
class Drift:
    offsets: dict[int, float] = field(default_factory=dict)  # section -> seconds off the grid (+: late)
    spread: float = 0.0  # seconds between the earliest and the latest section (0 with fewer than two)


def drift(show: Show, frame: Frame) -> Drift:
    """Each playing section's latest hit against the conductor's grid, and their spread."""
    offsets: dict[int, float] = {}
    grid = frame.grid
    if len(grid) < 2:
        return Drift()
    for index in show.moment_sections[frame.moment]:
        cue = frame.cues.get(index)
        if cue is None or cue.since_hit is None or -cue.since_hit < grid[0][0]:  # none yet in this moment
            continue
        offset = _offset(show, index, -cue.since_hit, cue.accent, grid)
        if offset is not None:
            offsets[index] = offset
    spread = max(offsets.values()) - min(offsets.values()) if offsets else 0.0
    return Drift(offsets, spread)


def _offset(show: Show, index: int, hit: float, accent: bool, grid: tuple[tuple[float, int], ...]) -> float | None:
    """``hit`` (seconds from the frame) less the nearest grid position of a step its pattern plays."""
    section = show.sections[index]
    per_beat, pattern = section.steps_per_beat, section.pattern
    steps_per_bar = show.meter.beats * per_beat
    same: list[float] = []
    other: list[float] = []
    for (t0, n), (t1, _) in zip(grid, grid[1:]):
        for j in range(per_beat):
            k = n * per_beat + j
            value = pattern[k % len(pattern)]
            if not value:
                continue
            swung = j + (show.swing if k % steps_per_bar % 2 else 0.0)  # as the conductor swings the off-steps
            at = t0 + swung / per_beat * (t1 - t0)
            (same if (value == 2) == accent else other).append(hit - at)
    candidates = same or other  # an accent is matched to an accent while the grid has one in reach
    return min(candidates, key=abs) if candidates else None


def after_chaos(show: Show, frame: Frame) -> bool:
    """A conducted moment entered from chaos: the stage keeps the beat line up, the sections on it."""
    return (frame.state == "playing" and frame.previous is not None
            and show.moments[frame.previous].mode == "chaos" and show.moments[frame.moment].mode != "chaos")


def conductor_returns(show: Show, frame: Frame) -> bool:
    """The conductor's return, the punchline: the first bar of a conducted moment that follows chaos."""
    return frame.bar == 0 and after_chaos(show, frame)
