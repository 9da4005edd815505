"""The engine's health as typed records: its counters, the sample↔host clock fit, the run report.

    health = engine.health()               # a Health, decoded from the shared memory
    health.state is AudioState.OK; health.counters.underflows_after_warmup
    health.clock.host_of(sample)           # when that sample leaves the speakers (perf_counter s)
    report = run_report(health, histogram, routing)  # what ``--report FILE.json`` writes

:class:`Counters` is the one list of what the engine counts: the engine increments its
attributes (slots: an attribute store, no allocation, in the audio callback), the shared
memory's health record is laid out from its fields (:mod:`.ipc`), and the run report has a key
for each (but the two it reports converted: ``stream_seconds`` as ``callbacks_missed``,
``callback_max_us`` as ``callback_ms_max``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum

import numpy as np

from .clock import host_time, sample_at
from .cue import Routing

HISTOGRAM_BINS = 20001  # callback duration in whole microseconds; the last bin is "20 ms or more"
_CONVERTED = {"report": False}  # a counter the report shows converted, not as it is


class AudioState(StrEnum):
    """Where the audio stands: a string too (``"ok"``), as the report and the console say it."""

    STARTING = "starting"
    OK = "ok"
    LOST = "lost"  # the device went: the show goes on silently while the app looks for it
    SILENT = "silent"  # no device at all: the show goes on silently
    DEAD = "dead"  # the engine process died: the supervisor says so (its only writer now) until one is revived


@dataclass(slots=True)
class Counters:
    """What the engine counts.  Integers count; the floats are the running time and the worst
    callback.  Threading contract: the callback, the renderer, the silent clock and the supervisor
    increment attributes in place (a few share ``callback_errors``: an increment lost to a race
    is a miscount, never a crash); readers get a copy through the health record.  One is the app's:
    ``refused_commands``, counted at the engine's door, which :meth:`.supervisor.AudioEngine.health` fills in."""

    callbacks: int = 0
    underflows: int = 0  # the audio system's own word: the device ran dry
    underflows_after_warmup: int = 0  # ... after a stream's first half second
    late_callbacks: int = 0
    callback_errors: int = 0  # blocks silenced because something raised (never fatal)
    callback_renders: int = 0  # blocks the renderer had not made ready: the callback rendered them...
    dropped_blocks: int = 0  # ... or played silence
    nonfinite_blocks: int = 0  # NaN or infinity on the master: silenced
    device_losses: int = 0
    recoveries: int = 0
    engine_failures: int = 0  # the engine process died (killed, crashed) or stalled: counted by the supervisor
    engine_recoveries: int = 0  # ... and a fresh one took over the conductor (counted by that one)
    refused_commands: int = 0  # invalid commands refused at the engine's door (AudioEngine.send counts them)
    stream_seconds: float = field(default=0.0, metadata=_CONVERTED)  # running time: callbacks due
    callback_max_us: float = field(default=0.0, metadata=_CONVERTED)

    def assign(self, other: Counters) -> None:
        """Take ``other``'s values, in place (whoever holds this object sees them)."""
        for name in COUNTER_NAMES:
            setattr(self, name, getattr(other, name))

    def values(self) -> dict[str, int | float]:
        return {name: getattr(self, name) for name in COUNTER_NAMES}


COUNTER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Counters))
COUNTER_TYPES: dict[str, type] = {f.name: type(f.default) for f in fields(Counters)}  # int or float
REPORTED_COUNTERS: tuple[str, ...] = tuple(f.name for f in fields(Counters) if f.metadata.get("report", True))


@dataclass(frozen=True)
class ClockFit:
    """The engine's sample↔host mapping (see :mod:`.clock`), plus what places a sample in time:
    the output latency (the sound leaves that much after its block started) and the block size
    (the engine's blocks start on its multiples)."""

    sample: float
    host: float  # time.perf_counter() of the callback that started block ``sample``
    period: float  # seconds per sample
    latency: float
    block: int

    @property
    def line(self) -> tuple[float, float, float]:
        return self.sample, self.host, self.period

    def host_of(self, sample: float) -> float:
        """When sample ``sample`` leaves the speakers (perf_counter seconds)."""
        return host_time(self.line, sample) + self.latency

    def sample_at(self, host: float) -> float:
        """The sample leaving the speakers at host time ``host``: the inverse of :meth:`host_of`."""
        return sample_at(self.line, host - self.latency)

    def block_at(self, host: float) -> int:
        """The first sample of the block whose callback began nearest host time ``host``."""
        return round(sample_at(self.line, host) / self.block) * self.block


@dataclass(frozen=True, kw_only=True)
class Health:
    """The engine's health record, decoded; the defaults say "nothing known yet"."""

    state: AudioState = AudioState.STARTING
    device: str = ""
    message: str = ""  # what is wrong, in words ("audio lost (USB) — retrying"); "" when all is well
    samplerate: int = 0
    blocksize: int = 0
    output_latency: float = 0.0  # seconds
    renderer_realtime: bool = False
    counters: Counters = field(default_factory=Counters)
    clock: ClockFit | None = None  # None until the engine has fitted its callbacks


def percentile_ms(histogram: np.ndarray, q: float) -> float:
    """The q-quantile of callback durations from the 1 µs histogram, in milliseconds."""
    total = int(histogram.sum())
    if not total:
        return 0.0
    index = int(np.searchsorted(np.cumsum(histogram), q * total))
    return round(min(index, HISTOGRAM_BINS - 1) / 1000.0, 4)


def run_report(health: Health, histogram: np.ndarray, routing: Routing | None = None) -> dict:
    """The run report: what ``--report FILE.json`` writes (its keys are the README's); with the
    engine's ``routing``, which channels carried what (the engine plays it, or refuses to start)."""
    counters = health.counters
    due = int(counters.stream_seconds * health.samplerate / max(health.blocksize, 1))
    return {
        "samplerate": health.samplerate, "blocksize": health.blocksize, "device": health.device,
        "audio": health.state.value,
        **{name: getattr(counters, name) for name in REPORTED_COUNTERS},
        # callbacks the stream's running time called for but that never came (starved, skipped)
        "callbacks_missed": max(0, due - counters.callbacks),
        "callback_ms_p50": percentile_ms(histogram, 0.50), "callback_ms_p99": percentile_ms(histogram, 0.99),
        "callback_ms_max": round(counters.callback_max_us / 1000.0, 4),
        "renderer_realtime": health.renderer_realtime,
        "output_latency_ms": round(health.output_latency * 1000.0, 3),
        "message": health.message,
        **(routing.report() if routing is not None else {}),
    }
