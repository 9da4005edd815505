"""The real stage app on the real engine (a JACK dummy device), driven by key presses and clicks.

Each test posts the keys a presenter (or a clicker) sends and checks what the engine did, to the
sample: which commands it applied, where moments began and the show stopped, its transport.
The show runs at 240 bpm, so a bar is exactly one second (48,000 samples).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pygame
import pytest

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.commands import SetClick
from rockstar_cx.conductor.commands import Panic
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import (Launch, Mute, Next, NudgeTempo, Previous, Quantize, Solo, Start, StopCommand,
                                   TapTempo)
from rockstar_cx.conductor.events import MomentStart, Stop
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.live.presenter import Presenter
from rockstar_cx.live.view import EngineView
from rockstar_cx.show.model import Moment
from rockstar_cx.ui.app import StageApp
from rockstar_cx.ui.controls import help_rows
from rockstar_cx.ui.options import StageOptions

from . import vision
from .conftest import make_show

BAR = 48000
SHOW = make_show(3, moments=(
    Moment("stand-up", "Stand up", "Split the room.", (), 0),
    Moment("marketing", "Marketing alone", "", ("marketing",), 0),
    Moment("two", "Marketing and sales", "", ("marketing", "sales"), 0),
    Moment("all", "Everyone", "", ("marketing", "sales", "service"), 2),
))


ENGINES: dict[int, AudioEngine] = {}  # the engine under each app (the app knows only its presenter)


def stage_app(engine: AudioEngine, options: StageOptions, midi=None, keeper=None) -> StageApp:
    """The stage app on ``engine``: its view and presenter, as a performance makes them."""
    app = StageApp(Presenter(EngineView.of(engine), engine.send), options, midi=midi, keeper=keeper)
    ENGINES[id(app)] = engine
    return app


def close_app(app: StageApp) -> None:
    app.close()
    app.view.close()
    ENGINES.pop(id(app), None)


@pytest.fixture
def stage(jack_server, tmp_path):
    made = []

    def make(show=SHOW, keeper=None, **options) -> StageApp:
        engine = AudioEngine(EngineConfig(show, device="system")).start()
        assert engine.start_state == "ok"
        options.setdefault("save_settings", False)
        app = stage_app(engine, StageOptions(screenshot_dir=tmp_path, **options), keeper=keeper)
        made.append((app, engine))
        return app

    yield make
    for app, engine in made:
        close_app(app)
        report = engine.close()
        assert report["callback_errors"] == 0


def press(app: StageApp, key: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", window=app.stage))
    app.step()


def frames(app: StageApp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.step()
        app.clock.tick(60)


def until(app: StageApp, condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        app.step()
        app.clock.tick(60)


def applied(app: StageApp, kind=None) -> list:
    return [(s, c) for s, c in app.view.applied if kind is None or type(c) is kind]


def marks(app: StageApp, kind) -> list:
    return [m for m in app.view.marks if type(m) is kind]


def engine_of(app: StageApp) -> AudioEngine:
    return ENGINES[id(app)]


def transport(app: StageApp):
    """The transport the engine itself published (not the app's replay of it)."""
    return engine_of(app).transport()


def next_bar(origin: int, sample: int) -> int:
    """The first bar line at or after ``sample`` on the grid of bars starting at ``origin``."""
    return origin + BAR * math.ceil((sample - origin) / BAR)


def go_lands(origin: int, sample: int, warn_beats: int = 4) -> int:
    """Where a GO applied at ``sample`` changes the moment: the first bar line at least ``warn_beats``
    after the first beat at or after it (a whole bar: the shows' default)."""
    beat = BAR // 4
    first = math.ceil((sample - origin) / beat)
    return origin + BAR * math.ceil((first + warn_beats) / 4)


def start_playing(app: StageApp, moment: int = 0) -> int:
    """F5 from the moment chosen; returns the sample where the moment began (after the count-in)."""
    if moment:
        engine_of(app).send(Launch(moment))  # stopped: chooses where Start begins
    press(app, pygame.K_F5)
    until(app, lambda: marks(app, MomentStart))
    (start, command), = applied(app, Start)
    assert command == Start(count_in=True)
    began = marks(app, MomentStart)[0]
    assert began.moment == moment and began.sample == start + BAR  # one bar of count-in at 240 bpm
    return began.sample


def test_go_arms_the_next_moment_for_the_next_bar_line_with_a_countdown(stage):
    app = stage()
    origin = start_playing(app)
    frames(app, 0.3)
    press(app, pygame.K_PAGEDOWN)
    until(app, lambda: applied(app, Next))
    (go, command), = applied(app, Next)
    assert command == Next(Quantize.BAR)
    entry = go_lands(origin, go)  # a whole bar of warning, at least
    t = transport(app)
    assert (t.armed, t.armed_sample, t.moment) == (1, entry, 0)
    until(app, lambda: any(b.text == "MARKETING ENTER IN" for b in app.stage_view.texts))
    counts = set()
    until(app, lambda: counts.add(app.frame.countdown) or len(marks(app, MomentStart)) == 2)
    assert counts - {None} <= set(range(1, 9)) and {1, 2, 3, 4} <= counts and max(counts - {None}) >= 5
    assert marks(app, MomentStart)[1] == MomentStart(entry, entry / 48000, 1)
    t = transport(app)
    assert (t.moment, t.armed) == (1, None)


def test_a_double_click_on_the_clicker_never_skips_a_moment(stage):
    app = stage()
    start_playing(app)
    press(app, pygame.K_PAGEDOWN)
    first = time.monotonic()
    frames(app, 0.1)
    press(app, pygame.K_RIGHT)  # the clicker bounced: 100 ms later
    frames(app, 0.05)
    assert [c for _, c in applied(app, Next)] == [Next(Quantize.BAR)]
    assert transport(app).armed == 1
    frames(app, 0.3 - (time.monotonic() - first) + 0.02)
    press(app, pygame.K_SPACE)  # a real second GO, 300 ms on: arms the one after
    until(app, lambda: len(applied(app, Next)) == 2)
    assert transport(app).armed == 2
    frames(app, 0.32)
    press(app, pygame.K_PAGEUP)  # back: one moment before the armed one
    until(app, lambda: applied(app, Previous))
    assert transport(app).armed == 1


def test_esc_fades_out_to_the_next_bar_line_and_a_second_esc_stops_at_once(stage):
    app = stage()
    origin = start_playing(app)
    frames(app, 0.2)
    press(app, pygame.K_ESCAPE)
    until(app, lambda: applied(app, Panic))
    (panic, _), = applied(app, Panic)
    assert transport(app).playing
    assert app.presenter.panicking()
    until(app, lambda: marks(app, Stop))
    stop, = marks(app, Stop)
    assert (stop.sample, stop.finished) == (next_bar(origin, panic), False)
    assert not transport(app).playing and not app.presenter.panicking()

    app.view.marks.clear()
    start_time = len(applied(app, Start))
    press(app, pygame.K_F5)
    until(app, lambda: len(applied(app, Start)) > start_time and marks(app, MomentStart))
    frames(app, 0.2)
    press(app, pygame.K_ESCAPE)
    frames(app, 0.05)
    press(app, pygame.K_ESCAPE)
    until(app, lambda: marks(app, Stop))
    (at_once, command), = applied(app, StopCommand)
    assert command == StopCommand(Quantize.NOW)
    assert marks(app, Stop)[0].sample == at_once


def test_the_clickers_f5_esc_button_starts_fades_stops_and_ignores_esc_when_stopped(stage):
    app = stage()
    start_playing(app)
    press(app, pygame.K_ESCAPE)  # press 2: Esc -> fade out
    frames(app, 0.1)
    press(app, pygame.K_F5)  # press 3 came during the fade: stop now
    until(app, lambda: marks(app, Stop))
    press(app, pygame.K_ESCAPE)  # press 4 while stopped: nothing happens
    frames(app, 0.2)
    assert not transport(app).playing
    press(app, pygame.K_F5)  # press 5: start again
    until(app, lambda: len(applied(app, Start)) == 2)
    assert transport(app).playing
    kinds = [type(c) for _, c in applied(app)]
    assert kinds == [Start, Panic, StopCommand, Start]


def test_blackout_blanks_only_the_stage_while_the_show_plays_on(stage):
    app = stage()
    start_playing(app, 1)
    press(app, pygame.K_PERIOD)
    assert not np.any(vision.pixels(app.stage.get_surface()))  # every pixel black
    heard = []
    until(app, lambda: heard.append(app.frame.cues[0].since_hit) or (heard[-1] is not None and heard[-1] < 0.05))
    assert not np.any(vision.pixels(app.stage.get_surface()))
    assert transport(app).playing and app.frame.state == "playing"
    press(app, pygame.K_TAB)  # the presenter's overlay still shows, and says so
    assert any(box.text == "BLACKOUT" for box in app.console_view.painter.boxes)
    press(app, pygame.K_TAB)
    press(app, pygame.K_b)
    assert np.any(vision.pixels(app.stage.get_surface()))


def test_number_keys_mute_and_shift_number_keys_solo(stage):
    app = stage()
    start_playing(app, 2)
    press(app, pygame.K_1)
    until(app, lambda: applied(app, Mute))
    (muted_at, command), = applied(app, Mute)
    assert command == Mute(0) and transport(app).muted == {0}
    frames(app, 1.1)  # a bar at least: marketing plays on every beat
    last = app.frame.cues[0].since_hit
    assert last is None or app.frame.sample - last * 48000 < muted_at  # not one hit since the mute
    assert app.frame.cues[1].since_hit is not None
    assert any(b.text == "MUTED" for b in app.stage_view.texts)
    press(app, pygame.K_2, pygame.KMOD_LSHIFT)
    until(app, lambda: any(b.text == "SOLO" for b in app.stage_view.texts))
    assert transport(app).soloed == {1}
    press(app, pygame.K_KP1)  # the keypad's digits too
    press(app, pygame.K_2, pygame.KMOD_RSHIFT)
    until(app, lambda: len(applied(app)) == 6)
    assert [c for _, c in applied(app)][2:] == [Mute(0), Solo(1), Mute(0), Solo(1)]
    assert (transport(app).muted, transport(app).soloed) == (set(), set())
    press(app, pygame.K_9)  # no ninth key binding, no ninth section
    press(app, pygame.K_4)  # there is no fourth section
    frames(app, 0.1)
    assert len(applied(app)) == 6 and app.presenter.message == "There is no section 4"


def test_tempo_keys_nudge_and_tap_and_c_toggles_the_click(stage):
    app = stage()
    start_playing(app, 1)
    press(app, pygame.K_PLUS)
    until(app, lambda: transport(app).tempo != 240.0)
    assert transport(app).tempo == 241.0
    press(app, pygame.K_MINUS)
    frames(app, 0.3)  # a beat apart: nudges before the next beat do not add up (the conductor's rule)
    press(app, pygame.K_KP_MINUS)
    until(app, lambda: transport(app).tempo == 239.0)
    for _ in range(3):
        press(app, pygame.K_t)
        frames(app, 0.4)
    taps = [s for s, _ in applied(app, TapTempo)]
    expected = 60.0 * 48000 / ((taps[-1] - taps[0]) / 2)
    until(app, lambda: transport(app).tempo == pytest.approx(expected, abs=1e-9))
    assert [c for _, c in applied(app, NudgeTempo)] == [NudgeTempo(1.0), NudgeTempo(-1.0), NudgeTempo(-1.0)]
    press(app, pygame.K_c)
    until(app, lambda: app.view.click)
    assert engine_of(app).click()
    press(app, pygame.K_c)
    until(app, lambda: not app.view.click)
    assert not engine_of(app).click()
    assert [c for _, c in applied(app, SetClick)] == [SetClick(True), SetClick(False)]


def test_teaching_solos_the_part_counts_in_then_hands_over_and_go_moves_on(stage):
    app = stage()
    press(app, pygame.K_2, pygame.KMOD_LCTRL)  # teach sales: first plays in moment 2
    until(app, lambda: applied(app, Start))
    assert [c for _, c in applied(app)] == [Solo(1, True), Start(moment=2, count_in=True)]
    until(app, lambda: app.frame.state == "count-in")
    assert any(b.text == "Learn your part: Sales" for b in app.stage_view.texts)
    until(app, lambda: any(b.text == "LISTEN…" for b in app.stage_view.texts))
    assert transport(app).soloed == {1} and transport(app).moment == 2
    until(app, lambda: any(b.text == "YOUR TURN, SALES!" for b in app.stage_view.texts), timeout=4)
    began = marks(app, MomentStart)[0].sample
    assert app.frame.sample - began >= 2 * BAR  # two bars of listening first
    assert app.frame.cues[0].since_hit is None  # marketing plays in moment 2 but is not heard: solo
    assert [i for i, _ in app.stage_view.zones] == [1]
    frames(app, 0.3)
    press(app, pygame.K_PAGEDOWN)  # GO: teaching is over, the show moves on from where it was
    until(app, lambda: applied(app, Launch))
    assert [c for _, c in applied(app)][2:] == [Solo(1, False), Launch(1, Quantize.BAR)]
    until(app, lambda: transport(app).armed == 1 and transport(app).soloed == set())
    assert app.presenter.teaching is None


def test_a_taught_moment_that_holds_loops_its_part_by_itself(stage):
    app = stage()
    origin = start_playing(app)
    press(app, pygame.K_3, pygame.KMOD_LCTRL)  # service plays first in "all", a 2-bar moment that then holds
    until(app, lambda: applied(app, Launch))
    (sent, command), = applied(app, Launch)
    assert command == Launch(3, Quantize.BAR)
    entry = go_lands(origin, sent)
    until(app, lambda: transport(app).moment == 3 and transport(app).bar >= 3, timeout=8)  # past its 2 bars
    assert [m.sample for m in marks(app, MomentStart)[1:]] == [entry]  # held, never launched again
    assert [c for _, c in applied(app, Launch)] == [Launch(3, Quantize.BAR)]
    press(app, pygame.K_3, pygame.KMOD_LCTRL)  # the same key ends it: back to where the show was
    until(app, lambda: transport(app).armed == 0 or transport(app).moment == 0)
    assert transport(app).soloed == set()


def test_a_taught_moment_that_moves_on_is_launched_again_at_its_end(stage):
    show = make_show(3, moments=(Moment("talk", "Talk", "", (), 0),
                                 Moment("groove", "Groove", "", ("marketing", "sales"), 1, then="next"),
                                 Moment("all", "Everyone", "", ("marketing", "sales", "service"), 2)))
    app = stage(show)
    origin = start_playing(app)
    press(app, pygame.K_2, pygame.KMOD_LCTRL)  # sales plays first in "groove": one bar, then it would move on
    until(app, lambda: applied(app, Launch))
    (sent, command), = applied(app, Launch)
    assert command == Launch(1, Quantize.BAR)
    entry = go_lands(origin, sent)
    until(app, lambda: len(marks(app, MomentStart)) == 4, timeout=8)
    assert [(m.moment, m.sample) for m in marks(app, MomentStart)[1:]] == [(1, entry), (1, entry + BAR),
                                                                          (1, entry + 2 * BAR)]
    assert set(c for _, c in applied(app, Launch)[1:]) == {Launch(1, Quantize.MOMENT)}


def test_the_console_is_a_second_window_whose_buttons_do_what_the_keys_do(stage):
    app = stage(separate_console=True)
    assert app.console_window is not None
    app.step()

    def click(action, section=None):
        rect = next(r for r, target in app.console_view.buttons if target == Target(action, section))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=rect.center, button=1,
                                             window=app.console_window))
        app.step()

    click(Action.MUTE, 2)
    click(Action.GO)  # stopped: chooses where the show starts
    click(Action.START_STOP)
    until(app, lambda: marks(app, MomentStart))
    assert [c for _, c in applied(app)] == [Mute(2), Next(Quantize.BAR), Start(count_in=True)]
    assert marks(app, MomentStart)[0].moment == 1 and transport(app).muted == {2}
    texts = {b.whole or b.text for b in app.console_view.painter.boxes}
    assert {"Marketing alone", "NEXT", "Marketing and sales"} <= texts
    assert np.any(vision.pixels(app.console_window.get_surface()))


