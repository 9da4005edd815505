"""``rockstar-cx listen`` on the mic's recording reproduces what the live listener measured of the same room
(issue 15), both taking the room's echo from the calibration sweep's path (F8, then the show).

The room of :func:`roomlive.moved_room`: 200 clappers, σ 15 ms on the beat, RT60 0.8 s, the guide 10 dB over
them.  Measured (seeds 5-7): steady, live and offline within 0.8 ms of each other in spread and ahead/behind,
0.25 bpm in tempo; ramping to 126 bpm, offline follows the room's own pulse once it has left the conductor's
steps (σ 15.3-18.6 ms, the ramp 120.3 → 125.6 bpm against a truth of 120.4 → 125.6).
"""

from __future__ import annotations

import roomsim
from roomlive import EIGHT_BARS, RATE, hall, listen_live, moved_room
from rockstar_cx.listening import listen


def test_listen_reproduces_the_live_figures_of_a_room_on_the_beat():
    heard, played = moved_room()
    _, listener = listen_live(heard, played, EIGHT_BARS, calibrated=hall(5))
    [live] = listener.report()
    [offline] = listen(heard, RATE, EIGHT_BARS, room_path=listener.path).moments
    assert live["clapping_bars"] == live["bars"] == 6 and offline.clapping
    assert abs(offline.spread_ms - live["spread_ms"]) <= 2.5 and abs(offline.ahead_ms - live["ahead_ms"]) <= 2.5
    assert abs(offline.tempo_start_bpm - live["tempo_start_bpm"]) <= 0.5
    assert abs(offline.tempo_end_bpm - live["tempo_end_bpm"]) <= 0.5
    for spread in (offline.spread_ms, live["spread_ms"]):  # and both the room's truth
        assert abs(spread - 15.0) <= 5.0


def test_listen_follows_a_room_that_left_the_conductor_around_its_own_pulse():
    """Folded on the conductor's steps over the whole moment, a room drifting to 126 bpm read as no clapping."""
    heard, played = moved_room(ramp_to=126.0)
    _, listener = listen_live(heard, played, EIGHT_BARS, calibrated=hall(5))
    [offline] = listen(heard, RATE, EIGHT_BARS, room_path=listener.path).moments
    truth = roomsim.beat_times(0.0, 120.0, 126.0, 32)
    assert offline.clapping and offline.ahead_ms is None and offline.sections == {}  # no grid to be ahead of
    assert abs(offline.spread_ms - 15.0) <= 5.0
    assert abs(offline.tempo_start_bpm - roomsim.bar_tempo(truth, 0)) <= 0.5
    assert abs(offline.tempo_end_bpm - roomsim.bar_tempo(truth, 7)) <= 0.5
    [live] = listener.report()  # live, bar by bar: clapping throughout, the same drift
    assert live["clapping_bars"] == live["bars"] == 6 and live["tempo_end_bpm"] - live["tempo_start_bpm"] > 3.0
