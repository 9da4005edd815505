"""The stage's pieces: a text painter that records what it wrote, section zones, the conductor figure.

Photosensitivity: cues only ever light things *inside* a zone (the cue disc, the zone's tint by
at most :data:`PULSE_TINT`, its border), so however fast a section plays, the screen as a whole
never flashes; the stage tests measure exactly that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pygame

from ..show.model import Step
from .cues import SectionCue
from .icons import icon
from .fit import Block, fit
from .layout import RING_ROOM, Zone, caps
from .palette import BACKGROUND, INK, MUTED_EDGE, PULSE_TINT, SOFT_INK, Color, SectionColors, mix
from .text import Text

HIT_DECAY_S = 0.22  # a hit's light fades over this long (less when the next hit comes sooner)
RING_LEAD_S = 0.8  # the anticipation ring starts closing at most this long before a hit
MUTED_PANEL = mix(BACKGROUND, (128, 128, 128), 0.08)


@dataclass(frozen=True)
class TextBox:
    role: str  # "cue" (≥ 1/12 of the height), else "caption", "name", "title", "info" (≥ 1/25)
    rect: pygame.Rect  # for lines drawn by :meth:`Painter.block`: exactly their ink
    text: str
    color: Color
    px: int = 0
    whole: str = ""  # for a line of a fitted block: the block's whole text, as asked for (wrapped or not)


class Painter:
    """Draws text and records each line as a :class:`TextBox`: fitted blocks (:mod:`.fit`) or single lines."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self.boxes: list[TextBox] = []

    def block(self, surface: pygame.Surface, role: str, block: Block, color: Color,
              offset: tuple[int, int] = (0, 0)) -> pygame.Rect:
        """Draw a fitted block (moved by ``offset``); its ink's bounds."""
        for line in block.lines:
            rendered, ascent = self.text.line(line.text, line.px, color)
            surface.blit(rendered, (line.origin[0] + offset[0], line.origin[1] - ascent + offset[1]))
            self.boxes.append(TextBox(role, line.rect.move(offset), line.text, color, line.px, block.words))
        return block.rect.move(offset)

    def line(self, surface: pygame.Surface, role: str, words: str, cap: int, color: Color, point: tuple[float, float],
             anchor: str = "topleft", px: int | None = None) -> pygame.Rect:
        """Draw ``words`` with capitals ``cap`` pixels tall; ``anchor`` places the capitals' box at ``point``."""
        px = px or self.text.px_for_cap(cap)
        line, ascent = self.text.line(words, px, color)
        cap_height = self.text.cap_height(px)
        caps = pygame.Rect(0, 0, line.get_width(), cap_height)
        setattr(caps, anchor, (round(point[0]), round(point[1])))
        rect = line.get_rect(topleft=(caps.x, caps.y - (ascent - cap_height)))
        surface.blit(line, rect)
        self.boxes.append(TextBox(role, rect, words, color, px))
        return caps


@dataclass(frozen=True)
class ZoneLook:
    """What a zone shows of its section."""

    colors: SectionColors
    name: str
    word: str
    sound: str
    pattern: tuple[Step, ...]
    steps_per_beat: int


def hit_light(cue: SectionCue | None) -> float:
    """1 at a hit, fading to 0: the cue's envelope."""
    if cue is None or cue.since_hit is None:
        return 0.0
    decay = HIT_DECAY_S
    if cue.until_hit is not None:
        decay = min(decay, max(0.06, 0.7 * (cue.since_hit + cue.until_hit)))
    light = 1.0 - cue.since_hit / decay
    return light * light if light > 0 else 0.0


def zone_texts(text: Text, zone: Zone, look: ZoneLook, badge: str | None, height: int) -> tuple[Block, Block | None, Block]:
    """The name, badge and cue word of a zone, fitted into its boxes."""
    caption = caps(height)[0]
    name = fit(text, look.name.upper(), zone.name, cap=caption, floor=caption, lines=2)
    tag = fit(text, badge, zone.badge, cap=caption, floor=caption, align="right") if badge and zone.badge else None
    align = "left" if zone.mode == "row" else "center"
    word = fit(text, look.word, zone.word, cap=zone.word_cap, floor=zone.word_floor, align=align)
    return name, tag, word


