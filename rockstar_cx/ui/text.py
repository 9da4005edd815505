"""Type for the stage: the shipped font, sizes chosen by cap height, and a cache of rendered lines.

Legibility rules are stated as the height of capital letters relative to the screen, so sizes
are asked for in cap-height pixels and converted with the font's own measured ratio.  Rendering
text is the slowest thing a frame can do (milliseconds for big sizes), so every rendered line is
cached: a steady stage renders no text at all.
"""

from __future__ import annotations

import importlib.resources
import math
from collections import OrderedDict
from pathlib import Path

import pygame

FONT_FILE = "DejaVuSans-Bold.ttf"
CACHE_LINES = 768  # enough for two windows' worth of lines at two sizes each
Color = tuple[int, int, int]


def font_path() -> Path:
    try:
        resource = importlib.resources.files("rockstar_cx.assets") / "fonts" / FONT_FILE
    except ModuleNotFoundError:  # a source checkout, not installed: assets/ sits beside the package
        resource = Path(__file__).resolve().parents[2] / "assets" / "fonts" / FONT_FILE
    return Path(str(resource))


class Text:
    """Fonts by pixel size and an LRU cache of rendered lines (call after ``pygame.font.init()``)."""

    def __init__(self) -> None:
        self._path = str(font_path())
        self._fonts: dict[int, pygame.font.Font] = {}
        self._lines: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        probe = self.font(200)
        self.cap_ratio = probe.metrics("H")[0][3] / 200  # cap height per pixel of font size

    def font(self, px: int) -> pygame.font.Font:
        px = max(6, int(px))
        font = self._fonts.get(px)
        if font is None:
            font = self._fonts[px] = pygame.font.Font(self._path, px)
        return font

    def px_for_cap(self, cap: float) -> int:
        """The smallest font size whose capitals are at least ``cap`` pixels tall."""
        px = max(6, math.ceil(cap / self.cap_ratio))
        while self.font(px).metrics("H")[0][3] < cap:  # rounding inside the rasteriser
            px += 1
        return px

    def width(self, text: str, px: int) -> int:
        return self.font(px).size(text)[0]

    def fit(self, text: str, cap: float, max_width: float, min_cap: float | None = None) -> int:
        """The size for ``cap``, shrunk until ``text`` fits ``max_width`` but never below ``min_cap``."""
        px = self.px_for_cap(cap)
        floor = self.px_for_cap(min_cap) if min_cap else 6
        width = self.width(text, px)
        if width > max_width:
            px = max(floor, int(px * max_width / width))
            while px > floor and self.width(text, px) > max_width:
                px -= 1
        return px

    def render(self, text: str, px: int, color: Color, background: Color | None = None) -> pygame.Surface:
        """A rendered line; opaque on ``background`` when given (faster to blit), else per-pixel alpha."""
        key = (text, px, color, background)
        surface = self._lines.get(key)
        if surface is None:
            font = self.font(px)
            surface = font.render(text, True, color, background) if background else font.render(text, True, color)
            self._lines[key] = surface
            if len(self._lines) > CACHE_LINES:
                self._lines.popitem(last=False)
        else:
            self._lines.move_to_end(key)
        return surface

    def wrap(self, text: str, px: int, max_width: float, max_lines: int) -> list[str]:
        """Words into at most ``max_lines`` lines; an ellipsis ends a text that does not fit."""
        lines: list[str] = []
        words = text.split()
        while words and len(lines) < max_lines:
            line = words.pop(0)
            while words and self.width(f"{line} {words[0]}", px) <= max_width:
                line = f"{line} {words.pop(0)}"
            lines.append(line)
        if words and lines:
            last = lines[-1]
            while last and self.width(last + "…", px) > max_width:
                last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
            lines[-1] = last + "…"
        return lines
