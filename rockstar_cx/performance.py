"""One performance: the engine, the presenter, MIDI and a front-end — started, run and closed in order.

    config = PerformanceConfig(engine=EngineConfig(show, device="USB"), midi=MidiOptions(inputs=("pad",)),
                               stage=StageOptions(fullscreen=True))    # stage=None: the terminal (--no-ui)
    performance = Performance(config)
    try:
        performance.start()       # engine -> its view and the presenter -> MIDI (controllers act through it)
        performance.notices       # what the user should know ("performing silently", a port not found yet)
        performance.run()         # the stage app or the terminal, until it ends
    finally:
        report = performance.close()   # MIDI, the view, the engine, in that order: the run report

The report is the engine's (:func:`~rockstar_cx.audio.health.run_report`) with the journey as
performed under ``"moments"`` (:func:`~rockstar_cx.live.journey.journey`: every moment entered,
when, how many bars and what left it) and MIDI's final status under ``"midi"`` when MIDI was
used.  With the stage and no ``--duration`` (a show, not an unattended run), the performance's
state is kept for resuming (:class:`~rockstar_cx.live.resume.Keeper`).  The stage app is imported only when asked for:
``--no-ui`` never loads pygame.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .audio.engine import EngineConfig
from .audio.health import AudioState
from .audio.supervisor import AudioEngine
from .conductor.commands import Start
from .errors import ShowError, printable
from .files import describe
from .live.journey import journey
from .live.presenter import Presenter
from .live.resume import Keeper
from .live.view import EngineView
from .midi.ports import PortError
from .midi.session import MidiOptions, MidiSession
from .terminal import perform_in_terminal
from .ui.options import StageOptions


@dataclass(frozen=True, kw_only=True)
class PerformanceConfig:
    engine: EngineConfig
    midi: MidiOptions | None = None  # None (or nothing in it): no MIDI
    stage: StageOptions | None = None  # None: the terminal front-end (--no-ui)
    duration: float | None = None  # stop after this long (seconds)
    screenshot: Path | None = None  # the stage's, saved when the run ends
    presenter_screenshot: Path | None = None
    in_process: bool = False  # the engine in a thread of this process (benchmarks, tests), not a process
    record_room: Path | None = None  # the room microphone recorded here (a WAV, with --room-input)


class Performance:
    def __init__(self, config: PerformanceConfig, *, out: TextIO = sys.stdout) -> None:
        self.config = config
        self.out = out  # the terminal front-end's
        self.engine: AudioEngine | None = None
        self.view: EngineView | None = None
        self.presenter: Presenter | None = None
        self.midi: MidiSession | None = None
        self.room = None  # a RoomListener, with --room-input
        self.recorder = None  # a RoomRecorder, with --record-room
        self.notices: list[str] = []  # for the user, in the order they arose
        self._report: dict | None = None

    def start(self) -> Performance:
        """Start everything but the front-end; on a failure, close what started and raise."""
        config = self.config
        try:
            engine = self.engine = AudioEngine(config.engine, in_process=config.in_process).start()
            if engine.start_state is not AudioState.OK:
                self.notices.append(f"{engine.health().message} — performing silently; "
                                    "the sound starts as soon as the device appears")
            self.view = EngineView.of(engine)
            if engine.room is not None:  # --room-input: the room heard behind the show, bar by bar
                from .live.listener import RoomListener  # scipy: only when a room is heard
                from .live.roomcal import load_round_trip

                trip = load_round_trip(engine.health().device, config.engine.samplerate)
                self.room = RoomListener(config.engine.show, config.engine.samplerate, engine.room,
                                         EngineView.of(engine), trip.samples if trip is not None else 0.0,
                                         device=engine.health().device, path=trip.path if trip else None).start()
                if config.record_room is not None:
                    from .live.recorder import RoomRecorder

                    self.recorder = RoomRecorder(engine.room, config.record_room, config.engine.samplerate,
                                                 engine.health().device).start()
            self.presenter = Presenter(self.view, engine.send, revive=engine.revive,  # a dead engine: revived
                                       room=self.room)
            if config.midi is not None and config.midi.used:
                self._start_midi(config.midi)
        except BaseException:
            self.close()
            raise
        return self

    def _start_midi(self, options: MidiOptions) -> None:
        session = MidiSession(options, self.engine, self.presenter)
        self.midi = session  # closed with the rest, whatever start() got to open
        try:
            session.start()
        except PortError as error:
            raise ShowError(f"MIDI: {error}") from error
        if session.warning:
            self.notices.append(session.warning)
        status = session.status()
        for kind in ("inputs", "outputs"):
            for name, port in status.get(kind) or ():
                if port is None:
                    self.notices.append(f"MIDI port '{name}' not found yet — connecting when it appears")

    def run(self) -> None:
        """The front-end, until the show ends, the presenter quits or ``duration`` passes."""
        config = self.config
        if config.stage is None:
            perform_in_terminal(self.presenter, config.duration, self.out, midi=self.midi)
            return
        from .ui.app import perform_on_stage  # here: pygame only for the stage

        kept = config.duration is None and config.stage.start_moment is None  # a show, not an unattended run
        perform_on_stage(self.presenter, config.stage, config.duration, config.screenshot,
                         config.presenter_screenshot, midi=self.midi, keeper=Keeper(self.view.show) if kept else None)

    def close(self) -> dict:
        """Close MIDI, the view and the engine (the front-end closed when it ended); returns the run
        report (again on later calls)."""
        if self._report is None:
            midi_report = self.midi.close() if self.midi is not None else None
            room = None
            if self.room is not None:
                self.room.stop()
                self.room.view.close()
                room = self.room.report()
            if self.recorder is not None:
                starts = tuple(sample for sample, command in self.view.applied if type(command) is Start) \
                    if self.view is not None else ()
                try:
                    self.recorder.close(round_trip_samples=self.room.round_trip, starts=starts)
                except OSError as error:  # the show is over: said, and the report still written
                    print(printable(f"rockstar-cx: the room recording {self.config.record_room} could not be written: "
                                    f"{describe(error)}"), file=sys.stderr)
            moments = None
            if self.view is not None:
                view = self.view
                view.update()  # the last moments played since the front-end's last frame
                moments = [entry.report() for entry in journey(view.show, view.rate, view.marks, view.applied,
                                                               view.entry_bars, view.position)]
                view.close()
            report = dict(self.engine.close()) if self.engine is not None else {}
            if moments is not None:
                report["moments"] = moments
            if midi_report is not None:
                report["midi"] = midi_report
            if room is not None:
                report["room"] = room
            self._report = report
        return self._report
