"""The shared memory between the engine process and the app: no locks, no waiting.

One :class:`~multiprocessing.shared_memory.SharedMemory` block holds

* **transport** — where the performance is (written by the audio callback);
* **health** — device state, the engine's :class:`~.health.Counters`, output latency and the
  sample↔host clock fit (written by the engine's renderer), plus a histogram of callback
  durations (written by the callback);
* **events** — a ring of the commands the conductor applied and of its markers (beats, moment
  starts, stops), each with its sample, so the app can replay the conductor exactly, hits
  included (callback writes; every reader has a tail of its own);
* **commands** — a ring of live commands (the app writes, the callback reads).

This module is the wire's codec, and the only one: readers get typed records —
:meth:`SharedState.read_transport` (the conductor's :class:`~rockstar_cx.conductor.conductor.Transport`,
"nothing armed" as None), :meth:`~SharedState.read_health` (a :class:`~.health.Health`),
:meth:`~SharedState.read_position` and :meth:`~SharedState.read_events` (events and
:class:`Applied` commands, kinds named by :class:`EventKind`).

Records use a sequence counter (a *seqlock*): the writer makes it odd, writes, makes it even;
a reader retries until it read an even, unchanged counter, so it never sees a torn record.
Rings are single-producer / single-consumer with monotonically increasing head and tail
counters.  Nobody ever waits on a lock the audio callback could need.
"""

from __future__ import annotations

import dataclasses
import sys
from enum import IntEnum
from typing import NamedTuple
from multiprocessing import shared_memory

import numpy as np

from ..conductor import commands as cmd
from ..conductor.conductor import Transport
from ..conductor.events import Beat, Event, Hit, MomentStart, Stop
from .commands import PlayProbe, SetClick, SetCue, SetGain
from .health import COUNTER_NAMES, COUNTER_TYPES, HISTOGRAM_BINS, AudioState, ClockFit, Counters, Health

EVENT_SLOTS = 4096
COMMAND_SLOTS = 256
NOTHING_ARMED = -2  # the transport record's "armed" when nothing is (None outside this codec; -1 is the end)


class EventKind(IntEnum):
    """What a row of the event ring holds."""

    HIT = 0
    BEAT = 1
    MOMENT_START = 2
    STOP = 3
    APPLIED = 4  # a command the engine applied


TRANSPORT = np.dtype([
    ("seq", "u8"), ("sample", "i8"), ("playing", "?"), ("counting_in", "?"), ("finished", "?"),
    ("moment", "i4"), ("bar", "i4"), ("beat", "i4"), ("tempo", "f8"), ("armed", "i4"), ("armed_sample", "i8"),
    ("muted", "u8"), ("soloed", "u8"), ("click", "?"),
])
_AUDIO_STATES = tuple(AudioState)  # on the wire: the index
HEALTH = np.dtype([
    ("seq", "u8"),
    *((name, "f8" if COUNTER_TYPES[name] is float else "u8") for name in COUNTER_NAMES),  # the engine's Counters
    ("state", "u1"), ("samplerate", "u4"), ("blocksize", "u4"), ("output_latency", "f8"), ("renderer_realtime", "?"),
    ("device", "S128"), ("message", "S200"),
    # host time (time.perf_counter, seconds) of the callback that starts block `sample`:
    # host = clock_host + (sample - clock_sample) * clock_period
    ("clock_sample", "f8"), ("clock_host", "f8"), ("clock_period", "f8"),
])
EVENT = np.dtype([
    ("sample", "i8"), ("time", "f8"), ("kind", "u1"), ("section", "i2"), ("accent", "?"), ("moment", "i2"),
    ("bar", "i4"), ("beat", "i4"), ("tempo", "f4"), ("flag", "?"),
    ("command", [("op", "u1"), ("a", "i4"), ("b", "f8"), ("q", "u1"), ("flag", "i1")]),  # APPLIED only
])
COMMAND = EVENT["command"]
COUNTERS = np.dtype([("event_head", "u8"), ("command_head", "u8"), ("command_tail", "u8")])

_LAYOUT = (("transport", TRANSPORT, 1), ("health", HEALTH, 1), ("counters", COUNTERS, 1),
           ("histogram", np.dtype("u4"), HISTOGRAM_BINS), ("events", EVENT, EVENT_SLOTS),
           ("commands", COMMAND, COMMAND_SLOTS))

