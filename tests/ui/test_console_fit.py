"""The console on the one text-fitting rule (issue 14.1, 14.3): 8 sections and every health line fit at 1280×800.

The box test never draws: :func:`console_layout` gives the boxes for the most the console can hold
(8 sections, MIDI learn's five buttons a section, every health and MIDI line, two of them two lines
long) and checks they are inside the window and never overlap.  The rendered test draws the console
for such a frame and checks every line of text stays inside its window and no two overprint.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pygame
import pytest

from rockstar_cx.audio.health import AudioState, Counters, Health
from rockstar_cx.conductor import Start
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.live.status import Remaining
from rockstar_cx.live.surface import MidiSummary
from rockstar_cx.show.model import Moment
from rockstar_cx.ui.briefing import brief
from rockstar_cx.ui.console import ConsoleInfo, ConsoleView
from rockstar_cx.ui.console_layout import ConsoleNeeds, console_layout
from rockstar_cx.ui.dialogs import Dialog
from rockstar_cx.ui.text import Text

from .conftest import RATE, apply, advance, make_show, make_track

SIZES = [(1280, 800), (1024, 640), (1440, 900), (1920, 1080), (3840, 2160)]
LONG = "Talk slowly here: the room needs a moment to find the beat, then point at each section in turn. " * 4
FULL = ConsoleNeeds(8, (1, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2), (12, 12), 5, (7, 7))  # 13 health lines


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("needs", [FULL, replace(FULL, sections=1, health=(1, 1, 1, 1, 1), section_buttons=3),
                                   replace(FULL, notes=(1, 1), preview=False)], ids=["most", "least", "short notes"])
def test_console_boxes_stay_inside_and_never_overlap(size, needs):
    lay = console_layout(size, needs)
    window = pygame.Rect((0, 0), size)
    boxes = lay.boxes()
    for name, rect in boxes:
        assert window.contains(rect), f"{name} {rect} leaves the {size} window"
    for (a_name, a), (b_name, b) in itertools.combinations(boxes, 2):
        assert not a.colliderect(b), f"{size}: {a_name} {a} overlaps {b_name} {b}"
    assert len(lay.sections) == needs.sections and len(lay.health) == len(needs.health)
    assert all(len(row.buttons) == needs.section_buttons for row in lay.sections)
    assert all(r.height >= lay.floor * 1.6 for n, r in boxes if n.startswith("health")), "a health line squeezed"


def _info(show, track, frame, **overrides) -> ConsoleInfo:
    health = Health(state=AudioState.OK, device="USB Audio Interface with a very long name (hw:2,0)",
                    message="audio lost (USB) — retrying: the show goes on silently until the device is back",
                    output_latency=0.0107, counters=Counters(underflows=12345, late_callbacks=67, dropped_blocks=3))
    midi = MidiSummary(inputs=(("Launchpad Mini MK3 LPMiniMK3 MIDI 1", True), ("nanoKONTROL2", False)),
                       outputs=(("USB MIDI Interface", True),), clock_in="following at 120.0 bpm", following=True,
                       can_learn=True, learning=True, selected=Target(Action.VOLUME, 1),
                       learned="cc 21 (channel 1) → volume 2", out_state="MIDI out stopped (killed) — restarting")
    values = dict(frame=frame, transport=track.view.transport(), click=True, panicking=False, health=health,
                  visual_offset_ms=40.0, message="Resume? Enter or GO resumes; Esc or back starts from the top",
                  blackout=True, teaching=None, cue=True, midi=midi, presenter_screen=True,
                  briefing=brief(track.view, frame, Remaining(show), teach=None, panicking=False, resume=None),
                  underflows_since_start=12)
    values.update(overrides)
    return ConsoleInfo(**values)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 640), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_full_console_keeps_every_text_inside_and_none_overprints(size):
    base = make_show(8)
    ids = tuple(s.id for s in base.sections)
    sections = tuple(replace(s, name=name) for s, name in zip(base.sections, (
        "Marketing", "Customer Service and Support", "Fulfilment", "営業チーム", "🎸 Rock Crew", "فريق المبيعات",
        "Logistics", "Finance")))
    show = replace(base, sections=sections, moments=(Moment("a", "Stand up: you are the band " * 3, LONG, ids, 0),
                                                     Moment("b", "The whole room is the band", LONG, ids, 8)))
    track = make_track(show)
    apply(track, 0, Start(moment=0, count_in=False))
    advance(track, RATE)
    frame = track.frame(RATE - 1)
    view = ConsoleView(show, Text())
    surface = pygame.Surface(size)
    window = surface.get_rect()
    preview = pygame.Surface((1280, 720))
    info = _info(show, track, frame)
    view.draw(surface, info, preview)
    boxes = view.painter.boxes
    for box in boxes:
        assert window.contains(box.rect), f"{size}: {box.text!r} {box.rect} leaves the window"
    texts = [b for b in boxes if b.text != "BLACKOUT"]  # written over the stage's copy, on purpose
    for a, b in itertools.combinations(texts, 2):
        assert not a.rect.colliderect(b.rect), f"{size}: {a.text!r} {a.rect} overprints {b.text!r} {b.rect}"
    written = " ".join(b.text for b in boxes)
    for words, _ in view._health_lines(info):  # every health line is there, whole or ended by an ellipsis
        assert words.split()[0] in written, f"{size}: {words!r} missing"
    assert len(view.layout.health) == len(view._health_lines(info))
    assert sum(1 for b in boxes if b.text.lstrip("\u200e").startswith(tuple(f"{n} " for n in range(1, 9)))) >= 8
    assert any(target == Target(Action.CONSOLE) for _, target in view.buttons)  # the presenter screen's button
    floor = view.text.px_for_cap(view.layout.floor)
    assert all(b.px >= min(floor, view.text.px_for_cap(8)) for b in boxes), "a text below the console's floor"
    view.draw(surface, replace(info, dialog=Dialog("Quit while playing?", ("Ctrl+Q again or Enter quits",
                                                                          "Esc carries on " * 8), alert=True)), None)
    for box in view.painter.boxes:
        assert window.contains(box.rect), f"{size}: {box.text!r} leaves the window"
