"""What MIDI out plans, without any MIDI system: ticks, transport, notes, from the conductor's events."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rockstar_cx.conductor import Beat, Hit, Start, perform
from rockstar_cx.conductor.commands import Quantize
from rockstar_cx.conductor.commands import Stop as StopCommand
from rockstar_cx.conductor.conductor import Conductor
from rockstar_cx.midi.clock import (CLOCK, CONTINUE, SONG_POSITION, START, STOP, ClockPlan, beat_fractions,
                                    clocks_per_beat, song_position)
from rockstar_cx.midi.notes import NOTE_OFF, NOTE_ON, NotePlan

from ..conductor.shows import make_show, moment, section

RATE = 48000


def plan_all(show, events, **kw):
    """Plan the whole performance in one window, as if every event were already played."""
    plan = ClockPlan(show, RATE, **kw)
    end = events[-1].sample + RATE
    return plan.plan(events, -1, end, None)


def steady(bars=2, tempo=120.0, **kw):
    return make_show([section("a", "x...")], [moment("m", ("a",), bars, tempo=tempo)], count_in=0, **kw)


def test_ticks_divide_every_beat_into_24_and_start_and_stop_frame_the_journey():
    show = steady()
    events = perform(show, RATE)
    planned = plan_all(show, events)
    ticks = [t.sample for t in planned if t.data == bytes([CLOCK])]
    assert ticks == [i * 1000.0 for i in range(8 * 24)]  # 120 bpm: 24,000 samples a beat
    assert [(t.sample, t.data) for t in planned if t.data[0] != CLOCK] == [(0, bytes([START])),
                                                                           (192000, bytes([STOP]))]
    assert planned.index(next(t for t in planned if t.data == bytes([START]))) == 0  # before the first tick


def test_ramp_ticks_follow_the_integral_of_the_tempo_and_hit_every_beat_exactly():
    show = make_show([section("a", "x...")], [moment("m", ("a",), 2, tempo=90.0, tempo_end=150.0)], count_in=0)
    events = perform(show, RATE)
    beats = [e for e in events if type(e) is Beat]
    ticks = np.array([t.sample for t in plan_all(show, events) if t.data == bytes([CLOCK])])
    assert list(ticks[::24]) == [b.sample for b in beats]
    intervals = np.diff(ticks)
    assert np.all(np.diff(intervals) < 1e-6)  # always speeding up, tick by tick, across beat lines too
    # inside a beat the ticks follow the ramp, not a straight line between the beats
    linear = beats[0].sample + np.arange(24) * (beats[1].sample - beats[0].sample) / 24
    assert np.abs(ticks[:24] - linear).max() > 5


def test_beat_fractions_tell_a_ramp_from_a_step():
    assert beat_fractions(120.0, 120.0, 24000, RATE, 4) == [0, 0.25, 0.5, 0.75]
    step = beat_fractions(120.0, 150.0, 24000, RATE, 4)  # the beat held 120: the change is at the next
    assert step == [0, 0.25, 0.5, 0.75]
    ramp_length = 60.0 * RATE * np.log(150 / 120) / 30
    ramp = beat_fractions(120.0, 150.0, ramp_length, RATE, 4)
    assert ramp[1] > 0.25 and ramp[3] > 0.75 + 0.01


def test_a_later_moment_starts_the_receiver_with_song_position_then_continue():
    show = make_show([section("a", "x...")], [moment("one", ("a",), 3), moment("two", ("a",), 0),
                                              moment("three", ("a",), 2)], count_in=1, meter=(6, 8))
    assert clocks_per_beat(show) == 12
    assert song_position(show, 2) == (3 + 4) * 6 * 2  # held moments count 4 bars; an eighth is 2 sixteenths
    conductor = Conductor(show, RATE, hold_bars=None)
    conductor.submit(Start(moment=2, count_in=True))
    events = conductor.advance(RATE * 4)
    planned = [t for t in plan_all(show, events) if t.data[0] != CLOCK]
    first = next(e for e in events if type(e) is Beat and not e.count_in)
    spp = song_position(show, 2)
    assert [(t.sample, t.data) for t in planned] == [(first.sample, bytes([SONG_POSITION, spp & 0x7F, spp >> 7])),
                                                     (first.sample, bytes([CONTINUE]))]


def test_played_events_stay_planned_until_their_time_and_are_then_folded_away():
    show = steady(bars=4)
    events = perform(show, RATE)
    plan = ClockPlan(show, RATE)
    # the engine played the first two beats; their MIDI is still to be sent
    played, upcoming = events[:4], events[4:]
    plan.observe(played, keep_from=0)
    window = plan.plan(upcoming, -1, 30000, None)
    assert [t.data for t in window[:2]] == [bytes([START]), bytes([CLOCK])]
    assert [t.sample for t in window if t.data == bytes([CLOCK])] == [i * 1000.0 for i in range(31)]
    plan.observe([], keep_from=30000)  # later: what lies before 30,000 is gone
    assert [t.sample for t in plan.plan(upcoming, 30000, 50000, 30000)][:2] == [31000.0, 32000.0]


def test_clock_runs_on_while_stopped_when_asked_and_hands_over_to_the_next_start():
    show = steady(bars=1)
    conductor = Conductor(show, RATE, hold_bars=None)
    conductor.submit(Start(count_in=False))
    events = conductor.advance(60000)
    conductor.submit(StopCommand(Quantize.NOW))
    events += conductor.advance(100000)
    conductor.submit(Start(count_in=False))
    events += conductor.advance(60000)
    restart = next(e for e in events if type(e) is Beat and e.sample > 60000)
    ticks = [t.sample for t in plan_all(show, events, run_while_stopped=True) if t.data == bytes([CLOCK])]
    assert all(b - a == pytest.approx(1000.0) for a, b in zip(ticks, ticks[1:]) if b < restart.sample - 500)
    assert restart.sample in ticks and max(t for t in ticks if t < restart.sample) >= restart.sample - 1500
    without = [t.sample for t in plan_all(show, events) if t.data == bytes([CLOCK])]
    assert not [t for t in without if 60000 <= t < restart.sample]


def test_notes_carry_each_hit_with_its_section_note_and_accent():
    b = dataclasses.replace(section("b", "..x."), midi_note=39)
    show = make_show([section("a", "X.x."), b], [moment("m", ("a", "b"), 1)], count_in=0)
    events = perform(show, RATE)
    plan = NotePlan(show, RATE)
    plan.observe([], keep_from=0)
    notes = plan.plan(events, -1, 10 * RATE)
    hits = [e for e in events if type(e) is Hit]
    ons = [(t.sample, t.data) for t in notes if t.data[0] == NOTE_ON]
    expected = sorted((h.sample, bytes([NOTE_ON, [60, 39][h.section], 127 if h.accent else 90])) for h in hits)
    assert sorted(ons) == expected
    offs = [t for t in notes if t.data[0] == NOTE_OFF]
    assert len(offs) == len(hits) and all(t.sample - round(0.03 * RATE) in {h.sample for h in hits} for t in offs)
