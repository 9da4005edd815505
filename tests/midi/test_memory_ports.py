"""The in-memory MIDI system (``--midi-api memory``): our ports on it behave as on a real one.

Bytes go through unchanged, ``ignore_types`` drops what rtmidi drops, names are matched as on
JACK, unplugging a device takes its ports off the graph — and hot-plug sees it go and come back.
"""

from __future__ import annotations

import time

import pytest

from rockstar_cx.midi import ports
from rockstar_cx.midi.hotplug import HotPlug
from rockstar_cx.midi.memory import MemoryBus
from rockstar_cx.midi.ports import CLIENT, InPort, OutPort, Port, Probe, graph_change, resolve_api
from rockstar_cx.midi.session import describe_ports

SYSEX = [0xF0, 0x7E, 0x01, 0x02, 0xF7]


def drain(port: InPort) -> list[bytes]:
    out = []
    while (item := port.receive()) is not None:
        out.append(bytes(item[0]))
    return out


def test_messages_go_both_ways_byte_for_byte_with_the_time_between_them(bus: MemoryBus):
    pads, leds = bus.device_output("Test Pad:Pad Out"), bus.device_input("Test Pad:Pad In")
    inport, outport = InPort("test pad", "memory"), OutPort("test pad", "memory")
    try:
        assert resolve_api("memory") == "memory"
        assert not outport.send([0x90, 60, 1]) and inport.receive() is None  # not connected yet
        assert inport.connect() and outport.connect()
        assert (inport.name, outport.name) == ("Test Pad:Pad Out", "Test Pad:Pad In")
        pads.send(0x90, 60, 100)
        time.sleep(0.05)
        pads.send(0xB0, 1, 64)
        first, second = inport.receive(), inport.receive()
        assert first == ([0x90, 60, 100], 0.0) and second is not None and second[0] == [0xB0, 1, 64]
        assert 0.04 <= second[1] < 1.0
        assert inport.receive() is None
        assert outport.send([0x92, 11, 3]) and outport.send(bytes([0xB0, 97, 0])) and outport.send(SYSEX)
        assert leds.received() == [bytes([0x92, 11, 3]), bytes([0xB0, 97, 0]), bytes(SYSEX)]
        # python-rtmidi's refusals: nothing sent, False
        assert not outport.send([]) and not outport.send([0x90, 1, 2, 3])
        assert leds.received() == []
    finally:
        inport.close()
        outport.close()


def test_ignore_types_drops_sysex_clock_and_active_sensing_unless_timing_is_asked_for(bus: MemoryBus):
    pads = bus.device_output("Clock Box:out")
    controller, clock_in = InPort("clock box", "memory"), InPort("clock box", "memory", timing=True)
    try:
        assert controller.connect() and clock_in.connect()
        for message in (SYSEX, [0xF8], [0xF1, 0x10], [0xFE], [0xFA], [0x90, 36, 100], [0xFC]):
            pads.send(*message)
        assert drain(controller) == [bytes([0xFA]), bytes([0x90, 36, 100]), bytes([0xFC])]
        assert drain(clock_in) == [bytes([0xF8]), bytes([0xF1, 0x10]), bytes([0xFA]), bytes([0x90, 36, 100]),
                                   bytes([0xFC])]
    finally:
        controller.close()
        clock_in.close()


def test_a_reader_that_falls_behind_loses_the_newest_messages(bus: MemoryBus):
    pads = bus.device_output("Flood:out")
    inport = InPort("flood", "memory")
    try:
        assert inport.connect()
        for i in range(ports.QUEUE_LIMIT + 10):
            pads.send(0xB0, 1, i % 128)
        received = drain(inport)
        assert len(received) == ports.QUEUE_LIMIT and received[-1] == bytes([0xB0, 1, (ports.QUEUE_LIMIT - 1) % 128])
    finally:
        inport.close()