def draw_zone(surface: pygame.Surface, painter: Painter, zone: Zone, look: ZoneLook, *, kind: str, badge: str | None,
              height: int, number: int | None = None, beat_phase: float = 0.0,
              offset: tuple[int, int] = (0, 0)) -> pygame.Rect:
    """A zone at rest (``kind`` "live", "muted" or "idle"), or "ghost": entering, ``number`` beats to go.

    ``height`` is the screen's (sizes follow it even when drawing into a zone-sized surface).
    Its colour is a solid band down its left side and a thick border: what a washed-out projector
    still shows.  The hit cues of a live zone are drawn over this by :func:`draw_cue`.
    """
    c = look.colors
    rect = zone.rect.move(offset)
    if kind == "muted":
        panel, edge, name_color = MUTED_PANEL, MUTED_EDGE, SOFT_INK
    elif kind == "ghost":
        panel, edge, name_color = BACKGROUND, mix(BACKGROUND, c.edge, 0.7), c.text
    else:
        panel, edge, name_color = c.panel, c.edge, c.text
    radius = max(4, round(height * 0.012))
    pygame.draw.rect(surface, panel, rect, border_radius=radius)
    pygame.draw.rect(surface, edge, zone.stripe.move(offset), border_top_left_radius=radius,
                     border_bottom_left_radius=radius)
    pygame.draw.rect(surface, edge, rect, border_width(height), border_radius=radius)
    name, tag, word = zone_texts(painter.text, zone, look, badge, height)
    painter.block(surface, "name", name, name_color, offset)
    if tag is not None:
        painter.block(surface, "info", tag, INK if kind == "ghost" else SOFT_INK, offset)
    center = (zone.disc_center[0] + offset[0], zone.disc_center[1] + offset[1])
    if kind == "ghost" and number is not None:
        _countdown_disc(surface, zone, center, c.edge, beat_phase, height)
    else:
        _disc(surface, zone, center, look, edge, panel, 0.0, False, height)
    painter.block(surface, "cue", word, SOFT_INK, offset)
    if zone.pattern is not None:
        cells = _pattern_cells(look.pattern, look.steps_per_beat, zone.pattern.width, zone.pattern.height, edge,
                               mix(panel, edge, 0.35))
        surface.blit(cells, zone.pattern.move(offset))
    return rect


def border_width(height: int) -> int:
    return max(3, round(height * 0.005))