# -- commands on the wire ------------------------------------------------------------------

_COMMAND_TYPES = (cmd.Start, cmd.Stop, cmd.Next, cmd.Previous, cmd.Launch, cmd.SetTempo, cmd.NudgeTempo,
                  cmd.TapTempo, cmd.Mute, cmd.Solo, cmd.LiveHit, SetClick, cmd.Panic, SetGain, cmd.Reset, SetCue,
                  PlayProbe)
_QUANTIZE = tuple(cmd.Quantize)
_INT_FIELDS, _FLOAT_FIELDS, _FLAG_FIELDS = {"moment", "section"}, {"bpm", "delta_bpm", "gain"}, {"count_in", "on", "accent"}


def encode_command(command) -> tuple[int, int, float, int, int]:
    """A command as (op, a, b, q, flag): ints in a (None = -1), floats in b, Quantize in q, bools in flag."""
    a, b, q, flag = -1, 0.0, 0, -1
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        if field.name in _INT_FIELDS:
            a = -1 if value is None else value
        elif field.name in _FLOAT_FIELDS:
            b = value
        elif field.name in _FLAG_FIELDS:
            flag = -1 if value is None else int(value)
        else:
            q = _QUANTIZE.index(value)
    return _COMMAND_TYPES.index(type(command)), a, b, q, flag


def decode_command(op: int, a: int, b: float, q: int, flag: int):
    kind = _COMMAND_TYPES[op]
    values = {}
    for field in dataclasses.fields(kind):
        if field.name in _INT_FIELDS:
            values[field.name] = None if a < 0 else int(a)
        elif field.name in _FLOAT_FIELDS:
            values[field.name] = float(b)
        elif field.name in _FLAG_FIELDS:
            values[field.name] = None if flag < 0 else bool(flag)
        else:
            values[field.name] = _QUANTIZE[q]
    return kind(**values)


class Applied(NamedTuple):
    """The engine applied ``command`` at the start of the block beginning at ``sample``."""

    sample: int
    command: object


_NO_COMMAND = (0, -1, 0.0, 0, -1)


def _event_row(event: Event | Applied) -> tuple:
    kind = type(event)
    if kind is Hit:
        return (event.sample, event.time, EventKind.HIT, event.section, event.accent, event.moment, 0, 0, 0.0,
                event.live, _NO_COMMAND)
    if kind is Beat:
        return (event.sample, event.time, EventKind.BEAT, -1, False, event.moment, event.bar, event.beat, event.tempo,
                False, _NO_COMMAND)
    if kind is MomentStart:
        return (event.sample, event.time, EventKind.MOMENT_START, -1, False, event.moment, 0, 0, 0.0, False,
                _NO_COMMAND)
    if kind is Stop:
        return (event.sample, event.time, EventKind.STOP, -1, False, -1, 0, 0, 0.0, event.finished, _NO_COMMAND)
    return (event.sample, 0.0, EventKind.APPLIED, -1, False, -1, 0, 0, 0.0, False, encode_command(event.command))


def _event_from_row(row) -> Event | Applied:
    sample, time, kind = int(row["sample"]), float(row["time"]), int(row["kind"])
    if kind == EventKind.HIT:
        return Hit(sample, time, int(row["section"]), bool(row["accent"]), int(row["moment"]), bool(row["flag"]))
    if kind == EventKind.BEAT:
        return Beat(sample, time, int(row["moment"]), int(row["bar"]), int(row["beat"]), float(row["tempo"]))
    if kind == EventKind.MOMENT_START:
        return MomentStart(sample, time, int(row["moment"]))
    if kind == EventKind.STOP:
        return Stop(sample, time, bool(row["flag"]))
    return Applied(sample, decode_command(*row["command"].tolist()))


def event_rows(events: list[Event] | list[Applied]) -> bytes:
    """Events as rows of the event ring, in bytes: made ahead, publishing them is one copy."""
    return np.array([_event_row(event) for event in events], EVENT).tobytes()


def record_row(dtype: np.dtype, values: dict) -> tuple:
    """A record's values (every field but ``seq``) in the order of ``dtype``."""
    return tuple(values[name] for name in dtype.names[1:])


