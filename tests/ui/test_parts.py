"""The stage app's parts on their own: cue timing, the key table, the presenter's rules, settings."""

from __future__ import annotations

import re
from pathlib import Path

import pygame
import pytest

from played import scripted_view
from rockstar_cx.audio.health import ClockFit
from rockstar_cx.conductor.commands import Panic
from rockstar_cx.conductor import Launch, Next, Quantize, Solo, Start, StopCommand
from rockstar_cx.live.intent import CONTROLLER_ONLY, Action, Target
from rockstar_cx.live.presenter import Presenter
from rockstar_cx.show.model import Moment
from rockstar_cx.ui.controls import BINDINGS, help_rows, target_for
from rockstar_cx.ui.cues import display_sample
from rockstar_cx.ui.settings import Settings, load_settings, save_settings, settings_path
from rockstar_cx.ui.text import CACHE_LINE_BYTES, Text

from .conftest import RATE, advance, apply, frame_at, make_show, make_track

BAR = RATE  # 240 bpm


def test_a_frame_shows_the_sample_that_leaves_the_speakers_when_the_projector_shows_it():
    fit = ClockFit(1000.0, 10.0, 1 / RATE, 0.005, 128)  # sample 1000 started at host 10 s; 5 ms output latency
    # drawn at 10.1 s, shown 40 ms later: the sample heard then left the engine 5 ms before
    assert display_sample(fit, 10.1, 0.040) == pytest.approx(1000 + (0.1 + 0.040 - 0.005) * RATE)
    assert display_sample(fit, 10.1, 0.0) == pytest.approx(1000 + 0.095 * RATE)
    assert display_sample(None, 10.0, 0.0) is None  # no fit yet


def test_cues_light_exactly_at_the_hit_sample_and_the_ring_leads_up_to_it():
    show = make_show(1, patterns=("x... .... .... ....",))
    track = make_track(show)
    frame_at(show, [(0, Start(count_in=False))], 0, track)
    advance(track, 2 * BAR)
    before, at = track.frame(BAR - 1), track.frame(BAR)
    assert before.cues[0].until_hit == 1 / RATE and before.cues[0].since_hit == (BAR - 1) / RATE
    assert at.cues[0].since_hit == 0.0 and at.cues[0].until_hit == 1.0
    assert (at.bar, at.beat, at.beat_phase, at.state) == (1, 0, 0.0, "playing")


def test_the_countdown_counts_the_beats_left_before_the_armed_moment():
    moments = (Moment("a", "A", "", ("marketing",), 0), Moment("b", "B", "", ("marketing", "sales"), 0))
    show = make_show(2, moments=moments)
    track = make_track(show)
    frame_at(show, [(0, Start(count_in=False)), (100, Next())], 228, track)  # the engine is one block on
    beat = BAR // 4
    # GO warns a whole bar (the show's default): the first bar line at least 4 beats after the next beat
    assert track.view.transport().armed_sample == 2 * BAR
    assert [track.frame(b * beat + 10).countdown for b in range(8)] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert [track.frame(b * beat + 10).armed for b in range(8)] == [1] * 8
    entered = track.frame(2 * BAR + 10)
    assert (entered.moment, entered.armed, entered.countdown) == (1, None, None)


def test_the_replay_follows_the_engines_panic_rule():
    show = make_show(1)
    track = make_track(show)
    frame_at(show, [(0, Start(count_in=False))], 0, track)
    apply(track, BAR + 5000, Panic())
    assert track.view.panic_sample == BAR + 5000
    advance(track, 3 * BAR)
    stop = [m for m in track.view.marks if type(m).__name__ == "Stop"]
    assert [s.sample for s in stop] == [2 * BAR] and track.view.panic_sample is None
    assert track.frame(2 * BAR + 10).state == "stopped"


def test_every_action_but_a_controllers_has_a_key_and_clicker_keys_map_as_clickers_mean_them():
    assert {b.action for b in BINDINGS} == set(Action) - CONTROLLER_ONLY
    assert CONTROLLER_ONLY == {Action.LAUNCH, Action.HIT, Action.VOLUME, Action.MASTER}
    assert help_rows() == [(b.keys, b.does) for b in BINDINGS]
    clicker = {pygame.K_PAGEDOWN: Action.GO, pygame.K_PAGEUP: Action.BACK, pygame.K_RIGHT: Action.GO,
               pygame.K_LEFT: Action.BACK, pygame.K_F5: Action.START_STOP, pygame.K_ESCAPE: Action.PANIC,
               pygame.K_PERIOD: Action.BLACKOUT, pygame.K_b: Action.BLACKOUT, pygame.K_SPACE: Action.GO}
    for key, action in clicker.items():
        assert target_for(key, 0) == Target(action)
    assert target_for(pygame.K_3, 0) == Target(Action.MUTE, 2)
    assert target_for(pygame.K_3, pygame.KMOD_LSHIFT) == Target(Action.SOLO, 2)
    assert target_for(pygame.K_KP8, pygame.KMOD_RCTRL) == Target(Action.TEACH, 7)
    assert target_for(pygame.K_q, pygame.KMOD_LCTRL) == Target(Action.QUIT)
    assert target_for(pygame.K_c, pygame.KMOD_LCTRL) is None  # Ctrl+C is not the click track
    assert target_for(pygame.K_x, 0) is None


