"""MIDI on the presenter console: ports shown, MIDI learn switched on, targets chosen by key or
button, controls bound by moving them — with a real controller port on JACK and the real engine."""

from __future__ import annotations

import pygame

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.commands import SetGain
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import Next, Quantize
from rockstar_cx.midi import mapping
from rockstar_cx.midi.mapping import CC, Control, Extra, Target
from rockstar_cx.midi.session import MidiOptions, MidiSession
from rockstar_cx.ui.app import StageApp, StageOptions
from rockstar_cx.ui.controls import Action

from ..midi.test_controller import FakeDevice
from .test_app import SHOW, applied, press, until


def console_texts(app: StageApp) -> set[str]:
    app._console_due = True
    app.step()
    return {box.text for box in app.console_view.painter.boxes}


def click(app: StageApp, target, section=None) -> None:
    rect = next(r for r, a, s in app.console_view.buttons if a == target and s == section)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=rect.center, button=1, window=app.console_window))
    app.step()


def test_midi_learn_from_the_console_binds_go_and_a_section_volume(jack_server):
    pad = FakeDevice("Test Pad", "Pad Out", "Pad In")
    engine = AudioEngine(EngineConfig(SHOW, device="system")).start()
    session, app = MidiSession(MidiOptions(inputs=("test pad",), api="jack"), engine), None
    try:
        session.start()
        app = StageApp(SHOW, engine, StageOptions(separate_console=True, save_settings=False), midi=session)
        hub = session.hub
        texts = console_texts(app)
        assert "MIDI IN  test pad ✓" in texts and "LEARN  L" in texts and "VOL" not in texts

        press(app, pygame.K_l)  # learn on: the sections offer their live hit and volume too
        assert app.learning and hub.learning
        texts = console_texts(app)
        assert {"VOL", "HIT", "MASTER VOL"} <= texts
        assert any(t.startswith("MIDI LEARN ON") for t in texts)

        click(app, Action.GO)  # a button chooses the target; the show does nothing
        assert hub.selected == Target(Action.GO)
        assert "the next control moved will do: go" in console_texts(app)
        pad.press(0xB0, 20, 127)
        until(app, lambda: hub.selected is None)
        click(app, "volume", 1)
        assert hub.selected == Target(Extra.VOLUME, 1)
        pad.send(0xB0, 21, 90)
        until(app, lambda: hub.selected is None)
        press(app, pygame.K_3)  # a key chooses too: mute section 3
        assert hub.selected == Target(Action.MUTE, 2)
        press(app, pygame.K_l)  # learn off, nothing bound to the mute
        assert not app.learning and not hub.learning and hub.selected is None
        assert "learned: cc 21 (channel 1) → volume 2" in console_texts(app)
        assert applied(app) == []  # choosing targets played nothing

        pad.press(0xB0, 20, 127)  # the learned GO: stopped, it chooses where the show starts
        until(app, lambda: applied(app))
        pad.send(0xB0, 21, 64)  # the learned fader
        until(app, lambda: len(applied(app)) == 2)
        saved, warning = mapping.load()
    finally:
        if app is not None:
            app.close()
        session.close()
        report = engine.close()
        pad.close()
    assert [c for _, c in applied(app)] == [Next(Quantize.BAR), SetGain(1, (64 / 127) ** 2)]
    assert warning == "" and saved.learned["generic"].bindings == {
        Control(CC, 0, 20): Target(Action.GO), Control(CC, 0, 21): Target(Extra.VOLUME, 1)}
    assert report["callback_errors"] == 0


def test_without_a_controller_learn_says_what_is_needed(jack_server):
    engine = AudioEngine(EngineConfig(SHOW, device="system")).start()
    app = StageApp(SHOW, engine, StageOptions(save_settings=False))
    try:
        press(app, pygame.K_l)
        assert not app.learning and app.director.message == "MIDI learn needs a controller: play --midi-in NAME"
    finally:
        app.close()
        engine.close()