# -- the records, typed at this edge -------------------------------------------------------


def transport_record(transport: Transport, click: bool) -> dict:
    """The conductor's transport (and the click track's state) as the fields of :data:`TRANSPORT`."""
    t = transport
    return {"sample": t.sample, "playing": t.playing, "counting_in": t.counting_in, "finished": t.finished,
            "moment": t.moment, "bar": t.bar, "beat": t.beat, "tempo": t.tempo,
            "armed": NOTHING_ARMED if t.armed is None else t.armed,
            "armed_sample": -1 if t.armed_sample is None else t.armed_sample,
            "muted": sum(1 << s for s in t.muted), "soloed": sum(1 << s for s in t.soloed), "click": click}


def health_row(counters: Counters, *, state: AudioState, samplerate: int, blocksize: int, output_latency: float,
               renderer_realtime: bool, device: str, message: str, fit: tuple[float, float, float] | None) -> tuple:
    """The engine's health as a row of :data:`HEALTH` (``fit``: the clock's line, None before it has one)."""
    sample, host, period = fit or (0.0, 0.0, 1.0 / samplerate)
    return record_row(HEALTH, {
        **counters.values(), "state": _AUDIO_STATES.index(state), "samplerate": samplerate, "blocksize": blocksize,
        "output_latency": output_latency, "renderer_realtime": renderer_realtime,
        "device": device.encode()[:127], "message": message.encode()[:199],
        "clock_sample": sample, "clock_host": host, "clock_period": period})


def _transport_from(record: np.void) -> Transport:
    armed, armed_sample = int(record["armed"]), int(record["armed_sample"])
    return Transport(
        sample=int(record["sample"]), playing=bool(record["playing"]), counting_in=bool(record["counting_in"]),
        moment=int(record["moment"]), bar=int(record["bar"]), beat=int(record["beat"]), tempo=float(record["tempo"]),
        armed=None if armed == NOTHING_ARMED else armed, armed_sample=None if armed_sample < 0 else armed_sample,
        muted=_bits(int(record["muted"])), soloed=_bits(int(record["soloed"])), finished=bool(record["finished"]))


def _bits(mask: int) -> frozenset[int]:
    return frozenset(i for i in range(mask.bit_length()) if mask >> i & 1)


def _health_from(record: np.void) -> Health:
    counters = Counters(**{name: COUNTER_TYPES[name](record[name]) for name in COUNTER_NAMES})
    period, host = float(record["clock_period"]), float(record["clock_host"])
    clock = None
    if host > 0.0 and period > 0.0:  # the engine has fitted its callbacks
        clock = ClockFit(float(record["clock_sample"]), host, period, float(record["output_latency"]),
                         int(record["blocksize"]))
    return Health(state=_AUDIO_STATES[int(record["state"])], device=record["device"].decode(),
                  message=record["message"].decode(), samplerate=int(record["samplerate"]),
                  blocksize=int(record["blocksize"]), output_latency=float(record["output_latency"]),
                  renderer_realtime=bool(record["renderer_realtime"]), counters=counters, clock=clock)


