"""MIDI out in a process of its own, beside the audio engine's.

Clock and notes are only as steady as the thread that sends them gets the GIL.  In the app's
process the stage view holds it for milliseconds at a time (a frame, a font render, a garbage
collection), so — like the audio engine, and for the same reason — MIDI out runs in its own
process (``spawn``).  It attaches to the engine's shared memory by name, with its own replay of
the engine (a :class:`~rockstar_cx.live.view.EngineView`, reading the event ring through a tail
of its own), and never sends the engine anything: it cannot disturb the audio.

    midi = MidiOut(MidiOutConfig(outputs=("virtual", "USB MIDI")), engine).start()
    midi.status()    # ports connected, messages sent, send-time figures (waits for the reply)
    midi.latest()    # the same without waiting (the UI thread): the last reply, and asks again
    midi.close()     # the same, final

Start it right after the engine, before the first command: its replay reads the event ring from
the beginning and must see every command the engine applied (the ring holds the last 4,096
events, a minute or more of a show).  ``status()["lost"]`` counts events it missed.

A process that died or stalled (:meth:`MidiOut.failure`) is replaced mid-show by one started
from the app view's replay (``launch(view.resume_point())``, see
:meth:`~rockstar_cx.live.view.EngineView.resumed`): it carries on from the ring's current
position with the app's conductor, and sends nothing due before it started (what was due in the
gap went with the old process).  :class:`~.session.MidiSession` watches and restarts it.

What it cannot help: over JACK its MIDI port is a JACK client, and the JACK graph waits for every
client each cycle.  A *stopped* (SIGSTOP, hung in the kernel) MIDI-out process therefore starves
the audio: stopped for 2 s it cost the engine 439 underflows (1,320 JACK xruns; a plain JACK client
with a no-op callback, stopped as long: 404), while a killed one cost 5.  That is JACK's to bound
(its client timeout); ours is to notice the stall (:data:`STALL_S`) and kill it — about 200
underflows, once, measured with the session watching.

Messages from the app: ``("status",)`` → ``("status", dict)``; ``("ticks",)`` → ``("ticks", [(due, sent)])``
(host times of the recent clock ticks, for the benchmark); ``("quit",)`` → ``("quit", dict)`` (the
final status).  Each reply names the request it answers, so a late one is never taken for another.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..audio.ipc import SharedState
from ..audio.supervisor import AudioEngine
from ..live.view import EngineView, ResumePoint
from ..show.model import Show
from ..threads import MIDI_OUT_PRIORITY, realtime
from .clock import ClockPlan
from .hotplug import HotPlug
from .notes import NotePlan
from .ports import OutPort, resolve_api
from .sender import MidiSender, Output

if TYPE_CHECKING:
    from .cycle import CyclePort

START_TIMEOUT_S = 30.0
REPLY_TIMEOUT_S = 5.0
LATEST_EVERY_S = 1.0  # the status (hot-plug, send figures) costs the sender's process a little
STALL_S = 1.0  # a request unanswered this long: the process is hung (stopped, deadlocked)


@dataclass(frozen=True, kw_only=True)
class MidiOutConfig:
    outputs: tuple[str, ...]  # --midi-out NAME ... ("virtual": our own port)
    api: str = "auto"
    offset_ms: float = 0.0  # --midi-offset: positive sends MIDI that much before the sound
    clock: bool = True
    notes: bool = True
    run_while_stopped: bool = False  # keep sending clock while the show is stopped
    # per port (as named on the command line, or the device's full name): (clock, notes)
    port_options: dict[str, tuple[bool, bool]] = field(default_factory=dict)


class MidiOut:
    """The app's handle on the MIDI-out process."""

    def __init__(self, config: MidiOutConfig, engine: AudioEngine) -> None:
        self.config = config
        self.engine = engine
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn = None
        self._final: dict | None = None
        # the last reply of each kind, and the requests not yet answered ("ready": the start-up's)
        self._replies: dict[str, object] = {"ready": {}, "status": {}, "ticks": [], "quit": {}}
        self._asked: dict[str, int] = {"ready": 0, "status": 0, "ticks": 0, "quit": 0}
        self._waiting_since = math.inf  # when the oldest request still unanswered was made (or last answered)
        self._launched = 0.0
        self._latest_asked = -LATEST_EVERY_S

    def start(self) -> MidiOut:
        """Start the process and wait until it is ready (a fresh show: before the first command)."""
        self.launch()
        if not self._conn.poll(START_TIMEOUT_S):
            self.kill()
            raise RuntimeError("the MIDI-out process did not start")
        self._collect(0.0)  # ("ready", status)
        return self

    def launch(self, resume: ResumePoint | None = None) -> MidiOut:
        """Start the process and return at once (:attr:`ready` says when it is); with ``resume``, its
        replay starts there (a restart mid-show) instead of at the event ring's start."""
        engine = self.engine.config
        parent, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=midi_out_main, name="rockstar-cx-midi-out", daemon=True,
            args=(self.config, engine.show, engine.samplerate, engine.hold_bars, self.engine.shared.name, child,
                  resume))
        self._process.start()
        self._conn = parent
        self._asked["ready"] = 1
        self._launched = self._waiting_since = time.monotonic()
        return self

    @property
    def ready(self) -> bool:
        """The process has started and said so."""
        return self._final is None and not self._asked["ready"]

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def failure(self, now: float | None = None) -> str | None:
        """Why the process is of no more use — died, hung (a request unanswered for
        :data:`STALL_S`), did not start within :data:`START_TIMEOUT_S` — or None.  Never waits."""
        if self._final is not None or self._process is None:
            return None
        now = time.monotonic() if now is None else now
        self._collect(0.0)
        if not self._process.is_alive():
            return f"exited with code {self._process.exitcode}"
        if self._asked["ready"]:
            return "did not start" if now - self._launched > START_TIMEOUT_S else None
        if any(self._asked.values()) and now - self._waiting_since > STALL_S:
            return f"did not answer for {now - self._waiting_since:.1f} s"
        return None

    def kill(self) -> None:
        """End the process at once (it is dead or hung: nothing to ask it)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._process is not None:
            self._process.join(REPLY_TIMEOUT_S)
        self._final = self._final if self._final is not None else dict(self._replies["status"] or {})

    def status(self) -> dict:
        """Ports (asked for → connected to), messages sent, send-time figures, replay losses.

        Waits up to REPLY_TIMEOUT_S for the process to answer ({} when it does not).
        """
        if self._final is not None:
            return self._final
        return self._ask("status", REPLY_TIMEOUT_S)

    def latest(self, every: float = LATEST_EVERY_S) -> dict:
        """The status last received, at once; asks for a fresh one (at most ``every`` seconds apart,
        and only when no request is on its way).

        For the UI thread: a MIDI-out process that hangs or died never holds up a frame.
        """
        if self._final is not None:
            return self._final
        self._collect(0.0)
        now = time.monotonic()
        if not self._asked["status"] and now - self._latest_asked >= every:
            self._latest_asked = now
            self._request("status")
        return self._replies["status"]

    def ticks(self) -> list[tuple[float, float]]:
        """(due, sent) host times of the most recent clock ticks (up to 8,192)."""
        return self._ask("ticks", REPLY_TIMEOUT_S)

    def _ask(self, kind: str, timeout: float):
        if self._request(kind):
            self._collect(timeout, until=kind)
        return self._replies[kind]

    def _request(self, kind: str) -> bool:
        try:
            self._conn.send((kind,))
        except (BrokenPipeError, OSError):
            return False
        if not any(self._asked.values()):
            self._waiting_since = time.monotonic()
        self._asked[kind] += 1
        return True

    def _collect(self, timeout: float, until: str | None = None) -> None:
        """Take every reply that has arrived; with ``until``, wait for all of that kind's."""
        deadline = time.monotonic() + timeout
        try:
            while self._conn.poll(max(0.0, deadline - time.monotonic()) if until else 0.0):
                kind, value = self._conn.recv()
                self._replies[kind], self._asked[kind] = value, max(0, self._asked[kind] - 1)
                self._waiting_since = time.monotonic()  # it answers: the next reply is due from now
                if kind == "ready":
                    self._replies["status"] = value
                if until is not None and not self._asked[until]:
                    return
        except (EOFError, OSError):
            pass

    def close(self) -> dict:
        if self._final is None:
            self._final = self._ask("quit", REPLY_TIMEOUT_S)  # past any status reply still on its way
            self._process.join(REPLY_TIMEOUT_S)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        return self._final


