"""The stage app: the projector's stage view and the presenter's console, driven by keys and clicks.

Two ``pygame.Window``s when there are two screens (the stage fullscreen on the projector, the
console on the laptop); with one screen, the console is an overlay over the stage (Tab).  The
app keeps no clock: each frame it replays what the engine applied (:class:`~.cues.CueTrack`) and
draws the moment that will be *heard* when the frame appears — the engine's clock fit, its
output latency and the projector delay (``--visual-offset``, or the calibrated setting).

Only ``pygame.display`` and ``pygame.font`` are initialised: the audio belongs to the engine
process, and pygame's mixer would only spam the log on machines without a sound card.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from pathlib import Path

import pygame

from ..audio.supervisor import AudioEngine
from ..conductor.commands import Start
from ..conductor.conductor import Transport
from ..errors import ShowError
from ..show.model import Show
from .calibrate import FINE_STEP_MS, STEP_MS, Calibration, draw_calibration
from .console import ButtonTarget, ConsoleInfo, ConsoleView, draw_help
from .controls import Action, action_for
from .cues import CueTrack, Frame, display_sample, preview_reach
from .director import Director
from .settings import Settings, load_settings, save_settings
from .stage import StageView, Teach
from .text import Text
from .widgets import TextBox

if TYPE_CHECKING:
    from ..midi.session import MidiSession

FPS = 60
CONSOLE_EVERY = 4  # the console changes slowly: redraw it every 4th frame (15 fps) unless poked
STAGE_SIZE = (1280, 720)
CONSOLE_SIZE = (1280, 800)
# What MIDI learn can bind from the stage: while learning, these keys and buttons choose a target
LEARNABLE = {Action.GO, Action.BACK, Action.START_STOP, Action.PANIC, Action.BLACKOUT, Action.MUTE, Action.SOLO,
             Action.TEACH, Action.TAP, Action.FASTER, Action.SLOWER, Action.CLICK}
REDRAW_EVENTS = {pygame.WINDOWEXPOSED, pygame.WINDOWFOCUSGAINED, pygame.WINDOWRESTORED, pygame.WINDOWSHOWN,
                 pygame.WINDOWSIZECHANGED, pygame.WINDOWRESIZED, pygame.WINDOWMAXIMIZED}


@dataclass(frozen=True)
class StageOptions:
    display: int | None = None  # the stage's screen, from 1; None: the settings', else the last screen
    fullscreen: bool | None = None  # None: as in the settings
    visual_offset_ms: float | None = None  # None: as in the settings
    separate_console: bool | None = None  # None: a console window when there are two screens
    size: tuple[int, int] = STAGE_SIZE
    start_moment: int | None = None  # start performing at once from this moment (unattended runs)
    screenshot_dir: Path = Path(".")
    save_settings: bool = True  # F11 and calibration write the settings file


def _on_display(index: int) -> tuple[int, int]:
    position = pygame.WINDOWPOS_CENTERED | index  # SDL's "centred on display N"
    return position, position


class StageApp:
    def __init__(self, show: Show, engine: AudioEngine, options: StageOptions = StageOptions(),
                 settings: Settings = Settings(), midi: MidiSession | None = None) -> None:
        pygame.display.init()
        pygame.font.init()
        self.show, self.engine, self.options = show, engine, options
        self.settings = settings
        self.rate = engine.config.samplerate
        self.offset_ms = settings.visual_offset_ms if options.visual_offset_ms is None else options.visual_offset_ms
        self.text = Text()
        self.cues = CueTrack(show, self.rate)
        self.director = Director(show, engine.send, self.rate)
        self.midi = midi  # controllers act through the same Director as the keys
        if midi is not None:
            midi.use_director(self.director)
        self.stage_view = StageView(show, self.text)
        self.console_view = ConsoleView(show, self.text)
        self.calibration: Calibration | None = None
        displays = max(1, pygame.display.get_num_displays())
        wanted = options.display or settings.display or displays
        stage_display = min(max(wanted, 1), displays) - 1
        self.separate = displays >= 2 if options.separate_console is None else options.separate_console
        self.stage = pygame.Window("rockstar-cx — stage", options.size, _on_display(stage_display), resizable=True)
        self.stage.minimum_size = (640, 360)
        self.console_window: pygame.Window | None = None
        if self.separate:
            console_display = 0 if stage_display != 0 else min(1, displays - 1)
            self.console_window = pygame.Window("rockstar-cx — presenter console", CONSOLE_SIZE,
                                                _on_display(console_display), resizable=True)
        self._console_surface = pygame.Surface(CONSOLE_SIZE)
        self.fullscreen = False
        if settings.fullscreen if options.fullscreen is None else options.fullscreen:
            self.toggle_fullscreen(save=False)
        self.clock = pygame.time.Clock()
        self.running = True
        self.frame = self.cues.frame(0)
        self._teach: Teach | None = None
        self.help_texts: list[TextBox] = []  # the help overlay's lines when it was last drawn
        self._frames = 0
        self._console_due = True
        self.learning = False
        self.midi_summary = None

    # -- the loop --------------------------------------------------------------------------------

    def run(self, duration: float | None = None) -> None:
        if self.options.start_moment is not None:
            self.engine.send(Start(moment=self.options.start_moment, count_in=True))
            self.director.message = f"Started at moment {self.options.start_moment + 1}"
        started = time.monotonic()
        while self.running and (duration is None or time.monotonic() - started < duration):
            self.step()
            self.clock.tick(FPS)

    def step(self) -> None:
        """One frame: input, the engine's news, the stage, the console."""
        for event in pygame.event.get():
            self.handle(event)
        if self.midi is not None:
            self.midi.pump(panic_sample=self.cues.panic_sample)
            summary = self.midi_summary = self.midi.summary()
            self.stage_view.badge = "FOLLOWING EXTERNAL CLOCK" if summary.following else None
        self.sync()
        now = self.cues.follower.transport()
        heard = display_sample(self.engine.clock(), time.perf_counter(), self.offset_ms / 1000.0)
        position = self.cues.position
        heard = position if heard is None else min(max(heard, 0.0), position + preview_reach(self.rate))
        frame = self.frame = self.cues.frame(heard)
        teach = self._teach = self.director.update(now, frame)
        surface = self.stage.get_surface()  # fetched every frame: resizing and fullscreen replace it
        if self.calibration is not None:
            draw_calibration(surface, self.text, frame, self.calibration)
        else:
            self.stage_view.draw(surface, frame, blackout=self.director.blackout, teach=teach)
        self._frames += 1
        console_shown = self.console_window is not None or self.director.console
        if console_shown and (self._console_due or self._frames % CONSOLE_EVERY == 0):
            self._draw_console(surface, now, frame, teach)
            if self.console_window is not None:
                self.console_window.flip()
        if self.console_window is None:  # one screen: the presenter's overlays go over the stage
            if self.director.console:
                surface.blit(self._console_surface, (0, 0))
            if self.director.help:
                self.help_texts = draw_help(surface, self.text).boxes
        self.stage.flip()

    def sync(self) -> None:
        """Replay what the engine applied since the last frame."""
        # The position first: every command applied before it is then already in the event ring,
        # so the replay never moves past a command it has not yet seen.
        position = self.engine.position()
        self.cues.ingest(self.engine.events(), position)

    def _draw_console(self, stage: pygame.Surface, now: Transport, frame: Frame, teach: Teach | None) -> None:
        self._console_due = False
        if self.console_window is not None:
            target = self.console_window.get_surface()
        else:
            if self._console_surface.get_size() != stage.get_size():
                self._console_surface = pygame.Surface(stage.get_size())
            target = self._console_surface
        self.console_view.draw(target, self._info(now, frame, teach), stage)
        if self.console_window is not None and self.director.help:
            self.help_texts = draw_help(target, self.text).boxes

    def _info(self, now: Transport, frame: Frame, teach: Teach | None) -> ConsoleInfo:
        return ConsoleInfo(frame, now, self.cues.click, self.director.panicking(self.cues.panic_sample), self.health(),
                           self.offset_ms, self._show_seconds(frame), self.director.message, self.director.blackout,
                           teach, self.midi_summary)

    def _show_seconds(self, frame: Frame) -> float | None:
        started = self.cues.started_sample
        if started is None or not frame.performing:
            return None
        return max(0.0, (frame.sample - started) / self.rate)

    def health(self) -> dict:
        h = self.engine.health()
        return {"device": h.device, "audio": h.state.value, "output_latency_ms": h.output_latency * 1000.0,
                "underflows_after_warmup": h.counters.underflows_after_warmup,
                "dropped_blocks": h.counters.dropped_blocks, "callbacks": h.counters.callbacks, "message": h.message}

    # -- input -----------------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        kind = event.type
        if kind in (pygame.QUIT, pygame.WINDOWCLOSE):
            self.running = False
        elif kind in REDRAW_EVENTS:
            self._console_due = True  # the stage is redrawn whole every frame anyway
        elif kind == pygame.KEYDOWN:
            self._key(event.key, event.mod)
        elif kind == pygame.MOUSEBUTTONDOWN and event.button == 1:
            window = getattr(event, "window", None)
            if (self.console_window is not None and window == self.console_window) or (
                    self.console_window is None and self.director.console):
                hit = self.console_view.hit(event.pos)
                if hit is not None:
                    self.do(*hit)

    def _key(self, key: int, mod: int) -> None:
        if self.calibration is not None:
            return self._calibrating_key(key, mod)
        mapped = action_for(key, mod)
        if mapped is not None:
            self.do(*mapped)

    def do(self, action: ButtonTarget, section: int | None = None) -> None:
        """What a key or a console button asks for."""
        self._console_due = True
        self.sync()  # act on the freshest state: a GO right after another sees the first one armed
        now = self.cues.follower.transport()
        if action is Action.LEARN:
            self.learn(not self.learning)
        elif self.learning and (action in LEARNABLE or isinstance(action, str)):
            self._choose(action, section)
        elif isinstance(action, str):
            pass  # a learn-only target, clicked after learn was switched off
        elif action is Action.QUIT:
            self.running = False
        elif action is Action.FULLSCREEN:
            self.toggle_fullscreen()
        elif action is Action.SCREENSHOT:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            directory = self.options.screenshot_dir
            try:
                self.save_stage(directory / f"rockstar-cx-{stamp}-stage.png")
                self.save_console(directory / f"rockstar-cx-{stamp}-console.png")
                self.director.message = f"Screenshots saved in {directory.resolve()}"
            except (pygame.error, OSError) as error:  # a full disk must not end the show
                self.director.message = f"Screenshots not saved: {error}"
        elif action is Action.CALIBRATE:
            if now.playing:
                self.director.message = "Stop the show to calibrate (F5)"
            else:
                self.calibration = Calibration.begin(self.offset_ms, now, self.cues.click, len(self.show.sections),
                                                     self.engine.send)
        else:
            self.director.act(action, section, now, click=self.cues.click, panic_sample=self.cues.panic_sample)

    # -- MIDI learn -------------------------------------------------------------------------------

    def learn(self, on: bool) -> None:
        """MIDI learn on or off.  While on, keys and console buttons choose what a control will do."""
        if self.midi is None or not self.midi.learn(on):
            self.director.message = "MIDI learn needs a controller: play --midi-in NAME"
            return
        self.learning = on
        self.director.message = "MIDI learn: press a key or click a button, then move a control" if on else \
            "MIDI learn off: bindings saved"

    def _choose(self, action: ButtonTarget, section: int | None) -> None:
        from ..midi.mapping import INDEXED, Extra, Target  # MIDI is loaded only when the show uses it

        kind = Extra(action) if isinstance(action, str) else action
        target = Target(kind, section if kind in INDEXED else None)
        self.midi.select(target)
        self.director.message = f"MIDI learn: move a control to bind it to {target}"

    def _calibrating_key(self, key: int, mod: int) -> None:
        calibration = self.calibration
        step = FINE_STEP_MS if mod & pygame.KMOD_SHIFT else STEP_MS
        if key == pygame.K_RIGHT:
            calibration.nudge(step)
        elif key == pygame.K_LEFT:
            calibration.nudge(-step)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_ESCAPE):
            keep = key != pygame.K_ESCAPE
            calibration.end(len(self.show.sections), self.engine.send)
            self.calibration = None
            if keep:
                self._save(replace(self.settings, visual_offset_ms=calibration.offset_ms))
                self.director.message = f"Projector delay {calibration.offset_ms:+.0f} ms saved"
            else:
                calibration.offset_ms = calibration.original_ms
                self.director.message = "Calibration cancelled"
            self.offset_ms = calibration.offset_ms
            return
        elif key == pygame.K_q and mod & pygame.KMOD_CTRL:
            self.running = False
        self.offset_ms = calibration.offset_ms

    def toggle_fullscreen(self, save: bool = True) -> None:
        self.fullscreen = not self.fullscreen
        if self.fullscreen:
            self.stage.set_fullscreen(desktop=True)
        else:
            self.stage.set_windowed()
        if save:
            self._save(replace(self.settings, fullscreen=self.fullscreen))

    def _save(self, settings: Settings) -> None:
        self.settings = settings
        if self.options.save_settings:
            try:
                save_settings(settings)
            except OSError as error:
                self.director.message = f"Settings not saved: {error}"

    # -- screenshots and the end -------------------------------------------------------------------

    def save_stage(self, path: Path) -> None:
        """The stage view as the audience sees it now (without the presenter's overlay)."""
        pygame.image.save(self._stage_now(), str(path))

    def save_console(self, path: Path) -> None:
        surface = self.console_window.get_surface() if self.console_window is not None else pygame.Surface(CONSOLE_SIZE)
        self.console_view.draw(surface, self._info(self.cues.follower.transport(), self.frame, self._teach),
                               self._stage_now())
        pygame.image.save(surface, str(path))

    def _stage_now(self) -> pygame.Surface:
        surface = pygame.Surface(self.stage.size)
        if self.calibration is not None:
            draw_calibration(surface, self.text, self.frame, self.calibration)
        else:
            self.stage_view.draw(surface, self.frame, blackout=self.director.blackout, teach=self._teach)
        return surface

    def close(self) -> None:
        for window in (self.stage, self.console_window):
            if window is not None:
                window.destroy()


def perform_on_stage(show: Show, engine: AudioEngine, options: StageOptions, duration: float | None,
                     screenshot: Path | None = None, presenter_screenshot: Path | None = None,
                     midi: MidiSession | None = None) -> None:
    """``rockstar-cx play``: the stage app until the presenter quits (or ``duration`` passes)."""
    try:
        pygame.display.init()
    except pygame.error as error:
        raise ShowError(f"no screen for the stage ({error}): use --no-ui to perform without one") from error
    settings, warning = load_settings()
    if warning:
        print(f"rockstar-cx: {warning}", file=sys.stderr)
    app = StageApp(show, engine, options, settings, midi=midi)
    try:
        app.run(duration)
        for path, save in ((screenshot, app.save_stage), (presenter_screenshot, app.save_console)):
            if path is not None:
                try:
                    save(path)
                except (pygame.error, OSError) as error:
                    raise ShowError(f"cannot write {path}: {error}") from error
    finally:
        app.close()
        pygame.font.quit()
        pygame.display.quit()
