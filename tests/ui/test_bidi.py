"""Right-to-left text (issue 14.2): Arabic and Hebrew shaped by SDL_ttf's HarfBuzz, runs put in visual order.

Measured on rendered lines: an Arabic word is drawn with the Arabic font's joined glyphs (narrower
than its letters drawn one by one, and no .notdef box), and in a line mixing directions the
right-to-left paragraph starts at the right, its Latin run at the left: pixel for pixel the same
as those runs rendered alone, and unlike the line drawn run by run in reading order.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from rockstar_cx.ui.bidi import levels, rtl, visual
from rockstar_cx.ui.fit import fit
from rockstar_cx.ui.text import Text

ARABIC = "مرحبا"  # "hello": five letters that join
WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def text():
    return Text()


def _alpha(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array_alpha(surface).astype(int)


def _columns(alpha: np.ndarray) -> np.ndarray:
    """The columns that hold ink."""
    return np.flatnonzero(alpha.sum(axis=1))


def test_the_installed_pygame_shapes_with_harfbuzz():
    """pygame-ce's Font.set_script/set_direction need SDL_ttf built with HarfBuzz (2.0.18 and later)."""
    assert pygame.font.get_sdl_ttf_version() >= (2, 0, 18)
    assert hasattr(pygame.font.Font, "set_direction") and hasattr(pygame.font.Font, "set_script")


def test_an_arabic_word_is_drawn_as_joined_glyphs_not_boxes(text):
    px = 60
    runs = text.chain.runs(ARABIC)
    assert len(runs) == 1 and runs[0].script == ("Arab", True) and text.chain.font_for(ARABIC[0]) is not None
    joined = text.width(ARABIC, px)
    alone = sum(text.width(char, px) for char in ARABIC)
    assert joined < 0.9 * alone, "the letters were not joined (no shaping)"
    box = text.line("\U000f0000" * len(ARABIC), px, WHITE)[0]  # what a missing glyph looks like: .notdef boxes
    drawn = text.line(ARABIC, px, WHITE)[0]
    assert _alpha(drawn).sum() > 0 and drawn.get_size() != box.get_size()


def test_levels_and_visual_order_follow_the_paragraph_direction(text):
    assert rtl("قفوا: Sales") and not rtl("Sales: قفوا") and not rtl("123")
    assert levels("ab 12 אב") == [0, 0, 0, 0, 0, 0, 1, 1]  # numbers after a Latin letter are Latin's (W7)
    assert levels("ab אב 12") == [0, 0, 0, 1, 1, 1, 2, 2]  # after a Hebrew one they go with it, read left to right
    assert levels("אב 12 גד") == [1, 1, 1, 2, 2, 1, 1, 1]  # numbers in a Hebrew line: left to right inside it
    order = [run.text for run in visual(text.chain.runs("قفوا جميعا: Sales 2"))]
    assert order[0] == "Sales 2" and order[-1] == "قفوا جميعا" and order[1].strip() == ":"
    assert [run.text for run in visual(text.chain.runs("Sales 2"))] == ["Sales 2"]  # left to right: untouched
    assert "".join(r.text for r in visual(text.chain.runs("(شكرا)"))).startswith("(")  # mirrored brackets


def test_a_mixed_line_starts_its_arabic_at_the_right_pixel_for_pixel(text):
    px = 48
    line, ascent = text.line(f"{ARABIC} ABC", px, WHITE)
    word, word_ascent = text.line(ARABIC, px, WHITE)
    latin, latin_ascent = text.line("ABC", px, WHITE)
    whole = _alpha(line)
    left = whole[:latin.get_width(), ascent - latin_ascent:ascent - latin_ascent + latin.get_height()]
    assert np.array_equal(left, _alpha(latin)), "the Latin run is not at the left"
    right = whole[-word.get_width():, ascent - word_ascent:ascent - word_ascent + word.get_height()]
    assert np.array_equal(right, _alpha(word)), "the Arabic run is not at the right"
    naive = [text.line(run.text, px, WHITE)[0] for run in text.chain.runs(f"{ARABIC} ABC")]  # reading order
    assert _columns(_alpha(naive[0])).size and naive[0].get_width() != latin.get_width()
    assert not np.array_equal(whole[:naive[0].get_width()].sum(axis=1) > 0,
                              _alpha(naive[0]).sum(axis=1) > 0), "drawn in reading order, left to right"


def test_an_arabic_caption_is_right_aligned_and_wraps_from_the_right(text):
    box = pygame.Rect(0, 0, 500, 300)
    block = fit(text, "قفوا جميعا: أنتم الفرقة، وكل واحد منكم يحافظ على الإيقاع", box, cap=30, floor=30, lines=3)
    assert len(block.lines) >= 2 and not block.cut
    assert all(box.right - line.rect.right <= 2 for line in block.lines), "a right-to-left paragraph starts right"
    assert block.lines[0].text.startswith("قفوا")  # the first words on the first line


def test_a_wrapped_line_keeps_its_paragraphs_direction(text):
    """English notes with an Arabic sentence: a line that starts with Arabic still reads left to right."""
    notes = "Say it twice. قفوا جميعا: أنتم الفرقة وكل واحد منكم يحافظ على الإيقاع Then point at them."
    block = fit(text, notes, pygame.Rect(0, 0, 300, 400), cap=20, floor=20, lines=9)
    assert len(block.lines) >= 3 and not block.cut
    arabic_first = [line for line in block.lines if rtl(line.text.lstrip("\u200e"))]
    assert arabic_first and all(line.text.startswith("\u200e") for line in arabic_first)
    assert all(not rtl(line.text) for line in block.lines) and all(line.rect.x <= 2 for line in block.lines)
