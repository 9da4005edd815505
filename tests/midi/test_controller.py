"""Controllers: a fake Launchpad and a generic pad drive the running engine, and the LEDs answer.

The devices are named like the real ones, each with a MIDI out (its pads) and a MIDI in (its
LEDs).  What the engine applied is read from its own event ring; the LED messages sent back are
asserted byte for byte.  The logic runs on the in-memory MIDI system with a silent engine (no
JACK, no audio device); the same scenario runs once more on real JACK ports and audio.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
import rtmidi

from played import applied_commands
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor.commands import Mute, Next, Quantize, Start, TapTempo
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.live.presenter import Presenter
from rockstar_cx.live.view import EngineView
from rockstar_cx.midi import mapping
from rockstar_cx.midi.mapping import CC, NOTE, Control
from rockstar_cx.midi.memory import MemoryBus
from rockstar_cx.midi.ports import graph_changed, release
from rockstar_cx.midi.session import MidiOptions, MidiSession

from ..conductor.shows import make_show, moment, section

ORANGE, SKY = "#E69F00", "#56B4E9"  # Launchpad palette 9 and 37
LAUNCHPAD_INIT = [bytes.fromhex(h) for h in ("F0002029020C0E01F7", "F0002029020D0E01F7", "F0002029020E0E01F7")]


class FakeDevice:
    def __init__(self, client: str, out_name: str, in_name: str) -> None:
        self.pads = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, client)
        self.pads.open_virtual_port(out_name)
        self.leds = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, client, queue_size_limit=8192)
        self.leds.ignore_types(sysex=False)
        self.leds.open_virtual_port(in_name)
        graph_changed()

    def send(self, *data: int) -> None:
        self.pads.send_message(list(data))

    def press(self, *data: int) -> None:
        """A button: pressed, then released."""
        self.send(*data)
        self.send(data[0], data[1], 0)

    def received(self) -> list[bytes]:
        out = []
        while (item := self.leds.get_message()) is not None:
            out.append(bytes(item[0]))
        return out

    def close(self) -> None:
        release(self.pads, "jack")
        release(self.leds, "jack")


class MemoryDevice:
    """A :class:`FakeDevice` on the in-memory MIDI bus: ports ``client:out_name`` and ``client:in_name``."""

    def __init__(self, bus: MemoryBus, client: str, out_name: str, in_name: str) -> None:
        self.client, self.bus = client, bus
        self.pads = bus.device_output(f"{client}:{out_name}")
        self.leds = bus.device_input(f"{client}:{in_name}")

    def send(self, *data: int) -> None:
        self.pads.send(*data)

    def press(self, *data: int) -> None:
        self.send(*data)
        self.send(data[0], data[1], 0)

    def received(self) -> list[bytes]:
        return self.leds.received()

    def close(self) -> None:
        self.bus.unplug(self.client)


def two_colour_show():
    a, b = section("a", "x... x... x... x..."), section("b", "..x. ..x. ..x. ..x.")
    a, b = dataclasses.replace(a, color=ORANGE), dataclasses.replace(b, color=SKY)
    return make_show([a, b], [moment("one", ("a",), 0), moment("two", ("a", "b"), 0), moment("three", ("b",), 0)],
                     count_in=0)


def controlled(options: MidiOptions, engine: AudioEngine) -> MidiSession:
    """A MIDI session whose controllers act through a presenter of its own (close it with :func:`close`)."""
    return MidiSession(options, engine, Presenter(EngineView.of(engine), engine.send))


def close(session: MidiSession) -> dict:
    status = session.close()
    if session.presenter is not None:
        session.presenter.view.close()
    return status


def pump(session: MidiSession, seconds: float) -> None:
    """The app's thread, as a front-end runs it: the presenter's tick, then the controllers' actions."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if session.presenter is not None:
            session.presenter.tick()
        session.pump()
        time.sleep(0.005)


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_a_profile_and_a_learned_mapping_drive_the_show_and_the_leds_answer(bus, silent_engine, config_home):
    launchpad = MemoryDevice(bus, "Launchpad X", "LPX MIDI Out", "LPX MIDI In")
    pad = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    engine = silent_engine(EngineConfig(two_colour_show(), device="no audio device here"))
    drive_the_show(engine, "memory", launchpad, pad, "Launchpad X:LPX MIDI In", config_home)


def test_on_real_jack_ports_and_audio_a_profile_and_a_learned_mapping_drive_the_show(jack_server, config_home):
    launchpad = FakeDevice("Launchpad X", "LPX MIDI Out", "LPX MIDI In")
    pad = FakeDevice("Test Pad", "Pad Out", "Pad In")
    engine = AudioEngine(EngineConfig(two_colour_show(), device="system", blocksize=jack_server.period)).start()
    drive_the_show(engine, "jack", launchpad, pad, "Launchpad X-01:LPX MIDI In",  # JACK renamed the second client
                   config_home)


