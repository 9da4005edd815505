"""An in-memory MIDI system (``--midi-api memory``): ports inside this process, no driver, no server.

What JACK or ALSA would be to :mod:`.ports`, a :class:`MemoryBus` is here: a graph of named
ports.  A device is a handful of ports on it — ``bus.device_output("Test Pad:Pad Out")`` is the
port its pads send from (our inputs read it), ``bus.device_input("Test Pad:Pad In")`` the one its
LEDs listen on (our outputs write to it) — and unplugging it takes them off the graph.  Our side
is :class:`MemoryIn`/:class:`MemoryOut`, the few calls of python-rtmidi's ``MidiIn``/``MidiOut``
that :mod:`.ports` makes, with the same behaviour where it matters: ports listed by name and
opened by index into the caller's own list, filtering by ``ignore_types`` before anything is
queued, a bounded queue that drops when full, (bytes, seconds since the previous message).

Every message goes through a thread-safe :class:`queue.Queue`, so a device may be driven from
any thread while our reader drains.  The bus is process-local: :func:`memory_bus` is the one
every memory client of this process sees.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence

_SYSEX, _TIMING, _ACTIVE_SENSE = 0x01, 0x02, 0x04
_IGNORED = {0xF0: _SYSEX, 0xF1: _TIMING, 0xF8: _TIMING, 0xFE: _ACTIVE_SENSE}  # status byte → ignore flag


class Inbox:
    """Messages delivered to one reader: (bytes, seconds since the previous delivery), oldest first."""

    def __init__(self, limit: int = 0, ignore: int = 0) -> None:
        self.ignore = ignore  # the _SYSEX/_TIMING/_ACTIVE_SENSE flags dropped on delivery
        self._queue: queue.Queue[tuple[list[int], float]] = queue.Queue(limit)
        self._lock = threading.Lock()  # one delivery at a time: the deltas follow the queue's order
        self._last: float | None = None

    def put(self, data: Sequence[int]) -> None:
        if self.ignore & _IGNORED.get(data[0], 0):
            return
        with self._lock:
            now = time.perf_counter()
            delta = 0.0 if self._last is None else now - self._last
            try:
                self._queue.put_nowait((list(data), delta))
            except queue.Full:  # as rtmidi's queue: a reader that falls behind loses the newest
                return
            self._last = now

    def get(self) -> tuple[list[int], float] | None:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None


class Endpoint:
    """One named port on the bus; what is delivered to it reaches every inbox listening."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._inboxes: list[Inbox] = []  # replaced whole: delivery reads it without a lock
        self._lock = threading.Lock()

    def deliver(self, data: Sequence[int]) -> None:
        for inbox in self._inboxes:
            inbox.put(data)

    def listen(self, inbox: Inbox) -> None:
        with self._lock:
            self._inboxes = [*self._inboxes, inbox]

    def unlisten(self, inbox: Inbox) -> None:
        with self._lock:
            self._inboxes = [i for i in self._inboxes if i is not inbox]

    def detach(self) -> None:
        """Off the graph: nothing delivered any more, whoever still holds it."""
        with self._lock:
            self._inboxes = []


class DeviceOutput:
    """A device's output port (pads, keys): what it sends reaches our inputs opened on it."""

    def __init__(self, bus: MemoryBus, endpoint: Endpoint) -> None:
        self.bus, self.endpoint = bus, endpoint

    def send(self, *data: int) -> None:
        self.endpoint.deliver(data)

    def unplug(self) -> None:
        self.bus.remove(self.endpoint)


class DeviceInput:
    """A device's input port (LEDs, a synth): what our outputs sent to it, in order."""

    def __init__(self, bus: MemoryBus, endpoint: Endpoint) -> None:
        self.bus, self.endpoint = bus, endpoint
        self._inbox = Inbox()
        endpoint.listen(self._inbox)

    def received(self) -> list[bytes]:
        """Everything received since the last call."""
        out = []
        while (item := self._inbox.get()) is not None:
            out.append(bytes(item[0]))
        return out

    def unplug(self) -> None:
        self.bus.remove(self.endpoint)


