"""Issue 14.6: the stage draws only what changed — a still stage is neither drawn nor flipped, a change flips it
once, a playing stage flips every frame; one screen warns the first time the help or the console shows."""

from __future__ import annotations

import time

import pygame

from rockstar_cx.conductor import Start
from rockstar_cx.live.intent import Action
from rockstar_cx.ui import app as app_module
from rockstar_cx.ui.app import StageApp
from rockstar_cx.ui.palette import ALERT

from .test_app import frames, press, stage  # noqa: F401  (the fixture)


def still(app: StageApp, count: int) -> int:
    """Flips over ``count`` steps."""
    before = app.flips
    for _ in range(count):
        app.step()
    return app.flips - before


def test_a_stopped_stage_is_not_drawn_again_and_a_change_flips_it_once(stage):
    app = stage(size=(640, 360))
    frames(app, 0.3)
    assert app.frame.state == "stopped"
    assert still(app, 30) == 0 and app.idle
    app.on_view(Action.BLACKOUT)
    assert still(app, 30) == 1  # blacked out: drawn once, then still again
    assert pygame.Color(app.stage.get_surface().get_at((320, 180)))[:3] == (0, 0, 0)
    press(app, pygame.K_h)  # help: a key is a change
    assert app.help
    flips = app.flips
    assert still(app, 5) <= 1 and app.flips - flips <= 1


def test_an_expose_redraws_a_still_stage(stage):
    app = stage(size=(640, 360))
    frames(app, 0.3)
    assert still(app, 10) == 0
    pygame.event.post(pygame.event.Event(pygame.WINDOWEXPOSED, window=app.stage))
    assert still(app, 10) == 1


def test_a_playing_stage_flips_every_frame(stage):
    app = stage(size=(640, 360))
    app.presenter.send(Start(moment=1, count_in=False))
    deadline = time.monotonic() + 5
    while app.frame.state != "playing" and time.monotonic() < deadline:
        app.step()
    assert app.frame.state == "playing"
    partial = app.partial_flips
    assert still(app, 20) == 20 and not app.idle
    if app_module._PUSH is not None:  # only what moved goes to the display, most frames
        assert app.partial_flips - partial >= 10
        assert app.stage_view.moving is not None and app.stage_view.moving


def test_the_idle_loop_sleeps_on_events(stage):
    app = stage(size=(640, 360))
    frames(app, 0.3)
    before = app._frames
    app.run(0.5)
    assert app._frames - before <= 0.5 * 1000 / app_module.IDLE_WAIT_MS + 3  # about 10 steps a second, not 60


def test_one_screen_warns_the_first_time_the_audience_sees_help_or_console(stage):
    app = stage(size=(640, 360), separate_console=False)
    frames(app, 0.2)
    assert not app.help and not app.console  # only on demand
    app.on_view(Action.HELP)
    assert "audience sees the help" in app.presenter.message
    assert app._warning_shown()
    app.step()
    assert tuple(app.stage.get_surface().get_at((1, 1)))[:3] == ALERT  # the strip's frame
    app.on_view(Action.HELP)
    app.presenter.message = ""
    app.on_view(Action.HELP)  # the second time: no new warning
    assert app.presenter.message == ""
    app.on_view(Action.CONSOLE)
    assert "audience sees the console" in app.presenter.message