def _options(config: MidiOutConfig, spec: str) -> tuple[bool, bool]:
    clock, notes = config.port_options.get(spec, (True, True))
    return clock and config.clock, notes and config.notes


def midi_out_main(config: MidiOutConfig, show: Show, rate: int, hold_bars: int | None, shm_name: str,
                  conn, resume: ResumePoint | None = None) -> None:
    """Entry point of the MIDI-out process (see the module docstring for its messages)."""
    sys.setswitchinterval(0.0005)  # the GIL reaches the sender (or JACK's callback) within half a millisecond
    # ... from a thread that runs: every thread here is real-time, so none is descheduled by the
    # stage or X while it holds the GIL (with JACK, the callback waiting for it would cost the
    # whole graph a cycle)
    realtime()
    shared = SharedState.attach(shm_name)
    in_cycle = resolve_api(config.api) == "jack"
    if in_cycle:
        from .cycle import JackCycle  # libjack is loaded only where JACK is the MIDI system
        cycle = JackCycle(rate, config.outputs)
        ports: list[OutPort | CyclePort] = list(cycle.ports)
    else:
        ports = [OutPort(spec, config.api) for spec in config.outputs]
    outputs = [Output(port, *_options(config, port.spec)) for port in ports]
    for output in outputs:
        output.port.connect()
    clock = ClockPlan(show, rate, run_while_stopped=config.run_while_stopped)
    notes = NotePlan(show, rate)
    if resume is None:
        replay = EngineView(show, rate, shared, hold_bars=hold_bars)
    else:  # a restart: the plans learn the recent past (the beat under way, hits still due) from the app's
        replay = EngineView.resumed(show, rate, shared, resume, hold_bars=hold_bars)
        clock.observe(resume.recent, -math.inf)
        notes.observe(resume.recent, -math.inf)
    sender = MidiSender(replay, outputs, clock, notes, offset_s=config.offset_ms / 1000.0, cycle=in_cycle)
    if resume is not None:
        sender.since = time.perf_counter()  # what was due before is the dead process's: sent, or gone with it
    # A full collection over everything made so far holds the GIL ~10 ms (a soak caught a tick two
    # periods late behind one): that lives as long as the process, so collections skip it from now on.
    gc.freeze()
    sender.start()
    if in_cycle:
        cycle.start(sender)
        hotplug = HotPlug(ports, config.api, lister=cycle, priority=MIDI_OUT_PRIORITY).start()
    else:
        hotplug = HotPlug(ports, config.api, quiet=sender.quiet, priority=MIDI_OUT_PRIORITY).start()

    def status() -> dict:
        return {"outputs": hotplug.connected(), "lost": replay.lost, **(cycle.figures() if in_cycle else {}),
                **sender.jitter()}

    conn.send(("ready", status()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the app is gone
            message = ("quit",)
        if message[0] == "status":
            conn.send(("status", status()))
        elif message[0] == "ticks":
            conn.send(("ticks", list(sender.stats.ticks)))
        elif message[0] == "quit":
            hotplug.stop()
            sender.close()
            final = status()
            for output in outputs:
                output.port.close()
            if in_cycle:
                cycle.close()
            try:
                conn.send(("quit", final))
            except (BrokenPipeError, OSError):
                pass
            shared.close()
            return
