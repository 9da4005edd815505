"""A JACK recording client for tests: records the app's audio output — and MIDI — frame-exactly.

Connect it to the app's output ports (PortAudio's ``out_0``, MIDI ports) and every captured frame
and MIDI event carries a frame number, so onset positions and intervals can be checked to the
sample.  Frames are the JACK frame time of the first cycle captured plus the frames of every
cycle since: one timeline for audio and MIDI.  Not JACK's frame time of each cycle: around an
xrun the dummy driver runs late cycles back to back, and its frame time then repeats or leaps.
"""

from __future__ import annotations

import re
import time

import jack
import numpy as np

PORTAUDIO_OUT = "PortAudio:out_0"


class XrunMonitor:
    """JACK's own count of missed cycles, with no process callback: it never joins the cycle,
    so nothing its Python process does (a GIL hog) can cause the xruns it counts."""

    def __init__(self, name: str = "xrun-monitor") -> None:
        self.xrun_times: list[float] = []  # perf_counter when JACK reported each (a little late)
        self.client = jack.Client(name, no_start_server=True)
        self.xruns = 0
        self.server_gone = False
        self.client.set_xrun_callback(self._xrun)
        self.client.set_shutdown_callback(self._shutdown)
        self.client.activate()

    def _xrun(self, delay: float) -> None:
        self.xruns += 1
        self.xrun_times.append(time.perf_counter())

    def _shutdown(self, status, reason: str) -> None:
        self.server_gone = True

    def close(self) -> None:
        if self.server_gone:
            # libjack crashes closing a client of a dead server: forget the handle (a small leak)
            # so that neither we nor jack.Client.__del__ ever pass it to jack_client_close
            self.client._ptr = jack._ffi.NULL
            return
        self.client.deactivate()
        self.client.close()


class JackCapture(XrunMonitor):
    """Records ``channels`` audio inputs (``in``, or ``in_0``, ``in_1`` ...): :attr:`buffers` has a
    row for each, :attr:`buffer` is the first."""

    def __init__(self, seconds: float, name: str = "capture", midi: tuple[str, ...] = (), channels: int = 1) -> None:
        # set before the client starts: an xrun may be reported at once
        self.first_frame: int | None = None  # JACK frame time of buffer[0]
        self.processed = 0  # frames of the cycles captured
        self.cycle_frame_times: list[int] = []  # JACK's frame time of each cycle captured
        self.xrun_frames: list[int] = []
        super().__init__(name)
        self.rate = self.client.samplerate  # kept: a closed client reports 0
        self.period = self.client.blocksize
        self.buffers = np.zeros((channels, int(seconds * self.rate) + 65536), np.float32)
        self.buffer = self.buffers[0]
        self.ports = [self.client.inports.register("in" if channels == 1 else f"in_{i}") for i in range(channels)]
        self.port = self.ports[0]
        self.midi_ports = [self.client.midi_inports.register(port) for port in midi]
        self.midi_events: list[list[tuple[int, bytes]]] = [[] for _ in midi]  # (frame, message) per port
        self.client.deactivate()  # callbacks can only be set on an inactive client
        self.client.set_process_callback(self._process)
        self.client.activate()

    @property
    def written(self) -> int:
        return min(self.processed, len(self.buffer))

    def _xrun(self, delay: float) -> None:
        self.xrun_frames.append((self.first_frame or 0) + self.processed)
        super()._xrun(delay)

    def _process(self, frames: int) -> None:
        self.cycle_frame_times.append(self.client.last_frame_time)
        if self.first_frame is None:
            self.first_frame = self.cycle_frame_times[0]
        now = self.first_frame + self.processed
        for port, events in zip(self.midi_ports, self.midi_events):
            events += [(now + offset, bytes(data)) for offset, data in port.incoming_midi_events()]
        written, end = self.written, min(self.processed + frames, len(self.buffer))
        for port, buffer in zip(self.ports, self.buffers):
            buffer[written:end] = port.get_array()[:end - written]
        self.processed += frames

    def connect(self, source: str = PORTAUDIO_OUT, port=None, timeout: float = 10.0) -> None:
        """Connect ``source`` (the first port whose name matches) to ``port`` (the audio input) as
        soon as it exists."""
        deadline = time.monotonic() + timeout
        while not self.client.get_ports(source):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no JACK port {source}: {[p.name for p in self.client.get_ports()]}")
            time.sleep(0.02)
        self.client.connect(self.client.get_ports(source)[0], self.port if port is None else port)

    def jack_frame_time(self, frame: int) -> int:
        """JACK's frame time of a frame of the capture (good away from xruns: see the module docstring)."""
        cycle, offset = divmod(frame - self.first_frame, self.period)
        return self.cycle_frame_times[cycle] + offset

    def onsets(self, silence: int = 64, channel: int = 0) -> np.ndarray:
        """The frames of every sound start: a nonzero sample after at least ``silence`` exact zeros."""
        audio = self.buffers[channel, :self.written]
        loud = np.flatnonzero(audio != 0.0)
        if not len(loud):
            return loud
        gaps = np.diff(loud, prepend=-silence - 1)
        return loud[gaps > silence] + self.first_frame


class Loop:
    """A cable from a PortAudio client's first output to its first input — the PA heard by the mic —
    for a client that appears after this is made (another process's PortAudio may be there already:
    the new one is then named ``PortAudio-01``).  :meth:`wire` waits until its ports exist."""

    def __init__(self, name: str = "room-loop") -> None:
        self.client = jack.Client(name, no_start_server=True)
        self.client.activate()
        self.before = {port.name for port in self.client.get_ports("PortAudio", is_audio=True, is_input=True)}

    def wire(self, timeout: float = 20.0, alive=lambda: True, source: str | None = None) -> str:
        """Connect the new client's output — or the port ``source`` — to its input (dropping the dummy
        device's silent capture); returns the client's name."""
        deadline = time.monotonic() + timeout
        while True:
            new = [p for p in self.client.get_ports("PortAudio", is_audio=True, is_input=True) if p.name not in self.before]
            if new:
                app = new[0].name.split(":")[0]
                outputs = self.client.get_ports("^" + re.escape(app + ":"), is_audio=True, is_output=True)
                if outputs:
                    for port in self.client.get_all_connections(new[0]):
                        self.client.disconnect(port, new[0])
                    self.client.connect(source or outputs[0], new[0])
                    return app
            if not alive() or time.monotonic() > deadline:
                raise TimeoutError(f"no new PortAudio client with an input and an output (before: {self.before})")
            time.sleep(0.01)

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()
