"""The room, heard live: two threads follow the room ring behind the show — a meter, and one that measures every bar.

It runs in the app's process beside the stage — never in the engine's, whose callback only copies
samples (:mod:`rockstar_cx.audio.room`) — and reads the engine's events through a replay of its own
(:meth:`~.view.EngineView.of`), so it knows every hit's exact sample.  Two things are published,
each swapped in whole by the one thread that writes it (any thread reads both as :attr:`RoomListener.now`):

* the **meter**: the clap band's level over the last :data:`METER_S`, renewed every
  :data:`POLL_S` by a thread of its own, so a bar being measured (~70 ms) never holds it up — a clap
  shows within 60 ms on the console;
* per **bar**, once the room ring holds it and its echo: whether the room clapped, its spread
  around the steps the sections played (σ, ms) and whether it is ahead (−) or behind (+), after
  the guide the PA played is taken out of what the microphone heard (it would make the room look
  tighter); the room's own tempo, its pulse followed from window to window (a room drifting
  away from the conductor, or in a chaos, is measured around that pulse); and the round trip
  as the guide reveals it, so a changed delay is seen within two bars (two windows must agree).

The room's echo is taken out of the spread through the PA → mic path a calibration sweep (F8,
``calibrate-room``) measured in a quiet room, kept per device; without one, through the path the
guide reveals — which carries the claps of a room clapping on it, so spreads then read low
(σ 15 ms read 0.6-13 ms in simulated rooms; 14-18 through the sweep's path).

A measure costs ~70 ms of one core (two seconds of audio: band filters, the guide's path, the
fold), at most once in :data:`MEASURE_EVERY_S` (a faster bar's steps join the next): under 4 % of
a core, plus the room's kernel once per path (~0.4 s).  Claps are expected where the steps were played plus
the round trip: with the microphone at the back of the hall on the PA's axis, a listener anywhere
between hears the PA and is heard by the mic with the same total delay.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from queue import SimpleQueue

import numpy as np
from scipy import signal

from ..audio.commands import PlayProbe
from ..audio.probe import probe
from ..audio.room import RoomRing
from ..conductor.events import Beat, Hit
from ..listening.bleed import PATH_S, estimate_path, path_from_response, take_out_guide
from ..listening.circular import MIN_WINDOWS, fold, heard_clapping
from ..listening.kernel import Kernel, measure_kernel
from ..listening.onset import CLAP_BAND_HZ, Envelope, onset_strength
from ..listening.room import clear_times, drifted
from ..listening.tempo import Track, follow, pulse_fit
from ..show.model import Show
from ..threads import Worker
from .heard import SILENT_DB, BarHeard, Reveal, RoomNow, moment_rows, reveal_of
from .roomcal import heard_probe, round_trip, save_round_trip
from .view import EngineView

POLL_S = 0.02
METER_S = 0.02
WINDOW_S = 2.0  # of audio analysed per bar, ending with the bar and its echo: the guide's path needs seconds
ECHO_S = 0.3  # waited for after a bar's end (plus the round trip) before it is measured
MIN_STEPS = 3  # clear steps, at least, for a spread
MEASURE_EVERY_S = 1.9  # at most one measure in this long (a bar at 120 bpm is 2 s): its cost bounded
MIN_HITS = 8  # a bar is judged with the steps of the bars before it, up to this many (the clapping test needs 6)
MAX_BARS = 4
MIN_BEATS = 3  # followed, at least, for a tempo
PATH_CLEAR = 10.0  # the guide's path peaks this far over its median, or the mic did not hear the guide
PATH_MOVED_S = 0.001  # a round trip moved by more than this: a new path (its kernels anew; its bar not judged)
#: A new round trip needs two windows that agree: with the guide 40 dB under loud claps, one window's path
#: peaked on claps at 5,500-32,000 samples.  Until then a bar is judged on the round trip known, unless the
#: guide is this share of what the mic heard (a path that moved inside the window then leaves a "tight room").
GUIDE_SHARE = 0.5


class RoomListener:
    """Follows ``ring`` behind the engine replayed by ``view`` (its own: this thread is its one reader)."""

    def __init__(self, show: Show, rate: int, ring: RoomRing, view: EngineView, round_trip_samples: float = 0.0,
                 device: str = "", path: np.ndarray | None = None) -> None:
        self.show, self.rate, self.ring, self.view, self.device = show, rate, ring, view, device
        self.round_trip = round_trip_samples  # until the guide says otherwise
        self._level_db = SILENT_DB  # the meter's, and the last bar's: each written by one thread (see now)
        self._last_bar: BarHeard | None = None
        self.bars: list[BarHeard] = []  # every bar measured: the run report's room per moment
        self._hits: list[Hit] = []  # the current bar's and the next's
        self._bar_start: Beat | None = None
        self._pending: list[tuple[Beat, int, list[Hit]]] = []  # bars played, waiting for their echo
        self._recent: deque[list[Hit]] = deque(maxlen=MAX_BARS)  # the hits of the last bars measured
        self._beats: deque[Beat] = deque(maxlen=MAX_BARS * 16)  # the conductor's beats: the room's pulse followed from them
        self._pulse: tuple[float, float, int] | None = None  # the room's next beat and period (samples), and its moment
        self._measured_to = -(1 << 62)  # the end of the last bar measured
        self._meter = signal.butter(4, CLAP_BAND_HZ, "bandpass", fs=rate, output="sos")  # designed once
        self._kernels: dict[int, Kernel] = {}  # by the grid's period in ms: what the room's echo adds to a spread
        # (round trip, path) the kernels are measured on: a calibration's (``path``, kept from an earlier one), till the
        # guide's path moves from it
        self._kernel_path = (round_trip_samples, path) if path is not None else None
        self._new_trip: float | None = None  # a round trip one window said, waiting for the next to agree
        self._known = round_trip_samples > 0 or path is not None  # a round trip measured (else 0: a guess)
        self._calibrating: int | None = None  # a calibration asked for at this show position: the probe comes after
        self._probe_began: int | None = None
        self._sweep: np.ndarray | None = None  # the probe as the engine plays it, once a calibration is asked for
        self._said: SimpleQueue[str] = SimpleQueue()  # for the presenter's message line
        self._worker = Worker("room-listener", self._run)
        self._meter_worker = Worker("room-meter", self._run_meter)
        self._lock = threading.Lock()  # bars: appended here, read by the report

    @property
    def now(self) -> RoomNow:
        return RoomNow(self._level_db, self._last_bar)

    @property
    def path(self) -> np.ndarray | None:
        """The PA → mic path the room's echo is measured on: a calibration's, else the guide's (None: not yet)."""
        return None if self._kernel_path is None else self._kernel_path[1]

    def start(self) -> RoomListener:
        self._meter_worker.start()
        self._worker.start()
        return self

    def stop(self) -> None:
        self._worker.stop()
        self._meter_worker.stop()

    def _run(self) -> None:
        stopping = self._worker.stopping
        while not stopping.wait(POLL_S):
            self.follow()

    def _run_meter(self) -> None:
        stopping = self._meter_worker.stopping
        while not stopping.wait(POLL_S):
            self.meter()

    def step(self) -> None:
        """One look of both threads': the meter, then :meth:`follow`."""
        self.meter()
        self.follow()

    def meter(self) -> None:
        """The clap band's level over the last :data:`METER_S` the ring holds."""
        self._level_db = self._level(self.ring.position)

    def follow(self) -> None:
        """The replay catches up, bars whose echo is in are measured, a calibration is looked for."""
        for event in self.view.update():
            kind = type(event)
            if kind is Beat and event.beat == 0 and event.moment >= 0:
                if self._bar_start is not None:
                    self._pending.append((self._bar_start, event.sample, self._hits))
                self._bar_start, self._hits = event, []
            elif kind is Hit and self._bar_start is not None:
                self._hits.append(event)
            if kind is Beat and event.moment >= 0:
                self._beats.append(event)
        position = self.ring.position
        while self._pending and self._pending[0][1] + self.round_trip + ECHO_S * self.rate <= position:
            beat, end, hits = self._pending.pop(0)
            if self._recent and self._recent[-1] and self._recent[-1][0].moment != beat.moment:
                self._recent.clear()  # a new moment: its own grid
            self._recent.append(hits)
            if end - self._measured_to < MEASURE_EVERY_S * self.rate:
                continue  # a fast tempo: this bar's steps go into the next measure (the cost stays bounded)
            heard = self._measure(beat, end, [hit for bar in self._recent for hit in bar][-MIN_HITS:])
            self._measured_to = end
            if heard is not None:
                with self._lock:
                    self.bars.append(heard)
            self._last_bar = heard
        if self._calibrating is not None:
            self._calibration()

    def calibrate(self) -> bool:
        """Find the probe the presenter is about to play (False: a calibration is under way already)."""
        if self._calibrating is not None:
            return False
        self._probe_began, self._calibrating = None, self.view.position
        if self._sweep is None:
            self._sweep = probe(self.rate)  # made once: the ring is looked at every 20 ms until it holds the sweep
        return True

    def said(self) -> str | None:
        """A calibration's outcome, in words, once (None: nothing new)."""
        return None if self._said.empty() else self._said.get()

    def _calibration(self) -> None:
        if self._probe_began is None:
            self._probe_began = next((sample for sample, command in list(self.view.applied)
                                      if type(command) is PlayProbe and sample >= self._calibrating), None)
            return
        latency = round_trip(self.ring, self._probe_began, self._sweep, self.rate)
        if latency is None:
            return
        self._calibrating = None
        if not heard_probe(latency):
            self._said.put("The room microphone did not hear the sweep: check the mic, its input and the PA's level")
            return
        self.round_trip, self._known = latency.samples, True
        # the sweep's response is the path with no crowd in it: the guide's, estimated from a room clapping on it,
        # carries the claps (their smear read as the room's: σ 15 ms read 0.6-7.3); it stands till the path moves
        self._kernel_path, self._kernels = (latency.samples, path_from_response(latency.response, self.rate)), {}
        try:
            kept = save_round_trip(self.device, self.rate, latency)
        except OSError as error:
            self._said.put(f"Room: {latency.samples / self.rate * 1000:.2f} ms, not kept: {error.strerror or error}")
            return
        self._said.put(kept.words()[0].upper() + kept.words()[1:])

    def _level(self, position: int) -> float:
        audio = self.ring.read(position - int(METER_S * self.rate), position)
        if audio is None:
            return SILENT_DB
        power = float(np.mean(np.square(signal.sosfilt(self._meter, audio))))
        return max(SILENT_DB, 10 * math.log10(power)) if power > 0 else SILENT_DB

    def _measure(self, beat: Beat, end: int, hits: list[Hit]) -> BarHeard | None:
        if len(hits) < MIN_WINDOWS:  # too few steps yet (a moment's first bar, a sparse part): no verdict
            return None
        stop = int(end + self.round_trip + ECHO_S * self.rate)
        first = min([beat.sample, *(hit.sample for hit in hits)])
        start = stop - int(max(WINDOW_S * self.rate, stop - first + ECHO_S * self.rate))
        heard, played = self.ring.read(start, stop), self.ring.read(start, stop, played=True)
        if heard is None or played is None:  # the listener fell behind the ring: that bar is gone
            return None
        trip = self.round_trip
        if np.any(played):
            path = estimate_path(heard, played, self.rate)
            room = take_out_guide(heard, played, self.rate, path)
            found = self._path_found(path)
            if found is not None:
                strong = _share(room, heard) < 1.0 - GUIDE_SHARE  # the guide is most of what the mic heard
                if abs(found - trip) <= PATH_MOVED_S * self.rate or self._confirmed(found) or (strong and not self._known):
                    trip, self.round_trip, self._new_trip, self._known = found, found, None, True
                    if self._kernel_path is None or abs(self._kernel_path[0] - trip) > PATH_MOVED_S * self.rate:
                        self._kernel_path, self._kernels = (trip, path), {}  # a new path: its kernels anew
                elif strong or not self._known:
                    # one window's word: a strong guide's path moved inside it (taking one path out leaves the
                    # other's guide, a "tight room"), or a weak guide's claps read as its path: no verdict yet
                    return None
                # else a weak guide's odd word: the bar judged on the round trip known
        else:
            room = np.asarray(heard, dtype=np.float64)
        offset_s = (trip - start) / self.rate
        times = np.unique([hit.sample / self.rate for hit in hits]) + offset_s
        envelope = onset_strength(room, self.rate)
        guide = onset_strength(np.asarray(heard, dtype=np.float64) - room, self.rate)
        track = self._follow(envelope, beat, start, stop, trip)
        chaos = self.show.moments[beat.moment].mode == "chaos"
        # with the conductor: the room around the steps the sections played; without (chaos), or once it has
        # left them by more than a step's window, around its own pulse (and then ahead/behind of nothing)
        on_steps = not chaos and heard_clapping(fold(envelope, times), fold(guide, times))
        own = track is not None and not on_steps and heard_clapping(fold(envelope, track.grid, track.periods),
                                                                    fold(guide, track.grid, track.periods))
        spread_ms = ahead_ms = None
        if on_steps:  # the spread where the room clapped the steps (its drift in the window is no spread)
            grid, period = clear_times(times)
            beats_s = np.array([(b.sample + trip - start) / self.rate for b in self._beats if b.moment == beat.moment])
            around = drifted(grid, beats_s, pulse_fit(track, self.show.meter.beats) if track is not None else None)
            spread_ms, ahead_ms = self._spread(envelope, around, np.full(len(grid), period))
            if ahead_ms is not None:  # against where the steps were played: the drift is ahead too
                ahead_ms += 1000.0 * float(np.mean(around - grid))
        elif own:
            spread_ms, _ = self._spread(envelope, track.grid, track.periods)
        tempo = _bpm(track) if on_steps or own else None
        return BarHeard(beat.moment, beat.bar, on_steps or own, spread_ms, ahead_ms, 1000.0 * trip / self.rate, tempo,
                        beat.tempo)

    def _path_found(self, path: np.ndarray) -> float | None:
        """The round trip a window's path says (its direct sound), or None: the mic did not hear the guide."""
        size = np.abs(path)
        if size.max() <= PATH_CLEAR * np.median(size):
            return None
        return float(np.argmax(size)) + PATH_S[0] * self.rate

    def _confirmed(self, found: float) -> bool:
        """Whether the window before said the same new round trip: two agreeing windows move it."""
        agreed = self._new_trip is not None and abs(found - self._new_trip) <= PATH_MOVED_S * self.rate
        self._new_trip = None if agreed else found
        return agreed

    def _spread(self, envelope: Envelope, grid: np.ndarray, periods: np.ndarray) -> tuple[float | None, float | None]:
        """(σ, ahead) around ``grid`` with the room's kernel taken out; Nones with too few windows to tell."""
        spread = fold(envelope, grid, periods)
        if spread.n_beats < MIN_STEPS or not math.isfinite(spread.raw_sigma_ms):
            return None, None
        return self._kernel(float(np.mean(periods))).correct(spread)

    def _follow(self, envelope: Envelope, beat: Beat, start: int, stop: int, trip: float) -> Track | None:
        """The room's own pulse through the window: the follower carried on from the last window (a new moment:
        from the conductor's beat), so a room drifting away from the conductor stays followed."""
        end = stop - ECHO_S * self.rate
        if self._pulse is None or self._pulse[2] != beat.moment:
            beats = [b for b in self._beats if start <= b.sample + trip < end and b.moment == beat.moment]
            if not beats:
                return None
            first, period = beats[0].sample + trip, 60.0 * self.rate / beats[0].tempo
        else:
            first, period, _ = self._pulse
            first -= period * math.floor((first - start) / period)  # the window's first beat, as the loop predicts it
        count = int((end - first) // period) + 1
        if count < MIN_BEATS:
            return None
        track = follow(envelope, (first - start) / self.rate, period / self.rate, count)
        if track.found < MIN_BEATS - 1:
            self._pulse = None  # lost: start again from the conductor's beats
            return None
        self._pulse = (start + (track.grid[-1] + track.periods[-1]) * self.rate, track.periods[-1] * self.rate,
                       beat.moment)
        return track

    def _kernel(self, period_s: float) -> Kernel:
        key = round(period_s * 1000)
        if self._kernel_path is None:
            return Kernel.none()
        if key not in self._kernels:  # once per grid and path: ~0.2 s, then never again
            self._kernels[key] = measure_kernel(self._kernel_path[1], self.rate, key / 1000)
        return self._kernels[key]

    def heard_bars(self) -> list[BarHeard]:
        with self._lock:
            return list(self.bars)

    def reveal(self, moment: int, before: int | None) -> Reveal | None:
        """For a conducted moment entered from a chaos (``before``): the room in that chaos against the room
        now, once both have been measured (and the show file lets this moment reveal it); else None."""
        return reveal_of(self.show, self.heard_bars(), moment, before)

    def report(self) -> list[dict]:
        """The run report's ``room`` (:func:`.heard.moment_rows`)."""
        return moment_rows(self.show, self.heard_bars())


def _bpm(track: Track | None) -> float | None:
    """The room's tempo over a followed window: its beats heard, the median period between them."""
    if track is None:
        return None
    periods = track.periods[np.isfinite(track.heard)]
    return 60.0 / float(np.median(periods)) if len(periods) else None


def _share(part: np.ndarray, whole: np.ndarray) -> float:
    """``part``'s energy over ``whole``'s (1.0 for silence)."""
    total = float(np.sum(np.square(whole, dtype=np.float64)))
    return float(np.sum(np.square(part))) / total if total > 0 else 1.0
