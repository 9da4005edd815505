"""The stage app: the projector's stage view and the presenter's console, driven by keys and clicks.

Two ``pygame.Window``s when there are two screens (the stage fullscreen on the projector, the
console on the laptop); with one screen, the console is an overlay over the stage (Tab).  The
app keeps no clock: each frame the presenter's tick catches the engine's replay up
(:class:`~rockstar_cx.live.view.EngineView`), and :class:`~.cues.CueTrack` draws the moment that
will be *heard* when the frame appears — the engine's clock fit, its output latency and the
projector delay (``--visual-offset``, or the calibrated setting).

Keys and console buttons become targets (:class:`~rockstar_cx.live.intent.Target`) for the one
:class:`~rockstar_cx.live.presenter.Presenter` (a MIDI controller's too); what is the stage's own
business — blackout, help, the console overlay, calibration, fullscreen, screenshots, MIDI
learn, quitting (:data:`~rockstar_cx.live.intent.VIEW_ACTIONS`) — the presenter hands back to
:meth:`StageApp.on_view`.

Every key does what a screen says or is ignored with a message on the console: while a question
is asked (:mod:`.dialogs`: quit while playing? resume?) or the projector is being calibrated,
only that question's or calibration's keys act.  With a :class:`~rockstar_cx.live.resume.Keeper`
the state is kept on every change, an interrupted run is offered for resuming, and a clean end
(finished, or quit while stopped) clears it.

Only what changed is drawn (issue 14.6): a still stage (stopped, finished, blacked out) is neither drawn
nor flipped while its :meth:`~.stage.StageView.still_key` stands, and the loop naps; while playing, only the
rectangles where the moving parts were and are go to the display; the console window is redrawn when what it
shows changed.  With one screen (a mirrored projector) the help and the console show only when asked for,
the first time each with a strip saying the audience sees it.

Only ``pygame.display`` and ``pygame.font`` are initialised: the audio belongs to the engine
process, and pygame's mixer would only spam the log on machines without a sound card.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pygame

from ..conductor.commands import Start
from ..conductor.conductor import Transport
from ..errors import ShowError
from ..live.intent import Action
from ..live.presenter import Presenter, Teach
from ..live.resume import Keeper, Offer
from ..live.status import Remaining
from ..live.surface import MidiSummary, MidiSurface
from .briefing import Briefing, brief
from .calibrate import Calibration, draw_calibration
from .console import ConsoleInfo, ConsoleView, draw_help
from .dialogs import QuitGuard
from .fit import fit
from .heap import HeapTrim
from .input import Input
from .cues import CueTrack, Frame, display_sample, preview_reach
from .options import StageOptions
from .palette import ALERT, PANEL
from .present import PUSH as _PUSH
from .screens import place, window_size
from .windows import CONSOLE_SIZE, Windows, on_display, size_of
from .settings import Settings, load_settings, save_settings
from .lanes import reveal_lines
from .stage import StageView
from .text import Text
from .widgets import Painter, TextBox

# A software window surface goes to the display as it is (X11: shared memory, ~1 ms for 1080p), not through an
# OpenGL texture SDL would make for it (on Xvfb or Mesa's llvmpipe a 1080p frame took ~20 ms to present, and a
# rectangle as long as the whole window).  Set SDL_FRAMEBUFFER_ACCELERATION=1 to have SDL's texture back.
os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")

FPS = 60
CONSOLE_EVERY = 4  # the console changes slowly: redraw it every 4th frame (15 fps) unless poked
# A still stage is neither drawn nor flipped: the loop naps, looking for input every 20 ms (pygame.event.wait
# polls every millisecond: 2 % of a core), and polls the engine's news at 10 Hz (MIDI controllers at 40 Hz, the
# room's meter at 50 Hz: a clap on the console within 60 ms)
IDLE_WAIT_MS, IDLE_WAIT_MIDI_MS, IDLE_WAIT_ROOM_MS, IDLE_NAP_S = 100, 25, 20, 0.02
WARNING_SECONDS = 6.0  # one screen: how long the "the audience sees this" strip stays the first time

class StageApp(Input, Windows):
    """The stage for ``presenter`` (and its view of the engine); ``midi``: MIDI learn and the
    controllers' status on the console, the controllers pumped once a frame; ``keeper``: the state
    kept for resuming (an interrupted run is offered at once)."""

    def __init__(self, presenter: Presenter, options: StageOptions = StageOptions(), settings: Settings = Settings(),
                 midi: MidiSurface | None = None, keeper: Keeper | None = None) -> None:
        pygame.display.init()
        pygame.font.init()
        self.presenter, self.view = presenter, presenter.view
        self.show, self.options = presenter.show, options
        self.settings = settings
        self.rate = presenter.rate
        self.offset_ms = settings.visual_offset_ms if options.visual_offset_ms is None else options.visual_offset_ms
        self.text = Text()
        self.cues = CueTrack(self.view)
        self.midi = midi
        presenter.on_view = self.on_view  # blackout, help, calibration ...: the stage's own business
        self.blackout = False
        self.help = False
        self.console = False  # the console overlay, with one screen
        self.stage_view = StageView(self.show, self.text)
        self.console_view = ConsoleView(self.show, self.text)
        self.calibration: Calibration | None = None
        sizes = pygame.display.get_desktop_sizes()
        placement = place(sizes, options.display or settings.display, options.separate_console)
        self.stage_display = placement.stage
        self.stage = pygame.Window("rockstar-cx — stage", window_size(options.size, size_of(sizes, placement.stage)),
                                   on_display(placement.stage), resizable=True)
        self.stage.minimum_size = (640, 360)
        self.console_window: pygame.Window | None = None
        if placement.console is not None:
            self._open_console(placement.console, sizes)
        self._displays, self._displays_seen = len(sizes), time.monotonic()
        self.heap = HeapTrim(time.monotonic())
        self.presenter_display: int | None = None  # a display plugged in while the console overlays the stage
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
        self.midi_summary: MidiSummary | None = None
        self.remaining = Remaining(self.show)
        self.briefing: Briefing | None = None
        self.quitting = QuitGuard()
        self.keeper = keeper
        self.offer: Offer | None = keeper.offer() if keeper is not None and options.start_moment is None else None
        if self.offer is not None:
            presenter.message = "Resume? Enter or GO resumes; Esc or back starts from the top"
        self._underflows_at_start: int | None = None  # the device's count when the show first started
        # Draw only what changed: the key of the still picture last flipped (None: something moves)
        self._stage_key: tuple | None = None
        self.flips = 0  # stage window flips (the tests count them)
        self.partial_flips = 0  # of them, those that pushed only what moved
        self._moved: list[pygame.Rect] | None = None  # where the last flipped frame differed from its still picture
        self.idle = False  # the last step drew nothing: the stage stands still
        self._console_info: ConsoleInfo | None = None  # what the console window last showed
        self._room_words = ""  # the room's console line last shown
        self._warned: set[Action] = set()  # one screen: overlays the audience has been warned about
        self._warning_until = 0.0

    # -- the loop --------------------------------------------------------------------------------

    def run(self, duration: float | None = None) -> None:
        if self.options.start_moment is not None:
            self.presenter.send(Start(moment=self.options.start_moment, count_in=True))
            self.presenter.message = f"Started at moment {self.options.start_moment + 1}"
        started = time.monotonic()
        while self.running and (duration is None or time.monotonic() - started < duration):
            self.step()
            if self.idle:  # nothing to draw: sleep until input comes (or poll the engine's news)
                idle = IDLE_WAIT_ROOM_MS if self.presenter.room is not None else \
                    IDLE_WAIT_MS if self.midi is None else IDLE_WAIT_MIDI_MS
                until = time.monotonic() + idle / 1000
                if duration is not None:
                    until = min(until, started + duration)
                while time.monotonic() < until and not pygame.event.peek():
                    time.sleep(IDLE_NAP_S)
                self.clock.tick()
            else:
                self.clock.tick(FPS)

    def step(self) -> None:
        """One frame: the engine's news (the presenter's tick), input, the stage, the console."""
        self.presenter.tick()
        if self.keeper is not None:
            self.keeper.observe(self.view)
        if self._underflows_at_start is None and self.view.started_sample is not None:
            self._underflows_at_start = self.view.health().counters.underflows
        self._watch_displays()
        self.heap.tick(time.monotonic())
        events = pygame.event.get()
        for event in events:
            self.handle(event)
        if events:
            self._stage_key = None  # a key, a click, an expose: draw the stage once more
            self._moved = None  # ... and push it whole
        if self.midi is not None:
            self.midi.pump()
            summary = self.midi_summary = self.midi.summary()
            self.stage_view.badge = "FOLLOWING EXTERNAL CLOCK" if summary.following else None
        now = self.view.transport()
        heard = display_sample(self.view.fit, time.perf_counter(), self.offset_ms / 1000.0)
        position = self.view.position
        heard = position if heard is None else min(max(heard, 0.0), position + preview_reach(self.rate))
        frame = self.frame = self.cues.frame(heard)
        teach = self._teach = self.presenter.teach_at(frame.sample, frame.beat_seconds)
        teaching = self.presenter.teaching
        self.briefing = brief(self.view, frame, self.remaining, teach=teach, panicking=self.presenter.panicking(),
                              resume=None if teaching is None else teaching.resume)
        self.stage_view.coming = self.briefing.stage_line
        room = self.presenter.room  # with a room microphone: its numbers, when they make the point
        found = room.reveal(frame.moment, frame.previous) if room is not None and frame.state == "playing" else None
        self.stage_view.reveal = None if found is None else reveal_lines(self.stage_view.say, found)
        surface = self.stage.get_surface()  # fetched every frame: resizing and fullscreen replace it
        overlaid = self.console_window is None and self.console  # the console overlay changes as the show goes
        key = None
        if self.calibration is None and not overlaid:
            key = self.stage_view.still_key(surface.get_size(), frame, blackout=self.blackout, teach=teach)
            if key is not None:
                key += (self.help, self._warning_shown())
        self._frames += 1
        words = room.now.words() if room is not None else ""
        if words != self._room_words:  # the meter moved: shown at once, not at 15 fps
            self._room_words, self._console_due = words, True
        if self.console_window is not None and (self._console_due or self._frames % CONSOLE_EVERY == 0):
            due, info = self._console_due, self._info(now, frame, teach)
            if due or info != self._console_info:  # redrawn only when what it shows changed
                self._console_info = info
                self._draw_console(surface, now, frame, teach, info)
                self.console_window.flip()
        self.idle = key is not None and key == self._stage_key
        if self.idle:
            return  # the same still picture is on the screen: neither drawn nor flipped
        self._stage_key = key
        if self.calibration is not None:
            draw_calibration(surface, self.text, frame, self.calibration)
        else:
            self.stage_view.draw(surface, frame, blackout=self.blackout, teach=teach)
        if self.console_window is None:  # one screen: the presenter's overlays go over the stage
            if self.console and (self._console_due or self._frames % CONSOLE_EVERY == 0):
                self._draw_console(surface, now, frame, teach)
            if self.console:
                surface.blit(self._console_surface, (0, 0))
            if self.help:
                self.help_texts = draw_help(surface, self.text).boxes
            if self._warning_shown():
                self._draw_warning(surface)
        self._flip(surface)

    def _flip(self, surface: pygame.Surface) -> None:
        """Push the stage to the display: only where it moved since the last frame when the still picture under it
        is the same (this frame's moving parts and the last frame's, to wipe them), else all of it."""
        moving = self.stage_view.moving if self.calibration is None and not (
            self.console_window is None and (self.console or self.help or self._warning_shown())) else None
        area = pygame.Rect((0, 0), surface.get_size())
        rects = None if moving is None or self._moved is None else [r.clip(area) for r in moving + self._moved]
        self._moved = moving
        self.flips += 1
        if rects is not None and _PUSH is not None:
            rects = [r for r in rects if r.w > 0 and r.h > 0]
            if not rects or _PUSH(self.stage, rects):
                self.partial_flips += 1
                return
        self.stage.flip()

    def _warning_shown(self) -> bool:
        return self.console_window is None and (self.help or self.console) and time.monotonic() < self._warning_until

    def _draw_warning(self, surface: pygame.Surface) -> None:
        """One screen: the first time the help or the console shows, a strip says the room sees it too."""
        w, h = surface.get_size()
        cap = max(10, round(h * 0.028))
        strip = pygame.Rect(0, 0, w, round(cap * 2.6))
        surface.fill(PANEL, strip)
        pygame.draw.rect(surface, ALERT, strip, 3)
        words = "ONE SCREEN: THE AUDIENCE SEES THIS TOO  —  Tab hides the console, H the help"
        block = fit(self.text, words, strip.inflate(-4 * cap, -4), cap=cap, floor=round(cap * 0.75), align="center")
        Painter(self.text).block(surface, "info", block, ALERT)

    def _draw_console(self, stage: pygame.Surface, now: Transport, frame: Frame, teach: Teach | None,
                      info: ConsoleInfo | None = None) -> None:
        self._console_due = False
        if self.console_window is not None:
            target = self.console_window.get_surface()
        else:
            if self._console_surface.get_size() != stage.get_size():
                self._console_surface = pygame.Surface(stage.get_size())
            target = self._console_surface
        self.console_view.draw(target, info or self._info(now, frame, teach), stage)
        if self.console_window is not None and self.help:
            self.help_texts = draw_help(target, self.text).boxes

    def _info(self, now: Transport, frame: Frame, teach: Teach | None) -> ConsoleInfo:
        health = self.view.health()
        since = self._underflows_at_start
        problem = self.keeper.problem if self.keeper is not None else ""
        teaching = self.presenter.teaching
        briefing = self.briefing or brief(self.view, frame, self.remaining, teach=teach, resume=None if teaching is
                                          None else teaching.resume, panicking=self.presenter.panicking())
        return ConsoleInfo(frame=frame, transport=now, click=self.view.click, panicking=self.presenter.panicking(),
                           health=health, visual_offset_ms=self.offset_ms,
                           message=f"{self.presenter.message}  ({problem})" if problem else self.presenter.message,
                           blackout=self.blackout, teaching=teach, briefing=briefing,
                           underflows_since_start=None if since is None else health.counters.underflows - since,
                           cue=self.view.cue, dialog=self.dialog(), midi=self.midi_summary,
                           presenter_screen=self.presenter_display is not None and self.console_window is None,
                           room=self.presenter.room.now if self.presenter.room is not None else None)

    def on_view(self, action: Action) -> None:
        """The stage's own actions, handed back by the presenter."""
        presenter = self.presenter
        if action is Action.BLACKOUT:
            self.blackout = not self.blackout
            presenter.message = "Stage blacked out (the sound goes on)" if self.blackout else "Stage back"
        elif action is Action.HELP:
            self.help = not self.help
            self._warn(action, self.help)
        elif action is Action.CONSOLE and not self.to_presenter_screen():  # else it went to a screen of its own
            self.console = not self.console
            self._warn(action, self.console)
        elif action is Action.LEARN:
            self.learn(not self.learning)
        elif action is Action.QUIT:
            self.request_quit()
        elif action is Action.RESET:
            self.blackout = self.help = False
        elif action is Action.FULLSCREEN:
            self.toggle_fullscreen()
        elif action is Action.SCREENSHOT:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            directory = self.options.screenshot_dir
            try:
                self.save_stage(directory / f"rockstar-cx-{stamp}-stage.png")
                self.save_console(directory / f"rockstar-cx-{stamp}-console.png")
                presenter.message = f"Screenshots saved in {directory.resolve()}"
            except (pygame.error, OSError) as error:  # a full disk must not end the show
                presenter.message = f"Screenshots not saved: {error}"
        elif action is Action.CALIBRATE:
            now = self.view.transport()
            if now.playing:  # its instructions never show during a show: its keys would act on it
                presenter.message = "F9 ignored: calibrate while the show is stopped"
            else:
                self.calibration = Calibration.begin(self.offset_ms, now, self.view.click, len(self.show.sections),
                                                     presenter.send)

    def _warn(self, action: Action, shown: bool) -> None:
        """One screen (a mirrored projector): the help and the console show only when asked for, and the first
        time each shows, a strip and the message say that the audience sees it."""
        self._console_due = True
        if not shown or self.console_window is not None or action in self._warned:
            return
        self._warned.add(action)
        self._warning_until = time.monotonic() + WARNING_SECONDS
        self.presenter.message = "One screen: the audience sees the " + ("help" if action is Action.HELP else
                                                                        "console") + " too"

    def _save(self, settings: Settings) -> None:
        self.settings = settings
        if self.options.save_settings:
            try:
                save_settings(settings)
            except OSError as error:
                self.presenter.message = f"Settings not saved: {error}"

    # -- screenshots and the end -------------------------------------------------------------------

    def save_stage(self, path: Path) -> None:
        """The stage view as the audience sees it now (without the presenter's overlay)."""
        pygame.image.save(self._stage_now(), str(path))

    def save_console(self, path: Path) -> None:
        surface = self.console_window.get_surface() if self.console_window is not None else pygame.Surface(CONSOLE_SIZE)
        self.console_view.draw(surface, self._info(self.view.transport(), self.frame, self._teach),
                               self._stage_now())
        pygame.image.save(surface, str(path))

    def _stage_now(self) -> pygame.Surface:
        surface = pygame.Surface(self.stage.size)
        if self.calibration is not None:
            draw_calibration(surface, self.text, self.frame, self.calibration)
        else:
            self.stage_view.draw(surface, self.frame, blackout=self.blackout, teach=self._teach)
        return surface

    def close(self) -> None:
        if self.presenter.on_view == self.on_view:
            self.presenter.on_view = None
        for window in (self.stage, self.console_window):
            if window is not None:
                window.destroy()


def perform_on_stage(presenter: Presenter, options: StageOptions, duration: float | None,
                     screenshot: Path | None = None, presenter_screenshot: Path | None = None,
                     midi: MidiSurface | None = None, keeper: Keeper | None = None) -> None:
    """``rockstar-cx play``: the stage app until the presenter quits (or ``duration`` passes)."""
    try:
        pygame.display.init()
    except pygame.error as error:
        raise ShowError(f"no screen for the stage ({error}): use --no-ui to perform without one") from error
    settings, warning = load_settings()
    if warning:
        print(f"rockstar-cx: {warning}", file=sys.stderr)
    app = StageApp(presenter, options, settings, midi=midi, keeper=keeper)
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
