"""The engine's door (issue 16.3): no command can make the engine fail a block."""

from __future__ import annotations

import math
import time

import pytest

from played import applied_commands
from rockstar_cx.audio.commands import SetClick, SetCue, SetGain
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.validate import check_command
from rockstar_cx.conductor.commands import (Launch, LiveHit, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Reset,
                                            SetTempo, Solo, Start, Stop, TapTempo)

from ..conductor.shows import make_show, moment, section

FOUR = make_show([section(name, "x... x...") for name in ("a", "b", "c", "d")],
                 [moment("one", ("a", "b"), 0), moment("two", ("a", "b", "c", "d"), 0)], count_in=0)

VALID = [Start(), Start(moment=1, count_in=False), Stop(), Stop(Quantize.BAR), Panic(), Next(), Previous(),
         Launch(1), Launch(0, Quantize.MOMENT), SetTempo(120.0), SetTempo(500), SetTempo(1e300), NudgeTempo(-1.0),
         TapTempo(), Mute(3), Mute(0, True), Solo(2, False), LiveHit(3, accent=True), Reset(), SetClick(True),
         SetCue(False), SetGain(None, 0.0), SetGain(3, 1.0), SetGain(0, 1)]

INVALID = [LiveHit(4), LiveHit(7), LiveHit(-1), LiveHit(2**40), Mute(4), Solo(-1), Mute(True), Mute(0, 1),
           SetGain(4, 0.5), SetGain(-1, 0.5), SetGain(None, math.nan), SetGain(None, math.inf), SetGain(0, 1.5),
           SetGain(0, -0.1), SetGain(0, "1"), Launch(2), Launch(-1), Launch(None), Start(moment=2), Start(count_in=None),
           SetTempo(math.nan), SetTempo(-math.inf), SetTempo(0.0), SetTempo(-120.0), SetTempo(10**400), SetTempo(True),
           NudgeTempo(math.nan), NudgeTempo(1000.0), Stop("bar"), Next(None), SetClick(None), SetCue(1),
           LiveHit(0, accent=None), "go", None, object()]


@pytest.mark.parametrize("command", VALID, ids=repr)
def test_every_valid_command_passes(command):
    assert check_command(command, FOUR) is None


@pytest.mark.parametrize("command", INVALID, ids=repr)
def test_invalid_commands_are_named(command):
    problem = check_command(command, FOUR)
    assert problem and len(problem) < 120


def test_the_door_refuses_and_counts_them_and_the_engine_plays_on(silent_engine):
    engine = silent_engine(EngineConfig(FOUR, device="no audio device here"))
    try:
        assert engine.send(Start(count_in=False))
        assert [engine.send(command) for command in INVALID] == [False] * len(INVALID)
        assert engine.send(LiveHit(3)) and engine.send(Mute(1))
        position = engine.position()
        time.sleep(0.3)
        assert engine.position() > position and engine.transport().playing
        assert engine.health().counters.refused_commands == len(INVALID)
        assert [c for c in applied_commands(engine) if type(c) is not Start] == [LiveHit(3), Mute(1)]
        report = engine.close()
    finally:
        engine.close()
    assert report["refused_commands"] == len(INVALID)
    assert report["callback_errors"] == report["nonfinite_blocks"] == 0


def test_past_the_door_a_section_the_show_lacks_fails_a_block(silent_engine):
    # Why the door is there: the ring itself takes anything its fields hold.
    engine = silent_engine(EngineConfig(FOUR, device="no audio device here"))
    try:
        engine.send(Start(count_in=False))
        assert engine.shared.push_command(LiveHit(6))
        deadline = time.monotonic() + 3
        while engine.health().counters.callback_errors == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.health().counters.callback_errors >= 1
    finally:
        engine.close()
