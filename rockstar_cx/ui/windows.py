"""The stage app's windows: the console's own window on a second screen, displays plugged in or pulled out while
the show runs, fullscreen.

A mixin of :class:`~.app.StageApp` (as :class:`~.input.Input` is), kept apart so the app's module stays about
drawing; the decisions themselves (which display, how large) are :mod:`.screens`'.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import pygame

from .screens import POLL_S, presenter_screen, window_size

if TYPE_CHECKING:
    from ..live.presenter import Presenter
    from .console import ConsoleInfo
    from .settings import Settings

CONSOLE_SIZE = (1280, 800)


def on_display(index: int) -> tuple[int, int]:
    position = pygame.WINDOWPOS_CENTERED | index  # SDL's "centred on display N"
    return position, position


def size_of(sizes: list[tuple[int, int]], index: int) -> tuple[int, int] | None:
    """The size of the display a window must fit in; None under SDL's dummy driver, whose 1024×768 "display" is
    no screen (its windows are surfaces in memory, of any size: unattended runs and screenshots)."""
    if pygame.display.get_driver() == "dummy":
        return None
    return sizes[index] if 0 <= index < len(sizes) else None


class Windows:
    """The console window, hot-plugged displays and fullscreen, for :class:`~.app.StageApp`."""

    presenter: Presenter
    stage: pygame.Window
    stage_display: int
    console_window: pygame.Window | None
    presenter_display: int | None
    console: bool
    fullscreen: bool
    settings: Settings
    _console_due: bool
    _console_info: ConsoleInfo | None
    _displays: int
    _displays_seen: float

    def _open_console(self, display: int, sizes: list[tuple[int, int]]) -> None:
        self.console_window = pygame.Window("rockstar-cx — presenter console",
                                            window_size(CONSOLE_SIZE, size_of(sizes, display)), on_display(display),
                                            resizable=True)

    def to_presenter_screen(self) -> bool:
        """Move the console overlaid on the stage to a display plugged in since (the stage stays where it is);
        False when there is none to move to."""
        if self.presenter_display is None or self.console_window is not None:
            return False
        self._open_console(self.presenter_display, pygame.display.get_desktop_sizes())
        self.presenter_display, self.console, self._console_due = None, False, True
        self.presenter.message = "The console is on the presenter screen; the stage stays on the projector"
        return True

    def _watch_displays(self) -> None:
        """A display plugged in or pulled out (looked for every :data:`~.screens.POLL_S`): with the console over
        the stage, a new one is offered as the presenter screen (Tab or the console's button moves the console
        there); the presenter screen pulled out brings the console back over the stage, hidden until Tab."""
        now = time.monotonic()
        if now - self._displays_seen < POLL_S:
            return
        self._displays_seen = now
        sizes = pygame.display.get_desktop_sizes()
        if len(sizes) == self._displays:
            return
        self._displays, self._console_due = len(sizes), True
        if self.console_window is None:
            self.presenter_display = presenter_screen(sizes, self.stage_display)
            if self.presenter_display is not None:
                self.presenter.message = "A second screen: Tab moves the console there (the stage stays here)"
        elif len(sizes) < 2:
            self.console_window.destroy()
            self.console_window, self.console, self._console_info = None, False, None
            self.presenter.message = "The presenter screen is gone: Tab shows the console over the stage"

    def toggle_fullscreen(self, save: bool = True) -> None:
        self.fullscreen = not self.fullscreen
        if self.fullscreen:
            self.stage.set_fullscreen(desktop=True)
        else:
            self.stage.set_windowed()
        if save:
            self._save(replace(self.settings, fullscreen=self.fullscreen))
