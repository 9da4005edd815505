"""MIDI out over JACK written inside JACK's own cycle, each message on the frame of its sample.

rtmidi hands JACK a message whenever a thread sends it, and JACK delivers it at the start of the
next cycle.  A sender thread woken on host time is then only right while the machine keeps
time: a host stall that JACK's driver catches up on (cycles run back to back, no xrun reported)
put 12 of 5,811 ticks one or two periods late in a 45-minute soak.  Here one JACK client of ours
has a process callback, run by JACK for every cycle, that writes the cycle's messages at their
frames: MIDI follows the cycles the audio follows, not the wall clock, and is sample-exact.

    cycle = JackCycle(rate, ("virtual", "USB MIDI"))   # one client, a port per output
    sender = MidiSender(replay, outputs(cycle.ports), clock, notes, cycle=True)
    cycle.start(sender)          # from now on each cycle calls sender.cycle(start, frames)
    cycle.names()                # (sources, destinations) for hot-plug; reopens after a JACK restart
    cycle.close()

**Which block a cycle plays.**  The engine's block is the JACK period (the app's default, 128
frames, and the JACK server it starts).  A ``--blocksize`` other than the server's period makes
PortAudio buffer: measured with 128 against 256 either way, MIDI then sat a steady 128 samples
(2.7 ms) early, steady but not sample-exact.  The engine runs in
another client of the same cycle, so its sample at this cycle's first frame is read from its
clock fit: the block whose callback began nearest this cycle's start (host time; half a period
of slack).  A late wake makes that reading wrong now and then, so the cycle takes JACK's frame
counter plus an offset (:class:`FrameMap`), and moves the offset only when :data:`AGREE` cycles
in a row say so — as an xrun does, for good.

**The callback's contract** (JACK's real-time thread, in the MIDI-out process): clear every
port's buffer, ask the sender what falls in this cycle, write it; no allocation beyond a short
list, no lock, no JACK call that waits on the server.  It needs the GIL: the process's switch
interval hands it over within half a millisecond, and its other threads (the planner, hot-plug,
the app's requests) make no calls that hold the GIL while waiting on the JACK server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Protocol

import jack

from .ports import CLIENT, VIRTUAL, NamedPort, PortError, graph_change, match

AGREE = 8  # cycles in a row that must see a new frame offset before it is believed


class CycleSource(Protocol):
    """What the cycle asks each period (the sender, :class:`~.sender.MidiSender`)."""

    def block_at(self, host: float) -> int | None: ...
    def cycle(self, start: int, frames: int) -> None: ...


class FrameMap:
    """JACK frame → the engine's sample at it: the frame plus an offset that moves only when
    :data:`AGREE` cycles in a row observe the same new one (an xrun); a single odd reading (a
    cycle started late) leaves it."""

    def __init__(self) -> None:
        self.offset: int | None = None
        self.moves = 0  # offsets adopted after the first
        self._candidate: int | None = None
        self._votes = 0

    def sample(self, frame: int, observed: int) -> int:
        """The engine sample at JACK frame ``frame``, where this cycle's reading said ``observed``."""
        seen = observed - frame
        if self.offset is None:
            self.offset = seen
        elif seen == self.offset:
            self._candidate, self._votes = None, 0
        else:
            self._votes = self._votes + 1 if seen == self._candidate else 1
            self._candidate = seen
            if self._votes >= AGREE:
                self.offset, self._candidate, self._votes = seen, None, 0
                self.moves += 1
        return frame + self.offset


class CyclePort(NamedPort):
    """One of our JACK MIDI ports: virtual (others connect to it) or connected to the port ``spec``
    names.  The same surface as :class:`~.ports.Port` for hot-plug; :meth:`write` is the cycle's."""

    def __init__(self, spec: str, cycle: JackCycle, index: int) -> None:
        super().__init__(spec, "jack")
        self._cycle = cycle
        self.short_name = CLIENT if spec == VIRTUAL else f"out-{index + 1}"
        self.jack_port: jack.OwnMidiPort | None = None

    def connect(self) -> bool:
        """Connect to the port ``spec`` names (again, after an unplug); False if it is not there."""
        if self.jack_port is None:
            return False
        if self.virtual:
            self.name = CLIENT
            return True
        target = match(self._cycle.names()[1], self.spec)
        if target is None:
            return False
        self.disconnect()
        try:
            with graph_change(self.api):
                self._cycle.client.connect(self.jack_port, target)
        except jack.JackError:  # vanished between listing and connecting
            return False
        self.name = target
        return True

    def disconnect(self) -> None:
        """Forget the device (it was unplugged); the port stays, ready to reconnect."""
        name, self.name = self.name, None
        if name is not None and not self.virtual and self.jack_port is not None:
            try:
                self._cycle.client.disconnect(self.jack_port, name)
            except jack.JackError:  # already gone with its device
                pass

    def close(self) -> None:
        self.name = None  # the client closes the ports (JackCycle.close)

    def write(self, frame: int, data: bytes | Sequence[int]) -> None:
        """Write one message at ``frame`` of the cycle under way (the callback only)."""
        if self.name is not None:
            try:
                self.jack_port.write_midi_event(frame, data)
            except (jack.JackError, ValueError):  # the cycle's buffer is full: drop, never fail it
                pass


