"""A binding learned when midi.toml cannot be saved (a full disk, a read-only folder) still works for
the rest of the show, and the controllers keep working (issue 16.6)."""

from __future__ import annotations

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.midi.mapping import CC, Control
from rockstar_cx.midi.session import MidiOptions

from .test_controller import MemoryDevice, close, controlled, pump, two_colour_show, wait_for


def test_a_failed_save_during_midi_learn_keeps_the_binding_and_the_controllers(bus, silent_engine, tmp_path,
                                                                               monkeypatch):
    (tmp_path / "rockstar-cx").write_text("a file where the settings folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    pad = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    engine = silent_engine(EngineConfig(two_colour_show(), device="no audio device here"))
    session = controlled(MidiOptions(inputs=("test pad",), api="memory"), engine)
    try:
        session.start()
        hub = session.hub
        hub.learn(True)
        hub.select(Target(Action.START_STOP))
        pad.press(0xB0, 20, 127)
        wait_for(lambda: hub.selected is None)
        hub.learn(False)
        assert [(c, t) for _, c, t in hub.learned] == [(Control(CC, 0, 20), Target(Action.START_STOP))]
        assert hub.counters.unsaved == 1 and hub.alive
        pad.press(0xB0, 20, 127)  # the learned binding, unsaved, works
        pump(session, 0.4)
        assert engine.transport().playing
    finally:
        close(session)
        pad.close()
        engine.close()
