"""Mappings saved as TOML, profiles' layouts and LED bytes, LED states from the transport, port matching."""

from __future__ import annotations

import dataclasses

import pytest

from rockstar_cx.conductor.conductor import Transport
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.midi import mapping
from rockstar_cx.midi.feedback import Feedback, led_for
from rockstar_cx.midi.mapping import CC, NOTE, Control, Mapping, MidiSettings
from rockstar_cx.midi.ports import PortError, match, resolve_api
from rockstar_cx.midi.profiles import (APC_MINI, APC_MINI_MK2, GENERIC, LAUNCHPAD, NANOKONTROL2, Led, Mode,
                                       profile_for)

from ..conductor.shows import make_show, moment, section

RATE = 48000


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path / "rockstar-cx"


def test_learned_bindings_and_output_switches_round_trip_through_toml(config_home):
    settings = MidiSettings({"launchpad": Mapping({Control(NOTE, 0, 11): Target(Action.LAUNCH, 3),
                                                   Control(CC, 15, 7): Target(Action.MASTER)}),
                             'odd "name"': Mapping({Control(CC, 0, 1): Target(Action.MUTE, 0)})},
                            {"USB MIDI": (True, False)})
    path = mapping.save(settings)
    assert path == config_home / "midi.toml"
    text = path.read_text()
    assert 'action = "launch"\nindex = 4' in text and "channel = 16" in text
    loaded, warning = mapping.load()
    assert warning == "" and loaded == settings


def test_a_damaged_settings_file_keeps_what_it_can_and_says_what_it_ignored(config_home):
    config_home.mkdir(parents=True)
    (config_home / "midi.toml").write_text(
        '[[binding]]\ndevice = "generic"\ncontrol = "cc"\nchannel = 1\nnumber = 64\naction = "go"\n'
        '[[binding]]\ndevice = "generic"\ncontrol = "cc"\nchannel = 17\nnumber = 1\naction = "go"\n'
        '[[binding]]\ndevice = "generic"\ncontrol = "note"\nchannel = 1\nnumber = 1\naction = "mute"\n'
        '[[binding]]\ndevice = "generic"\ncontrol = "note"\nchannel = 1\nnumber = 2\naction = "fly"\n'
        '[outputs.x]\nclock = "yes"\n')
    loaded, warning = mapping.load()
    assert loaded.learned == {"generic": Mapping({Control(CC, 0, 64): Target(Action.GO)})}
    assert loaded.outputs == {}
    assert "ignored 4" in warning
    (config_home / "midi.toml").write_text("[[binding]\n")
    loaded, warning = mapping.load()
    assert loaded == MidiSettings({}, {}) and "unreadable" in warning


def test_profiles_are_chosen_by_port_name_and_light_their_leds_their_own_way():
    assert profile_for("Launchpad X:Launchpad X LPX MIDI In") is LAUNCHPAD
    assert profile_for("APC mini mk2:APC mini mk2 Control") is APC_MINI_MK2
    assert profile_for("APC MINI MIDI 1") is APC_MINI
    assert profile_for("nanoKONTROL2:nanoKONTROL2 _ CTRL") is NANOKONTROL2
    assert profile_for("Some Keyboard") is GENERIC
    pad, top = Control(NOTE, 0, 81), Control(CC, 0, 92)
    assert LAUNCHPAD.mapping.target(pad) == Target(Action.HIT, 0)
    assert LAUNCHPAD.mapping.target(top) == Target(Action.GO)
    assert LAUNCHPAD.mapping.target(Control(NOTE, 0, 11)) == Target(Action.LAUNCH, 0)
    assert LAUNCHPAD.mapping.target(Control(NOTE, 0, 28)) == Target(Action.LAUNCH, 15)
    assert LAUNCHPAD.render(pad, Led(Mode.PULSE, "#E69F00")) == bytes([0x92, 81, 9])
    assert LAUNCHPAD.render(top, Led(Mode.FLASH)) == bytes([0xB1, 92, 3])
    assert LAUNCHPAD.render(pad, Led(Mode.OFF)) == bytes([0x90, 81, 0])
    assert APC_MINI_MK2.mapping.target(Control(NOTE, 0, 56)) == Target(Action.HIT, 0)
    assert APC_MINI_MK2.mapping.target(Control(CC, 0, 56)) == Target(Action.MASTER)
    assert APC_MINI_MK2.render(Control(NOTE, 0, 56), Led(Mode.PULSE, "#56B4E9")) == bytes([0x9A, 56, 37])
    assert APC_MINI_MK2.render(Control(NOTE, 0, 101), Led(Mode.FLASH)) == bytes([0x90, 101, 2])
    assert APC_MINI.render(Control(NOTE, 0, 56), Led(Mode.LIT, "#FF0000")) == bytes([0x90, 56, 3])
    assert APC_MINI.render(Control(NOTE, 0, 56), Led(Mode.FLASH, "#FFFF00")) == bytes([0x90, 56, 6])
    assert NANOKONTROL2.mapping.target(Control(CC, 0, 49)) == Target(Action.MUTE, 1)
    assert NANOKONTROL2.render(Control(CC, 0, 49), Led(Mode.PULSE)) == bytes([0xB0, 49, 127])
    assert GENERIC.render is None and GENERIC.mapping.target(Control(CC, 0, 64)) == Target(Action.GO)