def draw_cue(surface: pygame.Surface, painter: Painter, zone: Zone, look: ZoneLook, cue: SectionCue | None, *,
             step: int | None, beat_seconds: float, height: int, offset: tuple[int, int] = (0, 0)) -> bool:
    """The moving parts of a live zone over its resting self: the hit's light (tint, border, lit disc,
    bright word), the anticipation ring, the playhead.  True when the word was redrawn bright."""
    c = look.colors
    rect = zone.rect.move(offset)
    dx, dy = offset
    center = (zone.disc_center[0] + dx, zone.disc_center[1] + dy)
    light = hit_light(cue)
    if light > 0.0:
        edge = border_width(height) + round(height * 0.006 * light)
        inner = rect.inflate(-2 * edge, -2 * edge)
        inner.left = zone.stripe.right + dx
        tint = tuple(round(v * PULSE_TINT * light) for v in c.edge)
        surface.fill(tint, inner, special_flags=pygame.BLEND_RGB_ADD)  # the zone brightens a little
        pygame.draw.rect(surface, c.edge, rect, edge, border_radius=max(4, round(height * 0.012)))
        _disc(surface, zone, center, look, c.edge, c.panel, light, cue.accent, height)
    if cue is not None and cue.until_hit is not None:  # the anticipation ring closes onto the disc at the hit
        lead = min(RING_LEAD_S, beat_seconds)
        if cue.since_hit is not None:
            lead = min(lead, cue.since_hit + cue.until_hit)
        if cue.until_hit <= lead:
            left = cue.until_hit / lead
            width = max(2, round(height * (0.009 if cue.next_accent else 0.005)))
            ring = min(round(zone.disc_radius * (1.0 + (RING_ROOM - 1.0) * left)) + width, zone.disc.width // 2)
            pygame.draw.circle(surface, mix(c.panel, c.edge, 1.0 - 0.6 * left), center, ring, width)
    if step is not None and zone.pattern is not None:  # the playhead: an outline around the step playing now
        row = zone.pattern.move(offset)
        cell, group_gap = _cell_size(len(look.pattern), look.steps_per_beat, row.width, row.height)
        x = row.x + step * cell + (step // look.steps_per_beat) * group_gap
        box = pygame.Rect(round(x), row.y, max(2, round(cell)), row.height).inflate(round(cell * 0.1),
                                                                                   round(row.height * 0.3))
        pygame.draw.rect(surface, INK, box, max(2, round(cell * 0.1)), border_radius=max(1, round(cell * 0.15)))
    if light > 0.3:
        painter.block(surface, "cue", zone_texts(painter.text, zone, look, None, height)[2], INK, offset)
        return True
    return False


def _disc(surface: pygame.Surface, zone: Zone, center: tuple[int, int], look: ZoneLook, edge: Color, panel: Color,
          light: float, accent: bool, height: int) -> None:
    r = round(zone.disc_radius * (1.0 + (0.12 * light if accent else 0.0)))
    pygame.draw.circle(surface, mix(panel, edge, light), center, r)
    pygame.draw.circle(surface, edge, center, r, max(2, round(height * 0.004)))
    glyph = icon(look.sound, max(8, round(zone.disc_radius * 1.2)), BACKGROUND if light > 0.45 else edge)
    surface.blit(glyph, glyph.get_rect(center=center))


def _countdown_disc(surface: pygame.Surface, zone: Zone, center: tuple[int, int], edge: Color, beat_phase: float,
                    height: int) -> None:
    """An entering section's disc: the ring closes on every beat (its badge counts the beats down)."""
    r = zone.disc_radius
    width = max(2, round(height * 0.006))
    pygame.draw.circle(surface, edge, center, r, width)
    ring = min(round(r * (1.0 + (RING_ROOM - 1.0) * (1.0 - beat_phase))) + width, zone.disc.width // 2)
    pygame.draw.circle(surface, edge, center, ring, width)


def _cell_size(steps: int, per_beat: int, width: int, height: int) -> tuple[float, float]:
    groups = max(1, math.ceil(steps / per_beat))
    group_gap = height * 0.5
    return (width - (groups - 1) * group_gap) / steps, group_gap


@lru_cache(maxsize=64)
def _pattern_cells(steps: tuple[Step, ...], per_beat: int, width: int, height: int, edge: Color,
                   idle: Color) -> pygame.Surface:
    """The pattern as a row of cells (accents tall, hits medium, rests low), drawn once per size."""
    surface = pygame.Surface((width, height), pygame.SRCALPHA)
    cell, group_gap = _cell_size(len(steps), per_beat, width, height)
    for i, value in enumerate(steps):
        x = i * cell + (i // per_beat) * group_gap
        tall = height * (1.0 if value == Step.ACCENT else 0.62 if value == Step.HIT else 0.22)
        box = pygame.Rect(round(x + cell * 0.12), round(height - tall), max(2, round(cell * 0.76)), round(tall))
        pygame.draw.rect(surface, edge if value else idle, box, border_radius=max(1, round(cell * 0.12)))
    return surface


_FIGURES = {  # conducting patterns: where the baton is on each beat (x, y in the figure's box)
    1: ((0.5, 0.9),),
    2: ((0.5, 0.9), (0.5, 0.1)),
    3: ((0.5, 0.9), (0.9, 0.55), (0.5, 0.1)),
    4: ((0.5, 0.9), (0.1, 0.6), (0.9, 0.6), (0.5, 0.1)),
}


def draw_conductor(surface: pygame.Surface, box: pygame.Rect, beats: int, beat: int, phase: float, *,
                   chaos: bool, color: Color) -> None:
    """The conductor's beat pattern with the baton moving through it (crossed out in chaos)."""
    points = _FIGURES.get(beats) or tuple((0.1 + 0.8 * i / max(1, beats - 1), 0.9 - 0.8 * (i == beats - 1))
                                          for i in range(beats))
    xy = [(box.x + px * box.width, box.y + py * box.height) for px, py in points]
    dot = max(3, round(box.height * 0.06))
    if len(xy) > 1:
        pygame.draw.lines(surface, MUTED_EDGE, True, xy, max(2, dot // 2))
    for i, p in enumerate(xy):
        pygame.draw.circle(surface, color if i == beat and not chaos else MUTED_EDGE, p, dot)
    if chaos:
        width = max(3, round(box.height * 0.07))
        pygame.draw.line(surface, color, box.topleft, box.bottomright, width)
        pygame.draw.line(surface, color, box.bottomleft, box.topright, width)
        return
    here, there = xy[beat % len(xy)], xy[(beat + 1) % len(xy)]
    t = 1.0 - (1.0 - phase) ** 2  # fast off the beat, floating into the next: how a baton moves
    bounce = box.height * 0.08 * (1.0 - phase) ** 6  # the ictus
    baton = (here[0] + (there[0] - here[0]) * t, here[1] + (there[1] - here[1]) * t + bounce)
    pygame.draw.circle(surface, INK, baton, dot * 1.8)
