"""The real app on the real engine (JACK dummy device), driven by a clicker's keys, read on the
console's text boxes: time in sight, GO and the end, reset, quitting, the console's truth, the
built-in show from start to finish."""

from __future__ import annotations

import dataclasses

import pygame
import pytest

from rockstar_cx.audio.commands import SetClick
from rockstar_cx.audio.health import Counters
from rockstar_cx.conductor import Launch, Next, NudgeTempo, Previous, Quantize, Reset, Start
from rockstar_cx.conductor.events import MomentStart, Stop
from rockstar_cx.live.journey import journey
from rockstar_cx.show import load_show
from rockstar_cx.ui.palette import ALERT, OK, SOFT_INK

from .test_app import BAR, SHOW, applied, frames, marks, press, stage, start_playing, transport, until  # noqa: F401

assert stage  # the fixture, imported for these tests


def texts(app) -> set[str]:
    """Every line the console drew last (a separate console window: drawn every 4th frame)."""
    app._console_due = True
    app.step()
    return {box.whole or box.text for box in app.console_view.painter.boxes}  # a wrapped line: its whole text


def shows(app, words: str) -> bool:
    return any(words in text for text in texts(app))


def sees(app, words: str, timeout: float = 2.0) -> None:
    """The console says ``words`` within ``timeout`` (the frame shows the sound heard: a little behind the engine)."""
    until(app, lambda: shows(app, words), timeout)


def colors(app) -> dict[str, tuple[int, int, int]]:
    texts(app)
    return {box.whole or box.text: box.color for box in app.console_view.painter.boxes}


