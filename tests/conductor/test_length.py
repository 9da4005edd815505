"""A show's length, computed: equal to performing it, and bounded in time and memory for any input."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rockstar_cx.conductor import perform
from rockstar_cx.conductor.length import _chaos_steps, measure
from rockstar_cx.conductor.timeline import speedup_end
from rockstar_cx.conductor.timeline import CHAOS_SPEEDUP, CHAOS_TEMPO_SPREAD, Span
from rockstar_cx.errors import ShowError
from rockstar_cx.show import parse_show
from rockstar_cx.show.limits import CHAOS_STEPS_FACTOR, _moment_ends

from ..show.bombs import beat_bomb, dotted_key_bomb
from .shows import make_show, moment, random_shows, section

RATES = st.sampled_from([1000, 8000, 22050, 44100, 48000, 96000])
ROOT = Path(__file__).resolve().parents[2]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_shows(chaos=True), RATES, st.booleans())
def test_measure_equals_performing(show, rate, count_in):
    events = perform(show, rate, count_in=count_in)
    length = measure(show, count_in=count_in)
    # The same Fractions, chained the same way: not merely within a sample, equal.
    assert length.seconds == events[-1].time
    assert length.events == len(events)


@settings(max_examples=100, deadline=None)
@given(random_shows(chaos=True))
def test_the_loaders_bound_agrees_with_measure(show):
    # The show layer may not import the conductor, so the loader's limits use floats and count
    # chaos sections generously; this is how far that goes.
    exact = measure(show, count_in=True)
    estimate = list(_moment_ends(show))
    seconds, events = estimate[-1]
    assert abs(seconds - exact.moment_ends[-1][0]) < 1e-6
    if all(m.mode == "conducted" for m in show.moments):
        assert [e for _, e in estimate] == [e for _, e in exact.moment_ends]
    else:
        assert events >= exact.moment_ends[-1][1]


def test_chaos_steps_factor_covers_the_fastest_chaos():
    fastest = (1 + CHAOS_TEMPO_SPREAD) * (1 + CHAOS_SPEEDUP[1]) ** 1.13
    assert fastest <= CHAOS_STEPS_FACTOR


def test_chaos_step_counts_match_the_conductors_sum_on_long_spans():
    rng = random.Random(16)
    for seed in range(200):
        per_beat, bars, meter = rng.choice([1, 3, 8]), rng.choice([1, 37, 999]), rng.choice([1, 4, 32])
        tempo, tempo_end = rng.uniform(20, 300), rng.choice([None, rng.uniform(20, 300)])
        show = make_show([section("a", "x.", per_beat)],
                         [moment("m", ("a",), bars, tempo=tempo, tempo_end=tempo_end, mode="chaos")],
                         meter=(meter, 4), seed=seed)
        span = Span(1, 0, 0, 0, bars * meter, tempo, tempo_end or tempo, 0, 0, True, ((0, 0),), True)
        draws = random.Random(f"{seed}:0:0:0")
        rate = 1.0 + draws.uniform(-CHAOS_TEMPO_SPREAD, CHAOS_TEMPO_SPREAD)
        step, duration = 60.0 / (tempo * per_beat), span.seconds_at(span.beats)
        speedup = (1.0 + draws.uniform(*CHAOS_SPEEDUP)) ** (step / duration)
        assert _chaos_steps(show, span, 0) == speedup_end(step, rate, speedup, duration)[0], seed


def test_measure_is_instant_on_a_show_of_millions_of_events():
    # The 2.7 KB show of issue 16 as a model (the loader refuses it): 32 sections hitting every
    # 32nd note at 300 bpm in 32/32 for 999 bars, then 20 more such moments (the 7.9 KB variant).
    sections = [section(f"s{i}", "x", 8) for i in range(32)]
    ids = tuple(s.id for s in sections)
    moments = [moment(f"m{i}", ids, 999, mode="chaos" if i % 2 else "conducted") for i in range(21)]
    show = make_show(sections, moments, tempo=300, meter=(32, 32))
    start = time.perf_counter()
    length = measure(show)
    assert time.perf_counter() - start < 0.5
    assert length.seconds == pytest.approx(21 * 999 * 32 * 0.2)
    assert length.events > 21 * 999 * 32 * 8 * 32


@pytest.mark.parametrize("text", [beat_bomb(), beat_bomb(moments=20), dotted_key_bomb()],
                         ids=["32 sections x 999 bars", "the 7.9 KB variant", "46 KB dotted key"])
def test_checking_the_bombs_is_quick(text, tmp_path):
    start = time.perf_counter()
    with pytest.raises(ShowError):
        measure(parse_show(text, "bomb.toml", tmp_path))
    assert time.perf_counter() - start < 2.0


# 400 MB of address space for 200 MB of memory: Python with numpy (loaded for sample checks) maps
# ~145 MB at start of which ~35 MB is resident, and the allocator reserves arenas before touching
# them, so a 200 MB limit on address space would fail on reservations alone.  Every resident page
# is mapped, so RSS stays below the limit; the peak RSS is then checked against 200 MB itself:
# VmHWM, this process's own (ru_maxrss would count the pytest process it was forked from: Linux
# carries the larger of the two across fork and exec).
CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20))
    from pathlib import Path
    from rockstar_cx.conductor.length import measure
    from rockstar_cx.errors import ShowError
    from rockstar_cx.show import load_show
    try:
        print(measure(load_show(sys.argv[1])).seconds)
    except ShowError as error:
        print(error)
    print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
""")


@pytest.mark.parametrize("text", [beat_bomb(), beat_bomb(moments=20), dotted_key_bomb()],
                         ids=["32 sections x 999 bars", "the 7.9 KB variant", "46 KB dotted key"])
def test_checking_the_bombs_fits_in_200_mb(text, tmp_path):
    show_file = tmp_path / "bomb.toml"
    show_file.write_text(text)
    done = subprocess.run([sys.executable, "-c", CHILD, str(show_file)], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    message, peak_kb = done.stdout.strip().splitlines()
    assert message.startswith(f"{show_file}:")  # a located ShowError, not MemoryError
    assert int(peak_kb) < 200 << 10
