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
  as the guide reveals it, so a changed delay is seen within a bar.

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
from dataclasses import dataclass

import numpy as np
from scipy import signal

from ..audio.commands import PlayProbe
from ..audio.probe import probe
from ..audio.room import RoomRing
from ..conductor.events import Beat, Hit
from ..listening.bleed import PATH_S, estimate_path, take_out_guide
from ..listening.circular import MIN_WINDOWS, fold, heard_clapping
from ..listening.kernel import Kernel, measure_kernel
from ..listening.onset import CLAP_BAND_HZ, Envelope, onset_strength
from ..listening.report import BANDS
from ..listening.room import clear_times
from ..listening.tempo import Track, follow
from ..show.model import Show
from ..threads import Worker
from .roomcal import heard_probe, round_trip, save_round_trip
from .view import EngineView

POLL_S = 0.02
METER_S = 0.02
WINDOW_S = 2.0  # of audio analysed per bar, ending with the bar and its echo: the guide's path needs seconds
ECHO_S = 0.3  # waited for after a bar's end (plus the round trip) before it is measured
SILENT_DB = -90.0
LEVEL_STEP_DB = 3.0  # the meter's steps on the console: a level, not a new text every frame
MIN_STEPS = 3  # clear steps, at least, for a spread
MEASURE_EVERY_S = 1.9  # at most one measure in this long (a bar at 120 bpm is 2 s): its cost bounded
MIN_HITS = 8  # a bar is judged with the steps of the bars before it, up to this many (the clapping test needs 6)
MAX_BARS = 4
MIN_BEATS = 3  # followed, at least, for a tempo
PATH_CLEAR = 10.0  # the guide's path peaks this far over its median, or the mic did not hear the guide
PATH_MOVED_S = 0.001  # a round trip moved by more than this: a new path (its kernels anew; its bar not judged)


@dataclass(frozen=True)
class BarHeard:
    """What the room did in one bar."""

    moment: int
    bar: int
    clapping: bool
    spread_ms: float | None  # None: no clapping, or too few clear steps to tell
    ahead_ms: float | None  # negative: ahead of the beat
    round_trip_ms: float | None  # PA → room → mic, as the guide heard back says
    tempo_bpm: float | None = None  # the room's own pulse over the measure (None: no clapping, or not followed)
    conductor_bpm: float | None = None  # the conductor's, at the bar's start


@dataclass(frozen=True)
class Reveal:
    """What the room did without the conductor and with it: the spread (ms) and the tempo's drift (bpm)
    over each moment's measures — the keynote's point, in the room's own numbers."""

    without_spread_ms: float
    without_drift_bpm: float
    with_spread_ms: float
    with_drift_bpm: float


@dataclass(frozen=True)
class RoomNow:
    level_db: float = SILENT_DB  # the clap band over the last METER_S, dBFS
    last_bar: BarHeard | None = None

    def band(self) -> str | None:
        """The last bar's spread in words — tight, ok or loose — or None (no clapping, or no figure)."""
        bar = self.last_bar
        if bar is None or not bar.clapping or bar.spread_ms is None:
            return None
        return next((word for limit, word in BANDS if bar.spread_ms < limit), "loose")

    def words(self) -> str:
        """The console's line: "ROOM  tight 18 ms · 6 ms behind · mic -24 dB" (the level in 3 dB steps)."""
        level = f"mic {LEVEL_STEP_DB * round(self.level_db / LEVEL_STEP_DB):.0f} dB"
        bar = self.last_bar
        if bar is None:
            return f"ROOM  listening… · {level}"
        if not bar.clapping:
            return f"ROOM  no clapping heard · {level}"
        if bar.spread_ms is None:
            return f"ROOM  clapping · {level}"
        side = f" · {abs(bar.ahead_ms):.0f} ms {'ahead' if bar.ahead_ms < 0 else 'behind'}" \
            if bar.ahead_ms is not None and math.isfinite(bar.ahead_ms) else ""
        tempo = f" · {bar.tempo_bpm:.0f} bpm (conductor {bar.conductor_bpm:.0f})" if bar.tempo_bpm is not None else ""
        return f"ROOM  {self.band()} {bar.spread_ms:.0f} ms{side}{tempo} · {level}"


