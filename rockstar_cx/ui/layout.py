"""Where everything goes on the stage, as boxes, from 1024×768 to 3840×2160 and 16:9 to 4:3.

Sizes are fractions of the screen height: cue words ≥ 1/12 of it, everything else ≥ 1/25 (the
legibility floor).  Nothing here draws: :func:`layout` returns boxes that never overlap — the
header (title, status, conductor figure), the band at the bottom (caption or countdown), the
zones, and inside every zone its colour band, name, state badge, disc, cue word and pattern; in
chaos (and the conducted moment after it) also the lanes, a strip above the band where every
section's marker leaves or meets the conductor's beat line, and the spread's readout beside the
band — and :mod:`.fit` fits text into them.

The rule, for 1–8 sections at 16:9, 16:10 and 4:3 from 1024×768 to 3840×2160 (the fit matrix
test checks it): no text leaves its box and no two boxes overlap; the disc (the icon) has a box of
its own, so it never covers text.  Cue words: with up to 6 sections the grid is chosen so every cue
word gets the full 1/12 (the caption band gives up lines for it, down to one); with 7 or 8, names
come first — the grid where the most names fit whole — and the cue words get as much as that grid
allows, never below the 1/25 floor.  Names: on one line at the floor; when that line is too
narrow, the disc and the state badge leave the name's row, then the name takes two lines, as long
as the cue word keeps its size; else it ends in an ellipsis, keeping as many letters as fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pygame

CUE_CAP = 1 / 12 * 1.02  # cap height of cue words and numbers (a hair above the rule: pixels round)
CAPTION_CAP = 1 / 25 * 1.05  # cap height of all other stage text: the legibility floor
TITLE_CAP = 0.05
COUNT_CAP = 0.34  # the count-in's numbers
MARGIN = 0.02
GAP = 0.014
LINE = 1.65  # a line of text needs this many cap heights (accents above, descenders, CJK and emoji ink)
PITCH = 1.62  # and each further line this many
WORD_ROOM = 1.25  # a cue word's box, in its cap heights (umlauts)
FULL_CUE_UP_TO = 6  # sections whose cue words always get the full 1/12
RING_ROOM = 1.5  # a disc leaves this much of its radius free for the anticipation ring
MOST_LINES = 4  # a caption's lines: 3 across the screen, 4 in chaos beside the spread's readout (its punchline)
LANES = (2.4, 1.6, 1.0, 0.0)  # chaos: the lanes' height in caption caps; 0: in the band, the caption giving way


@dataclass(frozen=True)
class Zone:
    rect: pygame.Rect
    mode: str  # "row": disc left of the word; "stack": disc above it; "corner": a small disc after the name
    stripe: pygame.Rect  # the thick band of the section's colour (a washed-out projector keeps it)
    name: pygame.Rect
    badge: pygame.Rect | None  # MUTED, SOLO, OUT IN n, IN n
    word: pygame.Rect
    word_cap: int
    word_floor: int
    disc: pygame.Rect  # the disc's square, anticipation ring included
    pattern: pygame.Rect | None  # the row of step cells (None: no room left for it)
    name_fits: bool = True  # the section's name fits its box whole (on one line or two)

    @property
    def disc_center(self) -> tuple[int, int]:
        return self.disc.center

    @property
    def disc_radius(self) -> int:
        return max(2, round(self.disc.width / 2 / RING_ROOM))


@dataclass(frozen=True)
class Needs:
    """What the stage has to fit, measured by the caller in pixels at the stage's sizes."""

    count: int
    word_width: float  # the widest cue word at the cue size
    badge_width: float = 0.0  # the widest state badge at the caption size (0: none)
    caption_lines: int = 1  # lines the caption would like (1 to 3; 4 in chaos)
    status_width: float = 0.0  # the header's status (bar and beat) at the caption size
    spread_width: float = 0.0  # chaos: the spread's readout ("SPREAD 1240 ms"); 0: no lanes, no readout
    names: tuple[tuple[float, float], ...] = ()  # each zone's name at the caption size: (one line, widest word)
    space: float = 0.0  # a space at the caption size
    spread_stacked: float = 0.0  # chaos: the readout's width with its label above the number (a tall band)


