"""MIDI ports through python-rtmidi (mido's backend), choosing ALSA or JACK on Linux.

There is no ALSA sequencer on machines without ``/dev/snd/seq`` (containers, some servers):
``auto`` then uses JACK MIDI, which any JACK-aware DAW or tool can connect to.

Ports are chosen by any part of their name (``--midi-in nano``), never by index: indices shift
when a device is replugged.  ``virtual`` opens a port named ``rockstar-cx`` that other programs
connect to (macOS, Linux; not Windows).

Why the ports here wrap python-rtmidi's objects directly rather than mido's port classes:

* **no Python in the MIDI driver's thread.**  mido always installs a Python callback; with JACK,
  rtmidi calls it from JACK's realtime process thread, which must then wait for the GIL — a busy
  UI thread holds it for milliseconds and the whole JACK graph (our audio too) misses its
  deadline.  :class:`InPort` installs no callback: rtmidi queues messages in C++, and a thread of
  ours drains the queue (:mod:`.controller`, :mod:`.follow`).
* **filtering in C.**  SysEx and active sensing (and clock, unless asked for) are dropped by
  rtmidi before they cost any Python, so a SysEx flood is free.
* **one lock per output**, so the clock thread and the note thread can share a port.
* **no port unregistered while JACK is still announcing a change** (see :func:`graph_change`).

Messages are still mido's: parsed with :func:`mido.parse`/``Message.from_bytes`` by the readers.

The ports stand on the few calls of python-rtmidi they make (:class:`MidiIn`/:class:`MidiOut`);
the ``memory`` API swaps python-rtmidi for :mod:`.memory`, MIDI inside this process (tests,
demos), where nothing waits on a driver.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import mido
import rtmidi

from .memory import MemoryIn, MemoryOut

APIS = ("auto", "alsa", "jack", "memory")
VIRTUAL = "virtual"
CLIENT = "rockstar-cx"  # our MIDI client name, and the name of our virtual ports
QUEUE_LIMIT = 4096  # messages rtmidi holds for a reader: 0.4 s of a 10,000 msg/s flood
SETTLE_S = 0.2  # JACK: a port is unregistered no sooner than this after the last change to the graph
_BACKENDS = {"alsa": "mido.backends.rtmidi/LINUX_ALSA", "jack": "mido.backends.rtmidi/UNIX_JACK"}
_RTAPIS = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK, "platform": rtmidi.API_UNSPECIFIED}


class PortError(Exception):
    """A port could not be found or opened (the message says which and why)."""


class MidiClient(Protocol):
    """The part of python-rtmidi's MidiIn/MidiOut the ports use: one client, at most one port open."""

    @property
    def is_deleted(self) -> bool: ...
    def get_ports(self) -> list[str]: ...
    def open_port(self, port: int = 0, name: str | None = None) -> object: ...
    def open_virtual_port(self, name: str | None = None) -> object: ...
    def close_port(self) -> None: ...
    def delete(self) -> None: ...


class MidiIn(MidiClient, Protocol):
    def ignore_types(self, sysex: bool = True, timing: bool = True, active_sense: bool = True) -> None: ...
    def get_message(self) -> tuple[list[int], float] | None: ...


class MidiOut(MidiClient, Protocol):
    def send_message(self, message: Sequence[int]) -> None: ...


def resolve_api(api: str = "auto") -> str:
    """``alsa``, ``jack``, ``memory`` or ``platform`` (the OS's own: CoreMIDI, Windows MM)."""
    if api not in APIS:
        raise PortError(f"--midi-api {api}: choose one of {', '.join(APIS)}")
    if api != "auto":
        return api
    if not sys.platform.startswith("linux"):
        return "platform"
    return "alsa" if Path("/dev/snd/seq").exists() else "jack"


