"""The MIDI out threads: a planner that follows the engine, a sender that keeps the appointments.

* The **planner** thread catches its :class:`~rockstar_cx.live.view.EngineView` up with the engine every
  :data:`PLAN_S`, asks :mod:`.clock` and :mod:`.notes` what is due in the next
  :data:`AHEAD_S`, puts each message at its due time (the host time of its sample by the
  engine's clock fit; with JACK, its sample) less the MIDI offset, and publishes the list — one
  reference swap, no lock.
* **When** a message leaves depends on the MIDI system.  ALSA and CoreMIDI deliver at once, so
  the **sender** thread sends each when its sample's sound leaves (host time of the sample plus
  the output latency).  JACK delivers MIDI only inside its cycles, so there no thread sends: our
  JACK client's process callback (:mod:`.cycle`) asks :meth:`MidiSender.cycle` for the messages
  whose samples fall in the block the cycle plays, and writes each on its sample's frame.
* The **sender** thread (not with JACK) takes the earliest message not sent yet, sleeps until just before its
  host time, then waits the last stretch in short GIL-free sleeps and a final spin
  (:func:`wait_until`), and sends it to every output that wants it.  Replanning wakes it early.

Why two threads: replanning (the follower's preview runs the conductor two seconds ahead) takes
milliseconds; a sender doing it inline would be late by as much.  Why not one independent timer:
every message is placed by the audio's sample clock, so MIDI cannot drift from the sound.

Messages are sent once each: a tick only after the last one sent (and not within
:data:`MIN_TICK_GAP_S` of it), everything else by its key.  A message found late (the process
was starved) is sent at once (with JACK: on the cycle's first frame), never dropped — except
ticks more than :data:`STALE_S` late, skipped so a stall does not end in a burst of clocks.

While the engine is dead or stalled (its position still for :data:`ENGINE_STALL_S`, or its
health :attr:`~rockstar_cx.audio.health.AudioState.DEAD`) the planner plans nothing: no clock
and no notes for a journey that is not playing; they resume with the revived engine.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..audio.health import AudioState
from ..live.view import EngineView
from ..threads import realtime
from .clock import ORDER_TICK, ClockPlan, Timed
from .notes import NotePlan
from .ports import OutPort

if TYPE_CHECKING:
    from .cycle import CyclePort

PLAN_S = 0.004  # how often the planner catches up with the engine
AHEAD_S = 0.100  # how far ahead it plans (replanned long before that runs out)
LATE_S = 0.250  # how far back it still plans: messages the sender has not got to yet
STALE_S = 0.050
ENGINE_STALL_S = 0.2  # the engine's position still this long: it is dead or hung, nothing is playing
MIN_TICK_GAP_S = 0.002
SPIN_S = 0.0003  # the last stretch is a busy wait
FINE_S = 0.002  # before that, GIL-free sleeps of FINE_STEP_S
FINE_STEP_S = 0.0001
STATS = 1 << 13  # send-time errors kept for the benchmark and the console (the last ~3 min: more only grows the process)
# Both threads ask for realtime scheduling where the OS allows it: see rockstar_cx.threads.


@dataclass
class Output:
    """An output port and what it carries (the user can turn either off per port)."""

    port: OutPort | CyclePort
    clock: bool = True
    notes: bool = True

    def wants(self, message: Timed) -> bool:
        return self.clock if message.order <= 3 else self.notes


@dataclass
class SendStats:
    """Send times as the sender saw them: lateness of every message, and tick send times."""

    lateness: deque = field(default_factory=lambda: deque(maxlen=STATS))  # seconds after due
    ticks: deque = field(default_factory=lambda: deque(maxlen=STATS))  # (due, sent) host times
    sent: int = 0
    skipped: int = 0


def wait_until(deadline: float, wake: threading.Event | None = None, margin: float = FINE_S) -> bool:
    """Return at ``deadline`` (perf_counter seconds); False if ``wake`` was set first.

    Sleep (interruptibly) until ``margin`` before, then in short sleeps — which free the GIL for
    other threads, unlike a spin — until :data:`SPIN_S` before, then spin.
    """
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return True
        if left > margin:
            if wake is not None and wake.wait(left - margin):
                return False
            if wake is None:
                time.sleep(left - margin)
        elif left > SPIN_S:
            time.sleep(FINE_STEP_S)


class MidiSender:
    """Runs the planner thread (and, but with ``cycle``, the sender thread) over an
    :class:`EngineView`; :meth:`close` stops them.  With ``cycle`` our JACK client's process
    callback sends, through :meth:`block_at` and :meth:`cycle` (see :mod:`.cycle`)."""

    def __init__(self, replay: EngineView, outputs: Sequence[Output], clock: ClockPlan | None, notes: NotePlan | None,
                 *, offset_s: float = 0.0, cycle: bool = False) -> None:
        self.replay = replay
        self.outputs = list(outputs)
        self.clock = clock
        self.notes = notes
        self.offset_s = offset_s  # positive: MIDI leaves this much before the sound
        self.in_cycle = cycle
        # due times are host seconds, or with JACK engine samples: what a second is in them
        self._unit = float(replay.rate) if cycle else 1.0
        self.stats = SendStats()
        self.realtime: list[bool] = []  # per thread, whether it got realtime scheduling
        self._pending: list[tuple[float, Timed]] = []  # (due, message), in order
        self._replanned = threading.Event()
        self._stop = threading.Event()
        self._last_tick: float | None = None  # sample of the last tick sent
        self._last_tick_due = -math.inf
        self._sent_keys: dict[tuple, float] = {}  # key -> due (pruned as they age)
        self._moved = (-1, 0.0)  # the replay's position, and the host time it last moved
        self.since = -math.inf  # nothing due before this host time is sent (a restarted process: the old one's)
        self._threads = [threading.Thread(target=self._plan_loop, name="midi-planner", daemon=True)]
        if not cycle:
            self._threads.append(threading.Thread(target=self._send_loop, name="midi-sender", daemon=True))

    def start(self) -> MidiSender:
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._replanned.set()
        for thread in self._threads:
            thread.join()

    # -- planning --------------------------------------------------------------------------------

    def _plan_loop(self) -> None:
        self.realtime.append(realtime())
        while not self._stop.is_set():
            began = time.perf_counter()
            self.plan_once(began)
            self._stop.wait(max(0.0, PLAN_S - (time.perf_counter() - began)))

    def plan_once(self, now: float) -> None:
        played = self.replay.update()
        replay = self.replay
        if replay.position != self._moved[0]:
            self._moved = (replay.position, now)
        if replay.fit is None:
            return
        if now - self._moved[1] > ENGINE_STALL_S or replay.health().state is AudioState.DEAD:
            if self._pending:  # the engine is dead or hung: send nothing for a journey that is not playing
                self._pending = []
                self._replanned.set()
            return
        start = replay.sample_at(now - LATE_S + self.offset_s)
        end = replay.sample_at(now + AHEAD_S + self.offset_s)
        upcoming = replay.preview()
        messages: list[Timed] = []
        if self.clock is not None:
            self.clock.observe(played, start)
            messages += self.clock.plan(upcoming, start, end, self._last_tick)
        if self.notes is not None:
            self.notes.observe(played, start)
            messages += self.notes.plan(upcoming, start, end)
        messages.sort()
        pending = []
        for message in messages:
            host = replay.host_of(message.sample) - self.offset_s
            if host >= self.since:  # due: that host time, or with JACK the sample it stands for
                pending.append((message.sample - self.offset_s * self._unit if self.in_cycle else host, message))
        self._pending = pending
        self._replanned.set()

    # -- sending on host time (ALSA, CoreMIDI) ---------------------------------------------------------

    def _send_loop(self) -> None:
        self.realtime.append(realtime())
        while not self._stop.is_set():
            self._replanned.clear()
            due = self._next(time.perf_counter())
            if due is None:
                self._replanned.wait(PLAN_S)
                continue
            host, message = due
            if wait_until(host, self._replanned):
                self._send(host, message, time.perf_counter())

    def quiet(self, seconds: float) -> bool:
        """True when nothing is due for ``seconds``: a moment for work that holds the GIL in C.
        Any thread; it only reads (a message sent meanwhile just makes the answer cautious)."""
        now = time.perf_counter()
        for host, message in self._pending:
            if host < now - STALE_S or (message.order == ORDER_TICK and self._last_tick is not None
                                        and message.sample <= self._last_tick) or message.key in self._sent_keys:
                continue
            return host - now >= seconds
        return True

    # -- sending in JACK's cycle -------------------------------------------------------------------

    def block_at(self, host: float) -> int | None:
        """The engine's block whose callback began nearest host time ``host`` (its first sample)."""
        fit = self.replay.fit
        return None if fit is None else fit.block_at(host)

    def cycle(self, start: int, frames: int) -> None:
        """Write what is due in engine samples [start, start + frames) — each message on its sample's
        nearest frame, one found late on frame 0 — to the outputs that want it (:meth:`CyclePort.write`)."""
        end = start + frames - 0.5  # a message goes on its sample's nearest frame, where its hit sounds
        while (due := self._next(start, before=end)) is not None:
            sample, message = due
            frame = max(0, round(sample) - start)
            for output in self.outputs:
                if output.wants(message):
                    output.port.write(frame, message.data)
            self._sent(sample, message, start + frame)

    # -- shared ------------------------------------------------------------------------------------

    def _next(self, now: float, before: float = math.inf) -> tuple[float, Timed] | None:
        """The earliest message in the plan not sent yet (due before ``before``)."""
        stale, gap = STALE_S * self._unit, MIN_TICK_GAP_S * self._unit
        for due, message in self._pending:
            if due >= before:
                return None
            if message.order == ORDER_TICK:
                if self._last_tick is not None and (message.sample <= self._last_tick
                                                    or due - self._last_tick_due < gap):
                    continue
                if now - due > stale:
                    self.stats.skipped += 1
                    self._last_tick, self._last_tick_due = message.sample, due
                    continue
            elif message.key in self._sent_keys:
                continue
            return due, message
        return None

    def _send(self, due: float, message: Timed, sent: float) -> None:
        for output in self.outputs:
            if output.wants(message):
                output.port.send(message.data)
        self._sent(due, message, sent)

    def _sent(self, due: float, message: Timed, sent: float) -> None:
        """Book ``message`` as sent at ``sent`` (the due times' unit)."""
        stats = self.stats
        stats.sent += 1
        stats.lateness.append((sent - due) / self._unit)
        if message.order == ORDER_TICK:
            self._last_tick, self._last_tick_due = message.sample, due
            stats.ticks.append((due / self._unit, sent / self._unit))
        else:
            self._sent_keys[message.key] = due
            if len(self._sent_keys) > 4096:  # forget what is long past: it is never planned again
                self._sent_keys = {k: t for k, t in self._sent_keys.items() if t > sent - 2 * LATE_S * self._unit}

    def jitter(self) -> dict:
        """Send-time figures (ms): how late messages left, and the spread of tick intervals."""
        lateness = np.array(self.stats.lateness, float) * 1e3
        ticks = np.array(self.stats.ticks, float)
        figures = {"sent": self.stats.sent, "skipped_ticks": self.stats.skipped, "realtime": all(self.realtime)}
        if len(lateness):
            figures |= {"late_ms_mean": float(lateness.mean()), "late_ms_max": float(lateness.max()),
                        "late_over_1ms": int((lateness > 1.0).sum())}
        if len(ticks) > 2:
            error = np.diff(ticks[:, 1]) - np.diff(ticks[:, 0])  # interval sent minus interval due
            figures |= {"tick_interval_error_ms_std": float(error.std() * 1e3),
                        "tick_interval_error_ms_max": float(np.abs(error).max() * 1e3)}
        return figures
