"""Type for the stage: any script through a font chain, sizes chosen by cap height, and caches.

Legibility rules are stated as the height of capital letters relative to the screen, so sizes
are asked for in cap-height pixels and converted with the main font's own measured ratio.  A line
mixing scripts is drawn run by run, each by the font of :class:`~.fonts.FontChain` that has its
characters (Arabic and Devanagari shaped by SDL_ttf's HarfBuzz; a line mixing directions put in
visual order by :mod:`.bidi`), on one baseline; a bitmap-only
font (colour emoji) is scaled to the main font's height.  Rendering text is the slowest thing a
frame can do (milliseconds for big sizes), so rendered lines and widths are cached: a steady
stage renders no text at all.  How text is fitted into a box is :mod:`.fit`.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import pygame

from .bidi import visual
from .fonts import FontChain, Run, assets_font

FONT_FILE = "DejaVuSans-Bold.ttf"
#: Rendered lines kept, by their pixels' size: a count would let big lines (a cue word at 4K is
#: megabytes) grow the app by hundreds of MB over a show whose numbers change (the chaos's "+83 ms").
CACHE_LINE_BYTES = 64 << 20
CACHE_WIDTHS = 8192
Color = tuple[int, int, int]


def font_path():
    return assets_font(FONT_FILE)


class Text:
    """Fonts by pixel size and LRU caches of rendered lines (call after ``pygame.font.init()``)."""

    def __init__(self, chain: FontChain | None = None) -> None:
        self.chain = chain or FontChain()
        self._fonts: dict[tuple[int, int, str | None], pygame.font.Font] = {}
        self._lines: OrderedDict[tuple, tuple[pygame.Surface, int]] = OrderedDict()
        self._line_bytes = 0  # the cached lines' pixels
        self._widths: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._runs: OrderedDict[str, list[Run]] = OrderedDict()
        probe = self.font(200)
        self.cap_ratio = probe.metrics("H")[0][3] / 200  # cap height per pixel of font size

    def font(self, px: int, index: int = 0, script: tuple[str, bool] | None = None) -> pygame.font.Font:
        px = max(6, int(px))
        key = (px, index, script[0] if script else None)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = pygame.font.Font(str(self.chain.files[index]), px)
            if script is not None:
                font.set_script(script[0])
                font.set_direction(pygame.DIRECTION_RTL if script[1] else pygame.DIRECTION_LTR)
        return font

    def px_for_cap(self, cap: float) -> int:
        """The smallest font size whose capitals are at least ``cap`` pixels tall."""
        px = max(6, math.ceil(cap / self.cap_ratio))
        while self.font(px).metrics("H")[0][3] < cap:  # rounding inside the rasteriser
            px += 1
        return px

    def cap_height(self, px: int) -> int:
        return self.font(px).metrics("H")[0][3]

    def _scale(self, run: Run, px: int) -> float:
        """1, or the factor that brings a bitmap-only font (fixed strikes: colour emoji) to the main font's height."""
        if run.font and self.chain.bitmap(run.font):
            return self.font(px).get_height() / self.font(px, run.font, run.script).get_height()
        return 1.0

    def width(self, text: str, px: int) -> int:
        key = (text, px)
        width = self._widths.get(key)
        if width is None:
            width = sum(round(self.font(px, r.font, r.script).size(r.text)[0] * self._scale(r, px))
                        for r in self.runs(text))
            self._widths[key] = width
            if len(self._widths) > CACHE_WIDTHS:
                self._widths.popitem(last=False)
        return width

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

    def line(self, text: str, px: int, color: Color) -> tuple[pygame.Surface, int]:
        """A rendered line with per-pixel alpha, and its baseline's y in it (cached)."""
        key = (text, px, color)
        cached = self._lines.get(key)
        if cached is None:
            cached = self._lines[key] = self._compose(text, px, color)
            self._line_bytes += _bytes(cached[0])
            while self._line_bytes > CACHE_LINE_BYTES and len(self._lines) > 1:
                self._line_bytes -= _bytes(self._lines.popitem(last=False)[1][0])
        else:
            self._lines.move_to_end(key)
        return cached

    def runs(self, text: str) -> list[Run]:
        """The runs of a line in the order they are drawn, left to right (:func:`.bidi.visual`); cached: a text
        is measured at many sizes while it is fitted."""
        runs = self._runs.get(text)
        if runs is None:
            runs = self._runs[text] = visual(self.chain.runs(text))
            if len(self._runs) > CACHE_WIDTHS:
                self._runs.popitem(last=False)
        return runs

    def _compose(self, text: str, px: int, color: Color) -> tuple[pygame.Surface, int]:
        runs = self.runs(text)
        main = self.font(px)
        if len(runs) <= 1 and (not runs or runs[0].font == 0 and runs[0].script is None):
            return main.render(text, True, color), main.get_ascent()
        pieces = []
        for run in runs:
            font, scale = self.font(px, run.font, run.script), self._scale(run, px)
            if not font.size(run.text)[0]:
                continue  # only marks with no ink (a direction mark): SDL_ttf renders no zero-width text
            piece = font.render(run.text, True, color)
            if scale != 1.0:
                size = (max(1, round(piece.get_width() * scale)), max(1, round(piece.get_height() * scale)))
                piece = pygame.transform.smoothscale(piece.convert_alpha() if pygame.display.get_init()
                                                     and pygame.display.get_surface() else piece, size)
            pieces.append((piece, round(font.get_ascent() * scale)))
        ascent = max(main.get_ascent(), *(a for _, a in pieces))
        descent = max(main.get_height() - main.get_ascent(), *(p.get_height() - a for p, a in pieces))
        surface = pygame.Surface((max(1, sum(p.get_width() for p, _ in pieces)), ascent + descent), pygame.SRCALPHA)
        x = 0
        for piece, a in pieces:
            surface.blit(piece, (x, ascent - a))
            x += piece.get_width()
        return surface, ascent

    def render(self, text: str, px: int, color: Color, background: Color | None = None) -> pygame.Surface:
        """A rendered line (``background`` is accepted for older callers; lines are always per-pixel alpha)."""
        return self.line(text, px, color)[0]

    def ascent(self, text: str, px: int) -> int:
        """Pixels from the top of :meth:`render`'s surface to the baseline."""
        return self.line(text, px, (255, 255, 255))[1]


def _bytes(surface: pygame.Surface) -> int:
    return surface.get_pitch() * surface.get_height()