def backend(api: str = "auto") -> mido.Backend:
    """The mido backend for ``api`` (``auto``: the platform's own; on Linux ALSA if present, else JACK)."""
    resolved = resolve_api(api)
    if resolved == "memory":
        raise PortError("the memory MIDI API has no mido backend: open its ports with InPort/OutPort")
    return mido.Backend("mido.backends.rtmidi" if resolved == "platform" else _BACKENDS[resolved])


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C libraries writing to file descriptor 2 (Python's own sys.stderr is unaffected)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def ours(name: str) -> bool:
    """Our own ports (virtual or opened), which a name search must never pick."""
    return name.startswith(CLIENT) or f"{CLIENT}:" in name


def match(names: Sequence[str], wanted: str) -> str | None:
    """The port ``wanted`` names: an exact name, else the first containing it (case-insensitive)."""
    candidates = [name for name in names if not ours(name)]
    if wanted in candidates:
        return wanted
    lowered = wanted.lower()
    return next((name for name in candidates if lowered in name.lower()), None)


_graph_lock = threading.Lock()
_graph_changed_at = 0.0  # time.monotonic() of the last change to the MIDI graph this process knows of


@contextmanager
def graph_change(api: str, *, unregisters: bool = False) -> Iterator[None]:
    """Make one change to the MIDI graph (a client or port opened or closed), one at a time.

    Why: libjack removes a port from its client's port list in the caller's thread, while the
    client's notification thread may still be walking that list to answer a latency notification
    about an earlier change to the graph — a segfault (jack2 issue #216; measured: 10 crashes in
    about 1,700 rounds of closing three ports back to back on a busy machine).  Those notifications
    follow a change within milliseconds, so with JACK a change that ``unregisters`` a port first
    waits until :data:`SETTLE_S` has passed since the last one (never with ALSA or ``memory``).
    Changes made elsewhere (another process, a device unplugged) are announced with
    :func:`graph_changed`.
    """
    global _graph_changed_at
    with _graph_lock:
        if unregisters and resolve_api(api) == "jack":
            time.sleep(max(0.0, _graph_changed_at + SETTLE_S - time.monotonic()))
        try:
            yield
        finally:
            _graph_changed_at = time.monotonic()


def graph_changed() -> None:
    """Note that the MIDI graph just changed elsewhere: this process's next unregistering waits."""
    global _graph_changed_at
    with _graph_lock:
        _graph_changed_at = time.monotonic()


def release(rt: MidiClient, api: str) -> None:
    """Close a python-rtmidi object's port and delete it (see :func:`graph_change`); again: nothing."""
    if not rt.is_deleted:  # python-rtmidi crashes on a second close
        with graph_change(api, unregisters=True):
            rt.close_port()
            rt.delete()


def _input(api: str, **kw: int) -> MidiIn:
    return _client(api, rtmidi.MidiIn, MemoryIn, **kw)


def _output(api: str) -> MidiOut:
    return _client(api, rtmidi.MidiOut, MemoryOut)


def _client(api: str, rt_kind: Callable[..., Any], memory_kind: Callable[..., Any], **kw: int) -> Any:
    """A client of ``api``: python-rtmidi's, or :mod:`.memory`'s (which no driver can refuse)."""
    resolved = resolve_api(api)
    if resolved == "memory":
        return memory_kind(None, CLIENT, **kw)
    if resolved == "jack":
        os.environ.setdefault("JACK_NO_START_SERVER", "1")  # a client never starts a server of its own
    try:
        with quiet_stderr(), graph_change(api):
            return rt_kind(_RTAPIS[resolved], CLIENT, **kw)
    except rtmidi.RtMidiError as error:  # not the built-in SystemError: rtmidi's is an OSError
        if resolved == "jack":
            raise PortError("no JACK server is running (start one, or use --midi-api alsa)") from error
        raise PortError(f"MIDI ({resolved}) is not available: {error}") from error


def require(api: str = "auto") -> None:
    """PortError at once when the MIDI system is not there (no JACK server), not when a port first opens
    (in the MIDI-out process, which the app waits for)."""
    Probe(api).close()


class Probe:
    """Lists port names without creating a MIDI client per call (hot-plug polls it).

    Opening an rtmidi client registers a JACK client, a graph change; one pair kept for the
    life of the probe costs nothing per poll.  Thread contract: one thread at a time.
    """

    def __init__(self, api: str = "auto") -> None:
        self.api = api
        self._in, self._out = _input(api), _output(api)

    def names(self) -> tuple[list[str], list[str]]:
        try:
            with quiet_stderr():
                return self._in.get_ports(), self._out.get_ports()
        except (rtmidi.RtMidiError, RuntimeError):
            return [], []

    def close(self) -> None:
        with graph_change(self.api):  # closing a client without ports unregisters none
            self._in.delete()
            self._out.delete()


class NamedPort:
    """What every port of ours is to hot-plug and the console, whatever carries it: what the user
    asked for, and the port it is connected to (virtual: our own name)."""

    def __init__(self, spec: str, api: str) -> None:
        self.spec = spec  # what the user asked for: a name part or "virtual"
        self.api = api
        self.name: str | None = None

    @property
    def virtual(self) -> bool:
        return self.spec == VIRTUAL

    @property
    def connected(self) -> bool:
        return self.name is not None


class Port(NamedPort):
    """One of our ports on a python-rtmidi client of its own; connected to the port ``spec`` names, or virtual."""

    def __init__(self, spec: str, api: str, rt: MidiClient) -> None:
        super().__init__(spec, api)
        self._rt = rt

    def connect(self) -> bool:
        """Open the port ``spec`` names (again, after an unplug); False if it is not there."""
        if self.virtual:
            if self.name is None:
                with graph_change(self.api):
                    self._rt.open_virtual_port(CLIENT)
                self.name = CLIENT
            return True
        try:
            with quiet_stderr():
                names = self._rt.get_ports()  # its own list: indices are only valid for it
        except (rtmidi.RtMidiError, RuntimeError):
            return False
        target = match(names, self.spec)
        if target is None:
            return False
        self.disconnect()
        try:
            with quiet_stderr(), graph_change(self.api):
                self._rt.open_port(names.index(target), CLIENT)
        except (rtmidi.RtMidiError, RuntimeError, ValueError):  # vanished between listing and opening
            return False
        self.name = target
        return True

    def disconnect(self) -> None:
        """Forget the device (it was unplugged); the client stays, ready to reconnect."""
        if self.name is not None and not self.virtual:
            self.name = None
            with graph_change(self.api, unregisters=True):
                self._rt.close_port()

    def close(self) -> None:
        self.name = None
        release(self._rt, self.api)


class OutPort(Port):
    """An output; :meth:`send` may be called from several threads (one lock per port)."""

    def __init__(self, spec: str, api: str = "auto") -> None:
        self._rt: MidiOut = _output(api)
        super().__init__(spec, api, self._rt)
        self._lock = threading.Lock()

    def send(self, data: bytes | Sequence[int]) -> bool:
        """Send one message (raw bytes); False when not connected or the driver refused it."""
        if self.name is None:
            return False
        with self._lock:
            try:
                self._rt.send_message(data)
            except (rtmidi.RtMidiError, RuntimeError, ValueError):
                return False
        return True


class InPort(Port):
    """An input drained by polling (see the module docstring): no callback, no Python in the driver.

    ``timing``: receive MIDI clock and transport (clock-in); otherwise they are dropped in C.
    Thread contract: :meth:`receive` from one reader thread.
    """

    def __init__(self, spec: str, api: str = "auto", *, timing: bool = False) -> None:
        self._rt: MidiIn = _input(api, queue_size_limit=QUEUE_LIMIT)
        super().__init__(spec, api, self._rt)
        self._rt.ignore_types(sysex=True, timing=not timing, active_sense=True)

    def receive(self) -> tuple[list[int], float] | None:
        """The oldest queued message as (bytes, seconds since the previous one), or None."""
        if self.name is None:
            return None
        try:
            return self._rt.get_message()
        except (rtmidi.RtMidiError, RuntimeError):
            return None