class JackCycle:
    """Our JACK MIDI client: a port per output, the messages written in its process callback."""

    def __init__(self, rate: int, specs: Sequence[str]) -> None:
        self.rate = rate
        self.ports = [CyclePort(spec, self, i) for i, spec in enumerate(specs)]
        self.frames = FrameMap()
        self.errors = 0  # callbacks that raised (each wrote what it had before; the next starts afresh)
        self.overruns = 0  # callbacks that ended after their cycle (waiting for the GIL, or descheduled)
        self.finished_max = 0  # the latest any callback ended, frames into its cycle
        self.client: jack.Client | None = None
        self._source: CycleSource | None = None
        self._alive = False
        self._open()

    def start(self, source: CycleSource) -> JackCycle:
        self._source = source
        return self

    def _open(self) -> None:
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        try:
            with graph_change("jack"):
                client = jack.Client(CLIENT, no_start_server=True)
                for port in self.ports:
                    port.jack_port = client.midi_outports.register(port.short_name)
                    port.name = CLIENT if port.virtual else None  # the others: on hot-plug's round
                client.set_process_callback(lambda frames: self._process(client, frames))
                client.set_shutdown_callback(self._shutdown)
                client.activate()
        except jack.JackError as error:
            raise PortError("no JACK server is running (start one, or use --midi-api alsa)") from error
        self.client, self._alive = client, True
        self.frames = FrameMap()  # a new server counts frames from its own start

    def _shutdown(self, status: jack.Status, reason: str) -> None:
        self._alive = False  # JACK's thread, a signal handler's rules: a flag, nothing more

    def _process(self, client: jack.Client, frames: int) -> None:
        for port in self.ports:
            port.jack_port.clear_buffer()
        source = self._source
        if source is None:
            return
        first = client.last_frame_time
        try:
            began = time.perf_counter() - client.frames_since_cycle_start / self.rate
            observed = source.block_at(began)
            if observed is not None:
                source.cycle(self.frames.sample(first, observed), frames)
        except Exception:  # a non-zero return would end our client for good: MIDI gone for the show
            self.errors += 1
        # how far from its cycle's start it ended (JACK's estimate of "now" may read a little before it)
        finished = max(0, (client.frame_time - first + (1 << 31)) % (1 << 32) - (1 << 31))
        self.finished_max = max(self.finished_max, finished)
        if finished >= frames:  # past the next cycle's start: JACK counts an xrun against the graph
            self.overruns += 1

    def figures(self) -> dict[str, int | float]:
        """The callback's record: errors, overruns, its latest end (ms into a cycle), offset moves."""
        return {"cycle_errors": self.errors, "cycle_overruns": self.overruns,
                "cycle_end_ms_max": round(self.finished_max / self.rate * 1e3, 3), "frame_map_moves": self.frames.moves}

    def names(self) -> tuple[list[str], list[str]]:
        """MIDI ports of the JACK graph as (sources, destinations), for hot-plug; after a JACK
        restart the client is opened again first (ports reconnect on hot-plug's next round)."""
        if not self._alive:
            self.close()
            try:
                self._open()
            except PortError:
                return [], []
        try:
            return ([p.name for p in self.client.get_ports(is_midi=True, is_output=True)],
                    [p.name for p in self.client.get_ports(is_midi=True, is_input=True)])
        except jack.JackError:
            return [], []

    def close(self) -> None:
        """Close the client (its ports with it); :meth:`names` would open it again."""
        client, self.client = self.client, None
        if client is not None:
            try:
                with graph_change("jack", unregisters=True):
                    client.deactivate()
                    client.close()
            except jack.JackError:
                pass
