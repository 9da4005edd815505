"""Screens (issue 14.4): a window never opens larger than its display, and a display plugged in while the show runs
is offered as the presenter screen.

A real hot-plug cannot be made under Xvfb (its one RandR output never changes, and SDL sees one
display even with Xinerama's two screens), so the hot-plug is tested with a made-up display list
handed to the app (SDL's own list is what :mod:`rockstar_cx.ui.windows` polls); the size rule is
also tested for real, in an Xvfb screen of 1024×768 with the x11 driver.
"""

from __future__ import annotations

import os

import pygame
import pytest

from rockstar_cx.live.intent import Action, Target
from rockstar_cx.ui import windows
from rockstar_cx.ui.screens import Placement, place, presenter_screen, window_size
from xserver import xvfb

from .test_app import frames, press, stage  # noqa: F401  (the fixture)
from .test_cli import play


def test_placement_puts_the_stage_on_the_last_display_and_the_console_on_another():
    assert place([(1920, 1080)], None, None) == Placement(0, None)
    assert place([(1280, 800), (1920, 1080)], None, None) == Placement(1, 0)
    assert place([(1280, 800), (1920, 1080)], 1, None) == Placement(0, 1)
    assert place([(1280, 800), (1920, 1080)], 9, None) == Placement(1, 0)  # a display that went: the last one
    assert place([(1280, 800), (1920, 1080)], None, False) == Placement(1, None)
    assert place([(1280, 800)], None, True) == Placement(0, 0)  # asked for: a console window on the same screen


def test_a_window_never_opens_larger_than_its_display():
    assert window_size((1280, 720), (1024, 768)) == (1024, 576)  # its shape kept
    assert window_size((1280, 800), (1024, 768)) == (1024, 640)
    assert window_size((1280, 720), (800, 600)) == (800, 450)
    assert window_size((1280, 720), (1920, 1080)) == (1280, 720)  # never made larger either
    assert window_size((1280, 720), None) == (1280, 720)


def test_the_presenter_screen_is_a_display_that_is_not_the_stages():
    assert presenter_screen([(1920, 1080)], 0) is None
    assert presenter_screen([(1920, 1080), (1280, 800)], 0) == 1
    assert presenter_screen([(1280, 800), (1920, 1080)], 1) == 0


def test_a_display_plugged_in_mid_show_becomes_the_presenter_screen_and_leaves_again(stage, monkeypatch):
    displays = [(1280, 720)]
    monkeypatch.setattr(windows.pygame.display, "get_desktop_sizes", lambda: list(displays))
    app = stage(size=(640, 360))
    assert app.console_window is None and app.stage_display == 0
    frames(app, 0.2)
    stage_window, stage_size = app.stage, app.stage.size
    displays.append((1024, 768))  # the laptop's screen is plugged in
    app._displays_seen = float("-inf")
    app.step()
    assert app.presenter_display == 1 and "Tab moves the console there" in app.presenter.message
    assert not app.console  # nothing shows on the stage: the offer is on the console and in the message
    app.console_view.draw(pygame.Surface((1280, 800)), app._info(app.view.transport(), app.frame, None), None)
    assert Target(Action.CONSOLE) in [target for _, target in app.console_view.buttons]
    assert "PRESENTER SCREEN  Tab" in {box.whole for box in app.console_view.painter.boxes}
    press(app, pygame.K_TAB)
    assert app.console_window is not None and not app.console  # the console is a window of its own now...
    assert app.stage is stage_window and app.stage.size == stage_size  # ... and the stage stayed where it was
    assert "presenter screen" in app.presenter.message
    frames(app, 0.2)
    displays.pop()  # unplugged again: the console goes back over the stage, hidden until Tab
    app._displays_seen = float("-inf")
    app.step()
    assert app.console_window is None and not app.console and "gone" in app.presenter.message
    press(app, pygame.K_TAB)
    assert app.console  # one screen again: Tab lays the console over the stage (with its first-time warning)


def test_on_a_1024x768_screen_the_stage_window_opens_no_larger_than_it(jack_server, tmp_path):
    shot = tmp_path / "stage.png"
    with xvfb("1024x768") as display:
        env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", XDG_CONFIG_HOME=str(tmp_path / "config"))
        result = play("--duration", "2", "--moment", "2", "--screenshot", str(shot), env=env)
    assert result.returncode == 0, result.stderr
    width, height = pygame.image.load(str(shot)).get_size()
    assert width <= 1024 and height <= 768 and (width, height) == (1024, 576)  # 1280×720 asked, its shape kept


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_the_console_window_fits_the_display_it_opens_on(size):
    assert all(a <= b for a, b in zip(window_size(windows.CONSOLE_SIZE, size), size))
