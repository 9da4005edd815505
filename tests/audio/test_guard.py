"""The master bus's last guard: a block holding a NaN or an infinity is never played, but
silenced and counted in the health report; every other block leaves exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.audio.ahead import Block, Renderer
from rockstar_cx.audio.cue import Routing
from rockstar_cx.audio.health import Counters, run_report
from rockstar_cx.audio.kit import kit_for_show
from rockstar_cx.audio.mixer import Mixer
from rockstar_cx.conductor import LiveHit, Start

from .test_ahead import BLOCK, PERIOD, QUIET, RATE, engines, play  # noqa: F401 (engines: a fixture)


def block_of(out: np.ndarray) -> Block:
    return Block(0, out[:, 0].copy(), out, (out,), None, None, None)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_block_is_silenced_and_counted(bad):
    counters = Counters()
    renderer = Renderer(None, Mixer(QUIET, kit_for_show(QUIET, RATE), BLOCK), BLOCK, PERIOD, Routing(), counters)
    out = np.full((BLOCK, 2), 0.5, np.float32)
    out[77, 1] = bad
    renderer.guard(block_of(out))
    assert not np.any(out) and counters.nonfinite_blocks == 1


def test_a_finite_block_passes_untouched_bit_for_bit():
    counters = Counters()
    renderer = Renderer(None, Mixer(QUIET, kit_for_show(QUIET, RATE), BLOCK), BLOCK, PERIOD, Routing(), counters)
    rng = np.random.default_rng(16)
    out = rng.uniform(-0.98, 0.98, (BLOCK, 2)).astype(np.float32)
    out[0, 0], out[1, 1], out[2, 0] = -0.0, np.finfo(np.float32).tiny / 2, 0.98  # a signed zero, a subnormal
    expected = out.copy()
    renderer.guard(block_of(out))
    assert out.tobytes() == expected.tobytes() and counters.nonfinite_blocks == 0


def test_the_callback_guards_the_block_after_mixing_its_live_hits(engines):
    engine, reader = engines(QUIET)
    hits = engine.mixer._hits[0]
    poisoned = hits[1].copy()
    poisoned[10] = np.nan  # in the first block the hit plays, only
    engine.mixer._hits[0] = (hits[0], poisoned)
    engine.shared.push_command(Start(count_in=False))
    for _ in range(3):
        play(engine, ahead=True)
    engine.renderer.render_ahead(), engine.renderer.render_ahead()  # ready, silent, when the hit comes
    engine.shared.push_command(LiveHit(0))
    heard = [play(engine, ahead=False)] + [play(engine, ahead=True) for _ in range(3)]
    assert not np.any(heard[0]) and engine.counters.nonfinite_blocks == 1
    # the rest of the hit is finite and plays on
    np.testing.assert_array_equal(np.concatenate(heard[1:]), poisoned[BLOCK:4 * BLOCK])
    engine.publish_health()
    assert run_report(reader.read_health(), reader.histogram)["nonfinite_blocks"] == 1
    assert reader.read_health().counters.callback_errors == 0
