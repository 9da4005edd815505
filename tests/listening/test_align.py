"""Finding the show in a recording by its guide, and the guide as a pilot: delay per window, clock skew.

Measured (the built-in show's first minute through RT60 1.2 s, noise 10 dB under it): a 100 ppm
fast clock's windows lie on a line but one (a window whose guide sounds at one end reads that
end's delay: a median of slopes ignores it), the skew read within 2 ppm in one pass, 0.5 ppm in
two; a 5 ms jump shows in the first window after it (5 s, two bars at 96 bpm).
"""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.audio.render import render_show
from rockstar_cx.errors import ShowError
from rockstar_cx.listening import find_start, measure_skew, track_delay, unskew
from rockstar_cx.listening.align import robust_line
from rockstar_cx.show import builtin_show

from ..roomsim import RATE, mix, room_response, skew, through_room

DELAY_S = 0.03


@pytest.fixture(scope="module")
def guide_heard() -> tuple[np.ndarray, np.ndarray]:
    guide = render_show(builtin_show(), RATE)[0].astype(np.float64)[:60 * RATE]  # the first minute
    rng = np.random.default_rng(1)
    played = np.concatenate((np.zeros(RATE), guide, np.zeros(RATE)))
    return guide, mix(through_room(played, room_response(DELAY_S, 1.2, rng)), rng, noise_db=-10)


def test_the_start_is_where_the_guide_is_heard(guide_heard):
    guide, heard = guide_heard
    assert find_start(heard, guide, RATE) == round((1 + DELAY_S) * RATE)
    with pytest.raises(ShowError, match="silent"):
        find_start(np.zeros(RATE), guide, RATE)


def test_one_clock_has_no_skew_and_a_fast_one_is_measured_and_undone(guide_heard):
    guide, heard = guide_heard
    start = find_start(heard, guide, RATE)
    assert abs(track_delay(heard, guide, start, RATE).skew_ppm) < 1
    fast = skew(heard, 100)
    pilot = track_delay(fast, guide, find_start(fast, guide, RATE), RATE)
    assert pilot.skew_ppm == pytest.approx(100, abs=2)
    slope, intercept = robust_line(pilot.times, pilot.delays)
    off = np.abs(pilot.delays - (slope * pilot.times + intercept))
    assert np.median(off) / RATE < 0.1e-3 and np.count_nonzero(off / RATE > 0.5e-3) <= 1
    skew_ppm, start = measure_skew(fast, guide, find_start(fast, guide, RATE), RATE)
    assert skew_ppm == pytest.approx(100, abs=0.5)
    assert start == pytest.approx((1 + DELAY_S) * RATE * (1 + 1e-4), abs=1)
    again = track_delay(unskew(fast, start, skew_ppm), guide, start, RATE)
    assert abs(again.skew_ppm) < 0.5 and np.ptp(again.delays) < 2  # samples


def test_a_path_grown_5_ms_longer_shows_in_the_next_window(guide_heard):
    guide, heard = guide_heard
    moved = heard.copy()
    at = 30 * RATE
    moved[at:] = heard[at - 240:-240]  # the mic moved 1.7 m further away at 30 s
    pilot = track_delay(moved, guide, find_start(heard, guide, RATE), RATE)
    before, after = pilot.delays[pilot.times < 29], pilot.delays[pilot.times > 31]
    assert np.abs(before).max() < 0.5 and np.abs(after - 240).max() < 0.5
    assert pilot.times[pilot.times > 30].min() - 30 <= 5.0  # within one window: two bars
