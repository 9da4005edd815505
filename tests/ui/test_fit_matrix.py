"""Text always fits (issue 14): the stage's boxes over a matrix of screens, section counts, texts and states.

The rule for 1–8 sections (:mod:`rockstar_cx.ui.layout`): at 16:9, 16:10 and 4:3 from 1024×768 to
3840×2160 no text leaves its box and no two boxes overlap; cue words are ≥ 1/12 of the height up to
6 sections; above that names come whole first (two lines, else an ellipsis) and cue words as large
as then fits, never below the 1/25 floor; icons (the discs) have boxes of their own.

The layout test never draws: it asks :func:`layout` for the boxes and :func:`fit` for where every
text's ink goes, and checks no text leaves its box or the window and no two boxes overlap.  The
pixel test renders a sample of the matrix and checks the same on the frames, plus no glyph in the
outermost 1 % of the window and every character drawn by a font that has it.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pygame
import pytest

from rockstar_cx.conductor import Next, Start
from rockstar_cx.live.presenter import Teach
from rockstar_cx.show.model import Moment
from rockstar_cx.show.words import WORDS, say
from rockstar_cx.ui.fit import fit, measure
from rockstar_cx.ui.lanes import spread_needs
from rockstar_cx.ui.layout import FULL_CUE_UP_TO, Needs, caps, layout
from rockstar_cx.ui.stage import StageView
from rockstar_cx.ui.text import Text

from .conftest import RATE, frame_at, make_show

# 16:9, 16:10 and 4:3, from 1024×768 to 3840×2160
SIZES = [(1024, 768), (1280, 720), (1280, 800), (1600, 1200), (1920, 1080), (1920, 1200), (2560, 1600), (2880, 2160),
         (3840, 2160)]
COUNTS = [1, 2, 3, 4, 5, 6, 7, 8]
# Sections as companies name them: up to 10 letters a name fits its zone whole at every size and count; a long
# two-word one ("Customer Service") takes two lines where the zone has the height, else it keeps its first word
NAMES = ("Marketing", "Sales", "Fulfilment", "Customer Service", "Finance", "Legal", "Support", "Logistics")
LONG = ("Stand up: you are the band, and every one of you keeps the time for the whole room tonight — "
        "no conductor, no sheet music, only your hands and feet. ") * 3
TEXTS = {
    "latin": ("Größe Überraschung", "Ça va où? Ünïcödé Ørsted", "Stand up: you are the band"),
    "emoji": ("🎸 Rock Crew 🥁", "👩‍👩‍👧 Family 👍🏽 ❤️", "Everyone 🎉 claps now 👏"),
    "japanese": ("営業チーム", "カスタマーサポート部門の皆さん", "みなさん、立ち上がってください。あなたがバンドです。"),
    "arabic": ("فريق المبيعات", "خدمة العملاء", "قفوا جميعا: أنتم الفرقة"),
    "long": (LONG[:300], LONG[:120], LONG[:300]),
    "short": ("A", "B", "x"),
}
BADGES = {"teaching": (), "armed": ("ENTER IN 4", "OUT IN 4"), "muted": ("MUTED",), "soloed": ("SOLO",),
          "fading": ("OUT IN 1",), "chaos": (), "finished": ()}


def _inside(inner: pygame.Rect, outer: pygame.Rect) -> bool:
    return inner.width == 0 or outer.contains(inner)


@pytest.fixture(scope="module")
def text():
    return Text()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_text_fits_its_box_and_no_boxes_overlap(text, size):
    window = pygame.Rect((0, 0), size)
    caption_cap, cue_cap, title_cap = caps(size[1])
    cue_px, caption_px = text.px_for_cap(cue_cap), text.px_for_cap(caption_cap)
    words = [w for k, w in WORDS["en"].items() if k.startswith("sound.") and "count" not in k]
    checked = 0
    for count, (kind, (name, other, line)), (state, badges) in itertools.product(COUNTS, TEXTS.items(), BADGES.items()):
        width = max(text.width(w, cue_px) for w in words[:count])
        badge = max((text.width(b, caption_px) for b in badges), default=0)
        lines = 3 if len(line) > 60 else 1
        chaos = state == "chaos"
        if chaos:  # every zone shows its own offset; the lanes and the spread's readout get their boxes
            badge = text.width("+8888 ms", caption_px)
        names = tuple(measure(text, (name, other)[i % 2].upper(), caption_px) for i in range(count))
        spread, stacked = spread_needs(text, size[1], "STREUUNG") if chaos else (0.0, 0.0)
        lay = layout(size, Needs(count, float(width), float(badge), lines, float(text.width("SCHLAG 88", caption_px)),
                                 spread, names, float(text.width(" ", caption_px)), stacked))
        where = f"{size} {count} sections, {kind}, {state}"
        boxes = lay.boxes()
        for (a_name, a), (b_name, b) in itertools.combinations(boxes, 2):
            assert not a.colliderect(b), f"{where}: {a_name} {a} overlaps {b_name} {b}"
        assert all(window.contains(r) for _, r in boxes), where
        if chaos:  # the zones stand still; the lanes and the readout have their own boxes
            assert lay.lanes is not None and lay.spread is not None, where
            assert all(lay.area.contains(z.rect) for z in lay.zones), where
            assert lay.lanes.height >= caption_cap and lay.spread.height >= cue_cap, where
        fitted = [(lay.title, fit(text, line, lay.title, cap=title_cap, floor=caption_cap, lines=2)),
                  (lay.band, fit(text, line, lay.band, cap=caption_cap, floor=caption_cap, lines=lay.caption_lines))]
        for i, zone in enumerate(lay.zones):
            fitted.append((zone.name, fit(text, (name, other)[i % 2].upper(), zone.name, cap=caption_cap,
                                          floor=caption_cap, lines=2)))
            fitted.append((zone.word, fit(text, words[i], zone.word, cap=zone.word_cap, floor=zone.word_floor)))
            if badges and zone.badge is not None:
                fitted.append((zone.badge, fit(text, badges[i % len(badges)], zone.badge, cap=caption_cap,
                                               floor=caption_cap, align="right")))
            if count <= FULL_CUE_UP_TO:
                assert zone.word_cap >= cue_cap, f"{where}: cue words at {zone.word_cap} px, need {cue_cap}"
            assert zone.word_floor >= caption_cap, where
            assert zone.badge is not None or not badges, f"{where}: no place for the badge"
        if chaos:  # the punchline's word, the readout's number and every zone's own offset
            fitted.append((lay.band, fit(text, "ZUSAMMEN", lay.band, cap=cue_cap, floor=caption_cap)))
            fitted.append((lay.spread, fit(text, "1240 ms", lay.spread, cap=cue_cap, floor=caption_cap)))
            fitted += [(z.badge, fit(text, "+8888 ms", z.badge, cap=caption_cap, floor=caption_cap, align="right"))
                       for z in lay.zones]
        for box, block in fitted:
            for piece in block.lines:
                assert _inside(piece.rect, box), f"{where}: {piece.text!r} {piece.rect} leaves {box}"
                assert piece.px >= caption_px or piece.text.endswith("…"), where
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_section_names_fit_whole_and_cue_words_keep_their_rule(text, size):
    """Real section names (one word up to 10 letters) never end in an ellipsis, with 1 to 8 sections, at any aspect
    ratio (with a state badge beside them, where the cue word's 1/12 leaves no row for it, they keep 5 letters);
    cue words keep 1/12 up to 6 sections, and never sink below the 1/25 floor above that; the icon's disc covers
    no text."""
    caption_cap, cue_cap, _ = caps(size[1])
    cue_px, caption_px = text.px_for_cap(cue_cap), text.px_for_cap(caption_cap)
    words = [w for k, w in WORDS["en"].items() if k.startswith("sound.") and "count" not in k]
    for count, badges in itertools.product(COUNTS, ((), ("MUTED",))):
        names = [n.upper() for n in NAMES[:count]]
        needs = Needs(count, float(max(text.width(w, cue_px) for w in words[:count])),
                      float(max((text.width(b, caption_px) for b in badges), default=0)), 1,
                      float(text.width("BEAT 88", caption_px)), 0.0,
                      tuple(measure(text, n, caption_px) for n in names), float(text.width(" ", caption_px)))
        lay = layout(size, needs)
        for zone, name, word in zip(lay.zones, names, words):
            where = f"{size}, {count} sections{', badges' if badges else ''}: {name}"
            block = fit(text, name, zone.name, cap=caption_cap, floor=caption_cap, lines=2)
            shown = [line.text for line in block.lines]
            if badges:  # MUTED beside it: where the cue word leaves no row for it, at least 5 letters and "…"
                assert not block.cut or len(shown[0]) >= 6, f"{where}: {shown}"
            elif " " in name:
                assert not block.cut or shown[0].startswith(name.split()[0]), f"{where}: {shown}"
            else:
                assert not block.cut and zone.name_fits, f"{where}: {shown}"
            assert all(zone.name.contains(line.rect) for line in block.lines), where
            assert zone.word_cap >= (cue_cap if count <= FULL_CUE_UP_TO else caption_cap), where
            cue = fit(text, word, zone.word, cap=zone.word_cap, floor=zone.word_floor)
            assert not cue.cut and not cue.rect.colliderect(zone.disc), f"{where}: the icon covers {word}"
            assert not zone.disc.colliderect(zone.name)
            assert zone.badge is None or not zone.disc.colliderect(zone.badge)


def _show(count: int, kind: str):
    name, other, line = TEXTS[kind]
    base = make_show(count)
    sections = tuple(replace(s, name=(name, other)[i % 2] + ("" if kind == "long" else f" {i}"))
                     for i, s in enumerate(base.sections))
    ids = tuple(s.id for s in sections)
    moments = (Moment("a", line[:60], line, ids[: max(1, count // 2)], 0), Moment("b", line, line, ids, 0),
               Moment("c", line, line, ids, 4, mode="chaos"))
    return replace(base, sections=sections, moments=moments, language="de" if kind == "latin" else "en")


def _frames(show):
    bar = RATE  # 240 bpm
    playing = frame_at(show, [(0, Start(moment=1, count_in=False))], bar + bar // 4 + 300)
    yield "teaching", playing, Teach(0, "your turn")
    yield "armed", frame_at(show, [(0, Start(moment=0, count_in=False)), (bar + 100, Next())], bar + bar // 2), None
    yield "muted", replace(playing, muted=frozenset({0, 2})), None
    yield "soloed", replace(playing, soloed=frozenset({1})), None
    yield "chaos", frame_at(show, [(0, Start(moment=2, count_in=False))], 2 * bar + 700), None
    yield "count-in", frame_at(show, [(0, Start(moment=1))], bar // 2 + 100), None
    yield "finished", replace(playing, state="finished"), None


@pytest.mark.parametrize("size,count,kind", [((1024, 768), 8, "japanese"), ((1280, 720), 6, "long"),
                                             ((1920, 1080), 8, "emoji"), ((1280, 800), 4, "arabic"),
                                             ((1024, 768), 6, "latin"), ((1600, 1200), 7, "latin"),
                                             ((1920, 1200), 8, "long")], ids=str)
def test_rendered_frames_keep_text_inside_and_every_glyph_has_a_font(text, size, count, kind):
    show = _show(count, kind)
    view = StageView(show, text)
    surface = pygame.Surface(size)
    window = surface.get_rect()
    edge_x, edge_y = max(1, size[0] // 100), max(1, size[1] // 100)
    for state, frame, teach in _frames(show):
        view.draw(surface, frame, teach=teach)
        where = f"{state} at {size}"
        boxes = view.texts
        assert boxes, where
        ink = np.zeros(size, bool)
        for box in boxes:
            assert window.contains(box.rect), f"{where}: {box.text!r} {box.rect}"
            assert all(text.chain.font_for(c) is not None for c in box.text if not c.isspace()), box.text
            ink[box.rect.left:box.rect.right, box.rect.top:box.rect.bottom] = True
        for a, b in itertools.combinations(boxes, 2):
            assert not a.rect.colliderect(b.rect), f"{where}: {a.text!r} {a.rect} overlaps {b.text!r} {b.rect}"
        frame_border = np.ones(size, bool)
        frame_border[edge_x:-edge_x, edge_y:-edge_y] = False
        assert not (ink & frame_border).any(), f"{where}: text in the outermost 1 %"


def test_stage_words_exist_in_every_language_and_the_show_language_chooses_them():
    for language, table in WORDS.items():
        assert set(table) == set(WORDS["en"]), language
        assert say(language, "out_in", n=3)
    assert say("de", "thank_you") == "DANKE" and say("en", "thank_you") == "THANK YOU"

