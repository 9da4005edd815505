"""The MIDI-out process seen from the app's thread: a hung or dead process never holds up a frame."""

from __future__ import annotations

import os
import signal
import time

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.midi.outproc import MidiOut, MidiOutConfig

from ..conductor.shows import make_show, moment, section


def test_latest_status_never_waits_for_a_hung_or_dead_midi_out_process(jack_server):
    show = make_show([section("a", "x...")], [moment("one", ("a",), 0)], count_in=0)
    engine = AudioEngine(EngineConfig(show, device="system", blocksize=jack_server.period)).start()
    midi = MidiOut(MidiOutConfig(outputs=("virtual", "no such synth"), api="jack"), engine).start()
    try:
        fresh = midi.status()
        assert [asked for asked, _ in fresh["outputs"]] == ["virtual", "no such synth"]
        assert fresh["outputs"][1][1] is None and fresh["outputs"][0][1] is not None

        assert midi.latest(every=0.0) == fresh  # the last reply at once; a new one asked for

        os.kill(midi._process.pid, signal.SIGSTOP)  # hung: replies stop coming
        try:
            started = time.perf_counter()
            for _ in range(100):
                assert midi.latest(every=0.0)["outputs"] == fresh["outputs"]  # the last one known
            assert time.perf_counter() - started < 0.1
        finally:
            os.kill(midi._process.pid, signal.SIGCONT)
        assert midi.status()["outputs"] == fresh["outputs"]  # answers again, stale replies taken in order

        midi._process.kill()  # dead: the last status stays, nothing raises
        midi._process.join()
        assert midi.latest(every=0.0)["outputs"] == fresh["outputs"]
        assert midi.status()["outputs"] == fresh["outputs"]
    finally:
        midi.close()
        engine.close()


def test_no_clock_or_notes_while_the_engine_is_dead_or_stalled():
    """The engine killed: its position stands still (and the supervisor says DEAD).  MIDI out
    must not send clock or notes for a journey that is not playing."""
    from dataclasses import replace

    from played import scripted_view

    from rockstar_cx.audio.health import AudioState, ClockFit, Health
    from rockstar_cx.conductor import Start
    from rockstar_cx.midi.clock import ClockPlan
    from rockstar_cx.midi.notes import NotePlan
    from rockstar_cx.midi.sender import ENGINE_STALL_S, MidiSender

    show = make_show([section("a", "x...")], [moment("one", ("a",), 0)], count_in=0)
    rate = 48000
    view, script = scripted_view(show, rate)
    script.health = Health(state=AudioState.OK, clock=ClockFit(0.0, 100.0, 1.0 / rate, 0.0, 128))
    sender = MidiSender(view, [], ClockPlan(show, rate), NotePlan(show, rate))  # not started: planned by hand
    script.apply(0, Start(count_in=False))
    for step in range(1, 6):  # playing: clock planned
        script.position = step * 4800
        sender.plan_once(100.0 + step * 0.1)
    assert sender._pending
    sender.plan_once(100.5 + ENGINE_STALL_S + 0.05)  # the position stood still: dead or hung
    assert sender._pending == []
    script.position += 4800  # moving again, but the supervisor says the engine is dead
    script.health = replace(script.health, state=AudioState.DEAD)
    sender.plan_once(100.8)
    assert sender._pending == []
    script.health = replace(script.health, state=AudioState.OK)  # revived: the plan resumes
    script.position += 4800
    sender.plan_once(100.9)
    assert sender._pending