def test_names_are_matched_as_on_a_real_system_and_our_own_ports_are_never_picked(bus: MemoryBus):
    bus.device_output("Launchpad Mini:LPX MIDI Out")
    bus.device_output("Launchpad X:LPX MIDI Out")
    virtual = OutPort("virtual", "memory")
    ours = InPort(CLIENT, "memory")
    by_part, exact = InPort("LAUNCHPAD", "memory"), InPort("Launchpad X:LPX MIDI Out", "memory")
    try:
        assert virtual.connect() and virtual.name == CLIENT
        assert f"{CLIENT}:{CLIENT}" in bus.names(sources=True)
        assert not ours.connect()  # our virtual output is listed, but a search never picks it
        assert by_part.connect() and by_part.name == "Launchpad Mini:LPX MIDI Out"  # the first containing it
        assert exact.connect() and exact.name == "Launchpad X:LPX MIDI Out"
        assert not InPort("nanokontrol", "memory").connect()
        with pytest.raises(ValueError, match="already exists"):
            bus.device_output("Launchpad X:LPX MIDI Out")
    finally:
        for port in (virtual, ours, by_part, exact):
            port.close()
    assert f"{CLIENT}:{CLIENT}" not in bus.names(sources=True)  # closing a virtual port takes it off


def test_virtual_ports_are_there_for_others_to_connect_to(bus: MemoryBus):
    inport, outport = InPort("virtual", "memory"), OutPort("virtual", "memory")
    try:
        assert inport.connect() and outport.connect()
        synth, keys = bus.listen(f"{CLIENT}:{CLIENT}"), bus.talk_to(f"{CLIENT}:{CLIENT}")
        assert outport.send([0xF8]) and synth.received() == [bytes([0xF8])]
        keys.send(0x90, 60, 1)
        assert drain(inport) == [bytes([0x90, 60, 1])]
    finally:
        inport.close()
        outport.close()
    assert bus.names(sources=True) == bus.names(sources=False) == []


def test_unplugging_a_device_stops_its_messages_and_its_listing(bus: MemoryBus):
    pads, leds = bus.device_output("Test Pad:Pad Out"), bus.device_input("Test Pad:Pad In")
    inport, outport = InPort("test pad", "memory"), OutPort("test pad", "memory")
    probe = Probe("memory")
    try:
        assert inport.connect() and outport.connect()
        assert probe.names() == (["Test Pad:Pad Out"], ["Test Pad:Pad In"])
        bus.unplug("Test Pad")
        assert probe.names() == ([], [])
        pads.send(0x90, 1, 1)  # a cable pulled: nothing arrives, nothing breaks
        outport.send([0x90, 1, 1])
        assert inport.receive() is None and leds.received() == []
        assert describe_ports("memory")[:4] == ["MIDI (memory) inputs:", "  (none)", "MIDI (memory) outputs:", "  (none)"]
    finally:
        probe.close()
        inport.close()
        outport.close()


def test_hotplug_sees_a_device_vanish_and_reconnects_it_when_it_is_back(bus: MemoryBus):
    inport, outport = InPort("test pad", "memory"), OutPort("test pad", "memory")
    connected: list[Port] = []
    hotplug = HotPlug([inport, outport], "memory", poll_s=0.02, on_connect=connected.append)

    def wait_status(expected: tuple[tuple[str, str | None], ...]) -> None:
        deadline = time.monotonic() + 2.0
        while hotplug.connected() != expected:
            assert time.monotonic() < deadline, hotplug.connected()
            time.sleep(0.01)

    plugged = (("test pad", "Test Pad:Pad Out"), ("test pad", "Test Pad:Pad In"))
    try:
        hotplug.start()
        wait_status((("test pad", None), ("test pad", None)))
        for round_ in range(2):  # plugged in, pulled out, plugged in again: same names, new ports
            pads, leds = bus.device_output("Test Pad:Pad Out"), bus.device_input("Test Pad:Pad In")
            wait_status(plugged)
            assert connected == [inport, outport] * (round_ + 1)
            pads.send(0x90, 36, 100 + round_)
            assert outport.send([0x90, 36, 3 + round_])
            assert drain(inport) == [bytes([0x90, 36, 100 + round_])]
            assert leds.received() == [bytes([0x90, 36, 3 + round_])]
            bus.unplug("Test Pad")
            wait_status((("test pad", None), ("test pad", None)))
            assert not outport.send([0x90, 36, 0])
        assert hotplug.changes == 8
    finally:
        hotplug.stop()
        inport.close()
        outport.close()


def test_graph_changes_never_wait_for_the_memory_api(bus: MemoryBus, monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(ports.time, "sleep", sleeps.append)
    bus.device_output("Pad:out")
    ports.graph_changed()
    for _ in range(3):
        inport = InPort("pad", "memory")
        assert inport.connect()
        inport.disconnect()
        inport.close()
        with graph_change("memory", unregisters=True):
            pass
    assert sleeps == []