def test_the_console_says_the_bar_of_its_length_what_comes_and_what_go_does_in_the_last_moment(stage):
    app = stage(separate_console=True)
    origin = start_playing(app, 3)  # "all": the last moment, 2 bars, then it holds
    sees(app, "bar 1 of 2 · beat")
    assert shows(app, "then holds (until GO)") and shows(app, "GO ends the show: final hit in ")
    until(app, lambda: transport(app).bar >= 2, timeout=4)
    sees(app, "bar 3 · holding after its 2 bars")
    assert transport(app).playing and transport(app).moment == 3
    clocks = next(t for t in texts(app) if t.startswith("show "))
    assert clocks.startswith("show 00:0") and "· moment 00:0" in clocks and "· left 00:0" in clocks

    press(app, pygame.K_PAGEDOWN)  # GO: the end armed, counted down, and back cancels it
    until(app, lambda: applied(app, Next) and app.view.transport().armed == -1)
    (go, _), = applied(app, Next)
    sees(app, "ENDING ARMED: final hit in ")
    assert shows(app, "back (PgUp) cancels")
    ending = app.view.transport().armed_sample
    frames(app, 0.35)
    bar = transport(app).bar
    press(app, pygame.K_PAGEUP)
    until(app, lambda: applied(app, Previous))
    assert [c for _, c in applied(app, Previous)] == [Previous(Quantize.BAR)]
    until(app, lambda: app.view.position > ending + BAR // 2, timeout=4)
    assert transport(app).playing and not marks(app, Stop)  # the end never came...
    now = transport(app)  # ...and the moment played on where it was: disarmed, not launched again
    assert now.armed is None and now.moment == 3 and now.bar > bar and len(applied(app, Launch)) == 1

    press(app, pygame.K_PLUS)  # a live tempo change, then the end for real
    sees(app, "(nudged; R resets)")
    frames(app, 0.35)
    press(app, pygame.K_RIGHT)
    until(app, lambda: marks(app, Stop), timeout=5)
    assert marks(app, Stop)[0].finished
    until(app, lambda: app.frame.state == "finished")
    assert origin < go
    press(app, pygame.K_F5)  # the restart after the finale plays the show's tempo
    until(app, lambda: marks(app, MomentStart)[-1].moment == 0 and transport(app).moment == 0)
    assert transport(app).tempo == SHOW.tempo == 240.0


def test_reset_clears_mutes_solos_tempo_click_overlays_and_teaching(stage):
    app = stage()
    start_playing(app, 2)
    for key, mod in [(pygame.K_1, 0), (pygame.K_2, pygame.KMOD_LSHIFT), (pygame.K_PLUS, 0), (pygame.K_c, 0),
                     (pygame.K_b, 0), (pygame.K_h, 0)]:
        press(app, key, mod)
    until(app, lambda: transport(app).tempo == 241.0 and app.view.click)
    assert app.blackout and app.help and transport(app).muted == {0} and transport(app).soloed == {1}
    press(app, pygame.K_r)
    until(app, lambda: applied(app, Reset))
    assert [c for _, c in applied(app)][-2:] == [Reset(), SetClick(False)]
    until(app, lambda: transport(app).tempo == 240.0)
    t = transport(app)
    assert (t.muted, t.soloed, app.view.click, app.blackout, app.help) == (set(), set(), False, False, False)
    assert [c for _, c in applied(app, NudgeTempo)] == [NudgeTempo(1.0)]


def test_quitting_while_playing_asks_on_the_console_and_other_keys_never_act_on_the_show(stage):
    app = stage(separate_console=True)
    start_playing(app, 1)
    press(app, pygame.K_q, pygame.KMOD_LCTRL)
    assert app.running and shows(app, "QUIT WHILE THE SHOW PLAYS?")
    sent = len(applied(app))
    for key in (pygame.K_PAGEDOWN, pygame.K_F5, pygame.K_1):  # ignored, each with a message
        press(app, key)
        assert app.presenter.message.startswith("Ignored: quit?")
    press(app, pygame.K_ESCAPE)  # carries on: no panic
    frames(app, 0.2)
    assert len(applied(app)) == sent and transport(app).playing and app.running
    assert not shows(app, "QUIT WHILE THE SHOW PLAYS?")
    # Alt+F4: the window's close and SDL's quit in one frame are one request; Enter on the dialog quits
    pygame.event.post(pygame.event.Event(pygame.WINDOWCLOSE, window=app.stage))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step()
    assert app.running and shows(app, "QUIT WHILE THE SHOW PLAYS?")
    press(app, pygame.K_RETURN)
    assert not app.running and transport(app).playing


def test_ctrl_q_twice_quits_and_stopped_it_quits_at_once(stage):
    app = stage()
    start_playing(app)
    press(app, pygame.K_q, pygame.KMOD_LCTRL)
    assert app.running
    press(app, pygame.K_q, pygame.KMOD_RCTRL)
    assert not app.running
    stopped = stage()
    press(stopped, pygame.K_q, pygame.KMOD_LCTRL)
    assert not stopped.running


def test_keys_do_what_the_screen_says_or_are_ignored_with_a_message(stage):
    app = stage()
    start_playing(app, 1)
    press(app, pygame.K_F9)  # no calibration during a show, and none of its instructions
    assert app.calibration is None and app.presenter.message == "F9 ignored: calibrate while the show is stopped"
    press(app, pygame.K_x)
    assert app.presenter.message == "Ignored: x does nothing (H lists the keys)"
    press(app, pygame.K_RIGHT)  # → is GO, as the help says
    until(app, lambda: applied(app, Next))


def test_teaching_and_a_panic_fade_have_their_own_words_never_go_armed(stage):
    app = stage(separate_console=True)
    start_playing(app)
    press(app, pygame.K_2, pygame.KMOD_LCTRL)
    until(app, lambda: transport(app).armed == 2)
    lines = texts(app)
    assert any(t.startswith("TEACHING SALES: the part starts") for t in lines)
    assert not any("ARMED" in t for t in lines) and "NEXT (GO ends teaching)" in lines
    assert "Marketing alone" in lines  # what GO moves on to: the moment after the one taught from
    press(app, pygame.K_ESCAPE)
    until(app, lambda: app.view.panic_sample is not None)
    lines = texts(app)
    assert any(t.startswith("FADING OUT: silent") for t in lines) and not any("ARMED" in t for t in lines)


def test_the_underflows_are_counted_since_the_start_and_only_our_faults_are_red(stage):
    app = stage(separate_console=True)
    real = app.view.health
    device = Counters(underflows=5, late_callbacks=3)  # the VM's own xruns, before the show
    app.view.health = lambda: dataclasses.replace(real(), counters=device)
    boxes = colors(app)
    assert boxes["underflows -- since start · device's own count 5 · late 3 · missed 0"] == SOFT_INK
    assert boxes["engine: every block delivered"] == OK
    start_playing(app)
    device = Counters(underflows=7, late_callbacks=4)
    boxes = colors(app)
    assert boxes["underflows 2 since start · device's own count 7 · late 4 · missed 0"] == SOFT_INK
    assert boxes["engine: every block delivered"] == OK
    device = Counters(underflows=8, dropped_blocks=1)  # a block our renderer did not have ready: ours
    boxes = colors(app)
    assert boxes["engine: 1 blocks not delivered (dropped 1 · errors 0 · non-finite 0)"] == ALERT


def _quick_builtin():
    """The built-in show, every moment's `then` as shipped, at 300 bpm and at most 2 bars a moment (to be quick)."""
    show = load_show(None)
    moments = tuple(dataclasses.replace(m, bars=min(m.bars, 2), tempo=300.0 if m.tempo else None,
                                        tempo_end=300.0 if m.tempo_end else None) for m in show.moments)
    return dataclasses.replace(show, tempo=300.0, moments=moments)


def test_the_builtin_show_holds_in_every_moment_until_go_and_a_then_next_moment_says_when_it_goes(stage):
    show = _quick_builtin()
    assert [m.then for m in show.moments] == ["hold"] * 8
    # its chaos, told to move on by itself: what the console and the stage say of such a moment
    show = dataclasses.replace(show, moments=tuple(dataclasses.replace(m, then="next") if m.mode == "chaos" else m
                                                   for m in show.moments))
    app = stage(show, separate_console=True)
    press(app, pygame.K_F5)
    bar = 4 * 60 * 48000 // 300
    for moment, m in enumerate(show.moments):
        until(app, lambda: transport(app).moment == moment and transport(app).playing
              and not transport(app).counting_in, timeout=10)
        if m.then == "next":  # it moves on by itself, and says so, on the console and on stage
            sees(app, "then NEXT: Enter the conductor in 2 bars")
            assert app.briefing.stage_line in ("NEXT MOMENT IN 2 BARS", "NEXT MOMENT IN 1 BAR")
            until(app, lambda: any(b.text.startswith("NEXT MOMENT IN") for b in app.stage_view.texts))
            continue
        held = max(m.bars, 1)
        until(app, lambda: transport(app).bar >= held and transport(app).moment == moment, timeout=10)
        frames(app, bar * 1.2 / 48000)  # a bar past its end: still there
        assert transport(app).moment == moment and transport(app).armed is None
        assert shows(app, "then holds (until GO)") and app.briefing.stage_line is None
        assert not any("NEXT MOMENT" in b.text for b in app.stage_view.texts)
        if moment == len(show.moments) - 1:
            assert shows(app, "GO ends the show: final hit in ")
        press(app, pygame.K_PAGEDOWN)
        until(app, lambda: transport(app).armed is not None or not transport(app).playing)
    until(app, lambda: marks(app, Stop), timeout=10)
    view = app.view
    left = [e.left_by for e in journey(show, 48000, view.marks, view.applied, view.entry_bars, view.position)]
    assert left == ["go"] * 5 + ["by itself", "go", "end"]
    assert [c for _, c in applied(app)] == [Start(count_in=True)] + [Next(Quantize.BAR)] * 7


pytestmark = pytest.mark.usefixtures("jack_server")
