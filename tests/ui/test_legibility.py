"""The stage's legibility and safety rules, measured on rendered pixels.

Every scene the stage can show is rendered at 1280×720, 1920×1080 and 3840×2160 with 4 and 8
sections; on the pixels: cue text is at least 1/12 of the screen height tall with up to 6 sections
(with more, as large as fits: at least the 1/25 every other text has), every text reaches 7:1 against what it sits on, the section colours stay apart
under protanopia, deuteranopia and tritanopia, and no tempo makes the screen flash.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pygame
import pytest

from rockstar_cx.conductor import Next, Start
from rockstar_cx.show import builtin_show
from rockstar_cx.show.model import Moment, Show
from rockstar_cx.live.presenter import Teach
from rockstar_cx.ui.stage import StageView
from rockstar_cx.ui.text import Text

from . import vision
from .conftest import RATE, advance, frame_at, make_show, make_track

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]
BAR = 4 * RATE // 4  # samples per bar at 240 bpm
MIN_DELTA_E = 10.0  # CIEDE2000 between any two section colours, with and without CVD


def _show(count: int) -> Show:
    ids = tuple(name.lower() for name in ("Marketing", "Sales", "Service", "Fulfilment", "Finance", "Legal",
                                          "Support", "Logistics")[:count])
    moments = (Moment("first", "Nail the intro", "First impressions count: the very first moment with a customer "
                      "has to stick.", ids[: count // 2], 0),
               Moment("all", "The whole room is the band", "Every section is on time.", ids, 0),
               Moment("chaos", "An orchestra without a conductor", "Every department drifts.", ids, 4, mode="chaos"))
    return make_show(count, moments=moments)


def _scenes(show: Show):
    """(name, frame, teach) for every state of the stage."""
    yield "stopped", frame_at(show, [], 0), None
    yield "count-in", frame_at(show, [(0, Start(moment=1))], BAR // 4 * 2 + 100), None
    yield "playing", frame_at(show, [(0, Start(moment=1, count_in=False))], BAR + BAR // 4 + 300), None
    yield "armed", frame_at(show, [(0, Start(moment=0, count_in=False)), (BAR + 100, Next())], BAR + BAR // 2), None
    yield "chaos", frame_at(show, [(0, Start(moment=2, count_in=False))], 2 * BAR + 700), None
    yield "teach", frame_at(show, [(0, Start(moment=1, count_in=False))], BAR + 300), Teach(1, "your turn")


@pytest.mark.parametrize("count", [4, 8])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_text_is_tall_enough_and_contrasted_in_every_scene(size, count):
    show = _show(count)
    view = StageView(show, Text())
    surface = pygame.Surface(size)
    height = size[1]
    screen = surface.get_rect()
    for name, frame, teach in _scenes(show):
        view.draw(surface, frame, teach=teach)
        image = vision.pixels(surface)
        assert view.texts, name
        for box in view.texts:
            where = f"{name}: {box.role} {box.text!r} at {size}"
            assert screen.contains(box.rect), where
            tall, ink, background = vision.ink_measure(image, box.rect, box.color)
            if not box.text.strip(" ·"):
                continue
            minimum = height / 12 if box.role == "cue" and count <= 6 else height / 25
            assert tall >= minimum, f"{where}: {tall} px tall, needs {minimum:.1f}"
            assert vision.contrast(ink, background) >= 7.0, f"{where}: {ink} on {background}"


@pytest.mark.parametrize("count", [4, 8])
def test_every_section_shows_its_cue_word_and_every_kind_of_text_is_there(count):
    show = _show(count)
    view = StageView(show, Text())
    surface = pygame.Surface((1920, 1080))
    _, frame, _ = list(_scenes(show))[2]
    view.draw(surface, frame)
    assert {"cue", "name", "caption", "title", "info"} <= {box.role for box in view.texts}
    words = sorted(box.text for box in view.texts if box.role == "cue")
    assert words == sorted(("CLICK", "CLAP", "STOMP", "SNAP", "KNOCK", "CLACK", "DING", "BOOM")[:count])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 8])
def test_zones_never_overlap_and_stay_on_screen(size, count):
    show = make_show(count)
    view = StageView(show, Text())
    surface = pygame.Surface(size)
    view.draw(surface, frame_at(show, [(0, Start(count_in=False))], BAR + 100))
    rects = [rect for _, rect in view.zones]
    assert len(rects) == count
    for a, b in itertools.combinations(rects, 2):
        assert not a.colliderect(b)
    assert all(surface.get_rect().contains(r) for r in rects)


def _zone_colors(show: Show) -> list[tuple[int, int, int]]:
    """The section colours as drawn: the border pixel of each zone."""
    view = StageView(show, Text())
    surface = pygame.Surface((1280, 720))
    view.draw(surface, frame_at(show, [(0, Start(count_in=False))], BAR + 100))
    image = vision.pixels(surface)
    return [tuple(int(c) for c in image[rect.top + 1, rect.centerx]) for _, rect in sorted(view.zones)]


@pytest.mark.parametrize("show", [builtin_show(), make_show(8)], ids=["keynote", "eight-default"])
def test_section_palette_stays_distinguishable_under_colour_vision_deficiencies(show):
    drawn = _zone_colors(replace(show, moments=(replace(show.moments[-1], sections=tuple(s.id for s in show.sections)),)))
    assert drawn == [tuple(int(s.color[i:i + 2], 16) for i in (1, 3, 5)) for s in show.sections]
    for vision_kind in (None, *vision.MACHADO):
        seen = [np.array(c, float) if vision_kind is None else vision.simulate(c, vision_kind) for c in drawn]
        for (i, a), (j, b) in itertools.combinations(enumerate(seen), 2):
            difference = vision.ciede2000(vision.lab(a), vision.lab(b))
            assert difference >= MIN_DELTA_E, (vision_kind, show.sections[i].name, show.sections[j].name, difference)


def test_ciede2000_and_machado_match_their_published_values():
    # Sharma, Wu & Dalal (2005), test pairs 1, 7 and 17
    assert vision.ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert vision.ciede2000((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)
    assert vision.ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    # Machado: every deficiency keeps greys grey (rows sum to 1)
    for matrix in vision.MACHADO.values():
        assert np.allclose(matrix.sum(axis=1), 1.0, atol=1e-5)
    assert vision.contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)


def _levels(show: Show, seconds: float, fps: int = 60) -> tuple[list[float], list[list[float]], StageView]:
    """Mean luminance of every frame, and of every zone, over ``seconds`` of a performance."""
    view = StageView(show, Text())
    surface = pygame.Surface((1280, 720))
    track = make_track(show)
    frame_at(show, [(0, Start(count_in=True))], 0, track)
    weights = vision.linear(np.arange(256))
    whole, zones = [], []
    for i in range(int(seconds * fps)):
        sample = i * RATE // fps
        advance(track, sample + 1)
        view.draw(surface, track.frame(sample))
        rgb = pygame.surfarray.pixels3d(surface)
        lum = 0.2126 * weights[rgb[..., 0]] + 0.7152 * weights[rgb[..., 1]] + 0.0722 * weights[rgb[..., 2]]
        del rgb
        whole.append(float(lum.mean()))
        zones.append([float(lum[r.left:r.right, r.top:r.bottom].mean()) for _, r in sorted(view.zones)])
    return whole, zones, view


@pytest.mark.parametrize("count", [4, 8])
def test_no_full_screen_flashing_even_at_240_bpm_while_cues_pulse_in_their_zones(count):
    show = make_show(count, tempo=240.0, patterns=("xxxx xxxx xxxx xxxx",), count_in=1)  # every 16th: 16 hits a second
    whole, zones, _ = _levels(show, 3.0)
    assert vision.swings_per_second(whole, 60) <= 3
    playing = [z for z in zones if len(z) == count]
    assert len(playing) > 60
    for k in range(count):  # and yet every zone visibly pulses on its own
        series = [z[k] for z in playing]
        assert max(series) - min(series) > 0.01


def test_the_flash_counter_catches_a_flashing_screen():
    levels = [1.0 if (i // 4) % 2 == 0 else 0.0 for i in range(120)]  # 7.5 flashes a second at 60 fps
    assert vision.swings_per_second(levels, 60) == 15
    assert vision.swings_per_second([0.2] * 120, 60) == 0
