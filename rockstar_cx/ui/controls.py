"""Every key of the stage app, in one table: the key handler, the help overlay and the README read it.

A key press is a :class:`~rockstar_cx.live.intent.Target`, what the presenter (or the stage's
own view) carries out; the actions only a controller has (launch, live hit, volumes) have no key.

Presentation clickers are keyboards with a few keys: PageDown/PageUp (some send Right/Left), one
button that sends F5 and Esc alternately, and one that sends "." or B to blank the screen.  The
table maps all of them, so any clicker drives the show without setup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from ..live.intent import Action, Target


@dataclass(frozen=True)
class Binding:
    keys: str  # as the help overlay and the README show them
    action: Action
    does: str


BINDINGS: tuple[Binding, ...] = (
    Binding("PageDown · → · Space", Action.GO, "GO: the next moment enters at the next bar line, counted down on stage"),
    Binding("PageUp · ←", Action.BACK, "back one moment (drops the last layer); disarms a GO not yet played"),
    Binding("F5", Action.START_STOP, "start (with count-in) / stop with a fade, like Esc"),
    Binding("Esc", Action.PANIC, "panic: fade out by the next bar line; press again to stop at once"),
    Binding(". · B", Action.BLACKOUT, "blackout the stage screen (the sound goes on); again to come back"),
    Binding("1 – 8", Action.MUTE, "mute / unmute section 1–8"),
    Binding("Shift + 1 – 8", Action.SOLO, "solo / unsolo section 1–8"),
    Binding("Ctrl + 1 – 8", Action.TEACH, "teach section 1–8: its part alone after a count-in, then “your turn”"),
    Binding("T", Action.TAP, "tap tempo (from the third tap)"),
    Binding("+", Action.FASTER, "tempo +1 bpm (from the next beat)"),
    Binding("−", Action.SLOWER, "tempo −1 bpm"),
    Binding("C", Action.CLICK, "click track on / off"),
    Binding("M", Action.CUE, "cue mix on / off (the presenter's in-ears: play --cue-channels)"),
    Binding("R", Action.RESET, "reset: no mutes, solos or tempo changes; click, blackout, help and teaching off"),
    Binding("H", Action.HELP, "this help"),
    Binding("Tab", Action.CONSOLE, "presenter console over the stage (one screen); to a second screen once plugged in"),
    Binding("L", Action.LEARN, "MIDI learn on / off: press a key or click a button, then move a control"),
    Binding("F9", Action.CALIBRATE, "calibrate the projector delay, while stopped (its own screen says how)"),
    Binding("F8", Action.ROOM, "calibrate the room microphone's round trip, while stopped: a sweep from the PA"),
    Binding("F12", Action.SCREENSHOT, "save screenshots of the stage and the console"),
    Binding("F11", Action.FULLSCREEN, "stage window fullscreen on / off"),
    Binding("Ctrl + Q", Action.QUIT, "quit (while playing: again within 2 s, or Enter, confirms; Alt+F4 too)"),
)

_DIGITS = {getattr(pygame, f"K_{n}"): n for n in range(1, 9)} | {getattr(pygame, f"K_KP{n}"): n for n in range(1, 9)}
_PLAIN = {
    pygame.K_PAGEDOWN: Action.GO, pygame.K_RIGHT: Action.GO, pygame.K_SPACE: Action.GO,
    pygame.K_PAGEUP: Action.BACK, pygame.K_LEFT: Action.BACK,
    pygame.K_F5: Action.START_STOP, pygame.K_ESCAPE: Action.PANIC,
    pygame.K_PERIOD: Action.BLACKOUT, pygame.K_b: Action.BLACKOUT,
    pygame.K_t: Action.TAP, pygame.K_c: Action.CLICK, pygame.K_m: Action.CUE, pygame.K_r: Action.RESET, pygame.K_l: Action.LEARN, pygame.K_h: Action.HELP, pygame.K_TAB: Action.CONSOLE,
    pygame.K_F9: Action.CALIBRATE, pygame.K_F8: Action.ROOM, pygame.K_F12: Action.SCREENSHOT, pygame.K_F11: Action.FULLSCREEN,
    pygame.K_PLUS: Action.FASTER, pygame.K_EQUALS: Action.FASTER, pygame.K_KP_PLUS: Action.FASTER,
    pygame.K_MINUS: Action.SLOWER, pygame.K_KP_MINUS: Action.SLOWER,
}


def target_for(key: int, mod: int) -> Target | None:
    """What a key press asks for (with its section for the digits); None for keys the stage ignores."""
    ctrl, shift = bool(mod & pygame.KMOD_CTRL), bool(mod & pygame.KMOD_SHIFT)
    if key in _DIGITS:
        section = _DIGITS[key] - 1
        return Target(Action.TEACH if ctrl else Action.SOLO if shift else Action.MUTE, section)
    if ctrl and key == pygame.K_q:
        return Target(Action.QUIT)
    action = _PLAIN.get(key)
    if action is None or ctrl:  # Ctrl+C etc. belong to the system, not the show
        return None
    return Target(action)


def help_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for the help overlay and the README table."""
    return [(b.keys, b.does) for b in BINDINGS]
