"""Where everything goes on the stage, from 1280×720 to 3840×2160: sizes are fractions of the height.

The legibility rules fix the minimum sizes (cue words ≥ 1/12 of the screen height, everything
else ≥ 1/25), and a five-letter cue word at 1/12 is almost half the screen height wide.  So the
zone grid is chosen for the words to fit: at 16:9 at most three zones side by side — four
sections become 2×2, eight 3×3 — and every zone arranges its cue disc beside the word, above it,
or small in a corner, whichever its shape allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pygame

from .text import Text

CUE_CAP = 1 / 12 * 1.02  # cap height of cue words and numbers (a hair above the rule: pixels round)
CAPTION_CAP = 1 / 25 * 1.05  # cap height of all other stage text
TITLE_CAP = 0.05
COUNT_CAP = 0.34  # the count-in's numbers
MARGIN = 0.03
GAP = 0.018
RING_ROOM = 1.5  # a disc leaves this much of its radius free for the anticipation ring


@dataclass(frozen=True)
class Zone:
    rect: pygame.Rect
    mode: str  # "row": disc left of name, word and pattern; "stack": disc above the word; "corner": small disc
    name_pos: tuple[int, int]  # top left of the name's capitals
    word_pos: tuple[int, int]  # where the word's capitals are anchored...
    word_anchor: str  # ...by this point of their box
    word_cap: int
    disc_center: tuple[int, int]
    disc_radius: int
    pattern: pygame.Rect  # the row of step cells


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    margin: int
    header: pygame.Rect
    band: pygame.Rect  # captions and countdowns, at the bottom
    area: pygame.Rect  # the zones' area
    zones: tuple[Zone, ...]
    caption_cap: int
    cue_cap: int
    title_cap: int


def _caps(height: int) -> tuple[int, int, int]:
    return math.ceil(CAPTION_CAP * height), math.ceil(CUE_CAP * height), math.ceil(TITLE_CAP * height)


@lru_cache(maxsize=32)
def layout(size: tuple[int, int], count: int, word_width: float) -> Layout:
    """The stage for ``count`` zones whose widest cue word is ``word_width`` pixels at the cue size."""
    width, height = size
    margin = max(8, round(MARGIN * height))
    gap = max(6, round(GAP * height))
    caption_cap, cue_cap, title_cap = _caps(height)
    header = pygame.Rect(margin, margin, width - 2 * margin, round(caption_cap * 2.7))  # fits two status lines
    band_height = round(caption_cap * 3.4)  # two caption lines, or one countdown line
    band = pygame.Rect(margin, height - margin - band_height, width - 2 * margin, band_height)
    area = pygame.Rect(margin, header.bottom + gap, width - 2 * margin, band.top - gap - header.bottom - gap)
    rects = _grid(area, count, gap, word_width, caption_cap, cue_cap)
    zones = tuple(_zone(rect, word_width, caption_cap, cue_cap) for rect in rects)
    return Layout(size, margin, header, band, area, zones, caption_cap, cue_cap, title_cap)


def _needs(word_width: float, caption_cap: int, cue_cap: int) -> tuple[float, float]:
    """The smallest zone (width, height) that holds a name, a cue word and a pattern row."""
    pad = caption_cap * 0.6
    return word_width + 2 * pad, 2 * pad + caption_cap + cue_cap + caption_cap * 0.8 + 2 * pad


def _grid(area: pygame.Rect, count: int, gap: int, word_width: float, caption_cap: int,
          cue_cap: int) -> list[pygame.Rect]:
    if count == 0:
        return []
    need_w, need_h = _needs(word_width, caption_cap, cue_cap)
    best: tuple[float, int, int] | None = None
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        w = (area.width - (cols - 1) * gap) / cols
        h = (area.height - (rows - 1) * gap) / rows
        fit = min(w / need_w, h / need_h)
        score = (min(fit, 1.6), -abs(w / h - 2.2))  # room for the cue first, then a pleasant shape
        if best is None or score > best[0]:
            best = (score, cols, rows)
    _, cols, rows = best
    w = (area.width - (cols - 1) * gap) / cols
    h = (area.height - (rows - 1) * gap) / rows
    rects = []
    for i in range(count):
        row, col = divmod(i, cols)
        in_row = min(cols, count - row * cols)
        offset = (cols - in_row) * (w + gap) / 2  # a short last row is centred
        rects.append(pygame.Rect(round(area.x + offset + col * (w + gap)), round(area.y + row * (h + gap)),
                                 round(w), round(h)))
    return rects


def _zone(rect: pygame.Rect, word_width: float, caption_cap: int, cue_cap: int) -> Zone:
    pad = max(6, round(caption_cap * 0.6))
    inner = rect.inflate(-2 * pad, -2 * pad)
    pattern_h = max(8, round(caption_cap * 0.8))
    line_gap = round(caption_cap * 0.5)
    block = caption_cap + line_gap + cue_cap + line_gap + pattern_h  # name, word, pattern
    disc = min(inner.height, inner.width - word_width - pad)
    if disc >= inner.height * 0.7 and inner.height >= block:  # the disc as tall as the zone, text beside it
        room = inner.width - disc - pad
        cap = max(cue_cap, min(int(cue_cap * 1.6), int(cue_cap * room / max(word_width, 1)),
                               inner.height - block + cue_cap))
        column = min(room, max(word_width * cap / cue_cap, cap * 6))
        x = inner.x + round((inner.width - disc - pad - column) / 2)  # the whole card centred in the zone
        text_x = x + disc + pad
        top = inner.centery - (block - cue_cap + cap) / 2
        word_y = round(top + caption_cap + line_gap + cap / 2)
        pattern = pygame.Rect(text_x, round(top + caption_cap + 2 * line_gap + cap), round(column), pattern_h)
        return Zone(rect, "row", (text_x, round(top)), (text_x, word_y), "midleft", cap,
                    (x + round(disc / 2), inner.centery), round(disc / 2 / RING_ROOM), pattern)
    pattern = pygame.Rect(inner.x, inner.bottom - pattern_h, inner.width, pattern_h)
    free = pygame.Rect(inner.x, inner.y + caption_cap + pad, inner.width,
                       pattern.top - pad - (inner.y + caption_cap + pad))
    cap = max(cue_cap, min(int(cue_cap * 1.6), int(free.height * 0.3), int(cue_cap * inner.width * 0.8 / max(word_width, 1))))
    if free.height >= cap * 2.4:  # room above the word
        disc = min(free.height - cap - pad, inner.width)
        top = free.y + (free.height - (disc + pad + cap)) / 2
        return Zone(rect, "stack", (inner.x, inner.y), (free.centerx, round(top + disc + pad + cap / 2)), "center", cap,
                    (free.centerx, round(top + disc / 2)), round(disc / 2 / RING_ROOM), pattern)
    radius = round(caption_cap * 0.9)
    return Zone(rect, "corner", (inner.x, inner.y), free.center, "center", cue_cap,
                (inner.right - radius, inner.y + round(caption_cap / 2)), radius, pattern)


def widest_word(text: Text, words: list[str], height: int) -> float:
    """Width in pixels of the widest cue word at the cue size for a screen ``height`` pixels tall."""
    px = text.px_for_cap(CUE_CAP * height)
    return float(max((text.width(word, px) for word in words), default=0))
