"""The room's tempo and drift, and a pulse halved or doubled, against the simulator's truth.

The follower starts from the conductor's grid (the ramp's first beat and tempo) and the tempo is
read over the first and the last of 16 bars.  Measured on these ramps (RT60 1.2 s, 300 clappers,
σ 20-40 ms): within 0.35 bpm of the truth at both ends; the tolerance is the issue's 0.5 bpm.
"""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.listening import bar_tempo, follow, onset_strength, pulse, pulse_shape

from ..roomsim import RATE, bar_tempo as true_bar_tempo
from ..roomsim import beat_times, clap_track, crowd, mix, room_response, through_room

DELAY_S = 0.05
BARS = 16


def room(bpm_start: float, bpm_end: float, spread_ms: float, seed: int = 3, every: int = 1, offbeats: bool = False):
    rng = np.random.default_rng(seed)
    times = beat_times(1.0, bpm_start, bpm_end, BARS * 4)
    claps = crowd(times, 300, spread_ms, 0, rng, every=every)
    if offbeats:
        halves = (times[:-1] + times[1:]) / 2
        extra = crowd(halves, 300, spread_ms, 0, rng)
        claps = type(claps)(np.concatenate((claps.times, extra.times)), np.concatenate((claps.levels, extra.levels)))
    dry = clap_track(claps, times[-1] + 1.0, rng)
    mic = mix(through_room(dry, room_response(DELAY_S, 1.2, rng)), rng)
    envelope = onset_strength(mic, RATE)
    return times, envelope, follow(envelope, times[0] + DELAY_S, 60 / bpm_start, len(times))


@pytest.mark.parametrize("bpm_start, bpm_end, spread_ms", [
    (120, 129, 20),  # the notes' ramp
    (70, 85, 30),
    (160, 145, 40),
    (96, 96, 20),
])
def test_the_room_tempo_over_its_first_and_last_bar(bpm_start, bpm_end, spread_ms):
    times, _, track = room(bpm_start, bpm_end, spread_ms)
    tempo = bar_tempo(track, 4)
    assert tempo is not None and tempo.bars == BARS
    assert tempo.start_bpm == pytest.approx(true_bar_tempo(times, 0), abs=0.5)
    assert tempo.end_bpm == pytest.approx(true_bar_tempo(times, BARS - 1), abs=0.5)
    drift = tempo.end_bpm - tempo.start_bpm
    assert drift == pytest.approx(true_bar_tempo(times, BARS - 1) - true_bar_tempo(times, 0), abs=0.5)


def test_a_steady_room_is_not_a_ramp_and_a_ramp_is_not_steady():
    """Mutation-style: the same room with and without its drift must read apart."""
    _, _, steady = room(120, 120, 20)
    _, _, ramp = room(120, 129, 20)
    assert abs(bar_tempo(steady, 4).end_bpm - bar_tempo(steady, 4).start_bpm) < 0.5
    assert bar_tempo(ramp, 4).end_bpm - bar_tempo(ramp, 4).start_bpm > 8


def test_a_halved_and_a_doubled_pulse_are_told_from_the_same_one():
    for every, offbeats, expected in ((1, False, "same"), (2, False, "half"), (1, True, "double")):
        _, envelope, track = room(100, 100, 15, every=every, offbeats=offbeats)
        assert track.found == BARS * 4 // every  # a halved room's empty beats are missed, not invented
        assert pulse(pulse_shape(envelope, track.grid, track.periods)) == expected, (every, offbeats)
        assert bar_tempo(track, 4).start_bpm == pytest.approx(100, abs=0.5)  # the grid is still the beat


def test_a_guide_that_plays_every_other_beat_makes_a_half_pulse_the_same():
    _, envelope, track = room(100, 100, 15, every=2)
    assert pulse(pulse_shape(envelope, track.grid, track.periods), pulse_shape(envelope, track.grid, track.periods)) \
        == "same"
