"""The simulator keeps its word: the truths the listening tests measure against are what it makes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ..roomsim import RATE, bar_tempo, beat_times, clap_track, crowd, mix, rms, room_response, skew


def test_a_crowd_claps_around_its_times_with_its_spread_offset_and_every():
    times = beat_times(1.0, 120, 120, 40)
    claps = crowd(times, 500, 30, -12, np.random.default_rng(1), every=2)
    errors = (claps.times.reshape(500, 20) - times[::2]) * 1000
    assert errors.mean() == pytest.approx(-12, abs=0.5)
    assert errors.std() == pytest.approx(30, abs=0.5)
    levels_db = 20 * np.log10(claps.levels[::20])
    assert levels_db.std() == pytest.approx(6, abs=0.6)


def test_a_ramp_is_linear_per_beat_and_its_bars_read_as_such():
    times = beat_times(0.0, 120, 129, 65)
    assert 60 / (times[1] - times[0]) == pytest.approx(120)
    assert 60 / (times[-1] - times[-2]) == pytest.approx(129 - 9 / 64)
    assert bar_tempo(times, 0) < bar_tempo(times, 8) < bar_tempo(times, 15) < 129


def test_the_room_has_its_delay_polarity_and_reverberation_time():
    response = room_response(0.0123, 1.2, np.random.default_rng(2), polarity=-1)
    direct = int(np.argmax(np.abs(response)))
    assert direct in (590, 591) and response[direct] < 0
    energy = np.cumsum(response[::-1] ** 2)[::-1]  # Schroeder's backward integral
    decay = 10 * np.log10(energy / energy[direct + 200])
    t5, t25 = (np.argmax(decay < level) for level in (-5, -25))
    assert 3 * (t25 - t5) / RATE == pytest.approx(1.2, rel=0.1)  # T20 extrapolated to 60 dB


def test_levels_noise_and_a_fast_clock():
    rng = np.random.default_rng(3)
    claps = clap_track(crowd(np.array([0.5, 1.0]), 10, 5, 0, rng), 2.0, rng)
    guide = rng.normal(0, 1, len(claps))
    heard = mix(claps, rng, guide=guide, guide_db=10, noise_db=-100)
    assert 20 * math.log10(rms(heard - claps) / rms(claps)) == pytest.approx(10, abs=0.01)
    assert len(skew(claps, 100)) == int(len(claps) * 1.0001)
