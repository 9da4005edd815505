"""Latency through the air: a 1 s log sweep, deconvolved, its first peak to a fraction of a sample.

Measured: error ≤ 0.05 sample at −10 dB SNR (noise 10 dB louder than the probe) through RT60
1.2-1.5 s; the tolerance is the notes' 0.1 sample.  Polarity found in every case.
"""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.listening import log_sweep, measure_latency

from ..roomsim import RATE, rms, room_response, skew, through_room


def heard(probe: np.ndarray, delay_s: float, rt60_s: float, snr_db: float, polarity: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    played = np.concatenate((probe, np.zeros(int(1.6 * RATE))))
    out = through_room(played, room_response(delay_s, rt60_s, rng, polarity=polarity))
    return out + rng.normal(0.0, rms(probe) * 10 ** (-snr_db / 20), len(out))


@pytest.mark.parametrize("delay_s, rt60_s, snr_db, polarity", [
    (0.0123456, 1.2, -10, 1),
    (0.0456789, 1.5, -10, -1),
    (0.1003, 1.5, 0, 1),
    (0.02, 0.0, -10, -1),
])
def test_the_delay_to_a_tenth_of_a_sample_and_the_polarity(delay_s, rt60_s, snr_db, polarity):
    probe = log_sweep(RATE)
    latency = measure_latency(heard(probe, delay_s, rt60_s, snr_db, polarity, seed=5), probe)
    assert latency.samples == pytest.approx(delay_s * RATE, abs=0.1)
    assert latency.polarity == polarity
    assert latency.seconds(RATE) == pytest.approx(delay_s, abs=0.1 / RATE)


def test_half_a_sample_more_reads_half_a_sample_more():
    """Mutation-style: the fraction is measured, not rounded to a whole sample."""
    probe = log_sweep(RATE)
    a = measure_latency(heard(probe, 0.03, 1.2, -10, 1, seed=6), probe).samples
    b = measure_latency(heard(probe, 0.03 + 0.5 / RATE, 1.2, -10, 1, seed=6), probe).samples
    assert b - a == pytest.approx(0.5, abs=0.1)


def test_a_second_devices_fast_clock_reads_as_more_delay_later():
    """A mic on its own clock, 100 ppm fast: a probe 60 s after the first is heard 6 ms (288 samples) later.
    (Each reading is also ~4.5 samples late: a sweep stretched by 100 ppm deconvolves late; the same in both.)"""
    probe = log_sweep(RATE)
    gap = np.zeros(60 * RATE - len(probe))
    played = np.concatenate((probe, gap, probe, np.zeros(RATE)))
    recording = skew(through_room(played, room_response(0.02, 0.5, np.random.default_rng(7))), 100)
    first = measure_latency(recording[:60 * RATE], probe)
    later = measure_latency(recording[60 * RATE:], probe)
    assert later.samples - first.samples == pytest.approx(60 * RATE * 1e-4, abs=0.2)


def test_silence_heard_is_no_delay_and_no_peak():
    latency = measure_latency(np.zeros(96000), log_sweep(48000))
    assert np.isnan(latency.samples) and latency.peak_to_noise_db == 0.0