def drive_the_show(engine: AudioEngine, api: str, launchpad: FakeDevice | MemoryDevice, pad: FakeDevice | MemoryDevice,
                   leds_port: str, config_home) -> None:
    """The scenario: the Launchpad's profile plays the show, the pad's learned bindings too; closes everything."""
    session = controlled(MidiOptions(inputs=("launchpad", "test pad"), api=api), engine)
    try:
        session.start()
        hub = session.hub
        assert [d.profile.name for d in hub.devices] == ["launchpad", "generic"]
        assert [d.inport.name for d in hub.devices] == ["Launchpad X:LPX MIDI Out", "Test Pad:Pad Out"]
        assert hub.devices[0].outport.name == leds_port

        # connected: programmer mode, then every LED.  Stopped: moment 1 (where Start begins) and
        # its section pulse, in the section's colour; the rest is dark.
        pump(session, 0.3)
        first = launchpad.received()
        assert first[:3] == LAUNCHPAD_INIT and len(first) == 3 + 56
        assert {bytes([0x92, 11, 3]), bytes([0x92, 81, 9]), bytes([0x90, 82, 0]), bytes([0xB0, 97, 0]),
                bytes([0x90, 12, 0]), bytes([0x90, 71, 0])} <= set(first[3:])

        launchpad.press(0xB0, 97, 127)  # start/stop
        pump(session, 0.4)
        assert launchpad.received() == [bytes([0xB0, 97, 3]), bytes([0x90, 11, 3]), bytes([0x90, 81, 9])]
        launchpad.press(0xB0, 92, 127)  # GO: moment 2 enters at the next bar line: it and its new section flash
        pump(session, 0.4)
        assert launchpad.received() == [bytes([0xB1, 92, 3]), bytes([0x91, 12, 3]), bytes([0x91, 82, 37])]
        wait_for(lambda: engine.transport().moment == 1, timeout=3)
        pump(session, 0.2)
        assert launchpad.received() == [bytes([0xB0, 92, 0]), bytes([0x90, 11, 0]), bytes([0x90, 12, 3]),
                                        bytes([0x90, 82, 37])]
        launchpad.press(0x90, 71, 127)  # mute section 1: its mute pad lights in its colour
        pump(session, 0.2)
        assert launchpad.received() == [bytes([0x90, 71, 9])]
        assert engine.transport().muted == {0}
        for _ in range(4):  # tap tempo at 150 bpm
            launchpad.press(0xB0, 95, 127)
            pump(session, 0.4)
        pump(session, 0.2)
        assert engine.transport().tempo == pytest.approx(150.0, rel=0.015)
        assert launchpad.received() == []

        # MIDI learn: select an action, move a control; learn stays on until switched off
        hub.learn(True)
        for target, control in ((Target(Action.GO), (0xB0, 20, 127)), (Target(Action.MUTE, 1), (0x90, 50, 100)),
                                (Target(Action.TAP), (0x90, 51, 100))):
            hub.select(target)
            pad.press(*control)
            wait_for(lambda: hub.selected is None)
        hub.learn(False)
        learned = [(c, t) for _, c, t in hub.learned]
        assert learned == [(Control(CC, 0, 20), Target(Action.GO)), (Control(NOTE, 0, 50), Target(Action.MUTE, 1)),
                           (Control(NOTE, 0, 51), Target(Action.TAP))]
        saved, warning = mapping.load()
        assert warning == "" and saved.learned["generic"].bindings == dict(learned)
        assert (config_home / "rockstar-cx" / "midi.toml").exists()

        pad.press(0xB0, 20, 127)  # the learned GO
        pump(session, 0.4)
        pad.press(0x90, 50, 100)  # the learned mute of section 2
        pump(session, 2.1)  # a pause: a new tap sequence
        for _ in range(4):  # the learned tap, at 120 bpm
            pad.press(0x90, 51, 100)
            pump(session, 0.5)
        pump(session, 0.2)
        assert engine.transport().muted == {0, 1}
        tempo = engine.transport().tempo
        applied = applied_commands(engine)
        status = close(session)
    finally:
        close(session)
        report = engine.close()
        launchpad.close()
        pad.close()
    taps = [TapTempo()] * 4
    assert applied == [Start(count_in=True), Next(Quantize.BAR), Mute(0), *taps, Next(Quantize.BAR), Mute(1), *taps]
    assert tempo == pytest.approx(120.0, rel=0.015)
    counters = status["controllers"]
    assert counters["limited"] == counters["invalid"] == counters["guarded"] == 0
    assert report["callback_errors"] == 0