def name_lines(name: tuple[float, float], width: float, space: float) -> int:
    """Lines a name (its width on one line, its widest word) needs in a box ``width`` wide: 1, 2, or 0 when two are
    not enough (an ellipsis).  Two lines surely hold it when its words wrapped greedily cannot leave more than a
    line over: the first line is then at least ``width`` less a word and a space long."""
    whole, word = name
    if whole <= width:
        return 1
    return 2 if word <= width and whole + word + space <= 2 * width else 0


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    margin: int
    header: pygame.Rect
    title: pygame.Rect
    status: pygame.Rect
    figure: pygame.Rect
    band: pygame.Rect  # caption and countdown, at the bottom
    area: pygame.Rect  # the zones' area (the lanes, in chaos, below it)
    zones: tuple[Zone, ...]
    caption_cap: int
    cue_cap: int
    title_cap: int
    caption_lines: int
    lanes: pygame.Rect | None = None  # chaos: the conductor's beat line and every section's marker (or the band)
    spread: pygame.Rect | None = None  # chaos: the spread in ms, right of the band

    def boxes(self) -> list[tuple[str, pygame.Rect]]:
        """Every box that holds something, by name (the layout tests check none overlap)."""
        out = [("title", self.title), ("status", self.status), ("figure", self.figure), ("band", self.band)]
        out += [(k, r) for k, r in (("lanes", self.lanes), ("spread", self.spread))
                if r is not None and r != self.band]  # lanes in the band: one or the other is drawn
        for i, z in enumerate(self.zones):
            out += [(f"zone{i}.{k}", r) for k, r in (("stripe", z.stripe), ("name", z.name), ("badge", z.badge),
                                                     ("word", z.word), ("disc", z.disc), ("pattern", z.pattern))
                    if r is not None]
        return out


def stacked(height: int, caption_cap: int, cue_cap: int) -> bool:
    """The readout's label goes above its number in a box this tall."""
    return height >= lines_height(caption_cap, 1) + math.ceil(cue_cap * WORD_ROOM)


def caps(height: int) -> tuple[int, int, int]:
    return math.ceil(CAPTION_CAP * height), math.ceil(CUE_CAP * height), math.ceil(TITLE_CAP * height)


def lines_height(cap: int, lines: int) -> int:
    return math.ceil(cap * (LINE + PITCH * (lines - 1)))


