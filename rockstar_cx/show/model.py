"""The show model: frozen dataclasses, validated by :mod:`rockstar_cx.show.loader`.

A show is the user's document: sections (parts of the audience, each with one sound and one
looping rhythm pattern) and moments (the journey, performed in order, each layering some
sections for some bars).  Nothing here knows about time in seconds; see
:mod:`rockstar_cx.conductor.timeline` for that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from pathlib import Path


class Step(IntEnum):
    """One pattern step: ``.`` rest, ``x`` hit, ``X`` accent."""

    REST = 0
    HIT = 1
    ACCENT = 2


PATTERN_CHARS = {".": Step.REST, "x": Step.HIT, "X": Step.ACCENT}
PATTERN_IGNORED = " |"

#: Okabe & Ito's colour-blind-safe palette, in an order that keeps neighbours far apart
#: under protanopia, deuteranopia and tritanopia.  (Their black is left out: the stage is dark.)
DEFAULT_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#FFFFFF")

#: Held moments (``bars = 0``) loop until the presenter moves on; offline renders give them this many bars.
HOLD_RENDER_BARS = 4

#: What a moment does at the end of its bars, live: wait for GO, looping its parts, or move on by itself.
THEN_HOLD, THEN_NEXT = "hold", "next"
THEN_VALUES = (THEN_HOLD, THEN_NEXT)

#: GO may arm a change at most this many bars ahead (``warn_beats``): more would feel like no response.
MAX_WARN_BARS = 4


def parse_pattern(text: str) -> tuple[Step, ...]:
    """``"x... X.x."`` -> steps; spaces and ``|`` are ignored.  Raises ValueError naming a bad character."""
    steps = []
    for char in text:
        if char in PATTERN_IGNORED:
            continue
        if char not in PATTERN_CHARS:
            raise ValueError(f"unexpected character {char!r} (use X accent, x hit, . rest)")
        steps.append(PATTERN_CHARS[char])
    return tuple(steps)


def format_pattern(steps: tuple[Step, ...], group: int = 4) -> str:
    """Steps -> ``"x... X.x."``, a space every ``group`` steps."""
    chars = "".join(".xX"[s] for s in steps)
    return " ".join(chars[i : i + group] for i in range(0, len(chars), group))


@dataclass(frozen=True)
class Meter:
    """``beats``/``unit``: beats per bar, and the note value (2, 4, 8, 16 …) that one beat is."""

    beats: int
    unit: int

    def __str__(self) -> str:
        return f"{self.beats}/{self.unit}"


@dataclass(frozen=True)
class Section:
    """One part of the audience with its sound and looping pattern."""

    id: str
    name: str
    color: str  # "#RRGGBB"
    sound: str  # a built-in kit sound or a key of Show.sounds
    pattern: tuple[Step, ...]
    steps_per_beat: int = 4
    gain: float = 1.0
    midi_note: int = 60


@dataclass(frozen=True)
class Moment:
    """One stop of the journey: which sections play, for how long, how fast, conducted or not."""

    id: str
    title: str
    caption: str
    sections: tuple[str, ...]  # section ids
    bars: int  # 0 = hold until the presenter advances
    tempo: float | None = None  # at the start; None = carry on from the previous moment
    tempo_end: float | None = None  # ramp target at the end; None = no ramp
    mode: str = "conducted"  # or "chaos"
    # Live, at the end of its bars: "hold" loops its parts at the end tempo until GO; "next" moves on.
    # Offline (render, MIDI export) every moment moves on after its bars.
    then: str = THEN_HOLD
    # With a room microphone, the stage may show what the room did when it makes the point (a
    # conducted moment after a chaos: without the conductor against with); false keeps it off this moment.
    reveal: bool = True

    @property
    def holds(self) -> bool:
        """Held from the start (``bars = 0``)."""
        return self.bars == 0

    @property
    def render_bars(self) -> int:
        """Bars used when nobody is there to advance: offline render, MIDI export."""
        return self.bars or HOLD_RENDER_BARS


@dataclass(frozen=True)
class Show:
    title: str
    tempo: float
    meter: Meter
    sections: tuple[Section, ...]
    moments: tuple[Moment, ...]
    swing: float = 0.0
    count_in: int = 1  # bars
    seed: int = 0  # makes chaos moments reproducible
    sounds: tuple[tuple[str, Path], ...] = ()  # custom samples: (name, absolute path)
    source: str = "<built-in>"  # where it was loaded from, for messages
    warn_beats: int | None = None  # GO arms the first bar line at least this many beats away; None: one bar
    language: str = "en"  # the stage's words (rockstar_cx.show.words)

    @property
    def warning_beats(self) -> int:
        """Beats of warning a GO gives the sections that enter: ``warn_beats``, by default one bar."""
        return self.meter.beats if self.warn_beats is None else self.warn_beats

    @cached_property
    def section_index(self) -> dict[str, int]:
        """Section id -> index into :attr:`sections`."""
        return {s.id: i for i, s in enumerate(self.sections)}

    @cached_property
    def moment_sections(self) -> tuple[tuple[int, ...], ...]:
        """Per moment, the indices of its sections."""
        return tuple(tuple(self.section_index[s] for s in m.sections) for m in self.moments)

    def moment_tempi(self) -> tuple[tuple[float, float], ...]:
        """Per moment, (tempo at its start, tempo at its end), carrying tempo on where it is not given."""
        tempi = []
        current = self.tempo
        for moment in self.moments:
            start = moment.tempo if moment.tempo is not None else current
            end = moment.tempo_end if moment.tempo_end is not None else start
            tempi.append((start, end))
            current = end
        return tuple(tempi)