class RoomListener:
    """Follows ``ring`` behind the engine replayed by ``view`` (its own: this thread is its one reader)."""

    def __init__(self, show: Show, rate: int, ring: RoomRing, view: EngineView, round_trip_samples: float = 0.0,
                 device: str = "") -> None:
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
        self._kernel_path: tuple[float, np.ndarray] | None = None  # (round trip, path) the kernels were measured on
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
        self.round_trip = latency.samples
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
            size = np.abs(path)
            if size.max() > PATH_CLEAR * np.median(size):  # the guide is heard back: where says the round trip
                trip = float(np.argmax(size)) + PATH_S[0] * self.rate
                self.round_trip = trip
                moved = self._kernel_path is not None and abs(self._kernel_path[0] - trip) > PATH_MOVED_S * self.rate
                if self._kernel_path is None or moved:
                    self._kernel_path, self._kernels = (trip, path), {}  # a new path: its kernels anew
                if moved:  # it moved inside this window: one path taken out leaves the guide's other, a "tight room"
                    return None
            room = take_out_guide(heard, played, self.rate, path)
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
        if on_steps:
            grid, period = clear_times(times)
            spread_ms, ahead_ms = self._spread(envelope, grid, np.full(len(grid), period))
        elif own:
            spread_ms, _ = self._spread(envelope, track.grid, track.periods)
        tempo = _bpm(track) if on_steps or own else None
        return BarHeard(beat.moment, beat.bar, on_steps or own, spread_ms, ahead_ms, 1000.0 * trip / self.rate, tempo,
                        beat.tempo)

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
        show = self.show
        if (before is None or show.moments[before].mode != "chaos" or show.moments[moment].mode == "chaos"
                or not show.moments[moment].reveal):
            return None
        runs: dict[int, list[BarHeard]] = {}
        for bar in reversed(self.heard_bars()):  # the latest pass: this moment's measures, then the chaos's
            if bar.moment not in (moment, before) or (bar.moment == moment and before in runs):
                break
            runs.setdefault(bar.moment, []).insert(0, bar)
        now, then = _figures(runs.get(moment, [])), _figures(runs.get(before, []))
        if now is None or then is None:
            return None
        return Reveal(then[0], then[1], now[0], now[1])

    def report(self) -> list[dict]:
        """The run report's ``room``: per moment heard, its bars measured, how many with clapping,
        and the median spread and ahead/behind over those (ms)."""
        moments: dict[int, list[BarHeard]] = {}
        for bar in self.heard_bars():
            moments.setdefault(bar.moment, []).append(bar)
        rows = []
        for index, bars in moments.items():
            clapped = [b for b in bars if b.clapping and b.spread_ms is not None]
            rows.append({"moment": index + 1, "id": self.show.moments[index].id, "bars": len(bars),
                         "clapping_bars": sum(b.clapping for b in bars),
                         "spread_ms": _median([b.spread_ms for b in clapped]),
                         "ahead_ms": _median([b.ahead_ms for b in clapped]),
                         "round_trip_ms": _median([b.round_trip_ms for b in bars]),
                         # the room's own tempo at the moment's first and last measure: how it drifted
                         "tempo_start_bpm": _median([b.tempo_bpm for b in clapped[:1]]),
                         "tempo_end_bpm": _median([b.tempo_bpm for b in clapped[-1:]])})
        return rows


def _figures(bars: list[BarHeard]) -> tuple[float, float] | None:
    """(median spread, tempo drift from the first measure to the last) of a moment's clapping measures."""
    heard = [b for b in bars if b.clapping and b.spread_ms is not None and b.tempo_bpm is not None]
    if not heard:
        return None
    return float(np.median([b.spread_ms for b in heard])), heard[-1].tempo_bpm - heard[0].tempo_bpm


def _bpm(track: Track | None) -> float | None:
    """The room's tempo over a followed window: its beats heard, the median period between them."""
    if track is None:
        return None
    periods = track.periods[np.isfinite(track.heard)]
    return 60.0 / float(np.median(periods)) if len(periods) else None


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v)]
    return round(float(np.median(known)), 2) if known else None
