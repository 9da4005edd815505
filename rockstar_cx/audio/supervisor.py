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
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from multiprocessing.connection import Connection

from ..conductor.conductor import Transport
from ..errors import ShowError
from .device import device_present
from .engine import EngineConfig, engine_main
from .health import AudioState, ClockFit, Health, run_report
from .ipc import SharedState
from .validate import check_command

START_TIMEOUT_S = 60.0
PROBE_INTERVAL_S = 0.5
REPLY_TIMEOUT_S = 10.0


class AudioEngine:
    def __init__(self, config: EngineConfig, *, in_process: bool = False) -> None:
        self.config = config
        self.in_process = in_process
        self.shared: SharedState | None = None
        self._worker = None  # the engine's Process (or Thread)
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()  # several app threads (keys, MIDI) may send commands
        self._closing = threading.Event()
        self._watcher: threading.Thread | None = None
        self.start_state = AudioState.STARTING  # how the engine started: OK, or SILENT (no device)
        self._final: dict | None = None
        self._refused = 0  # commands check_command refused: counted here, the engine never sees them

    # -- life cycle ------------------------------------------------------------------------------

    def start(self) -> AudioEngine:
        self.shared = SharedState.create()
        worker, conn, reply = self._spawn(standby=False)
        if reply[0] == "failed":  # a device without the channels asked
            _stop_worker(worker)
            self.shared.close()
            raise ShowError(reply[1])
        if reply[0] != "ready":
            raise ShowError(f"the audio engine did not start: {reply}")
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
            self.shared.close()
        return self._final

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

    def report(self) -> dict:
        """The run report now: what ``--report FILE.json`` writes (:meth:`close` returns the last)."""
        return run_report(self.health(), self.shared.histogram.copy(), self.config.routing)

    # -- the engine process and its recovery -----------------------------------------------------

    def _spawn(self, standby: bool):
        parent, child = multiprocessing.Pipe()
        args = (self.config, self.shared.name, child, standby, self.in_process)
        if self.in_process:
            worker = threading.Thread(target=engine_main, args=args, name="engine", daemon=True)
        else:
            worker = multiprocessing.get_context("spawn").Process(target=engine_main, args=args, name="rockstar-cx-engine",
                                                                  daemon=True)
        worker.start()
        if not parent.poll(START_TIMEOUT_S):
            _stop_worker(worker)
            return worker, parent, ("timeout",)
        return worker, parent, parent.recv()

    def _watch(self, needs_device: bool) -> None:
        """Follow the engine: on loss (or no device at start), probe and hand over; quit on close."""
        next_probe = 0.0
        while True:
            if self._closing.is_set():
                return self._quit()
            if self._conn.poll(0.05):
                try:
                    message = self._conn.recv()
                except EOFError:  # the engine died: nothing left to follow
                    return
                if message[0] == "lost":
                    needs_device = True
            if needs_device and not self.in_process and time.monotonic() >= next_probe:
                next_probe = time.monotonic() + PROBE_INTERVAL_S
                if device_present(self.config.device) and self._hand_over():
                    needs_device = False

    def _hand_over(self) -> bool:
        """A new engine takes the device and the old one's conductor.  False if the device was not usable."""
        worker, conn, reply = self._spawn(standby=True)
        if reply[0] != "ready":
            _stop_worker(worker)
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
        return True

    def _quit(self) -> None:
        try:
            self._conn.send(("quit",))
            if self._conn.poll(REPLY_TIMEOUT_S):
                self._conn.recv()
        except (BrokenPipeError, EOFError, OSError):
            pass
        _stop_worker(self._worker)


def _stop_worker(worker) -> None:
    worker.join(REPLY_TIMEOUT_S)
    if isinstance(worker, multiprocessing.process.BaseProcess) and worker.is_alive():
        worker.kill()
        worker.join()