def test_help_lists_every_key_and_f12_saves_both_screenshots(stage, tmp_path):
    app = stage()
    press(app, pygame.K_h)
    drawn = {b.whole or b.text for b in app.help_texts}
    for keys, does in help_rows():
        assert keys in drawn and does in drawn
    press(app, pygame.K_h)
    press(app, pygame.K_F12)
    stage_png, console_png = sorted(tmp_path.glob("rockstar-cx-*-stage.png")), sorted(tmp_path.glob("*-console.png"))
    assert len(stage_png) == len(console_png) == 1
    assert pygame.image.load(str(stage_png[0])).get_size() == (1280, 720)
    assert pygame.image.load(str(console_png[0])).get_size() == (1280, 800)


def test_resizing_and_fullscreen_keep_the_layout_whole(stage, private_settings):
    app = stage(save_settings=True)
    start_playing(app, 2)
    for size in [(1920, 1080), (3840, 2160), (1280, 720), (1000, 900)]:
        app.stage.size = size
        app.step()
        surface = app.stage.get_surface()
        assert surface.get_size() == size
        assert all(surface.get_rect().contains(b.rect) for b in app.stage_view.texts)
        assert all(surface.get_rect().contains(r) for _, r in app.stage_view.zones)
    press(app, pygame.K_F11)
    assert app.fullscreen and "fullscreen = true" in private_settings.read_text()
    assert app.stage.get_surface().get_size() == app.stage.size
    press(app, pygame.K_F11)
    assert not app.fullscreen and "fullscreen = false" in private_settings.read_text()


