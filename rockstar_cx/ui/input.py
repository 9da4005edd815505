"""The stage app's input: keys, clicks and the window's close, each doing what a screen says.

A mixin of :class:`~.app.StageApp` (its state: the presenter, the dialogs, calibration, MIDI
learn), kept apart so the app's module stays about drawing.  The order in which a key is
heard: an open question (resume?  quit?) takes only its own keys, then calibration takes only
its own, then the key table (:mod:`.controls`); a key that does nothing says so on the console.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pygame

from ..live.intent import CONTROLLER_ONLY, Action, Target
from .console import LEARN_ONLY
from .controls import target_for
from .dialogs import Dialog, QuitGuard, resume_dialog

if TYPE_CHECKING:
    from ..live.presenter import Presenter
    from ..live.resume import Keeper, Offer
    from ..live.surface import MidiSurface
    from ..live.view import EngineView
    from ..show.model import Show
    from .calibrate import Calibration
    from .console import ConsoleView
    from .settings import Settings

# What MIDI learn can bind from the stage: while learning, these keys and buttons choose a target
LEARNABLE = {Action.GO, Action.BACK, Action.START_STOP, Action.PANIC, Action.BLACKOUT, Action.MUTE, Action.SOLO,
             Action.TEACH, Action.TAP, Action.FASTER, Action.SLOWER, Action.CLICK, Action.CUE, Action.RESET} | LEARN_ONLY
ENTER = (pygame.K_RETURN, pygame.K_KP_ENTER)
REDRAW_EVENTS = {pygame.WINDOWEXPOSED, pygame.WINDOWFOCUSGAINED, pygame.WINDOWRESTORED, pygame.WINDOWSHOWN,
                 pygame.WINDOWSIZECHANGED, pygame.WINDOWRESIZED, pygame.WINDOWMAXIMIZED}
MODIFIERS = {pygame.K_LSHIFT, pygame.K_RSHIFT, pygame.K_LCTRL, pygame.K_RCTRL, pygame.K_LALT, pygame.K_RALT,
             pygame.K_LGUI, pygame.K_RGUI, pygame.K_CAPSLOCK, pygame.K_NUMLOCKCLEAR, pygame.K_MODE}


class Input:
    """Keys, clicks and close events, for :class:`~.app.StageApp`."""

    presenter: Presenter
    view: EngineView
    show: Show
    console_view: ConsoleView
    console_window: pygame.Window | None
    console: bool
    calibration: Calibration | None
    keeper: Keeper | None
    offer: Offer | None
    quitting: QuitGuard
    midi: MidiSurface | None
    learning: bool
    running: bool
    settings: Settings
    offset_ms: float
    _console_due: bool

    def dialog(self) -> Dialog | None:
        """The question the console asks now, if any."""
        if self.offer is not None:
            return resume_dialog(self.offer, self.show)
        return self.quitting.dialog()

    # -- input -----------------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        kind = event.type
        if kind in (pygame.QUIT, pygame.WINDOWCLOSE):
            self._console_due = True
            self.request_quit(close=True)
        elif kind in REDRAW_EVENTS:
            self._console_due = True  # the stage is redrawn whole every frame anyway
        elif kind == pygame.KEYDOWN:
            self._key(event.key, event.mod)
        elif kind == pygame.MOUSEBUTTONDOWN and event.button == 1:
            window = getattr(event, "window", None)
            if (self.console_window is not None and window == self.console_window) or (
                    self.console_window is None and self.console):
                target = self.console_view.hit(event.pos)
                if target is not None and self.dialog() is not None:
                    self.presenter.message = "Answer the question first, with the keys it names"
                elif target is not None:
                    self.do(target)

    def _key(self, key: int, mod: int) -> None:
        self._console_due = True
        if key in MODIFIERS:
            return
        target = target_for(key, mod)
        action = None if target is None else target.action
        if self.offer is not None:
            return self._resume_key(key, action)
        if self.quitting.asking:
            if key in ENTER or action is Action.QUIT:
                self._quit()
            elif key == pygame.K_ESCAPE:
                self.quitting.cancel()
                self.presenter.message = "Carrying on"
            else:
                self.presenter.message = "Ignored: quit? Ctrl+Q again or Enter quits, Esc carries on"
            return
        if self.calibration is not None:
            return self._calibrating_key(key, mod)
        if target is None:
            self.presenter.message = f"Ignored: {pygame.key.name(key) or 'that key'} does nothing (H lists the keys)"
        else:
            self.do(target)

    def _resume_key(self, key: int, action: Action | None) -> None:
        offer, keeper = self.offer, self.keeper
        if key in ENTER or action is Action.GO:
            self.offer = None
            self.presenter.restore_tempo = keeper.accept(offer, self.presenter.send)
            moment = min(offer.saved.moment, len(self.show.moments) - 1)
            self.presenter.message = f"Resumed at moment {moment + 1}: F5 starts it"
        elif key == pygame.K_ESCAPE or action is Action.BACK:
            self.offer = None
            keeper.decline()
            self.presenter.message = "Starting from the top: F5 starts the show"
        elif action is Action.QUIT:
            self.running = False  # unanswered: the state stays for the next start
        else:
            self.presenter.message = "Ignored: Enter or GO resumes, Esc or back starts from the top"

    def request_quit(self, close: bool = False) -> None:
        """Ctrl+Q or the window's close: at once when stopped, confirmed while playing."""
        playing = self.view.transport().playing and self.calibration is None  # calibrating: the show is stopped
        if self.quitting.request(playing, close=close):
            self._quit()
        elif self.quitting.asking:
            self.presenter.message = "Quit? Ctrl+Q again or Enter within 2 s quits; Esc carries on"

    def _quit(self) -> None:
        stopped = self.calibration is not None or not self.view.transport().playing
        if self.calibration is not None:
            self._end_calibration(keep=False)
        if self.keeper is not None and self.offer is None and stopped:
            self.keeper.clear()  # quit while stopped: a clean end, nothing to resume
        self.running = False

    def do(self, target: Target) -> None:
        """What a key or a console button asks for: the presenter's to do (while MIDI learn is on,
        it chooses what the next control moved will do instead)."""
        self._console_due = True
        if self.learning and target.action in LEARNABLE:
            self._choose(target)
        elif target.action in CONTROLLER_ONLY:
            pass  # a learn-only button, clicked after learn was switched off
        else:
            self.presenter.act(target)

    # -- MIDI learn -------------------------------------------------------------------------------

    def learn(self, on: bool) -> None:
        """MIDI learn on or off.  While on, keys and console buttons choose what a control will do."""
        if self.midi is None or not self.midi.learn(on):
            self.presenter.message = "MIDI learn needs a controller: play --midi-in NAME"
            return
        self.learning = on
        self.presenter.message = "MIDI learn: press a key or click a button, then move a control" if on else \
            "MIDI learn off: bindings saved"

    def _choose(self, target: Target) -> None:
        self.midi.select(target)
        self.presenter.message = f"MIDI learn: move a control to bind it to {target}"

    def _calibrating_key(self, key: int, mod: int) -> None:
        done = self.calibration.key(key, mod)
        if done in ("save", "cancel"):
            self._end_calibration(keep=done == "save")
        elif done == "quit":
            self._quit()
        elif done == "ignored":
            self.presenter.message = "Calibrating: ←/→ move the flash, Enter saves, Esc cancels (other keys ignored)"
        else:
            self.offset_ms = self.calibration.offset_ms

    def _end_calibration(self, keep: bool) -> None:
        calibration, self.calibration = self.calibration, None
        calibration.end(len(self.show.sections), self.presenter.send)
        if keep:
            self._save(replace(self.settings, visual_offset_ms=calibration.offset_ms))
            self.presenter.message = f"Projector delay {calibration.offset_ms:+.0f} ms saved"
        else:
            calibration.offset_ms = calibration.original_ms
            self.presenter.message = "Calibration cancelled"
        self.offset_ms = calibration.offset_ms