def transport(**values) -> Transport:
    stopped = Transport(sample=0, playing=False, counting_in=False, moment=0, bar=0, beat=0, tempo=120.0, armed=None,
                        armed_sample=None, muted=frozenset(), soloed=frozenset(), finished=False)
    return dataclasses.replace(stopped, **values)


def test_led_states_show_playing_armed_and_entering_on_the_next_bar():
    a, b = dataclasses.replace(section("a", "x"), color="#E69F00"), dataclasses.replace(section("b", "x"), color="#56B4E9")
    show = make_show([a, b], [moment("one", ("a",), 0), moment("two", ("a", "b"), 0)])
    hit_a, hit_b, one, two = (Target(Action.HIT, 0), Target(Action.HIT, 1), Target(Action.LAUNCH, 0),
                              Target(Action.LAUNCH, 1))

    def leds(record):
        return [led_for(t, show, record, False, RATE).mode for t in (hit_a, hit_b, one, two, Target(Action.GO))]

    stopped = transport(moment=0)
    assert leds(stopped) == [Mode.PULSE, Mode.OFF, Mode.PULSE, Mode.OFF, Mode.OFF]
    playing = transport(playing=True, moment=0, sample=1000)
    assert leds(playing) == [Mode.LIT, Mode.OFF, Mode.LIT, Mode.OFF, Mode.OFF]
    entering = transport(playing=True, moment=0, sample=1000, armed=1, armed_sample=1000 + 96000)
    assert leds(entering) == [Mode.LIT, Mode.FLASH, Mode.LIT, Mode.FLASH, Mode.FLASH]
    armed_later = transport(playing=True, moment=0, sample=1000, armed=1, armed_sample=1000 + 96001)
    assert leds(armed_later) == [Mode.LIT, Mode.PULSE, Mode.LIT, Mode.PULSE, Mode.PULSE]
    assert led_for(hit_b, show, entering, False, RATE).color == "#56B4E9"
    muted = transport(playing=True, muted=frozenset({1}))
    assert led_for(Target(Action.MUTE, 1), show, muted, False, RATE) == Led(Mode.LIT, "#56B4E9")
    assert led_for(Target(Action.MUTE, 0), show, muted, False, RATE).mode is Mode.OFF
    assert [led_for(Target(Action.CLICK), show, playing, click, RATE).mode for click in (True, False)] == [Mode.LIT,
                                                                                                         Mode.OFF]
    assert [led_for(Target(Action.START_STOP), show, t, False, RATE).mode for t in (playing, stopped)] == [Mode.LIT,
                                                                                                        Mode.OFF]
    # only changes are sent; a repaint sends the init and everything
    feedback = Feedback(LAUNCHPAD, Mapping({Control(NOTE, 0, 81): hit_a, Control(NOTE, 0, 82): hit_b}), show, RATE)
    assert feedback.changes(playing, False) == [bytes([0x90, 81, 9]), bytes([0x90, 82, 0])]
    assert feedback.changes(playing, False) == []
    assert feedback.changes(entering, False) == [bytes([0x91, 82, 37])]
    assert feedback.repaint(entering, False) == list(LAUNCHPAD.init) + [bytes([0x90, 81, 9]), bytes([0x91, 82, 37])]


def test_ports_are_found_by_any_part_of_their_name_never_our_own():
    names = ["rockstar-cx:rockstar-cx", "Launchpad X:LPX MIDI Out", "USB MIDI 1", "usb midi 2"]
    assert match(names, "launchpad") == "Launchpad X:LPX MIDI Out"
    assert match(names, "usb midi 2") == "usb midi 2"  # an exact name wins
    assert match(names, "USB") == "USB MIDI 1"
    assert match(names, "rockstar") is None
    assert match(names, "nano") is None
    assert resolve_api("jack") == "jack"
    with pytest.raises(PortError, match="--midi-api"):
        resolve_api("coreaudio")
