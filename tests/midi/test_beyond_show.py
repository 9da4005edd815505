"""Controls for sections and moments the show lacks (issue 16.3): they do nothing, and never cut the mix."""

from __future__ import annotations

import time

from played import applied_commands
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.conductor.commands import LiveHit, Start
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.midi.mapping import NOTE, Control
from rockstar_cx.midi.session import MidiOptions

from ..audio.test_door import FOUR
from .test_controller import MemoryDevice, close, controlled, config_home, pump  # noqa: F401 (a fixture)


def test_pads_5_to_8_on_a_4_section_show_play_nothing_and_fail_no_block(bus, silent_engine, config_home):
    pad = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    engine = silent_engine(EngineConfig(FOUR, device="no audio device here"))
    session = controlled(MidiOptions(inputs=("test pad",), api="memory"), engine)
    try:
        session.start()
        assert session.hub.devices[0].profile.name == "generic"
        engine.send(Start(count_in=False))
        deadline = time.monotonic() + 2.0  # a 2 s roll on all eight pads (GM drum notes 36-43, channel 10)
        while time.monotonic() < deadline:
            for note in range(36, 44):
                pad.press(0x99, note, 110)
            pump(session, 0.03)
        pump(session, 0.2)
        played = {c.section for c in applied_commands(engine) if type(c) is LiveHit}
        assert played == {0, 1, 2, 3}
        assert session.presenter.message.startswith("There is no section")
        assert engine.transport().playing
        report = engine.report()
    finally:
        close(session)
        engine.close()
    assert report["callback_errors"] == report["nonfinite_blocks"] == 0
    assert report["refused_commands"] == 0  # the presenter refused them first, with a message


def test_midi_toml_rows_beyond_the_show_are_reported_and_skipped(bus, silent_engine, config_home, tmp_path):
    pad = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    settings = tmp_path / "midi.toml"
    rows = [("note", 50, "hit", 6), ("note", 51, "launch", 3), ("note", 52, "mute", 2), ("cc", 20, "volume", 64)]
    settings.write_text("".join(f'[[binding]]\ndevice = "generic"\ncontrol = "{kind}"\nchannel = 1\n'
                                f'number = {number}\naction = "{action}"\nindex = {index}\n\n'
                                for kind, number, action, index in rows))
    before = settings.read_bytes()
    engine = silent_engine(EngineConfig(FOUR, device="no audio device here"))
    session = controlled(MidiOptions(inputs=("test pad",), api="memory"), engine)
    session.settings_path = settings
    try:
        session.start()
        assert session.warning.splitlines() == [
            f"{settings}: skipped generic's cc 20 (channel 1) → volume 64: this show has 4 sections",
            f"{settings}: skipped generic's note 50 (channel 1) → hit 6: this show has 4 sections",
            f"{settings}: skipped generic's note 51 (channel 1) → launch 3: this show has 2 moments"]
        mapping = session.hub.devices[0].mapping
        assert mapping.target(Control(NOTE, 0, 52)) == Target(Action.MUTE, 1)
        assert mapping.target(Control(NOTE, 0, 50)) is None and mapping.target(Control(NOTE, 0, 51)) is None
        pad.press(0x90, 50, 100)
        pump(session, 0.2)
    finally:
        close(session)
        engine.close()
    assert settings.read_bytes() == before  # the file keeps them, for shows that have those sections