def test_the_readme_key_table_is_the_apps_key_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    keys = readme.split("## The stage app", 1)[1].split("### Keys", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", keys, re.MULTILINE)
    assert rows[:2] == [("key", "what it does"), ("---", "---")]
    assert rows[2:] == help_rows()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _presenter(show, commands=()):
    """A presenter on a scripted engine that applied ``commands`` at its start and played a bar."""
    view, script = scripted_view(show, RATE)
    for command in commands:
        script.apply(0, command)
    script.position = RATE
    view.update()
    sent: list = []
    clock = FakeClock()
    return Presenter(view, sent.append, clock=clock), sent, clock, script


def test_go_presses_closer_than_300_ms_count_once():
    show = make_show(2)
    presenter, sent, clock, _ = _presenter(show, [Start(count_in=False)])
    for step in (0.0, 0.1, 0.29, 0.31, 0.6, 0.62):
        clock.now = 100.0 + step
        presenter.act(Target(Action.GO))
    assert sent == [Next(Quantize.BAR)] * 3  # at 0, 0.31 and 0.62 s


def test_start_stop_rules_of_the_one_clicker_button():
    show = make_show(2)
    presenter, sent, clock, script = _presenter(show)
    presenter.act(Target(Action.PANIC))  # Esc when stopped: nothing
    presenter.act(Target(Action.START_STOP))
    script.apply(RATE, Start(count_in=False))  # the engine started
    script.position = 2 * RATE
    presenter.tick()
    presenter.act(Target(Action.START_STOP))  # F5 while playing: fade out
    clock.now += 0.1
    presenter.act(Target(Action.PANIC))  # again within the fade: stop now
    clock.now += 5.0
    assert not presenter.panicking()
    script.apply(2 * RATE + 100, Panic())  # a fade the engine reports: stop now too
    presenter.tick()
    assert presenter.panicking()
    presenter.act(Target(Action.PANIC))
    assert [type(c) for c in sent] == [Start, Panic, StopCommand, StopCommand]


def test_teaching_a_section_that_plays_nowhere_says_so_and_sends_nothing():
    show = make_show(2, moments=(Moment("a", "A", "", ("marketing",), 0),))
    presenter, sent, _, _ = _presenter(show)
    presenter.act(Target(Action.TEACH, 1))
    assert sent == [] and presenter.message == "Sales plays in no moment: nothing to teach"
    presenter, sent, _, _ = _presenter(show, [Start(count_in=False)])
    presenter.act(Target(Action.TEACH, 0))
    assert sent == [Solo(0, True), Launch(0, Quantize.BAR)]


def test_sections_and_moments_the_show_does_not_have_are_refused_with_a_message():
    show = make_show(2, moments=(Moment("a", "A", "", ("marketing",), 0),))
    presenter, sent, _, _ = _presenter(show, [Start(count_in=False)])
    for target, value in ((Target(Action.MUTE, 2), None), (Target(Action.HIT, 5), 127), (Target(Action.VOLUME, 2), 64),
                          (Target(Action.TEACH, 9), None)):
        presenter.act(target, value)
        assert presenter.message == f"There is no section {target.index + 1}"
    presenter.act(Target(Action.LAUNCH, 1))
    assert presenter.message == "There is no moment 2" and sent == []
    presenter.act(Target(Action.BLACKOUT))  # no stage to black out
    assert presenter.message == "Blackout needs the stage (play without --no-ui)" and sent == []


def test_settings_round_trip_in_the_users_config_folder(private_settings, tmp_path):
    assert settings_path() == private_settings and str(private_settings).startswith(str(tmp_path))
    assert load_settings() == (Settings(), "")
    save_settings(Settings(visual_offset_ms=42.5, display=2, fullscreen=True))
    assert load_settings() == (Settings(42.5, 2, True), "")
    assert private_settings.read_text().splitlines()[1:] == ["visual_offset_ms = 42.5", "display = 2",
                                                             "fullscreen = true"]


def test_damaged_settings_keep_what_is_readable(private_settings):
    private_settings.parent.mkdir(parents=True)
    private_settings.write_text('visual_offset_ms = "fast"\ndisplay = 0\nfullscreen = true\n')
    settings, warning = load_settings()
    assert settings == Settings(fullscreen=True)
    assert warning.endswith("ignored visual_offset_ms, display (not a valid value)")
    private_settings.write_text("visual_offset_ms = [")
    settings, warning = load_settings()
    assert settings == Settings() and "unreadable" in warning


def test_rendered_lines_are_kept_by_their_size_not_their_number():
    text = Text()
    # a show whose numbers change (the chaos's "+83 ms", the clocks) renders new lines all along
    for n in range(400):
        text.line(f"+{n} ms", 160, (255, 255, 255))
    kept = sum(surface.get_pitch() * surface.get_height() for surface, _ in text._lines.values())
    assert kept == text._line_bytes <= CACHE_LINE_BYTES
    assert text.line("+399 ms", 160, (255, 255, 255)) is text._lines[("+399 ms", 160, (255, 255, 255))]
