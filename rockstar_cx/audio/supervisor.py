"""The app's handle on the engine: start it, send commands, read transport and health, recover.

    engine = AudioEngine(EngineConfig(show, device="USB"))
    engine.start()                       # spawns the engine process; silent mode if no device
    engine.send(Start(count_in=True))    # lock-free, never waits for the audio thread; checked first
    engine.transport(); engine.health()  # typed records (the conductor's Transport, a Health)
    engine.position(); engine.events()   # the engine's next sample; what it published since the last call
    report = engine.close()              # the run report (see :func:`~.health.run_report`)

The app reads the engine through :class:`~rockstar_cx.live.view.EngineView`, a replay with a
reader of its own (:attr:`AudioEngine.shared` is the memory's name and the owner's handle).

When the device is lost, the engine goes on silently and this handle probes for the device
every :data:`PROBE_INTERVAL_S`; once it is back, a new engine process opens it and takes over
the old one's conductor at the sample where it stopped — the journey neither restarts nor
jumps.  ``in_process=True`` runs the engine in a thread of this process instead: the naive
design, kept for benchmarks (no recovery there).

When the engine process itself dies (killed, crashed) or stalls, the watcher notices within
half a second (its pipe's end, its exit, or its position frozen for :data:`ENGINE_STALL_S`),
writes the health record itself (the dead engine can't: :attr:`AudioState.DEAD`, "audio engine
stopped — restarting", ``engine_failures`` counted) and waits for :meth:`AudioEngine.revive`:
the app's replay holds the dead engine's conductor (see :mod:`rockstar_cx.live.recovery`), and a
fresh engine carries it on from the sample due now (:mod:`.revival`).  Failures that repeat
back off (:class:`~.revival.Backoff`); so does a device that is present but refuses the stream.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import Connection

from ..conductor.conductor import Transport
from ..errors import ShowError
from .device import device_present
from .engine import EngineConfig
from .health import AudioState, ClockFit, Health, run_report
from .ipc import SharedState, health_row
from .process import engine_main
from .revival import Backoff, Revival
from .room import RoomRing, ring_name
from .validate import check_command

START_TIMEOUT_S = 60.0
PROBE_INTERVAL_S = 0.5
REPLY_TIMEOUT_S = 10.0
WATCH_S = 0.05  # the watcher's step: a death is noticed within it
ENGINE_STALL_S = 2.0  # an engine alive but its position frozen this long is hung (a lost device goes silent in 1 s)
DEAD_MESSAGE = "audio engine stopped — restarting"


class AudioEngine:
    def __init__(self, config: EngineConfig, *, in_process: bool = False) -> None:
        self.config = config
        self.in_process = in_process
        self.shared: SharedState | None = None
        self.room: RoomRing | None = None  # the room microphone's ring, with --room-input (see .room)
        self._worker = None  # the engine's Process (or Thread)
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()  # several app threads (keys, MIDI) may send commands
        self._closing = threading.Event()
        self._watcher: threading.Thread | None = None
        self.start_state = AudioState.STARTING  # how the engine started: OK, or SILENT (no device)
        self._final: dict | None = None
        self._refused = 0  # commands check_command refused: counted here, the engine never sees them
        self.dead = False  # the engine process died and none has taken its place yet
        self._line: tuple[float, float, float] | None = None  # the dead engine's sample<->host line
        self._wanted: Revival | None = None  # what revive() asked for (the front-end's thread → the watcher)
        self._engine_backoff = Backoff()
        self._device_backoff = Backoff()

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> AudioEngine:
        self.shared = SharedState.create()
        worker = None
        try:
            if self.config.room_channel:  # before any engine: every engine attaches to it, revived ones too
                self.room = RoomRing.create(ring_name(self.shared.name), self.config.samplerate)
            worker, conn, reply = self._spawn(standby=False)
        except BaseException:  # Ctrl-C, SIGTERM while the engine starts: nothing left behind
            if worker is not None:
                _stop_worker(worker)
            self._close_memory()
            raise
        if reply[0] != "ready":  # a device without the channels asked, a sample it cannot load: its words
            _stop_worker(worker)
            self._close_memory()
            raise ShowError(reply[1])
        self._worker, self._conn = worker, conn
        self.start_state = reply[1]
        self._watcher = threading.Thread(target=self._watch, args=(reply[1] is not AudioState.OK,), name="engine-watch",
                                         daemon=True)
        self._watcher.start()
        return self

    def close(self) -> dict:
        """Stop the engine and return the run report (again on later calls)."""
        if self._final is None:
            self._closing.set()
            if self._watcher is not None:
                self._watcher.join()
            self._final = self.report()
            self._close_memory()
        return self._final

    def _close_memory(self) -> None:
        if self.room is not None:
            self.room.close()
        self.shared.close()

    def __enter__(self) -> AudioEngine:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- talking to it ---------------------------------------------------------------------------

    def send(self, command) -> bool:
        """Queue a command for the next audio block; False if it was refused (:func:`~.validate.check_command`:
        no input may make the engine fail a block) or the queue was full (it is dropped)."""
        if check_command(command, self.config.show) is not None:
            with self._send_lock:
                self._refused += 1
            return False
        with self._send_lock:
            return self.shared.push_command(command)

    def transport(self) -> Transport:
        """Where the performance is, as the engine published it last."""
        return self.shared.read_transport()

    def click(self) -> bool:
        return self.shared.read_click()

    def position(self) -> int:
        return self.shared.read_position()

    def health(self) -> Health:
        health = self.shared.read_health()  # a fresh copy: the door's own count goes in
        health.counters.refused_commands = self._refused
        return health

    def events(self) -> list:
        """Published since the last call, in order: the conductor's markers (Beat, MomentStart,
        Stop) and :class:`~.ipc.Applied` commands.  Hits are not published: replay the applied
        commands into a :class:`~rockstar_cx.conductor.follower.Follower` (``catch_up``) to get
        every event, hits included, and to see ahead."""
        return self.shared.read_events()[0]

    def clock(self) -> ClockFit | None:
        """The engine's sample↔host mapping (see :mod:`.clock`); None before it has one."""
        return self.health().clock

    @property
    def pid(self) -> int | None:
        """The engine process's id (None in-process): what a test kills."""
        worker = self._worker
        return worker.pid if isinstance(worker, multiprocessing.process.BaseProcess) else None

    def revive(self, conductor, *, click: bool = False, cue_on: bool = True,
               levels: dict[int | None, float] | None = None) -> None:
        """After the engine died: carry on with ``conductor`` (a copy of the dead one's, at its last
        published sample; click, cue and volumes as it had them).  Returns at once: the watcher
        starts the new engine when the backoff allows.  Any thread; ignored while the engine lives."""
        if self.dead and self._wanted is None:
            self._wanted = Revival(conductor, (0.0, 0.0, 1.0), self.shared.read_health().counters, click, cue_on,
                                   dict(levels or {}))

    def report(self) -> dict:
        """The run report now: what ``--report FILE.json`` writes (:meth:`close` returns the last)."""
        return run_report(self.health(), self.shared.histogram.copy(), self.config.routing)

    # -- the engine process and its recovery -----------------------------------------------------

    def _spawn(self, standby: bool, revival: Revival | None = None):
        parent, child = multiprocessing.Pipe()
        args = (self.config, self.shared.name, child, standby, self.in_process, revival)
        if self.in_process:
            worker = threading.Thread(target=engine_main, args=args, name="engine", daemon=True)
        else:
            worker = multiprocessing.get_context("spawn").Process(target=engine_main, args=args, name="rockstar-cx-engine",
                                                                  daemon=True)
        worker.start()
        if not self.in_process:
            child.close()  # the engine's end: ours open would hide its death (no end of the pipe)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not parent.poll(0.1):
            if not worker.is_alive() or time.monotonic() > deadline:
                _stop_worker(worker)
                return worker, parent, ("failed", f"the audio engine {_why_ended(worker, 'starting')}")
        try:
            return worker, parent, parent.recv()
        except EOFError:
            _stop_worker(worker)
            return worker, parent, ("failed", f"the audio engine {_why_ended(worker, 'starting')}")

    def _watch(self, needs_device: bool) -> None:
        """Follow the engine: on loss (or no device at start), probe and hand over; on its death,
        say so and revive it when asked; quit on close."""
        next_probe = 0.0
        seen = (-1, time.monotonic())  # the engine's position, and when it last moved
        while True:
            if self._closing.is_set():
                return self._quit()
            if self.dead:
                needs_device = self._revive_when_ready(needs_device)
                time.sleep(WATCH_S)
                continue
            message = None
            try:
                if self._conn.poll(WATCH_S):
                    message = self._conn.recv()
            except (EOFError, OSError):
                message = ("ended",)
            if self.in_process:
                if message is not None and message[0] == "ended":  # no recovery in-process: nothing left to follow
                    return
            else:
                position, now = self.position(), time.monotonic()
                seen = (position, now) if position != seen[0] else seen
                stalled = now - seen[1] > ENGINE_STALL_S
                if message is not None and message[0] == "ended" or not self._worker.is_alive() or stalled:
                    self._died(_why_ended(self._worker, "stalled" if stalled else "running"))
                    seen = (-1, time.monotonic())
                    continue
            if message is not None and message[0] == "lost":
                needs_device = True
            if needs_device and not self.in_process and time.monotonic() >= next_probe:
                next_probe = time.monotonic() + max(PROBE_INTERVAL_S, self._device_backoff.delay())
                if device_present(self.config.device) and self._hand_over():
                    needs_device = False

    def _died(self, reason: str) -> None:
        """The engine is gone: its health record is ours to write now (it has no other writer)."""
        _stop_worker(self._worker, wait=0.0)
        health = self.shared.read_health()
        counters = health.counters
        counters.engine_failures += 1
        self._engine_backoff.failed(reason)
        fit = health.clock
        # the journey's clock: the engine's last fit, else its position now (it has just stopped)
        self._line = fit.line if fit is not None else (float(self.position()), time.perf_counter(),
                                                        1.0 / self.config.samplerate)
        self.dead = True  # first: a revive() prompted by the record below is taken
        self._write_health(health, counters, f"{DEAD_MESSAGE} ({reason})")

    def _write_health(self, health: Health, counters, message: str) -> None:
        SharedState.write_row(self.shared.health, health_row(
            counters, state=AudioState.DEAD, samplerate=health.samplerate or self.config.samplerate,
            blocksize=health.blocksize or self.config.blocksize, output_latency=health.output_latency,
            renderer_realtime=health.renderer_realtime, device=health.device, message=message, fit=self._line))

    def _revive_when_ready(self, needs_device: bool) -> bool:
        """Start a new engine with the conductor revive() gave, when the backoff allows; returns
        whether the new engine still needs the device."""
        wanted, backoff = self._wanted, self._engine_backoff
        if wanted is None or not backoff.ready():
            return needs_device
        silent = backoff.exhausted()  # it keeps failing: perform without the device
        health = self.shared.read_health()
        revival = Revival(wanted.conductor, self._line, health.counters, wanted.click, wanted.cue_on, wanted.levels,
                          silent=silent,
                          message=f"audio engine keeps failing: {backoff.reason}; performing silently" if silent else "")
        worker, conn, reply = self._spawn(standby=False, revival=revival)
        if reply[0] != "ready":
            _stop_worker(worker)
            backoff.failed(reply[1])
            self._write_health(health, health.counters,
                               f"audio engine failed to restart: {reply[1]} — retrying in {backoff.delay():g} s")
            return needs_device
        self._worker, self._conn, self._wanted, self.dead = worker, conn, None, False
        return reply[1] is not AudioState.OK and not silent

    def _hand_over(self) -> bool:
        """A new engine takes the device and the old one's conductor.  False if the device was not usable."""
        worker, conn, reply = self._spawn(standby=True)
        if reply[0] != "ready":
            _stop_worker(worker)
            # present but refusing (a sample rate it cannot do): wait longer each time, and say why
            self._device_backoff.failed(reply[1])
            self._note(f"audio device refused the stream: {reply[1]} — retrying in "
                       f"{max(PROBE_INTERVAL_S, self._device_backoff.delay()):g} s")
            return False
        try:
            self._conn.send(("handover",))
            answered = self._conn.poll(REPLY_TIMEOUT_S)
            kind, state = self._conn.recv() if answered else (None, None)
        except (EOFError, BrokenPipeError, OSError):  # the old engine died: its conductor with it
            kind, state = None, None
        if kind != "state":
            conn.send(("quit",))
            _stop_worker(worker)
            return False
        conn.send(("take", state))
        self._conn.send(("exit",))
        _stop_worker(self._worker)
        self._worker, self._conn = worker, conn
        self._device_backoff = Backoff()
        return True

    def _note(self, message: str) -> None:
        """The health's message, through the engine that writes it."""
        try:
            self._conn.send(("note", message))
        except (BrokenPipeError, OSError):
            pass

    def _quit(self) -> None:
        try:
            self._conn.send(("quit",))
            if self._conn.poll(REPLY_TIMEOUT_S):
                self._conn.recv()
        except (BrokenPipeError, EOFError, OSError):
            pass
        _stop_worker(self._worker)


def _why_ended(worker, doing: str) -> str:
    """Why an engine process is gone, in words."""
    if doing == "stalled":
        return f"it stalled for {ENGINE_STALL_S:g} s"
    if isinstance(worker, multiprocessing.process.BaseProcess):
        worker.join(0.2)  # its pipe closes a moment before its exit status can be read
    code = getattr(worker, "exitcode", None)
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name} while {doing}"
        except ValueError:
            pass
    return f"exited (code {code}) while {doing}" if code is not None else f"ended while {doing}"


def _stop_worker(worker, wait: float = REPLY_TIMEOUT_S) -> None:
    worker.join(wait)
    if isinstance(worker, multiprocessing.process.BaseProcess) and worker.is_alive():
        worker.kill()
        worker.join()
