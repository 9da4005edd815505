"""Where everything goes on the presenter console, as boxes: nothing here draws.

Two columns.  The left: the state and the clocks, NOW with the moment's title and its notes, what
comes and what GO does, NEXT with its title and notes, and the buttons at the bottom (GO the
largest).  The right: where the show is and the tempo, a live copy of the stage, a row per section
with its buttons, and the health lines.  Sizes follow the window's height (``cap``: 2 % of it);
text goes into its box by :mod:`.fit`'s one rule, never below ``floor``.  What gives way when room
runs out, in order: the stage's copy (it shrinks, then goes), the section rows (down to
:data:`ROW_MIN` caps), the health lines' size (down to the floor), the notes (the current moment's
keep a line, the next one's too; beyond that :mod:`.fit` ends them with an ellipsis) — so 8
sections and every health line always fit at 1280×800 and larger (and at 1024×640, the console
window on a 1024×768 screen).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pygame

from .layout import LINE, PITCH, lines_height

SMALL_CAP = 0.02  # of the window's height: the console's text
FLOOR = 0.75  # of that: the smallest any console text shrinks to
ROW, ROW_MIN = 2.4, 1.9  # a section row's height, in caps: wanted, least
BUTTON_W, LEARN_BUTTON_W = 5.2, 4.5  # a section button's width, in caps (MIDI learn shows 5 of them)
SMALL_BUTTON = 7.8  # the least width of a button under GO, in caps ("PRESENTER" at the floor)
PREVIEW_MIN = 5.0  # the stage's copy, if any, is at least this many caps tall


@dataclass(frozen=True)
class ConsoleNeeds:
    """What the console has to hold."""

    sections: int
    health: tuple[int, ...]  # each health line's lines (1, or 2 for one too long for a line at the floor)
    notes: tuple[int, int] = (2, 2)  # lines the current and the next moment's notes want
    section_buttons: int = 3  # MUTE, SOLO, TEACH (+ HIT, VOL while MIDI learn is on)
    buttons: tuple[int, ...] = (4, 6)  # the small buttons in each row under GO
    preview: bool = True


@dataclass(frozen=True)
class SectionRow:
    swatch: pygame.Rect  # the section's colour
    label: pygame.Rect  # "1 Sales · CLAP"
    buttons: tuple[pygame.Rect, ...]


@dataclass(frozen=True)
class ConsoleLayout:
    size: tuple[int, int]
    cap: int  # the small text's cap height
    floor: int
    state: pygame.Rect
    clocks: pygame.Rect
    heading: pygame.Rect
    title: pygame.Rect
    notes: pygame.Rect
    change: pygame.Rect
    go: pygame.Rect
    next_heading: pygame.Rect
    next_title: pygame.Rect
    next_notes: pygame.Rect
    back_button: pygame.Rect
    go_button: pygame.Rect
    buttons: tuple[tuple[pygame.Rect, ...], ...]
    where: pygame.Rect
    tempo: pygame.Rect
    preview: pygame.Rect | None
    sections: tuple[SectionRow, ...]
    health: tuple[pygame.Rect, ...]

    def boxes(self) -> list[tuple[str, pygame.Rect]]:
        """Every box, by name (the tests check none overlap and all are inside the window)."""
        out = [(name, getattr(self, name)) for name in ("state", "clocks", "heading", "title", "notes", "change", "go",
                                                        "next_heading", "next_title", "next_notes", "back_button",
                                                        "go_button", "where", "tempo")]
        out += [(f"button{r}.{i}", b) for r, row in enumerate(self.buttons) for i, b in enumerate(row)]
        if self.preview is not None:
            out.append(("preview", self.preview))
        for i, row in enumerate(self.sections):
            out += [(f"section{i}.swatch", row.swatch), (f"section{i}.label", row.label)]
            out += [(f"section{i}.button{k}", b) for k, b in enumerate(row.buttons)]
        out += [(f"health{i}", r) for i, r in enumerate(self.health)]
        return [(name, rect) for name, rect in out if rect.width > 0 and rect.height > 0]


def caps(height: int) -> tuple[int, int]:
    """The console's small cap height and its floor, for a window ``height`` pixels tall."""
    cap = max(9, round(height * SMALL_CAP))
    return cap, max(8, round(cap * FLOOR))


