"""Clock in: rockstar-cx follows an external MIDI clock master sent by a test client over JACK.

The master is a thread here that sends Start and clock ticks from a sleep-then-spin loop and
notes the host time of every beat it sends.  Our beats are the engine's own Beat events, placed
in host time by its clock fit (when they sound).  JACK delivers the master's ticks at its next
period start, so its beats reach us 0-1 period after they were sent: the phase tolerance below
is that period plus a few milliseconds of our own start-up and pull.

This VM's JACK dummy driver drops cycles now and then (dozens in a noisy minute); each shifts
the engine's timeline, and the pull takes a couple of beats to lock again.  A beat near an xrun
JACK reported is not checked; the run is repeated until every beat has been checked clear of one.
"""

from __future__ import annotations

import threading
import time

import pytest
import rtmidi

from jackcapture import XrunMonitor
from timing import FOLLOW_ATTEMPTS, FOLLOW_PHASE_MS, FOLLOW_SETTLE_BEATS, FOLLOW_TEMPO_TOLERANCE, FOLLOW_XRUN_NOTICE_S
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import Beat, Stop
from rockstar_cx.midi.ports import graph_changed, release
from rockstar_cx.midi.sender import wait_until
from rockstar_cx.midi.session import MidiOptions, MidiSession

from ..conductor.shows import make_show, moment, section



class Master(threading.Thread):
    """Sends MIDI clock: ``plan`` is [(bpm, beats)]; Start before the first beat, Stop (or silence) after."""

    def __init__(self, plan: list[tuple[float, int]], *, stop: bool, preroll_beats: int = 2) -> None:
        super().__init__(daemon=True)
        self.plan, self.stop, self.preroll = plan, stop, preroll_beats
        self.port = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, "Master Clock")
        self.port.open_virtual_port("clock out")
        graph_changed()
        self.beats: list[tuple[float, float]] = []  # (host time sent, bpm) of every beat after Start

    def run(self) -> None:
        time.sleep(0.5)  # our clock-in connects to the port
        due = time.perf_counter() + 0.05
        for index, (bpm, beats) in enumerate([(self.plan[0][0], self.preroll)] + self.plan):
            for beat in range(beats):
                for tick in range(24):
                    wait_until(due)
                    if index > 0 and tick == 0:
                        if not self.beats:
                            self.port.send_message([0xFA])
                        self.beats.append((time.perf_counter(), bpm))
                    self.port.send_message([0xF8])
                    due += 60.0 / bpm / 24
        if self.stop:
            self.port.send_message([0xFC])

    def close(self) -> None:
        release(self.port, "jack")


def our_beats(events: list, engine: AudioEngine) -> list[tuple[float, float]]:
    """(host time the beat sounds, tempo) of the engine's beats, by its clock fit as it is now.

    Read them as they come: a dropped device cycle realigns the fit, and beats played before
    it belong to the line they played on (as the follower places them)."""
    fit = engine.clock()
    return [(fit.host_of(b.sample), b.tempo) for b in events if type(b) is Beat]


def run_master(jack_server, plan, *, stop: bool, seconds: float):
    show = make_show([section("a", "x...")], [moment("held", ("a",), 0, tempo=120.0)], count_in=0)
    engine = AudioEngine(EngineConfig(show, device="system", blocksize=jack_server.period)).start()
    master = Master(plan, stop=stop)
    session = MidiSession(MidiOptions(clock_in="master clock", api="jack"), engine)
    events, ours, statuses = [], [], []
    try:
        session.start()
        master.start()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.1)
            new = engine.events()
            events += new
            ours += our_beats(new, engine)
            statuses.append((time.perf_counter(), session.follower.status(), engine.transport().playing))
    finally:
        session.close()
        engine.close()
        master.join(5)
        master.close()
    return master.beats, ours, events, statuses


def matched(master: list[tuple[float, float]], ours: list[tuple[float, float]]):
    """For every master beat: (phase error ms, our tempo) of our beat of the same number."""
    return [((time_ - sent) * 1000.0, tempo) for (sent, _), (time_, tempo) in zip(master, ours)]


def disturbed(beat: float, bpm: float, xruns: list[float]) -> bool:
    """A dropped device cycle shifts the engine's timeline; the pull needs a couple of beats to
    lock again.  JACK's notice comes a little after the cycle it reports."""
    return any(beat - FOLLOW_SETTLE_BEATS * 60.0 / bpm < xrun < beat + FOLLOW_XRUN_NOTICE_S for xrun in xruns)


def test_follow_mode_locks_within_two_beats_and_follows_a_tempo_change(jack_server):
    plan = [(100.0, 8), (130.0, 8)]
    locked = [*range(2, 8), *range(13, 16)]  # from the master's third beat on; again from beat 13
    checked: set[int] = set()
    for _attempt in range(FOLLOW_ATTEMPTS):  # again only for beats a reported xrun disturbed
        monitor = XrunMonitor()
        try:
            master, ours, events, statuses = run_master(jack_server, plan, stop=True, seconds=11.0)
        finally:
            monitor.close()
        assert len(master) == 16
        pairs = matched(master, ours)
        # locked: phase within a period and a few ms, tempo within 1 %
        for beat in locked:
            if not disturbed(*master[beat], monitor.xrun_times):
                (error, tempo), bpm = pairs[beat], master[beat][1]
                assert abs(error) <= FOLLOW_PHASE_MS and tempo == pytest.approx(bpm, rel=FOLLOW_TEMPO_TOLERANCE), (beat, pairs)
                checked.add(beat)
        # the tempo change at beat 8: the master's new tempo is known within a beat of it
        change = master[8][0]
        known = [s.tempo for t, s, _ in statuses if change + 60.0 / 130.0 < t < change + 2 * 60.0 / 130.0]
        assert known and all(t == pytest.approx(130.0, rel=0.005) for t in known), known
        # ...but the engine takes a new tempo only from its next beat, so beat 9 comes a quarter
        # beat late; the pull makes that up and the show is locked again from beat 13 on
        if not disturbed(*master[9], monitor.xrun_times):
            assert 60 < pairs[9][0] < 200, pairs
            checked.add(9)
        # Stop obeyed
        assert [e for e in events if type(e) is Stop]
        assert not statuses[-1][2]
        if checked == {*locked, 9}:
            break
    assert checked == {*locked, 9}, f"beats never clear of a JACK xrun in {FOLLOW_ATTEMPTS} runs: {sorted({*locked, 9} - checked)}"


def test_losing_the_master_falls_back_to_the_internal_clock_without_stopping(jack_server):
    # the master sends for ~5.9 s and is lost 0.5 s later: 2 s more to see the show play on after it
    master, ours, events, statuses = run_master(jack_server, [(90.0, 6)], stop=False, seconds=8.5)
    lost = [s for _, s, playing in statuses if not s.following and s.tempo]
    assert lost and all(playing for _, s, playing in statuses if not s.following and s.tempo), \
        (master[-1:], statuses[-5:])  # the last beat sent, and what the show said at the end
    assert not [e for e in events if type(e) is Stop]
    # after the master went quiet the show plays on at its last tempo
    after = [tempo for time_, tempo in ours if time_ > master[-1][0] + 1.0]
    assert after and all(t == pytest.approx(90.0, rel=0.005) for t in after)
