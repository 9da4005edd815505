"""Our JACK MIDI client through a real JACK server that dies and comes back (a USB interface pulled
and replugged, a JACK server restarted by the studio's patchbay): MIDI out carries on.

A private server of this test's own (the session's stays untouched); the source writes a clock
tick at the first frame of every cycle, so what matters here is only whether messages flow.
"""

from __future__ import annotations

import time

from jackcapture import JackCapture
from jackserver import JackServer

from rockstar_cx.midi.cycle import JackCycle

from ..conftest import SERVER_NAME, _started

COME_BACK_S = 5.0  # hot-plug's rounds are a second apart; a fresh server takes a moment to serve


class EveryCycle:
    """A source that puts a tick on frame 0 of every cycle."""

    def __init__(self, writer: JackCycle) -> None:
        self.writer = writer
        self.calls = 0

    def block_at(self, host: float) -> int:
        return 0

    def cycle(self, start: int, frames: int) -> None:
        self.calls += 1
        for port in self.writer.ports:
            port.write(0, b"\xf8")


def ticks_received(seconds: float) -> int:
    recorder = JackCapture(seconds + 1, "restart-recorder", midi=("midi",))
    try:
        recorder.connect("rockstar-cx:", recorder.midi_ports[0])
        time.sleep(seconds)
        return len(recorder.midi_events[0])
    finally:
        recorder.close()


def test_midi_out_comes_back_when_the_jack_server_does(monkeypatch):
    server = _started(JackServer(name=SERVER_NAME + "-rs", export_env=False))  # 24 characters crashed libjack
    monkeypatch.setenv("JACK_DEFAULT_SERVER", server.name)
    cycle = JackCycle(48000, ("virtual",))
    source = EveryCycle(cycle)
    cycle.start(source)
    try:
        assert ticks_received(0.5) > 50  # ~187 cycles in 0.5 s at 128 frames
        server.kill()
        time.sleep(0.3)  # JACK tells its clients it shut down
        assert cycle.names() == ([], [])  # hot-plug's round while the server is away: nothing, no error
        server.start()
        deadline = time.monotonic() + COME_BACK_S
        while not cycle.names()[1] and time.monotonic() < deadline:  # hot-plug's rounds
            time.sleep(0.2)
        assert cycle.ports[0].connected  # the virtual port is ours again, at once
        calls = source.calls
        assert ticks_received(0.5) > 50
        assert source.calls > calls
        assert cycle.figures()["cycle_errors"] == 0
    finally:
        cycle.close()
        server.stop()
