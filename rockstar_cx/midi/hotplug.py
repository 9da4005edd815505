"""Hot-plug: notice ports appearing and vanishing, reconnect them by name.

Every :data:`POLL_S` the watcher lists the port names (through one long-lived
:class:`~.ports.Probe`, so polling registers no new MIDI client; or the ``lister`` given, such as
MIDI out's JACK client, :class:`~.cycle.JackCycle`) and, for each of our ports,
disconnects it when its device has gone and connects it again when a port of that name is back.
Nothing here raises: an unplugged controller is a normal event on stage.

Threading contract: the watcher thread is the only one that connects and disconnects ports
after :meth:`HotPlug.start`; other threads read :meth:`connected` (a tuple, replaced whole) and
may send to or receive from the ports meanwhile (a send to a disconnected port is a no-op).
``on_connect`` runs in the watcher thread — keep it short (e.g. enqueue "repaint the LEDs").

Listing ports is a call into the MIDI system that holds the GIL until the server answers, so in
the MIDI-out process the watcher waits for a ``quiet`` moment (nothing due for a few ms) first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from .ports import InPort, Port, PortError, Probe, graph_changed, match
from ..threads import Worker, realtime

POLL_S = 1.0  # a modest rate: listing ports costs the MIDI system a little every time
QUIET_S = 0.008  # how long nothing may be due when the ports are listed
QUIET_WAIT_S = 0.2  # how long to wait for such a moment before listing anyway


class Lister(Protocol):
    def names(self) -> tuple[list[str], list[str]]: ...  # (sources, destinations)


class HotPlug(Worker):
    def __init__(self, ports: Sequence[Port], api: str = "auto", *, poll_s: float = POLL_S,
                 on_connect: Callable[[Port], None] | None = None,
                 quiet: Callable[[float], bool] | None = None, lister: Lister | None = None,
                 priority: int | None = None) -> None:
        self.ports = list(ports)
        self.api = api
        self.poll_s = poll_s
        self.on_connect = on_connect
        self.quiet = quiet
        self.lister = lister  # the caller's, which it closes; else a Probe of our own
        self.priority = priority  # real-time, in a process where no thread may sit on the GIL descheduled
        self.changes = 0  # connections made or lost since the start
        self._status: tuple[tuple[str, str | None], ...] = self._snapshot()
        super().__init__("midi-hotplug")

    def connected(self) -> tuple[tuple[str, str | None], ...]:
        """(what was asked for, the port it is connected to or None) for every port."""
        return self._status

    def _run(self) -> None:
        if self.priority is not None:
            realtime(self.priority)
        probe = self.lister
        while not self.stopping.wait(0 if probe is None else self.poll_s):
            if probe is None:
                try:
                    probe = Probe(self.api)
                except PortError:  # the MIDI system itself is away (JACK restarting): later
                    self.stopping.wait(self.poll_s)
                    continue
            if self.quiet is not None:
                deadline = time.monotonic() + QUIET_WAIT_S
                while not self.quiet(QUIET_S) and time.monotonic() < deadline:
                    time.sleep(0.001)
            self.check(*probe.names())
        if probe is not None and probe is not self.lister:
            probe.close()

    def check(self, sources: Sequence[str], destinations: Sequence[str]) -> None:
        """One round: reconcile every port with the names listed now."""
        for port in self.ports:
            if port.virtual:
                continue
            names = sources if isinstance(port, InPort) else destinations
            if port.connected and port.name not in names:
                graph_changed()  # the device just left the graph: let JACK finish telling our clients
                port.disconnect()
                self.changes += 1
            elif not port.connected and match(names, port.spec) is not None and port.connect():
                self.changes += 1
                if self.on_connect is not None:
                    self.on_connect(port)
        self._status = self._snapshot()

    def _snapshot(self) -> tuple[tuple[str, str | None], ...]:
        return tuple((port.spec, port.name) for port in self.ports)

