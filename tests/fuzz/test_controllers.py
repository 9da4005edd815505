"""Fuzzing controller input (issue 16.3, 16.7): nothing any surface sends makes the engine fail a block.

One silent engine plays a 4-section show under each test; random MIDI bytes reach it through a
generic pad (pads 5-8 name sections the show lacks), a Launchpad and a MIDI clock input, random
targets and values through the presenter, random commands at the engine's door.  After every
example the engine has failed no block and still plays.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rockstar_cx.audio.commands import SetClick, SetCue, SetGain
from rockstar_cx.conductor.commands import (Launch, LiveHit, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Reset,
                                            SetTempo, Solo, Start, Stop, TapTempo)

from .cases import CLOCK, LAUNCHPAD, PAD, Rig
from .strategies import midi_messages, targets, values

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CLEAN = {"callback_errors": 0, "nonfinite_blocks": 0}

_index = st.none() | st.integers(-5, 70) | st.sampled_from([2**31, -(2**31) - 1, 2**70, True])
_number = st.floats() | st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, 0.5, 120.0, -1.0])
_quantize = st.sampled_from([*Quantize, None, "bar"])
_flag = st.sampled_from([True, False, None, 0, 2])
COMMANDS = st.one_of(
    st.builds(Start, _index, _flag), st.builds(Stop, _quantize), st.builds(Next, _quantize),
    st.builds(Previous, _quantize), st.builds(Launch, _index, _quantize), st.builds(SetTempo, _number),
    st.builds(NudgeTempo, _number), st.builds(Mute, _index, _flag), st.builds(Solo, _index, _flag),
    st.builds(LiveHit, _index, _flag), st.builds(SetGain, _index, _number), st.builds(SetClick, _flag),
    st.builds(SetCue, _flag), st.sampled_from([Panic(), Reset(), TapTempo()]))


def test_random_midi_from_every_controller_fails_no_block(bus, silent_engine, tmp_path):
    rig = Rig(bus, tmp_path / "midi.toml")
    try:
        @settings(max_examples=60, **SETTINGS)
        @given(st.lists(st.tuples(st.sampled_from([PAD, PAD, LAUNCHPAD, CLOCK]), midi_messages()), max_size=40))
        def feed(messages):
            for device, message in messages:
                rig.feed(device, message)
            rig.pump(0.02)
            assert rig.errors() == CLEAN

        feed()
        assert rig.advancing()
    finally:
        report = rig.close()
    assert report["callback_errors"] == report["nonfinite_blocks"] == 0


def test_random_targets_and_values_through_the_presenter_fail_no_block(bus, silent_engine, tmp_path):
    rig = Rig(bus, tmp_path / "midi.toml")
    try:
        @settings(max_examples=60, **SETTINGS)
        @given(st.lists(st.tuples(targets(), values()), max_size=20))
        def act(actions):
            for target, value in actions:
                rig.act(target, value)
            rig.pump(0.01)
            assert rig.errors() == CLEAN

        act()
        assert rig.advancing()
    finally:
        report = rig.close()
    assert report["callback_errors"] == report["nonfinite_blocks"] == 0


def test_random_commands_at_the_engines_door_fail_no_block(bus, silent_engine, tmp_path):
    rig = Rig(bus, tmp_path / "midi.toml")
    try:
        @settings(max_examples=100, **SETTINGS)
        @given(st.lists(COMMANDS, max_size=12))
        def send(commands):
            for command in commands:
                rig.engine.send(command)
            rig.pump(0.01)
            assert rig.errors() == CLEAN

        send()
        assert rig.advancing()
        assert rig.engine.health().counters.refused_commands > 0
        assert math.isfinite(rig.engine.transport().tempo)
    finally:
        report = rig.close()
    assert report["callback_errors"] == report["nonfinite_blocks"] == 0
