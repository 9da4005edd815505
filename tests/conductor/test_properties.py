"""Property tests: every event on its exact sample, none lost or doubled, whatever the blocks."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rockstar_cx.conductor import Conductor, Hit, Start, perform
from rockstar_cx.show.model import HOLD_RENDER_BARS

from .reference import reference_hits
from .shows import random_shows

RATES = st.sampled_from([8000, 22050, 44100, 48000, 96000])


def perform_in_blocks(show, rate, sizes, *, count_in=False):
    """Run the conductor with the given block sizes (cycled) until it stops."""
    conductor = Conductor(show, rate, hold_bars=HOLD_RENDER_BARS)
    conductor.submit(Start(moment=0, count_in=count_in))
    events, i = [], 0
    while True:
        start = conductor.position
        block = conductor.advance(sizes[i % len(sizes)])
        assert all(start <= e.sample < conductor.position for e in block), "event outside its window"
        events += block
        i += 1
        if not conductor.playing:
            return events


def hits_of(events):
    return [(e.sample, e.section, e.accent, e.moment) for e in events if type(e) is Hit]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_shows(), RATES, st.booleans())
def test_every_hit_lands_on_round_t_times_rate(show, rate, count_in):
    events = perform(show, rate, count_in=count_in)
    assert hits_of(events) == reference_hits(show, rate, count_in=count_in)
    assert [e.sample for e in events] == sorted(e.sample for e in events)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_shows(chaos=True), RATES, st.lists(st.integers(1, 4096), min_size=1, max_size=8), st.booleans())
def test_any_block_sizes_give_the_same_events(show, rate, sizes, count_in):
    whole = perform(show, rate, count_in=count_in)
    assert perform_in_blocks(show, rate, sizes, count_in=count_in) == whole


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_shows(chaos=True), st.lists(st.integers(1, 7), min_size=1, max_size=4))
def test_tiny_blocks_down_to_one_sample(show, sizes):
    # At 2 kHz a sample-by-sample run stays short; the arithmetic is the same at any rate.
    assert perform_in_blocks(show, 2000, sizes) == perform(show, 2000)


@settings(max_examples=40, deadline=None)
@given(random_shows(chaos=True), RATES)
def test_chaos_is_reproducible_for_a_seed(show, rate):
    assert perform(show, rate) == perform(show, rate)
