"""Issue 14.5: a chaos you can see from the back, and a conductor's return you can't miss.

The offsets and the spread come from one pure function of a frame (exact values for a scripted
one); the return is the first conducted bar after chaos, exactly one bar; the zones stand still
while the markers leave the conductor's line; and a rendered run through chaos and the return
never flashes more than 3 times a second.
"""

from __future__ import annotations

import itertools

import numpy as np
import pygame
import pytest

from rockstar_cx.conductor import Start
from rockstar_cx.show.model import Moment
from rockstar_cx.show.words import say
from rockstar_cx.ui.chaos import after_chaos, conductor_returns, drift
from rockstar_cx.ui.cues import Frame, SectionCue
from rockstar_cx.ui.lanes import spread_ms
from rockstar_cx.ui.stage import StageView
from rockstar_cx.ui.text import Text

from . import vision
from .conftest import RATE, advance, apply, make_show, make_track

BAR = RATE  # 240 bpm: a beat is 0.25 s, a bar 1 s


def _show(count: int = 4):
    ids = tuple(n.lower() for n in ("Marketing", "Sales", "Service", "Fulfilment")[:count])
    moments = (Moment("chaos", "An orchestra without a conductor", "Every department drifts.", ids, 3, mode="chaos",
                       then="next"),
               Moment("conductor", "Enter the conductor", "One piece of music.", ids, 2))
    return make_show(count, moments=moments)


def _scripted(cues: dict[int, SectionCue], moment: int = 0) -> Frame:
    grid = tuple((-1.0 + 0.25 * n, n) for n in range(6))  # beats 0-5 of the moment, the frame at beat 4
    return Frame(sample=0, state="playing", moment=moment, bar=1, beat=0, beat_phase=0.0, beat_seconds=0.25,
                 tempo=240.0, moment_seconds=1.0, armed=None, countdown=None, cues=cues, grid=grid)


def test_offsets_and_spread_are_each_sections_latest_hit_against_the_conductors_grid():
    show = _show(3)  # patterns: "X... x... x... x...", ".... X... .... x...", "..X. .... ..x. ...."
    cues = {0: SectionCue(0.31, False, 0.1, False),  # a plain hit 60 ms before beat 3 (-0.25 s)
            1: SectionCue(0.70, True, 0.3, False),  # its accent 50 ms after beat 1 (-0.75 s)
            2: SectionCue(0.48, True, 0.2, False)}  # its accent (step 2: an eighth after beat 0, -0.875 s)
    result = drift(show, _scripted(cues))
    assert result.offsets == pytest.approx({0: -0.06, 1: 0.05, 2: 0.395})
    assert result.spread == pytest.approx(0.455)
    assert spread_ms(result.spread) == 460
    # a hit from before the moment's first beat (the last moment's), or none, is no offset
    older = drift(show, _scripted({0: SectionCue(1.2, False, 0.1, False), 1: SectionCue(None, False, 0.1, False)}))
    assert older.offsets == {} and older.spread == 0.0


def _run(show, until: int, step: int):
    track = make_track(show)
    apply(track, 0, Start(moment=0, count_in=False))
    for sample in range(0, until, step):
        advance(track, sample + 1)
        yield sample, track.frame(sample)


