"""Chaos and the conductor's return, drawn: the lanes, the spread and the word of the punchline.

The lanes are one strip across the stage with the conductor's beat as a white line down its
middle; every section has a marker of its colour in a row of its own, placed by how far its
latest hit lies off that beat (:func:`.chaos.drift`), with a trail back to the line.  In chaos
the markers leave the line and each other, the spread beside the band counts up in
milliseconds; when the conductor returns they stand on the line as one unbroken stroke, the
spread says "0 ms" and the band says "TOGETHER" for that bar.  Nothing lights up beyond a marker
and a word: the screen as a whole never flashes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from .chaos import Drift
from .cues import Frame
from .fit import fit
from .layout import Layout, caps, lines_height, stacked
from .palette import ALERT, BACKGROUND, INK, MUTED_EDGE, SOFT_INK, mix
from .text import Text
from .widgets import Painter, ZoneLook, hit_light

if TYPE_CHECKING:  # the listener needs scipy: imported only when a room is heard (--room-input)
    from ..live.heard import Reveal

REACH_BEATS = 2.0  # a lane's half-width is this many beats off the line (markers further stop at its end)
SPREAD_STEP_MS = 10  # the readout moves in steps the back of the hall can read


def spread_ms(seconds: float) -> int:
    return int(round(seconds * 1000 / SPREAD_STEP_MS)) * SPREAD_STEP_MS


def draw_lanes(surface: pygame.Surface, lay: Layout, frame: Frame, sections: list[int], looks: list[ZoneLook],
               drift: Drift, together: bool) -> None:
    """The beat line and a marker per section, lit by its own hits (``together``: all on the line)."""
    lanes = lay.lanes
    if lanes is None or not sections:
        return
    height = surface.get_height()
    half = lanes.width / 2 - lanes.height / 2
    center = lanes.centerx
    pygame.draw.line(surface, MUTED_EDGE, (lanes.x, lanes.centery), (lanes.right, lanes.centery), max(1, height // 540))
    row = lanes.height / len(sections)
    width = max(6, round(height * 0.02))
    for k, index in enumerate(sections):
        colors = looks[index].colors
        offset = 0.0 if together else drift.offsets.get(index, 0.0)
        reach = max(-1.0, min(1.0, offset / (frame.beat_seconds * REACH_BEATS)))
        x = round(center + reach * half)
        y0, y1 = round(lanes.y + k * row), round(lanes.y + (k + 1) * row)
        mid = (y0 + y1) // 2
        if x != center:  # the trail back to where the conductor would have it
            pygame.draw.line(surface, mix(BACKGROUND, colors.edge, 0.55), (center, mid), (x, mid),
                             max(2, round(row * 0.4)))
        light = hit_light(frame.cues.get(index))
        # its own pulse: the marker swells on the section's own hits; together, they make one broad stroke
        w = round(width * (1.0 + 0.8 * light) * (2.0 if together else 1.0))
        pygame.draw.rect(surface, colors.edge, pygame.Rect(x - w // 2, y0, w, max(2, y1 - y0)),
                         border_radius=max(1, w // 4))
    line_w = max(3, round(height * 0.004))  # the conductor's beat, over everything: the line they leave
    pygame.draw.line(surface, INK, (center, lanes.y), (center, lanes.bottom - 1), line_w)


def draw_spread(surface: pygame.Surface, painter: Painter, lay: Layout, label: str, value: str, chaos: bool) -> None:
    """"SPREAD 240 ms" beside the band: the label at the caption size, the number as large as a cue — the label
    above the number when the band is tall enough (:func:`stacked`), which leaves the caption more width."""
    box = lay.spread
    if box is None:
        return
    cap = lay.caption_cap
    px = painter.text.px_for_cap(cap)
    if stacked(box.height, cap, lay.cue_cap):
        tag = pygame.Rect(box.x, box.y, box.width, lines_height(cap, 1))
        number = pygame.Rect(box.x, tag.bottom, box.width, box.bottom - tag.bottom)
        align = "right"
    else:
        label_w = min(painter.text.width(label, px) + 2, box.width // 3)
        number = pygame.Rect(box.x + label_w + cap // 2, box.y, box.right - box.x - label_w - cap // 2, box.height)
        tag, align = pygame.Rect(box.x, box.y, label_w, box.height), "left"
    block = fit(painter.text, value, number, cap=lay.cue_cap, floor=cap, align="right")
    role = "cue" if block.lines and block.lines[0].px >= painter.text.px_for_cap(lay.cue_cap) else "caption"
    painter.block(surface, role, block, ALERT if chaos else INK)
    painter.block(surface, "info", fit(painter.text, label, tag, cap=cap, floor=cap, align=align), SOFT_INK)


def draw_together(surface: pygame.Surface, painter: Painter, lay: Layout, word: str) -> None:
    """The punchline's word in the band, as large as a cue, for the conductor's first bar."""
    block = fit(painter.text, word, lay.band, cap=lay.cue_cap, floor=lay.caption_cap)
    role = "cue" if block.lines and block.lines[0].px >= painter.text.px_for_cap(lay.cue_cap) else "caption"
    painter.block(surface, role, block, INK)


def reveal_lines(say: Callable[..., str], found: Reveal) -> tuple[str, str]:
    """The reveal's two lines in the show's language: whole milliseconds, the drift in whole bpm with its sign."""
    return (say("reveal_without", spread=f"{found.without_spread_ms:.0f}", drift=f"{found.without_drift_bpm:+.0f}"),
            say("reveal_with", spread=f"{found.with_spread_ms:.0f}", drift=f"{found.with_drift_bpm:+.0f}"))


def draw_reveal(surface: pygame.Surface, painter: Painter, lay: Layout, lines: tuple[str, str]) -> None:
    """What the room did without the conductor (left, in the chaos's colour) and with it (right), side by
    side, as large as the band allows: the keynote's point in the room's own numbers."""
    band = lay.band
    half = band.width // 2
    for column, (line, color) in enumerate(zip(lines, (ALERT, INK))):
        box = pygame.Rect(band.x + column * half, band.y, half - lay.caption_cap if column == 0 else half, band.height)
        block = fit(painter.text, line, box, cap=lay.cue_cap, floor=lay.caption_cap, lines=3)
        painter.block(surface, "caption", block, color)


def spread_needs(text: Text, height: int, label: str) -> tuple[float, float]:
    """The readout's width: its label at the caption size, a gap, "8888 ms" as large as a cue; and stacked."""
    caption, cue, _ = caps(height)
    tag, number = text.width(label, text.px_for_cap(caption)), text.width("8888 ms", text.px_for_cap(cue))
    return tag + caption + number + 4, max(tag, number) + 4
