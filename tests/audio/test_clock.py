"""The sample↔host clock fit: recovers a sound card's true rate through callback jitter."""

from __future__ import annotations

import random

import pytest

from rockstar_cx.audio.clock import HostClock, host_time, sample_at


def test_fit_recovers_a_drifting_card_through_jitter():
    rate, true_rate = 48000, 48000 * (1 + 80e-6)  # a card running 80 ppm fast
    clock = HostClock(rate)
    noise = random.Random(3)
    for block in range(2000):
        sample = block * 128
        clock.add((sample, 100.0 + sample / true_rate + noise.uniform(0, 0.0005)))  # late by up to 0.5 ms
    fit = clock.fit()
    # 512 callbacks over 1.4 s with 0.5 ms of jitter pin the rate to some 30 ppm...
    assert fit[2] == pytest.approx(1 / true_rate, rel=3e-5)
    # ...and where it matters, the host time of the samples playing now, to a few tens of µs
    # (+0.25 ms: the mean lateness of a callback, which the visuals' offset absorbs)
    for block in (1500, 1999, 2100):
        sample = block * 128
        assert host_time(fit, sample) == pytest.approx(100.0 + sample / true_rate + 0.00025, abs=5e-5)
    assert sample_at(fit, host_time(fit, 12345.0)) == pytest.approx(12345.0)


def test_fit_needs_two_pairs_and_ignores_nonsense():
    clock = HostClock(48000)
    assert clock.fit() is None
    clock.add((0, 5.0))
    assert clock.fit() is None
    clock.add((128, 5.0))  # time stood still: keep the nominal rate
    assert clock.fit()[2] == 1 / 48000
    clock.reset()
    assert clock.fit() is None