def test_the_conductor_returns_on_the_first_conducted_bar_after_chaos_for_exactly_one_bar():
    show = _show()
    frames = list(_run(show, 5 * BAR, BAR // 60))
    returning = [s for s, f in frames if conductor_returns(show, f)]
    assert returning[0] == 3 * BAR and returning[-1] == 4 * BAR - BAR // 60  # chaos plays 3 bars, moves on
    assert returning == list(range(3 * BAR, 4 * BAR, BAR // 60))  # one bar, uninterrupted
    for s, f in frames:
        assert (f.moment, f.previous) == ((0, None) if s < 3 * BAR else (1, 0)), s
        assert after_chaos(show, f) == (s >= 3 * BAR)
    spreads = {s: drift(show, f).spread for s, f in frames}
    assert max(spreads[s] for s in spreads if 2 * BAR <= s < 3 * BAR) > 0.04  # the sections drift apart
    assert all(spreads[s] < 0.002 for s in spreads if s >= 3 * BAR)  # and stand together at once


def test_zones_stand_still_in_chaos_and_the_markers_words_and_readout_show_it():
    show = _show()
    view = StageView(show, Text())
    surface = pygame.Surface((1920, 1080))
    rects, texts = set(), {}
    for s, f in _run(show, 4 * BAR, BAR // 8):
        view.draw(surface, f)
        if s < 3 * BAR:
            rects.add(tuple(tuple(r) for _, r in sorted(view.zones)))
        texts[s] = {b.text for b in view.texts}
    assert len(rects) == 1  # no wobble: the zones keep their place, their markers move
    together, spread = say("en", "together"), say("en", "spread")
    assert spread in texts[2 * BAR + BAR // 2] and together not in texts[2 * BAR + BAR // 2]
    assert together in texts[3 * BAR] and "0 ms" in texts[3 * BAR]
    assert all(together not in t for s, t in texts.items() if s < 3 * BAR)


def test_chaos_and_the_return_never_flash_more_than_three_times_a_second():
    show = _show()
    view = StageView(show, Text())
    surface = pygame.Surface((1280, 720))
    weights = vision.linear(np.arange(256))
    whole = []
    fps = 30
    for _, f in _run(show, 5 * BAR, RATE // fps):
        view.draw(surface, f)
        rgb = pygame.surfarray.pixels3d(surface)
        whole.append(float((0.2126 * weights[rgb[..., 0]] + 0.7152 * weights[rgb[..., 1]]
                            + 0.0722 * weights[rgb[..., 2]]).mean()))
        del rgb
    assert len(whole) == 5 * fps
    assert vision.swings_per_second(whole, fps) <= 3
    assert max(abs(a - b) for a, b in itertools.pairwise(whole)) < vision.FLASH_DELTA  # no full-screen change


def test_after_the_conductors_first_bar_the_rooms_numbers_take_the_band_large():
    from rockstar_cx.ui.lanes import reveal_lines
    from rockstar_cx.ui.layout import caps

    class Found:  # a Reveal: the room without the conductor and with it
        without_spread_ms, without_drift_bpm, with_spread_ms, with_drift_bpm = 83.4, 9.2, 17.6, -0.3

    show = _show()
    view = StageView(show, Text())
    surface = pygame.Surface((1920, 1080))
    lines = reveal_lines(view.say, Found())
    assert lines == ("WITHOUT: 83 ms apart, +9 bpm", "WITH: 18 ms apart, -0 bpm")
    frames = dict(_run(show, 5 * BAR, BAR // 8))
    view.reveal = lines
    view.draw(surface, frames[3 * BAR])  # the conductor's first bar: the punchline, not yet the numbers
    assert say("en", "together") in {b.text for b in view.texts} and lines[0] not in {b.text for b in view.texts}
    view.draw(surface, frames[4 * BAR + BAR // 2])
    boxes = {b.whole: b for b in view.texts}
    assert lines[0] in boxes and lines[1] in boxes and say("en", "together") not in boxes
    caption, cue, _ = caps(1080)
    sizes = [boxes[line].px for line in lines]  # a caption's size at least (the band's lines), a cue's at most
    assert all(view.text.px_for_cap(caption) <= px <= view.text.px_for_cap(cue) for px in sizes), sizes
    for size in ((1024, 768), (1280, 720)):  # whole, on every screen (the band is laid out for them)
        small = pygame.Surface(size)
        view.draw(small, frames[4 * BAR + BAR // 2])
        assert {b.whole for b in view.texts} >= set(lines) and not any(b.text.endswith("…") for b in view.texts
                                                                        if b.whole in lines)
    assert boxes[lines[0]].rect.right <= boxes[lines[1]].rect.left  # without, then with: side by side
    view.reveal = None
    view.draw(surface, frames[4 * BAR + BAR // 2])
    assert "One piece of music." in {b.whole for b in view.texts}  # without numbers: the caption
