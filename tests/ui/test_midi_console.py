"""MIDI on the presenter console: ports shown, MIDI learn switched on, targets chosen by key or
button, controls bound by moving them — with a real controller port on JACK and the real engine."""

from __future__ import annotations

import time

import pygame

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.commands import SetGain
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import Next, Quantize, Start
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.live.presenter import Presenter
from rockstar_cx.live.surface import MidiSummary
from rockstar_cx.live.view import EngineView
from rockstar_cx.midi import mapping
from rockstar_cx.midi.mapping import CC, Control
from rockstar_cx.midi.session import MidiOptions, MidiSession
from rockstar_cx.show.model import Moment
from rockstar_cx.ui.app import StageApp
from rockstar_cx.ui.console import _midi_lines
from rockstar_cx.ui.options import StageOptions
from rockstar_cx.ui.palette import ALERT

from ..midi.test_controller import FakeDevice, MemoryDevice
from .conftest import make_show
from .test_app import SHOW, applied, close_app, press, stage_app, until


def console_texts(app: StageApp) -> set[str]:
    app._console_due = True
    app.step()
    return {box.whole or box.text for box in app.console_view.painter.boxes}  # a wrapped line: its whole text


def click(app: StageApp, action: Action, section=None) -> None:
    rect = next(r for r, target in app.console_view.buttons if target == Target(action, section))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=rect.center, button=1, window=app.console_window))
    app.step()


def test_midi_learn_from_the_console_binds_go_and_a_section_volume(jack_server):
    pad = FakeDevice("Test Pad", "Pad Out", "Pad In")
    engine = AudioEngine(EngineConfig(SHOW, device="system")).start()
    presenter = Presenter(EngineView.of(engine), engine.send)
    session, app = MidiSession(MidiOptions(inputs=("test pad",), api="jack"), engine, presenter), None
    try:
        session.start()
        app = StageApp(presenter, StageOptions(separate_console=True, save_settings=False), midi=session)
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
        click(app, Action.VOLUME, 1)
        assert hub.selected == Target(Action.VOLUME, 1)
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
        presenter.view.close()
        report = engine.close()
        pad.close()
    assert [c for _, c in applied(app)] == [Next(Quantize.BAR), SetGain(1, (64 / 127) ** 2)]
    assert warning == "" and saved.learned["generic"].bindings == {
        Control(CC, 0, 20): Target(Action.GO), Control(CC, 0, 21): Target(Action.VOLUME, 1)}
    assert report["callback_errors"] == 0


def test_without_a_controller_learn_says_what_is_needed(jack_server):
    engine = AudioEngine(EngineConfig(SHOW, device="system")).start()
    app = stage_app(engine, StageOptions(save_settings=False))
    try:
        press(app, pygame.K_l)
        assert not app.learning and app.presenter.message == "MIDI learn needs a controller: play --midi-in NAME"
    finally:
        close_app(app)
        engine.close()


def test_the_keys_and_a_pad_drive_one_presenter_with_one_set_of_rules(bus, silent_engine, private_settings):
    """A key's GO and a pad's GO (the generic profile's sustain pedal) land in the same presenter:
    the second within 0.3 s of the first is ignored whichever sent it, and each arms the next moment."""
    show = make_show(1, tempo=60.0, count_in=0,  # 4 s bars: nothing enters while the test presses
                     moments=tuple(Moment(f"m{i}", f"M{i}", "", ("marketing",), 0) for i in range(4)))
    engine = silent_engine(EngineConfig(show, device="no audio device here"))
    presenter = Presenter(EngineView.of(engine), engine.send)
    session = MidiSession(MidiOptions(inputs=("test pad",), api="memory"), engine, presenter)
    pad = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    app = None
    try:
        session.start()
        app = StageApp(presenter, StageOptions(save_settings=False), midi=session)
        assert app.presenter is session.hub.presenter is presenter
        press(app, pygame.K_F5)
        until(app, lambda: presenter.view.transport().playing)
        press(app, pygame.K_PAGEDOWN)  # the key's GO...
        pad.press(0xB0, 64, 127)  # ...and the pad's, at once: the same presenter ignores it
        until(app, lambda: presenter.message == "Ignored: a second press within 0.3 s")
        time.sleep(0.35)
        pad.press(0xB0, 64, 127)  # the pad's GO, 0.35 s on: arms the one after
        until(app, lambda: presenter.message.startswith("GO: M2"))
        press(app, pygame.K_SPACE)  # and now the key is the second press
        assert presenter.message == "Ignored: a second press within 0.3 s"
        until(app, lambda: presenter.view.transport().armed == 2)
        time.sleep(0.1)
        app.step()
        commands = [c for _, c in applied(app)]
    finally:
        if app is not None:
            app.close()
        session.close()
        presenter.view.close()
        report = engine.close()
        pad.close()
    assert commands == [Start(count_in=True), Next(Quantize.BAR), Next(Quantize.BAR)]
    assert report["callback_errors"] == 0


def test_the_console_says_when_midi_out_is_down():
    down = MidiSummary(inputs=(), outputs=(("virtual", False),), clock_in=None, following=False, can_learn=False,
                       learning=False, selected=None, learned=None,
                       out_state="MIDI out stopped (killed by SIGKILL) — restarting")
    assert _midi_lines(down) == [("MIDI OUT  virtual ✗ (unplugged)", ALERT),
                                 ("MIDI out stopped (killed by SIGKILL) — restarting", ALERT)]