class MemoryBus:
    """The graph: sources (ports that send: device outputs, our virtual outputs) and destinations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[str, Endpoint] = {}
        self._destinations: dict[str, Endpoint] = {}

    def device_output(self, name: str) -> DeviceOutput:
        return DeviceOutput(self, self.add(name, source=True))

    def device_input(self, name: str) -> DeviceInput:
        return DeviceInput(self, self.add(name, source=False))

    def listen(self, source: str) -> DeviceInput:
        """A device input connected to the source ``source`` (e.g. our virtual output)."""
        with self._lock:
            endpoint = self._sources[source]
        return DeviceInput(self, endpoint)

    def talk_to(self, destination: str) -> DeviceOutput:
        """A device output connected to the destination ``destination`` (e.g. our virtual input)."""
        with self._lock:
            return DeviceOutput(self, self._destinations[destination])

    def names(self, *, sources: bool) -> list[str]:
        with self._lock:
            return list(self._sources if sources else self._destinations)

    def find(self, name: str, *, source: bool) -> Endpoint | None:
        with self._lock:
            return (self._sources if source else self._destinations).get(name)

    def add(self, name: str, *, source: bool) -> Endpoint:
        """A new port; a name already on the graph is refused (ValueError), as JACK refuses it."""
        ports = self._sources if source else self._destinations
        with self._lock:
            if name in ports:
                raise ValueError(f"MIDI port {name!r} already exists")
            ports[name] = endpoint = Endpoint(name)
        return endpoint

    def remove(self, endpoint: Endpoint) -> None:
        """Take a port off the graph (a device unplugged, a virtual port closed); again: nothing."""
        with self._lock:
            for ports in (self._sources, self._destinations):
                if ports.get(endpoint.name) is endpoint:
                    del ports[endpoint.name]
        endpoint.detach()

    def unplug(self, client: str) -> None:
        """Unplug a whole device: every port named ``client:...``."""
        with self._lock:
            gone = [e for ports in (self._sources, self._destinations) for e in ports.values()
                    if e.name.startswith(f"{client}:")]
        for endpoint in gone:
            self.remove(endpoint)


_BUS = MemoryBus()


def memory_bus() -> MemoryBus:
    """This process's bus: the one every ``memory`` port and probe sees."""
    return _BUS


class _Client:
    """What MidiIn and MidiOut share: a client name, a port list, one open port at a time."""

    _source: bool  # which ports this kind opens: our inputs read sources, our outputs write destinations

    def __init__(self, rtapi: object = None, name: str = "rtmidi") -> None:  # rtapi: rtmidi's; one API here
        self.client = name
        self.is_deleted = False
        self._endpoint: Endpoint | None = None
        self._virtual = False

    def get_ports(self) -> list[str]:
        return _BUS.names(sources=self._source)

    def open_port(self, port: int = 0, name: str | None = None) -> _Client:
        if self._endpoint is not None:
            raise RuntimeError("a port is already open")
        names = self.get_ports()
        endpoint = _BUS.find(names[port], source=self._source) if 0 <= port < len(names) else None
        if endpoint is None:
            raise ValueError(f"no MIDI port {port}")
        self._open(endpoint)
        return self

    def open_virtual_port(self, name: str | None = None) -> _Client:
        """A port of our own that others connect to: a destination for an input, a source for an output."""
        if self._endpoint is not None:
            raise RuntimeError("a port is already open")
        self._open(_BUS.add(f"{self.client}:{name or 'virtual'}", source=not self._source))
        self._virtual = True
        return self

    def close_port(self) -> None:
        endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            self._close(endpoint)
            if self._virtual:
                _BUS.remove(endpoint)
        self._virtual = False

    def delete(self) -> None:
        self.close_port()
        self.is_deleted = True

    def _open(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def _close(self, endpoint: Endpoint) -> None:
        pass


class MemoryIn(_Client):
    """python-rtmidi's ``MidiIn``, in memory: ``get_message`` polls a queue (no callback)."""

    _source = True

    def __init__(self, rtapi: object = None, name: str = "rtmidi", queue_size_limit: int = 1024) -> None:
        super().__init__(rtapi, name)
        self._inbox = Inbox(queue_size_limit, _SYSEX | _TIMING | _ACTIVE_SENSE)  # rtmidi's default: all three

    def ignore_types(self, sysex: bool = True, timing: bool = True, active_sense: bool = True) -> None:
        self._inbox.ignore = (_SYSEX * sysex) | (_TIMING * timing) | (_ACTIVE_SENSE * active_sense)

    def get_message(self) -> tuple[list[int], float] | None:
        return self._inbox.get()

    def _open(self, endpoint: Endpoint) -> None:
        super()._open(endpoint)
        endpoint.listen(self._inbox)

    def _close(self, endpoint: Endpoint) -> None:
        endpoint.unlisten(self._inbox)


class MemoryOut(_Client):
    """python-rtmidi's ``MidiOut``, in memory: a message goes to the open port's listeners at once."""

    _source = False

    def send_message(self, message: Sequence[int]) -> None:
        # python-rtmidi's own checks, so a bad message fails here as it would on a real port
        if not message:
            raise ValueError("'message' must not be empty.")
        if len(message) > 3 and message[0] != 0xF0:
            raise ValueError("'message' longer than 3 bytes but does not start with 0xF0.")
        if self._endpoint is not None:
            self._endpoint.deliver(message)