@lru_cache(maxsize=64)
def layout(size: tuple[int, int], needs: Needs) -> Layout:
    width, height = size
    margin, gap = max(6, round(MARGIN * height)), max(4, round(GAP * height))
    caption_cap, cue_cap, title_cap = caps(height)
    header = pygame.Rect(margin, margin, width - 2 * margin, lines_height(caption_cap, 2))
    figure = pygame.Rect(0, 0, header.height, header.height)
    figure.topright = header.topright
    status_w = min(round(needs.status_width), header.width * 2 // 5)  # room for "NEXT MOMENT IN 2 BARS"
    status = pygame.Rect(figure.left - gap - status_w, header.y, status_w, header.height)
    title = pygame.Rect(header.x, header.y, status.left - gap - header.x, header.height)
    best = None
    chaos = needs.spread_width > 0
    wanted = range(max(1, min(MOST_LINES if chaos else 3, needs.caption_lines)), 0, -1)
    # for the cues, chaos's lanes give up height before the caption gives up lines (the punchline is in it); the
    # lanes take the band itself (and the caption's place) last
    tries = [(lines, lane) for lines in wanted for lane in (LANES[:-1] if chaos else (0.0,))]
    tries += [(lines, LANES[-1]) for lines in wanted] if chaos else []
    for lines, lane in tries:
        band_h = max(lines_height(caption_cap, lines), math.ceil(cue_cap * WORD_ROOM))
        band = pygame.Rect(margin, height - margin - band_h, width - 2 * margin, band_h)
        lanes = spread = None
        if chaos:
            readout = needs.spread_stacked if needs.spread_stacked and stacked(band_h, caption_cap, cue_cap) else \
                needs.spread_width
            spread = pygame.Rect(0, band.y, min(math.ceil(readout), band.width // 2), band_h)
            spread.right = band.right
            band.width = spread.left - gap - band.x
            lanes = pygame.Rect(margin, 0, width - 2 * margin, math.ceil(caption_cap * lane))
            lanes.bottom = band.top - gap
            if not lane:  # no strip to spare (4:3, 6 sections): the lanes hold the band unless GO counts down
                lanes = band.copy()
        bottom = min(band.top, lanes.top if lanes else band.top) - gap
        area = pygame.Rect(margin, header.bottom + gap, width - 2 * margin, bottom - header.bottom - gap)
        zones = _grid(area, needs, gap, caption_cap, cue_cap, height)
        best = Layout(size, margin, header, title, status, figure, band, area, zones, caption_cap, cue_cap,
                      title_cap, lines, lanes, spread)
        # up to 6 sections cue words get the full size; with more, chaos' lanes still leave them the floor
        target = cue_cap if needs.count <= FULL_CUE_UP_TO else caption_cap if chaos else 0
        if not zones or min(z.word_cap for z in zones) >= target:
            break
    assert best is not None
    return best


def _grid(area: pygame.Rect, needs: Needs, gap: int, caption_cap: int, cue_cap: int,
          height: int) -> tuple[Zone, ...]:
    count = needs.count
    if count == 0:
        return ()
    best: tuple[tuple, tuple[Zone, ...]] | None = None
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        w = (area.width - (cols - 1) * gap) / cols
        h = (area.height - (rows - 1) * gap) / rows
        if w < 4 * caption_cap or h < 2 * caption_cap:
            continue
        rects = []
        for i in range(count):
            row, col = divmod(i, cols)
            in_row = min(cols, count - row * cols)
            offset = (cols - in_row) * (w + gap) / 2  # a short last row is centred
            x0, y0 = round(area.x + offset + col * (w + gap)), round(area.y + row * (h + gap))
            rects.append(pygame.Rect(x0, y0, round(area.x + offset + col * (w + gap) + w) - x0,
                                     round(area.y + row * (h + gap) + h) - y0))
        zones = tuple(_zone(tuple(r), needs, caption_cap, cue_cap, height,
                            needs.names[i] if i < len(needs.names) else (0.0, 0.0)) for i, r in enumerate(rects))
        cap = min(z.word_cap for z in zones)
        names = min(z.name.width for z in zones)  # names want ~9 capitals before the cue word grows further
        whole = sum(z.name_fits for z in zones)  # above 6 sections names whole come before a bigger cue word
        score = (cap >= cue_cap, cap >= caption_cap, whole, min(cap, (cue_cap + caption_cap) // 2),
                 min(names, 9 * caption_cap), min(cap, round(cue_cap * 1.4)),
                 any(z.pattern is not None for z in zones), -abs(w / h - 2.2))
        if best is None or score > best[0]:
            best = (score, zones)
    if best is None:  # nothing is roomy enough: one column, at the floor
        return _grid(area, Needs(needs.count, 0.0, names=needs.names, space=needs.space), gap, caption_cap, caption_cap,
                     height) if needs.word_width else ()
    return best[1]


@lru_cache(maxsize=512)
def _zone(box: tuple[int, int, int, int], needs: Needs, caption_cap: int, cue_cap: int, height: int,
          name: tuple[float, float]) -> Zone:
    """The zone's boxes, its name on the lines it needs (two when one is too narrow and the cue word keeps its
    floor), the disc and the badge moved off the name's row when the name needs that row's width."""
    word_floor = cue_cap if needs.count <= FULL_CUE_UP_TO else caption_cap
    tries = [_zone_with(box, needs, caption_cap, cue_cap, height, name, lines, disc_row, badge_below)
             for lines in (1, 2) for disc_row in (True, False) for badge_below in (False, True)
             if not badge_below or needs.badge_width]
    keeping = [z for z in tries if z is tries[0] or z.word_cap >= word_floor]
    fitting = [z for z in keeping if z.name_fits]
    if fitting:
        return max(fitting, key=lambda z: z.word_cap)
    return max(keeping, key=lambda z: (z.name.width, z.word_cap))  # no whole name: as much of it as can be


def _zone_with(box: tuple[int, int, int, int], needs: Needs, caption_cap: int, cue_cap: int, height: int,
               measure: tuple[float, float], lines: int, disc_in_name_row: bool, badge_below: bool) -> Zone:
    rect = pygame.Rect(box)
    stripe_w = max(6, round(height * 0.014))
    pad, top = max(4, round(caption_cap * 0.3)), max(4, round(caption_cap * 0.2))  # a name line has room above
    stripe = pygame.Rect(rect.x, rect.y, stripe_w, rect.height)
    inner = pygame.Rect(rect.x + stripe_w + pad, rect.y + top, rect.width - stripe_w - 2 * pad, rect.height - 2 * top)
    gap = max(3, round(caption_cap * 0.2))
    name_h = lines_height(caption_cap, 1)
    name = pygame.Rect(inner.x, inner.y, inner.width, lines_height(caption_cap, lines))
    badge = None
    bottom = inner.bottom
    if needs.badge_width:
        badge_w = min(math.ceil(needs.badge_width), inner.width)
        if not badge_below and inner.width - badge_w - gap >= 4 * caption_cap:  # beside the name
            badge = pygame.Rect(inner.right - badge_w, inner.y, badge_w, name_h)
            name.width = badge.left - gap - name.x
        else:  # a row of its own, at the bottom, shared with the pattern
            badge = pygame.Rect(inner.right - badge_w, inner.bottom - name_h, badge_w, name_h)
            bottom = badge.top - gap
    pattern_h = max(6, round(caption_cap * 0.5))
    word_floor = cue_cap if needs.count <= FULL_CUE_UP_TO else caption_cap
    top_cap = round(cue_cap * 1.6)
    body = pygame.Rect(inner.x, name.bottom + gap, inner.width, bottom - name.bottom - gap)
    with_pattern = body.height - pattern_h - gap >= word_floor * WORD_ROOM or badge is not None and badge.y > name.y
    if with_pattern and (badge is None or badge.y == name.y):
        pattern = pygame.Rect(body.x, body.bottom - pattern_h, body.width, pattern_h)
        body.height -= pattern_h + gap
    elif badge is not None and badge.y > name.y and badge.left - gap - inner.x >= 2 * pattern_h:
        pattern = pygame.Rect(inner.x, badge.centery - pattern_h // 2, badge.left - gap - inner.x, pattern_h)
    else:
        pattern = None

    def cap_for(box_w: float, box_h: float) -> int:
        by_width = cue_cap * box_w / needs.word_width if needs.word_width else top_cap
        return max(0, min(top_cap, int(box_h / WORD_ROOM), int(by_width)))

    disc = min(body.height, round(body.width * 0.3))
    row_cap = cap_for(body.width - disc - gap, body.height)
    corner_cap = cap_for(body.width, body.height)
    if disc >= 2 * caption_cap and row_cap >= min(corner_cap, cue_cap):
        cap = row_cap
        word_h = min(body.height, math.ceil(cap * WORD_ROOM))
        disc_box = pygame.Rect(body.x, body.y + (body.height - disc) // 2, disc, disc)
        word = pygame.Rect(disc_box.right + gap, body.y + (body.height - word_h) // 2, body.right - disc_box.right - gap,
                           word_h)
        if pattern is not None and badge is None or pattern is not None and badge.y == name.y:
            pattern = pygame.Rect(word.x, pattern.y, body.right - word.x, pattern_h)
        return Zone(rect, "row", stripe, name, badge, word, cap, min(word_floor, cap), disc_box, pattern,
                    name_lines(measure, name.width, needs.space) == lines)
    stack_cap = min(corner_cap, cap_for(body.width, body.height / 2.6))
    if stack_cap >= min(corner_cap, cue_cap) and body.height - math.ceil(stack_cap * WORD_ROOM) - gap >= 2 * caption_cap:
        word_h = math.ceil(stack_cap * WORD_ROOM)
        word = pygame.Rect(body.x, body.bottom - word_h, body.width, word_h)
        d = min(word.top - gap - body.y, body.width)
        disc_box = pygame.Rect(body.centerx - d // 2, body.y, d, d)
        return Zone(rect, "stack", stripe, name, badge, word, stack_cap, min(word_floor, stack_cap), disc_box, pattern,
                    name_lines(measure, name.width, needs.space) == lines)
    d = name_h  # a small disc: at the end of the name's row, or, when the name needs that width, the word's
    if disc_in_name_row:
        disc_box = pygame.Rect(inner.right - d, inner.y, d, d)
        if badge is not None and badge.y == name.y:
            badge = badge.move(-(d + gap), 0)
            badge.width = min(badge.width, max(0, badge.right - name.x))
        name.width = max(0, (badge.left if badge is not None and badge.y == name.y else disc_box.left) - gap - name.x)
        word_w = body.width
    else:
        d = max(0, min(d, body.height))
        disc_box = pygame.Rect(body.right - d, body.y + (body.height - d) // 2, d, d)
        word_w = body.width - d - gap
    corner_cap = cap_for(word_w, body.height)
    word_h = min(body.height, math.ceil(corner_cap * WORD_ROOM))
    word = pygame.Rect(body.x, body.y + (body.height - word_h) // 2, word_w, word_h)
    return Zone(rect, "corner", stripe, name, badge, word, corner_cap, min(word_floor, corner_cap), disc_box, pattern,
                name_lines(measure, name.width, needs.space) == lines)