def per_row(size: tuple[int, int]) -> int:
    """How many buttons a row under GO holds."""
    left, _ = columns(size)
    s = caps(size[1])[0]
    return max(2, (left.width + s // 3) // round(s * SMALL_BUTTON))


def columns(size: tuple[int, int]) -> tuple[pygame.Rect, pygame.Rect]:
    """The left and the right column."""
    w, h = size
    m = max(8, round(h * 0.025))
    left = pygame.Rect(m, m, round(w * 0.56) - m, h - 2 * m)
    return left, pygame.Rect(left.right + m, m, w - left.right - 2 * m, h - 2 * m)


def _stack(x: int, y: int, width: int, heights: list[int], gap: int) -> list[pygame.Rect]:
    rects = []
    for height in heights:
        rects.append(pygame.Rect(x, y, width, height))
        y += height + gap
    return rects


@lru_cache(maxsize=32)
def console_layout(size: tuple[int, int], needs: ConsoleNeeds) -> ConsoleLayout:
    left, right = columns(size)
    s, floor = caps(size[1])
    gap = max(3, s // 3)
    one = lines_height(s, 1)
    # the left column: text from the top, buttons from the bottom, the notes share what is between
    big = max(s * 3, min(round(s * 4.5), left.height // 6))
    small = max(round(s * 2.2), min(round(s * 3), left.height // 12))
    rows = len(needs.buttons)
    buttons_top = left.bottom - big - rows * (small + gap)
    state_h = lines_height(round(s * 1.3), 1)
    title_h = max(lines_height(round(s * 1.6), 1), lines_height(floor, 2))
    next_title_h = max(lines_height(round(s * 1.25), 1), lines_height(floor, 2))
    fixed = [state_h, one, title_h, 0, lines_height(round(s * 1.1), 1), one, one, next_title_h, 0]
    room = buttons_top - gap - left.y - sum(fixed) - gap * (len(fixed) - 1)
    now_lines, next_lines = _share(room, needs.notes, s)
    fixed[3], fixed[8] = lines_height(s, now_lines), lines_height(s, next_lines)
    state, heading, title, notes, change, go, next_heading, next_title, next_notes = _stack(
        left.x, left.y, left.width, fixed, gap)
    state_w = min(left.width // 3, s * 9)
    clocks = pygame.Rect(state.x + state_w + s, state.y, state.width - state_w - s, state.height)
    state.width = state_w
    half = (left.width - gap) // 2
    back_button = pygame.Rect(left.x, buttons_top, half, big)
    go_button = pygame.Rect(left.x + half + gap, buttons_top, left.width - half - gap, big)
    buttons = []
    y = buttons_top + big + gap
    for count in needs.buttons:
        width = (left.width - gap * (count - 1)) // max(1, count)
        buttons.append(tuple(pygame.Rect(left.x + i * (width + gap), y, width, small) for i in range(count)))
        y += small + gap
    # the right column: the stage's copy gives way first, then the section rows
    where_h = max(lines_height(round(s * 1.3), 1), lines_height(floor, 2))
    row = round(s * ROW)
    for cap in (s, floor):  # the health lines at the small size, or at the floor when that is all there is room for
        health_h = [lines_height(cap, n) for n in needs.health]
        below = sum(health_h) + gap * len(health_h)
        spare = right.height - where_h - gap - needs.sections * row - below - gap
        if spare >= needs.sections * (round(s * ROW_MIN) - row):
            break
    preview = None
    if needs.preview and spare - gap >= s * PREVIEW_MIN:
        height = min(round(right.width * 9 / 16), spare - gap)
        preview = pygame.Rect(right.x, right.y + where_h + gap, round(height * 16 / 9), height)
    elif spare < 0 and needs.sections:
        row = max(round(s * ROW_MIN), row + spare // needs.sections)
    where = pygame.Rect(right.x, right.y, right.width, where_h)
    tempo = pygame.Rect(0, right.y, round(right.width * 0.36), where_h)
    tempo.right = right.right
    where.width = tempo.left - s - where.x
    y = (preview.bottom if preview is not None else where.bottom) + gap
    button_w = round(s * (BUTTON_W if needs.section_buttons <= 3 else LEARN_BUTTON_W))
    sections = []
    for _ in range(needs.sections):
        height = row - max(2, gap // 2)
        swatch = pygame.Rect(right.x, y, s, height)
        first = right.right - needs.section_buttons * (button_w + 4) + 4
        row_buttons = tuple(pygame.Rect(first + k * (button_w + 4), y, button_w, height)
                            for k in range(needs.section_buttons))
        label = pygame.Rect(swatch.right + s, y, first - 4 - swatch.right - s - s // 2, height)
        sections.append(SectionRow(swatch, label, row_buttons))
        y += row
    health = tuple(_stack(right.x, y + gap, right.width, health_h, gap))
    return ConsoleLayout(size, s, floor, state, clocks, heading, title, notes, change, go, next_heading, next_title,
                         next_notes, back_button, go_button, tuple(buttons), where, tempo, preview, tuple(sections),
                         health)


def _share(room: int, wanted: tuple[int, int], cap: int) -> tuple[int, int]:
    """How many lines the current and the next moment's notes get in ``room`` pixels: what they want, else the
    current one first, each at least one line."""
    fits = 2 + max(0, int((room / cap - 2 * LINE) / PITCH))  # two boxes: a first line each, then pitches
    now, nxt = max(1, wanted[0]), max(1, wanted[1])
    if now + nxt <= fits:
        return now, nxt
    now = max(1, min(now, fits - 1))
    return now, max(1, fits - now)