def test_calibration_flashes_on_the_click_and_saves_the_projector_delay(stage, private_settings):
    app = stage(save_settings=True, visual_offset_ms=20.0)
    press(app, pygame.K_1)  # marketing stays muted afterwards
    engine_of(app).send(Launch(2))
    frames(app, 0.1)
    press(app, pygame.K_F9)
    until(app, lambda: app.frame.state == "playing")
    assert [c for _, c in applied(app)][2:] == [Mute(1, True), Mute(2, True), SetClick(True), Start(count_in=False)]
    lit = []
    until(app, lambda: lit.append(app.stage.get_surface().get_at((640, 324))[:3] == (255, 255, 255)) or sum(lit) > 2)
    for key, mod in [(pygame.K_RIGHT, 0)] * 3 + [(pygame.K_LEFT, pygame.KMOD_LSHIFT)]:
        press(app, key, mod)
    assert app.offset_ms == 34.0
    press(app, pygame.K_RETURN)
    until(app, lambda: not transport(app).playing and transport(app).muted == {0})
    t = transport(app)
    assert (t.moment, engine_of(app).click()) == (2, False)
    assert "visual_offset_ms = 34.0" in private_settings.read_text()
    assert app.calibration is None and app.offset_ms == 34.0


def test_frames_show_the_sample_leaving_the_speakers_plus_the_projector_delay(stage):
    app = stage()
    start_playing(app)
    latency = round(engine_of(app).health().output_latency * 48000)
    for offset_ms, expected in ((0.0, -latency - 128), (100.0, 4800 - latency - 128)):
        app.offset_ms = offset_ms
        # a dropped cycle (an xrun: one to four a second in this VM's noisy phases) moves the audio
        # against the clock until the fit follows: half a second of frames is measured again after
        # one, up to 10 times; a half second with no xrun must be exact within the jitter
        for _attempt in range(10):
            underflows, differences = engine_of(app).health().counters.underflows, []
            for _ in range(30):
                app.step()
                differences.append(app.frame.sample - app.view.position)
                app.clock.tick(60)
            # the engine's position is the start of its next block; callbacks jitter by about a block
            within = all(abs(d - expected) <= 3 * 128 for d in differences)
            if within or engine_of(app).health().counters.underflows == underflows:
                break
        assert within, (offset_ms, expected, differences)
