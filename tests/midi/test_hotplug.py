"""Hot-plug: devices appear, vanish and come back while the show plays.

On the in-memory MIDI system with a silent engine: what is checked is the logic (names matched,
ports reconnected, LEDs repainted, commands applied), not the MIDI driver.  Outputs live in the
MIDI-out process, out of the memory bus's reach: their hot-plug is checked on real JACK ports.
"""

from __future__ import annotations

import time

from played import applied_commands
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor.commands import Mute, Start
from rockstar_cx.midi.hotplug import POLL_S
from rockstar_cx.midi.session import MidiOptions, MidiSession, describe_ports

from ..conductor.shows import make_show, moment, section
from .test_controller import LAUNCHPAD_INIT, FakeDevice, MemoryDevice, close, controlled, pump

NOTICE_S = 2 * POLL_S + 1.0


def wait_status(session: MidiSession, key: str, expected, timeout: float = NOTICE_S):
    """Wait until the status lists ``expected`` ((spec, start of the connected name or None), ...)."""
    def matches(status):
        return len(status) == len(expected) and all(
            spec == want_spec and (name is None if want is None else name is not None and name.startswith(want))
            for (spec, name), (want_spec, want) in zip(status, expected))
    deadline = time.monotonic() + timeout
    while not matches(status := session.status()[key]):
        assert time.monotonic() < deadline, status
        pump(session, 0.1)
    return status


def test_controllers_are_reconnected_by_name_and_unplugging_breaks_nothing(bus, silent_engine):
    show = make_show([section("a", "x...")], [moment("one", ("a",), 0)], count_in=0)
    engine = silent_engine(EngineConfig(show, device="no audio device here"))
    session = controlled(MidiOptions(inputs=("launchpad",), api="memory"), engine)
    device = None
    try:
        session.start()
        engine.send(Start(count_in=False))
        assert session.status()["inputs"] == (("launchpad", None), ("launchpad", None))
        deadline = time.monotonic() + 5.0
        while not session.presenter.view.transport().playing:  # the app runs: its view (the LEDs') sees the show play
            assert time.monotonic() < deadline
            pump(session, 0.01)

        for round_ in range(2):  # plugged in, pulled out, plugged in again
            device = MemoryDevice(bus, "Launchpad Mini", "LPX MIDI Out", "LPX MIDI In")
            wait_status(session, "inputs", (("launchpad", "Launchpad Mini:LPX MIDI Out"),
                                            ("launchpad", "Launchpad Mini:LPX MIDI In")))
            pump(session, 0.2)
            leds = device.received()
            assert leds[:3] == LAUNCHPAD_INIT and len(leds) == 3 + 56  # a full repaint on every connect
            device.press(0x90, 71, 127)  # mute section 1
            pump(session, 0.2)
            if round_ == 0:
                device.close()
                pump(session, 0.1)  # the device is gone: the app notices in its own time
                wait_status(session, "inputs", (("launchpad", None), ("launchpad", None)))
        applied = applied_commands(engine)
        assert applied == [Start(count_in=False), Mute(0), Mute(0)]
        listing = describe_ports("memory")  # what `rockstar-cx devices` shows
        assert listing[:3] == ["MIDI (memory) inputs:", "  Launchpad Mini:LPX MIDI Out  [launchpad]",
                               "MIDI (memory) outputs:"]
        assert engine.transport().playing
    finally:
        close(session)
        report = engine.close()
        if device is not None:
            device.close()
    assert report["callback_errors"] == 0


def test_on_real_jack_ports_an_output_plugged_in_late_is_connected_in_the_midi_out_process(jack_server):
    """The MIDI-out process has ports of its own: a process-local memory bus cannot reach them."""
    show = make_show([section("a", "x...")], [moment("one", ("a",), 0)], count_in=0)
    engine = AudioEngine(EngineConfig(show, device="system", blocksize=jack_server.period)).start()
    session = MidiSession(MidiOptions(outputs=("late synth",), api="jack"), engine)
    synth = None
    try:
        session.start()
        assert session.status()["outputs"] == (("late synth", None),)
        synth = FakeDevice("Late Synth", "out", "in")
        wait_status(session, "outputs", (("late synth", "Late Synth"),), timeout=NOTICE_S + 1.0)
        listing = describe_ports("jack")  # what `rockstar-cx devices` shows
        assert listing[0] == "MIDI (jack) inputs:" and "  Late Synth:out" in listing and "MIDI (jack) outputs:" in listing
    finally:
        session.close()
        report = engine.close()
        if synth is not None:
            synth.close()
    assert report["callback_errors"] == 0
