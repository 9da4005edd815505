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


# -- a dead or hung MIDI-out process: noticed, restarted from the app's replay -------------------


class FakeProcess:
    def __init__(self) -> None:
        self.exitcode: int | None = None
        self.pid = 4242

    def is_alive(self) -> bool:
        return self.exitcode is None

    def kill(self) -> None:
        self.exitcode = -9

    def join(self, timeout=None) -> None:
        pass


class FakeConn:
    """The parent's end of the pipe: requests are recorded, replies given by the test."""

    def __init__(self) -> None:
        self.sent: list = []
        self.replies: list = []

    def send(self, message) -> None:
        self.sent.append(message)

    def poll(self, timeout=0.0) -> bool:
        return bool(self.replies)

    def recv(self):
        return self.replies.pop(0)


def fake_midi_out() -> tuple[MidiOut, FakeProcess, FakeConn]:
    midi = MidiOut(MidiOutConfig(outputs=("virtual",)), engine=None)
    midi._process, midi._conn = FakeProcess(), FakeConn()
    return midi, midi._process, midi._conn


def test_a_dead_or_hung_midi_out_process_is_noticed_without_waiting():
    from rockstar_cx.midi.outproc import STALL_S

    midi, process, conn = fake_midi_out()
    assert midi.failure() is None and midi.ready  # answering, nothing asked
    midi.latest(every=0.0)  # a status request on its way
    asked = time.monotonic()
    assert conn.sent == [("status",)]
    assert midi.failure(asked + STALL_S / 2) is None  # not late yet
    assert "did not answer" in midi.failure(asked + STALL_S + 0.1)  # hung (SIGSTOP, a deadlock)
    conn.replies.append(("status", {"outputs": [("virtual", "rockstar-cx")]}))
    assert midi.failure(time.monotonic() + STALL_S / 2) is None  # it answered: alive again
    process.exitcode = -9  # killed
    started = time.perf_counter()
    assert midi.failure() == "exited with code -9"
    assert time.perf_counter() - started < 0.01
    midi.kill()  # the last status stays its final one
    assert midi.latest()["outputs"] == [("virtual", "rockstar-cx")]


def test_the_session_restarts_a_failed_midi_out_process_with_a_backoff(monkeypatch):
    import rockstar_cx.midi.session as session_module
    from rockstar_cx.midi.session import MidiOptions, MidiSession

    launched = []

    class Fresh:  # a MidiOut that a test starts: ready when told, failing when told
        def __init__(self, config, engine) -> None:
            self.config, self.ready, self.reason, self.killed = config, False, None, False

        def launch(self, resume):
            launched.append((self, resume))
            return self

        def latest(self, every=1.0):
            return {"outputs": [("virtual", "rockstar-cx")]}

        status = latest

        def failure(self, now=None):
            return self.reason

        def kill(self):
            self.killed = True

    class View:
        def resume_point(self):
            return "the app's replay, now"

    monkeypatch.setattr(session_module, "MidiOut", Fresh)
    session = MidiSession(MidiOptions(outputs=("virtual",)), engine=None)
    first = Fresh(MidiOutConfig(outputs=("virtual",)), None)
    first.ready = True
    session.out, session._view = first, View()
    t = 1000.0
    session._watch_out(t)
    assert session.out_failures == 0 and session.out_state == "" and not launched

    first.reason = "exited with code -9"
    session._watch_out(t)  # noticed on the next pump, killed, shown
    assert first.killed and session.out_failures == 1
    assert session.out_state == "MIDI out stopped (exited with code -9) — restarting"
    assert session.summary().outputs == (("virtual", False),)
    session._watch_out(t + 0.3)
    assert not launched  # the backoff: 0.5 s after the first failure
    session._watch_out(t + 0.5)
    assert [resume for _, resume in launched] == ["the app's replay, now"]  # from the app's replay
    fresh = session.out
    assert fresh is launched[0][0] and session.out_recoveries == 0
    session._watch_out(t + 0.6)  # starting
    assert session.out_recoveries == 0 and session.out_state
    fresh.ready = True
    session._watch_out(t + 1.5)
    assert session.out_recoveries == 1 and session.out_state == ""
    assert session.summary().outputs == (("virtual", True),)

    # it fails again: the next start waits 1 s; a third failure within 30 s gives up
    session.out.reason = "did not answer for 1.0 s"
    t += 5.0
    session._watch_out(t)
    assert session.out_failures == 2 and "did not answer" in session.out_state
    session._watch_out(t + 0.99)
    assert len(launched) == 1
    session._watch_out(t + 1.0)
    assert len(launched) == 2
    session.out.ready = True
    session._watch_out(t + 1.1)
    assert session.out_recoveries == 2
    session.out.reason = "exited with code 1"
    t += 5.0
    session._watch_out(t)
    assert session.out_failures == 3
    session._watch_out(t + 10.0)
    assert len(launched) == 2 and "given up" in session.out_state
    status = session.status()
    assert (status["midi_out_failures"], status["midi_out_recoveries"]) == (3, 2)
