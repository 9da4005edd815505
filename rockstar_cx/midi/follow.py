"""Clock in (follow mode): play in time with an external MIDI clock master.

* **Tempo**: a straight line fitted through the arrival times of the last :data:`WINDOW` ticks
  (two beats), outliers (a tick held up by the driver) rejected and the line refitted: the
  slope is the master's tick interval, free of the ±1 period jitter of any single tick.  When
  the last :data:`STEP_TICKS` ticks all fall off the line on the same side, the master changed
  tempo: the older ticks are forgotten, so a new tempo is followed within a quarter beat.  Arrival
  times are the MIDI driver's own timestamps (rtmidi's deltas, taken in its thread), never the
  moment our reader thread got round to them.
* **Phase**: the first tick after Start (0xFA) is the master's beat 1: the show starts there
  (``Start(moment=0, count_in=False)``).  Then at every master beat, the nearest beat our
  engine played is compared with it — our beats are read, with their exact samples, from the
  engine's event ring (our own reader) and placed in host time by its clock fit — and the tempo
  of our next beat is set to catch up most of the difference (:data:`GAIN`) (at most :data:`MAX_PULL` of a beat),
  net of the pull already on its way (a tempo set now applies from our next beat, so the
  previous one is still to play out).  Beats are paired by their number since Start, so a
  large error (after a sudden tempo change) is caught up, never slipped by a beat.
  The engine has no command to shift its phase, so the tempo pulls it in; see the report for
  the engine support that would make it exact.
* **Transport**: Stop (0xFC) stops at once, Continue (0xFB) starts the moment Song Position
  Pointer points into (as ``export-midi`` lays the journey out) or, with no SPP, where it stopped.
* **Losing the master** (no tick for :data:`LOST_S`): the show plays on by its internal clock at
  the master's last tempo, without the phase pull; following resumes when ticks come back.

Threading contract: the follower's thread does all of this; ``send`` must be thread-safe (as
:meth:`AudioEngine.send` is); :meth:`ClockFollower.status` may be read from any thread.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..audio.ipc import SharedState
from ..conductor.commands import SetTempo, Start, Stop
from ..conductor.events import Beat
from ..show.model import Show
from .clock import CLOCK, CONTINUE, SONG_POSITION, START, STOP, clocks_per_beat, song_position
from .ports import InPort
from ..threads import Worker

POLL_S = 0.001
WINDOW = 48  # ticks in the tempo fit
OUTLIER = 0.25  # a tick further than this (of a tick) from the fitted line is ignored
STEP_TICKS = 6
LOST_S = 0.5
GAIN = 0.8  # of the phase error corrected per beat
MAX_PULL = 0.25  # largest tempo pull, as a fraction of the beat
RESEND_BPM = 0.01  # smaller tempo changes are not sent
STEP = 0.01  # a tempo change this large is sent at once, not at the next beat's comparison
STOPPED_RESEND_BPM = 0.1  # while stopped, only real changes (not the estimate's wobble)


@dataclass(frozen=True)
class FollowStatus:
    following: bool  # ticks are arriving
    running: bool  # the master is playing (Start/Continue seen, no Stop)
    tempo: float  # the master's, bpm; 0 until known
    phase_ms: float  # our last beat minus the master's (positive: we are late)


class ClockFollower(Worker):
    def __init__(self, inport: InPort, show: Show, rate: int, shared: SharedState,
                 send: Callable[[object], bool]) -> None:
        self.inport = inport
        self.show = show
        self.rate = rate
        self.per_beat = clocks_per_beat(show)
        self.shared = shared  # an attached view with its own event tail: our beats
        self.send = send
        self._status = FollowStatus(False, False, 0.0, 0.0)
        self._ticks: deque[float] = deque(maxlen=WINDOW)  # arrival host times
        self._anchor = float("inf")  # host time of the driver's timestamp zero
        self._elapsed = 0.0  # driver timestamps, summed
        self._count = -1  # ticks since the master's beat 1 (-1: not running)
        self._position = 0  # Song Position Pointer, sixteenths
        self._start_pending: Start | None = None
        self._ours: list[float] = []  # host times our beats sound, since our Start
        self._unplaced: list[int] = []  # samples of our beats read before the engine had a clock fit
        self._masters: list[float] = []  # arrival times of the master's beats, since its Start
        self._compared = 0  # pairs (ours[i], masters[i]) compared so far
        self._pull = 0.0  # the last pull sent, still to play out
        self._sent_tempo = 0.0
        super().__init__("midi-clock-in")

    def status(self) -> FollowStatus:
        return self._status

    # -- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self.stopping.wait(POLL_S):
            self._our_beats()
            while (item := self.inport.receive()) is not None:
                self._message(item[0], self._arrival(item[1]))
            self._compare()
            if self._ticks and time.perf_counter() - self._ticks[-1] > LOST_S and self._status.following:
                self._lose()

    def _arrival(self, delta: float) -> float:
        """Host time a message arrived, from the driver's deltas.  It arrived before we read it,
        so the earliest "now minus elapsed" seen is the best anchor of the driver's timeline."""
        self._elapsed += delta
        self._anchor = min(self._anchor, time.perf_counter() - self._elapsed)
        return self._anchor + self._elapsed

    def _our_beats(self) -> None:
        events, _ = self.shared.read_events()
        self._unplaced += [e.sample for e in events if type(e) is Beat]
        if self._unplaced:
            fit = self.shared.read_health().clock
            if fit is not None:  # (none yet: the beats wait for the engine's first fit)
                self._ours += [fit.host_of(sample) for sample in self._unplaced]
                self._unplaced = []

    def _message(self, data: list[int], arrival: float) -> None:
        status = data[0] if data else 0
        if status == CLOCK:
            self._tick(arrival)
        elif status == START:
            self._position = 0
            self._count = 0
            self._start_pending = Start(moment=0, count_in=False)
        elif status == CONTINUE:
            self._count = self._position * 6  # SPP counts sixteenths, 6 clocks each
            self._start_pending = Start(moment=self._moment_at(self._position), count_in=False)
        elif status == STOP:
            self._count = -1
            self.send(Stop())
            self._set(running=False)
        elif status == SONG_POSITION and len(data) == 3:
            self._position = data[1] | data[2] << 7

    def _moment_at(self, position: int) -> int | None:
        if position == 0:
            return None  # no position given: carry on where the show stopped
        starts = [song_position(self.show, m) for m in range(len(self.show.moments))]
        return max(m for m, start in enumerate(starts) if start <= position)

    def _tick(self, arrival: float) -> None:
        self._ticks.append(arrival)
        tempo = self._tempo()
        if self._start_pending is not None and self._count % self.per_beat == 0:  # on the master's beat
            self.send(self._start_pending)
            self._start_pending = None
            self._ours, self._unplaced, self._masters, self._compared, self._pull = [], [], [], 0, 0.0
            if tempo:  # from the first beat on (after Start: a moment's own tempo would win otherwise)
                self._sent_tempo = 0.0
                self._send_tempo(tempo)
        if self._count >= 0:
            if self._count % self.per_beat == 0:
                self._masters.append(arrival)
            self._count += 1
            if tempo and abs(tempo / (1.0 - self._pull) / self._sent_tempo - 1.0) > STEP:
                self._send_tempo(tempo / (1.0 - self._pull))  # the master changed tempo: from our next beat
        elif tempo and abs(tempo - self._sent_tempo) >= STOPPED_RESEND_BPM:  # stopped: just carry the tempo
            self._send_tempo(tempo)
        self._set(following=True, running=self._count >= 0, tempo=tempo)

    def _tempo(self) -> float:
        """The master's tempo from the recent ticks (0 until there are enough)."""
        if len(self._ticks) < STEP_TICKS:
            return 0.0
        times = np.array(self._ticks)
        index = np.arange(len(times), dtype=float)
        keep = np.ones(len(times), bool)
        for _ in range(2):  # fit, drop the outliers, fit again
            slope, intercept = np.polyfit(index[keep], times[keep], 1)
            residual = times - (intercept + slope * index)
            keep = np.abs(residual) <= OUTLIER * slope
            if keep.sum() < len(times) // 2:
                break
        recent = residual[-STEP_TICKS:]
        if len(times) > STEP_TICKS and (np.all(recent > OUTLIER * slope) or np.all(recent < -OUTLIER * slope)):
            for _ in range(len(times) - STEP_TICKS):  # a new tempo: start the fit again from it
                self._ticks.popleft()
            return self._tempo()
        return 60.0 / (slope * self.per_beat) if len(times) >= self.per_beat // 2 else 0.0

    def _compare(self) -> None:
        """Once our beat and the master's of the same number are known: set our next beat's tempo."""
        pairs, tempo = min(len(self._ours), len(self._masters)), self._status.tempo
        if pairs <= self._compared or not tempo:
            return
        self._compared = pairs
        error = self._ours[pairs - 1] - self._masters[pairs - 1]
        self._pull = max(-MAX_PULL, min(MAX_PULL, GAIN * (error * tempo / 60.0 - self._pull)))
        self._send_tempo(tempo / (1.0 - self._pull))
        self._set(phase_ms=error * 1000.0)

    def _send_tempo(self, bpm: float) -> None:
        if abs(bpm - self._sent_tempo) >= RESEND_BPM:
            self.send(SetTempo(bpm))
            self._sent_tempo = bpm

    def _lose(self) -> None:
        """The master went quiet: play on at its last tempo, by our own clock."""
        tempo = self._status.tempo
        if tempo:
            self._send_tempo(tempo)
        self._ticks.clear()
        self._set(following=False)

    def _set(self, **changes) -> None:
        current = self._status.__dict__ | changes
        self._status = FollowStatus(**current)