class SharedState:
    """The engine's shared memory, seen from either side.  ``create`` owns it; ``attach`` borrows it."""

    def __init__(self, memory: shared_memory.SharedMemory, owner: bool) -> None:
        self.memory, self.owner = memory, owner
        offset = 0
        for name, dtype, count in _LAYOUT:
            setattr(self, name, np.ndarray((count,), dtype, memory.buf, offset))
            if name == "events":  # the ring as bytes too: copying bytes costs a fraction of copying rows
                self._event_bytes = memory.buf[offset:offset + dtype.itemsize * count]
            offset += dtype.itemsize * count
        self._event_tail = 0
        # one-element views of the ring counters, made once: field lookups cost in the callback
        self._event_head = self.counters["event_head"]
        self._command_head = self.counters["command_head"]
        self._command_tail = self.counters["command_tail"]
        self._consumed = int(self._command_tail[0])  # the consumer's own copy of the tail

    @classmethod
    def size(cls) -> int:
        return sum(dtype.itemsize * count for _, dtype, count in _LAYOUT)

    @classmethod
    def create(cls) -> SharedState:
        memory = shared_memory.SharedMemory(create=True, size=cls.size())
        memory.buf[:cls.size()] = bytes(cls.size())
        return cls(memory, owner=True)

    @classmethod
    def attach(cls, name: str) -> SharedState:
        # The owner unlinks the block.  Engine processes are spawned by the owner and share its
        # resource tracker, where registering a name twice is harmless.
        if sys.version_info >= (3, 13):
            return cls(shared_memory.SharedMemory(name=name, track=False), owner=False)
        return cls(shared_memory.SharedMemory(name=name), owner=False)

    @property
    def name(self) -> str:
        return self.memory.name

    def close(self) -> None:
        for name in [n for n, _, _ in _LAYOUT] + ["_event_bytes", "_event_head", "_command_head", "_command_tail"]:
            delattr(self, name)
        self.memory.close()
        if self.owner:
            self.memory.unlink()

    # -- seqlocked records -----------------------------------------------------------------

    @staticmethod
    def write_record(record: np.ndarray, values: dict) -> None:
        """Writer side (one writer per record); ``values`` has every field but ``seq``."""
        SharedState.write_row(record, record_row(record.dtype, values))

    @staticmethod
    def write_row(record: np.ndarray, row: tuple) -> None:
        """:meth:`write_record` with the values made ahead by :func:`record_row`."""
        seq_field = record["seq"]
        seq = int(seq_field[0]) + 1
        seq_field[0] = seq  # odd: readers wait
        record[0] = (seq, *row)  # the record in one store
        seq_field[0] = seq + 1

    @staticmethod
    def read_record(record: np.ndarray) -> np.void:
        """Reader side: a consistent copy."""
        while True:
            before = int(record["seq"][0])
            copy = record[0].copy()
            if before % 2 == 0 and int(record["seq"][0]) == before:
                return copy

    def read_transport(self) -> Transport:
        """Where the engine's performance is, as the conductor's :class:`Transport`."""
        return _transport_from(self.read_record(self.transport))

    def read_click(self) -> bool:
        """Whether the engine plays its click track."""
        return bool(self.read_record(self.transport)["click"])

    def read_position(self) -> int:
        """The engine's next sample: everything before it has been played and published."""
        return int(self.read_record(self.transport)["sample"])

    def read_health(self) -> Health:
        return _health_from(self.read_record(self.health))

    # -- rings -----------------------------------------------------------------------------

    def push_command(self, command) -> bool:
        """App side (serialise callers yourself).  False when the ring is full (the command is dropped)."""
        head = int(self._command_head[0])
        if head - int(self._command_tail[0]) >= COMMAND_SLOTS:
            return False
        self.commands[head % COMMAND_SLOTS] = encode_command(command)
        self._command_head[0] = head + 1
        return True

    def pop_commands(self) -> list:
        """Engine side: every command written since the last call."""
        head = int(self._command_head[0])
        if head == self._consumed:  # the common case: one read, nothing to do
            return []
        tail = int(self._command_tail[0])
        popped = [decode_command(*self.commands[i % COMMAND_SLOTS].tolist()) for i in range(tail, head)]
        self._command_tail[0] = self._consumed = head
        return popped

    def push_events(self, events: list[Event] | list[Applied]) -> None:
        """Engine side."""
        self.push_rows(event_rows(events))

    def push_rows(self, rows: bytes) -> None:
        """Engine side: events made ahead by :func:`event_rows`."""
        head = int(self._event_head[0])
        at = head % EVENT_SLOTS * EVENT.itemsize
        fits = min(len(rows), len(self._event_bytes) - at)
        self._event_bytes[at:at + fits] = rows[:fits]  # one copy for the lot (two at the wrap)
        if fits < len(rows):
            self._event_bytes[:len(rows) - fits] = rows[fits:]
        self._event_head[0] = head + len(rows) // EVENT.itemsize

    def read_events(self) -> tuple[list[Event | Applied], int]:
        """App side: (events since the last call, how many were overwritten before they could be read)."""
        head = int(self._event_head[0])
        lost = max(0, head - self._event_tail - EVENT_SLOTS)
        start = max(self._event_tail, head - EVENT_SLOTS)
        events = [_event_from_row(self.events[i % EVENT_SLOTS]) for i in range(start, head)]
        self._event_tail = head
        return events, lost
