"""Calibration: the projector's delay, measured by the presenter's eyes and ears.

Projectors and TVs show a frame 20-80 ms after they receive it, and no computer can know how
long.  The calibration screen plays the click track alone (every section muted, the show
started where it stands) and flashes a disc on each click, drawn by the same clock as every
cue.  The presenter moves the flash earlier or later with ←/→ (Shift: finer) until flash and
click coincide; Enter saves the delay in the settings, Esc leaves it as it was; every other key
is ignored (:meth:`Calibration.key`), Ctrl+Q aside.  Only while the show is stopped: during a show
F9 is refused, and its instructions are never shown.  On the way out
the show is stopped and put back exactly: mutes, click track and the moment it starts at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

from ..audio.commands import SetClick
from ..conductor.commands import Launch, Mute, Start, Stop
from ..conductor.conductor import Transport
from .cues import Frame
from .palette import BACKGROUND, INK, SOFT_INK, WARN, mix
from .settings import MAX_OFFSET_MS
from .text import Text
from .widgets import Painter

STEP_MS, FINE_STEP_MS = 5.0, 1.0
FLASH_S = 0.1  # how long the disc stays lit after each click
MAX_FLASH_HZ = 2.5  # below the 3 per second photosensitivity limit, whatever the tempo


@dataclass
class Calibration:
    offset_ms: float  # the delay being tried
    original_ms: float
    muted: frozenset[int]  # sections muted before: they stay muted afterwards
    click: bool
    moment: int

    @classmethod
    def begin(cls, offset_ms: float, now: Transport, click: bool, sections: int,
              send: Callable[[object], bool]) -> Calibration:
        for section in range(sections):
            if section not in now.muted:
                send(Mute(section, True))
        send(SetClick(True))
        send(Start(count_in=False))
        return cls(offset_ms, offset_ms, now.muted, click, now.moment)

    def key(self, key: int, mod: int) -> str:
        """A key while calibrating: "nudged", "save", "cancel", "quit" or "ignored"."""
        if key in (pygame.K_RIGHT, pygame.K_LEFT):
            step = FINE_STEP_MS if mod & pygame.KMOD_SHIFT else STEP_MS
            self.nudge(step if key == pygame.K_RIGHT else -step)
            return "nudged"
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            return "save"
        if key == pygame.K_ESCAPE:
            self.offset_ms = self.original_ms
            return "cancel"
        return "quit" if key == pygame.K_q and mod & pygame.KMOD_CTRL else "ignored"

    def nudge(self, ms: float) -> None:
        self.offset_ms = max(-MAX_OFFSET_MS, min(MAX_OFFSET_MS, self.offset_ms + ms))

    def end(self, sections: int, send: Callable[[object], bool]) -> None:
        send(Stop())
        send(Launch(self.moment))  # stopped: chooses where Start begins again
        for section in range(sections):
            if section not in self.muted:
                send(Mute(section, False))
        send(SetClick(self.click))


def flash_on(frame: Frame) -> bool:
    """Lit for :data:`FLASH_S` after each beat (only every other beat when beats come too fast)."""
    if frame.state != "playing":
        return False
    every = 1
    while 1.0 / (frame.beat_seconds * every) > MAX_FLASH_HZ:
        every += 1
    return frame.beat % every == 0 and frame.beat_phase * frame.beat_seconds < FLASH_S


def draw_calibration(surface: pygame.Surface, text: Text, frame: Frame, calibration: Calibration) -> Painter:
    surface.fill(BACKGROUND)
    painter = Painter(text)
    w, h = surface.get_size()
    caption = round(h / 25 * 1.05)
    lit = flash_on(frame)
    radius = round(h * 0.14)  # small enough that its flash never flashes the whole screen
    center = (w // 2, round(h * 0.4))
    pygame.draw.circle(surface, INK if lit else mix(BACKGROUND, INK, 0.12), center, radius)
    pygame.draw.circle(surface, SOFT_INK, center, radius, max(2, h // 200))
    title = "CALIBRATION: FLASH AND CLICK TOGETHER"
    painter.line(surface, "title", title, caption, WARN, (w // 2, round(h * 0.08)), "center",
                 px=text.fit(title, caption, w * 0.9, caption))
    painter.line(surface, "caption", "PROJECTOR DELAY", caption, SOFT_INK, (w // 2, round(h * 0.64)), "center")
    painter.line(surface, "cue", f"{calibration.offset_ms:+.0f} ms", round(h / 12 * 1.02), INK,
                 (w // 2, round(h * 0.75)), "center")
    for row, keys in enumerate(("← flash later   → flash earlier   Shift: 1 ms", "Enter saves   Esc cancels")):
        painter.line(surface, "caption", keys, caption, SOFT_INK, (w // 2, round(h * (0.88 + 0.07 * row))), "center",
                     px=text.fit(keys, caption, w * 0.94, caption))
    return painter
