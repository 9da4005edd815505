"""The sample↔host clock fit: recovers a sound card's true rate through callback jitter."""

from __future__ import annotations

import random

import pytest

from rockstar_cx.audio.clock import STEP_PAIRS, HostClock, host_time, sample_at


def test_fit_recovers_a_drifting_card_through_jitter():
    rate, true_rate = 48000, 48000 * (1 + 80e-6)  # a card running 80 ppm fast
    clock = HostClock(rate)
    noise = random.Random(3)
    for block in range(2000):
        sample = block * 128
        clock.add(sample, 100.0 + sample / true_rate + noise.uniform(0, 0.0005))  # late by up to 0.5 ms
    fit = clock.fit()
    # 512 callbacks over 1.4 s with 0.5 ms of jitter pin the rate to some 30 ppm...
    assert fit[2] == pytest.approx(1 / true_rate, rel=3e-5)
    # ...and where it matters, the start of the period playing now, to a few tens of µs
    # (+0.05 ms: the callbacks' early edge, EDGE_PERCENTILE of a lateness spread evenly up to 0.5 ms)
    for block in (1500, 1999, 2100):
        sample = block * 128
        assert host_time(fit, sample) == pytest.approx(100.0 + sample / true_rate + 0.00005, abs=5e-5)
    assert sample_at(fit, host_time(fit, 12345.0)) == pytest.approx(12345.0)


def test_fit_keeps_to_the_periods_start_when_callbacks_run_late_for_a_while():
    # a loaded machine: most callbacks wake 30-80 µs into their period, but for stretches a third
    # of them wake 1.0-1.6 ms late.  A mean would sit ~0.45 ms late, enough to push MIDI placed
    # half a period ahead of a block into the next JACK period; the early edge stays put.
    rate, block = 48000, 128
    clock = HostClock(rate)
    noise = random.Random(11)
    for n in range(3000):
        late = noise.uniform(0.0010, 0.0016) if noise.random() < 1 / 3 else noise.uniform(0.00003, 0.00008)
        clock.add(n * block, 50.0 + n * block / rate + late)
    fit = clock.fit()
    for n in (2600, 2999, 3100):
        assert host_time(fit, n * block) == pytest.approx(50.0 + n * block / rate + 0.00005, abs=4e-5)


def test_fit_needs_two_pairs_and_ignores_nonsense():
    clock = HostClock(48000)
    assert clock.fit() is None
    clock.add(0, 5.0)
    assert clock.fit() is None
    clock.add(128, 5.0)  # time stood still: keep the nominal rate
    assert clock.fit()[2] == 1 / 48000
    clock.reset()
    assert clock.fit() is None


def test_fit_follows_a_jump_of_the_timeline_within_a_few_callbacks():
    # an xrun: from block 1000 on, every callback (and the sound) comes one block later for good
    rate, block = 48000, 128
    clock = HostClock(rate)
    noise = random.Random(5)

    def host(n: int) -> float:
        return 7.0 + (n * block + (block if n >= 1000 else 0)) / rate + noise.uniform(0, 0.0002)

    for n in range(1000):
        clock.add(n * block, host(n))
        if n % 8 == 0:
            clock.fit()  # the supervisor fits every few callbacks
    before = clock.fit()
    for n in range(1000, 1000 + STEP_PAIRS):
        clock.add(n * block, host(n))
    after = clock.fit()
    assert after[2] == pytest.approx(before[2], rel=2e-5)  # the card's rate, kept through the jump
    # from the jump on, the fit places samples one block later, to within the jitter
    assert host_time(after, 1010 * block) - host_time(before, 1010 * block) == pytest.approx(block / rate, abs=2e-4)
    for n in range(1000 + STEP_PAIRS, 1400):
        clock.add(n * block, host(n))
        if n % 8 == 0:
            clock.fit()
    final = clock.fit()  # no jump without one: still on the timeline the jump began
    assert host_time(final, 1010 * block) == pytest.approx(host_time(after, 1010 * block), abs=1e-4)
    assert final[2] == pytest.approx(1 / rate, rel=2e-4)
