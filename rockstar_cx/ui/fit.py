"""The one rule for fitting text into a box, for the stage and the console: measure, shrink, wrap, cut.

    block = fit(text, "Stand up: you are the band", pygame.Rect(20, 20, 600, 120), cap=36, floor=29, lines=2)
    block.lines   # (Line("Stand up: you are", px, rect, origin), Line("the band", …)): where each line's ink goes
    block.rect    # the union of the lines' ink: always inside the box
    block.cut     # True when words were left out (the last line then ends in "…")
    painter.block(surface, "title", block, color)   # draws it and records each line's box
    together(text, [("MUTE", a), ("TEACH", b)], cap=16, floor=12, lines=2)   # one cap height for a group

The rule, in order: the text at ``cap`` (capital height in pixels) on one line if it fits; else
the largest size down to ``floor`` (the legibility floor) at which one line fits; else at
``floor``, wrapped into at most ``lines`` lines, as many as the box is tall enough for; else the
last line ends with an ellipsis, keeping as many letters as fit when whole words would leave the
line half empty.  A word wider than the box is broken between characters (Japanese and Chinese
have no spaces).  A right-to-left paragraph (Arabic, Hebrew) is aligned the other way, and each of
its lines reads in its direction.  Boxes are the lines' *ink* (the pixels a line really covers, read
once from the rendered line and cached), so layouts are computed from what is drawn, and tests
can check them without looking at a single pixel.  Nothing here draws; results are cached.

Texts seen side by side (a row of buttons, a list) share one size, :func:`together`'s: the largest
from ``cap`` down to ``floor`` at which every one of them fits its box whole on one line; else the
largest at which they fit whole, in whole words, on their lines; else the floor, where the rule
above takes over for the ones that still do not fit.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

import pygame

from .bidi import rtl
from .fonts import joins
from .text import Text

ELLIPSIS = "…"
CACHE = 2048
_cache: OrderedDict[tuple, Block] = OrderedDict()
_together: OrderedDict[tuple, float] = OrderedDict()


@dataclass(frozen=True)
class Line:
    text: str
    px: int  # font size
    rect: pygame.Rect  # the ink, on screen
    origin: tuple[int, int]  # where the pen starts: left end of the baseline


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    box: pygame.Rect  # the box it was fitted into
    cut: bool  # words were left out
    words: str = ""  # the text asked for, as given

    @property
    def rect(self) -> pygame.Rect:
        if not self.lines:
            return pygame.Rect(self.box.x, self.box.y, 0, 0)
        return self.lines[0].rect.unionall([line.rect for line in self.lines[1:]])

    @property
    def px(self) -> int:
        return self.lines[0].px if self.lines else 0


def ink(text: Text, words: str, px: int) -> pygame.Rect:
    """The ink's bounds relative to the pen's start on the baseline (empty for blank text)."""
    surface, ascent = text.line(words, px, (255, 255, 255))
    return surface.get_bounding_rect().move(0, -ascent)


def measure(text: Text, words: str, px: int) -> tuple[float, float]:
    """(width on one line, widest word) at ``px``: what a layout needs to know of a name to give it one line or two."""
    return float(text.width(words, px)), float(max((text.width(w, px) for w in words.split()), default=0))


def _break(text: Text, word: str, px: int, width: float) -> int:
    """How many characters of ``word`` (at least one) fit ``width``; never splits a mark from its letter."""
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if text.width(word[:mid], px) <= width:
            low = mid
        else:
            high = mid - 1
    while 1 < low < len(word) and joins(word[low]):
        low -= 1
    return low


def wrap(text: Text, words: str, px: int, width: float, max_lines: int) -> tuple[tuple[str, ...], bool]:
    """(lines, cut): ``words`` greedily into at most ``max_lines`` lines of ``width``; an ellipsis ends a cut one."""
    tokens = words.split()
    lines: list[str] = []
    current = ""
    while tokens and len(lines) < max_lines:
        candidate = f"{current} {tokens[0]}" if current else tokens[0]
        if text.width(candidate, px) <= width:
            current = candidate
            tokens.pop(0)
            continue
        if not current:  # one word wider than the line: break it
            cut = _break(text, tokens[0], px, width)
            current, tokens[0] = tokens[0][:cut], tokens[0][cut:]
        lines.append(current)
        current = ""
    if current:
        lines.append(current)
    if not tokens or not lines:
        return tuple(lines), False
    last = lines[-1]
    while last and text.width(last + ELLIPSIS, px) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    if text.width(last, px) < width / 2:  # "1 MARKE…" says more than "1…": the line filled up with letters
        rest = " ".join([lines[-1], *tokens])
        last = rest[:_break(text, rest, px, width - text.width(ELLIPSIS, px))]
        while last and text.width(last + ELLIPSIS, px) > width:
            last = last[:-1]
    lines[-1] = last.rstrip(" ,;:-—") + ELLIPSIS
    return tuple(lines), True


def _place(text: Text, lines: tuple[str, ...], px: int, box: pygame.Rect, align: str, valign: str) -> tuple[Line, ...]:
    if align != "center" and rtl(" ".join(lines)):  # Arabic, Hebrew: a paragraph starts at the right
        align = "right" if align == "left" else "left"
    inks = [ink(text, line, px) for line in lines]
    pitch = text.font(px).get_linesize()
    for upper, lower in zip(inks, inks[1:]):  # tall scripts (CJK, emoji) push the next line down
        pitch = max(pitch, upper.bottom - lower.top + max(2, px // 10))
    height = -inks[0].top + pitch * (len(lines) - 1) + inks[-1].bottom
    top = box.y if valign == "top" else box.bottom - height if valign == "bottom" else box.y + (box.height - height) // 2
    baseline = top - inks[0].top
    placed = []
    for i, (line, mark) in enumerate(zip(lines, inks)):
        if align == "left":
            x = box.x - mark.x
        elif align == "right":
            x = box.right - mark.right
        else:
            x = box.centerx - mark.centerx
        y = baseline + i * pitch
        placed.append(Line(line, px, mark.move(x, y), (x, y)))
    return tuple(placed)


def _directed(lines: tuple[str, ...], right_to_left: bool) -> tuple[str, ...]:
    """Each line of a wrapped paragraph reads in the paragraph's direction, though it may start with a word of the
    other (an Arabic sentence inside English notes): such a line starts with an invisible mark saying so."""
    mark = "\u200f" if right_to_left else "\u200e"  # RIGHT-TO-LEFT MARK, LEFT-TO-RIGHT MARK: strong, no ink
    return tuple(mark + line if rtl(line) != right_to_left else line for line in lines)


def _height(text: Text, lines: tuple[str, ...], px: int) -> int:
    placed = _place(text, lines, px, pygame.Rect(0, 0, 0, 0), "left", "top")
    return placed[-1].rect.bottom - min(line.rect.top for line in placed)


def _fits(text: Text, words: str, px: int, box: pygame.Rect) -> bool:
    mark = ink(text, words, px)
    return text.width(words, px) <= box.width and mark.width <= box.width and mark.height <= box.height


def fit(text: Text, words: str, box: pygame.Rect, *, cap: float, floor: float, lines: int = 1,
        align: str = "left", valign: str = "center") -> Block:
    """``words`` fitted into ``box`` by the rule above; ``align`` left/center/right, ``valign`` top/center/bottom."""
    key = (id(text), words, tuple(box), cap, floor, lines, align, valign)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    block = replace(_fit(text, words, pygame.Rect(box), cap, min(cap, floor), lines, align, valign), words=words)
    _cache[key] = block
    if len(_cache) > CACHE:
        _cache.popitem(last=False)
    return block


def _fit(text: Text, words: str, box: pygame.Rect, cap: float, floor: float, lines: int, align: str,
         valign: str) -> Block:
    words = " ".join(words.split())
    if not words:
        return Block((), box, False)
    top, bottom = text.px_for_cap(cap), text.px_for_cap(floor)
    px = top
    if not _fits(text, words, px, box):
        px = max(bottom, min(top - 1, int(top * box.width / max(1, text.width(words, top)))))
        while px > bottom and not _fits(text, words, px, box):
            px -= 1
    if _fits(text, words, px, box):
        return Block(_place(text, (words,), px, box, align, valign), box, False)
    for count in range(max(1, lines), 0, -1):  # at the floor: as many lines as the box holds
        wrapped, cut = wrap(text, words, bottom, box.width, count)
        wrapped = _directed(wrapped, rtl(words))
        if count == 1 or _height(text, wrapped, bottom) <= box.height:
            return Block(_place(text, wrapped, bottom, box, align, valign), box, cut)
    raise AssertionError("unreachable")


def _whole(text: Text, words: str, px: int, box: pygame.Rect, lines: int) -> bool:
    """``words`` fit ``box`` at ``px`` in at most ``lines`` lines, no word broken or left out."""
    if _fits(text, words, px, box):
        return True
    if lines < 2 or any(text.width(word, px) > box.width for word in words.split()):
        return False
    wrapped, cut = wrap(text, words, px, box.width, lines)
    return not cut and _height(text, wrapped, px) <= box.height


def together(text: Text, items: list[tuple[str, pygame.Rect]], *, cap: float, floor: float, lines: int = 1) -> float:
    """The one cap height for texts seen side by side (see above); give it to :func:`fit` as cap and floor."""
    key = (id(text), tuple((words, tuple(box)) for words, box in items), cap, floor, lines)
    cached = _together.get(key)
    if cached is not None:
        return cached
    floor = min(cap, floor)
    texts = [(" ".join(words.split()), box) for words, box in items if words.strip()]
    sizes = sorted({max(floor, min(cap, text.cap_height(px)))  # the cap heights fit() can draw, largest first
                    for px in range(text.px_for_cap(cap), text.px_for_cap(floor) - 1, -1)}, reverse=True)
    chosen = floor
    for most in sorted({1, lines}):  # shrink first, then wrap: one line each at any size down to the floor, else more

        def fits(size: float) -> bool:
            drawn = text.px_for_cap(size)
            if most == 1 and any(text.width(words, drawn) > box.width for words, box in texts):
                return False  # widths first: they are cheap, a line's ink is read from its rendered pixels
            return all(_whole(text, words, drawn, box, most) for words, box in texts)

        low, high = 0, len(sizes)  # smaller sizes fit more: the first that fits, by halving
        while low < high:
            mid = (low + high) // 2
            if fits(sizes[mid]):
                high = mid
            else:
                low = mid + 1
        if low < len(sizes):
            chosen = sizes[low]
            break
    _together[key] = chosen
    if len(_together) > CACHE:
        _together.popitem(last=False)
    return chosen
