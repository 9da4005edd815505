"""The mixer's volumes: a section's level scales its hits, sounding ones included; the master glides."""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.audio.kit import kit_for_show
from rockstar_cx.audio.mixer import HIT_GAIN, MASTER_GAIN, Mixer, soft_limit
from rockstar_cx.conductor import Hit

from ..conductor.shows import make_show, moment, section

RATE, BLOCK = 48000, 128
SHOW = make_show([section("a", "x", sound="clap"), section("b", "x", sound="kick")], [moment("m", ("a", "b"), 1)])


def play(levels: list[tuple[int, int | None, float]], blocks: int = 40) -> np.ndarray:
    """Both sections hit at sample 10; ``levels``: (block, section, level) set before that block."""
    mixer = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK)
    out = []
    for block in range(blocks):
        for at, section_index, level in levels:
            if at == block:
                mixer.set_level(section_index, level)
        events = [Hit(10, 0.0, 0, True, 0), Hit(10, 0.0, 1, True, 0)] if block == 0 else []
        out.append(mixer.process(block * BLOCK, BLOCK, events).copy())
    return np.concatenate(out)


def test_a_section_level_scales_its_voice_while_it_sounds_and_its_next_hits():
    full = play([])
    kick_only = play([(0, 0, 0.0)])
    half_later = play([(0, 0, 0.0), (20, 1, 0.5)])
    assert np.any(full != kick_only)
    np.testing.assert_array_equal(half_later[:20 * BLOCK], kick_only[:20 * BLOCK])
    np.testing.assert_allclose(half_later[20 * BLOCK:], 0.5 * kick_only[20 * BLOCK:], atol=1e-7)


def test_the_master_level_glides_over_one_block_then_holds():
    full = play([])
    quiet = play([(5, None, 0.25)])
    np.testing.assert_array_equal(quiet[:5 * BLOCK], full[:5 * BLOCK])
    ramp = 1.0 - 0.75 * np.arange(BLOCK) / BLOCK  # no step: no click
    np.testing.assert_allclose(quiet[5 * BLOCK:6 * BLOCK], full[5 * BLOCK:6 * BLOCK] * ramp, atol=1e-7)
    np.testing.assert_allclose(quiet[6 * BLOCK:], 0.25 * full[6 * BLOCK:], atol=1e-7)


def test_levels_are_clamped_and_listed_for_a_handover():
    mixer = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK)
    mixer.set_level(1, 1.5)
    mixer.set_level(0, -2.0)
    mixer.set_level(None, 0.5)
    assert mixer.levels() == {0: 0.0, None: 0.5}


def reference(hits: list[Hit], length: int) -> np.ndarray:
    """The plain sum, limited: every hit's whole scaled sound from its sample on."""
    kit, out = kit_for_show(SHOW, RATE), np.zeros(length + RATE, np.float64)
    for hit in hits:
        sound = kit[SHOW.sections[hit.section].sound] * MASTER_GAIN * (1.0 if hit.accent else HIT_GAIN)
        out[hit.sample:hit.sample + len(sound)] += sound
    mix = out[:length].astype(np.float32)
    soft_limit(mix, np.zeros((2, length), np.float32))
    return mix


def test_overlapping_hits_sum_exactly_whatever_the_block_edges():
    # dense and irregular: sounds overlap, start on and next to block edges, and run round the ring
    rng = np.random.default_rng(7)
    samples = sorted({int(s) for s in rng.integers(0, 3 * RATE, 120)} | {0, 127, 128, 129, 1023, 1024, 1152})
    hits = [Hit(s, 0.0, int(rng.integers(2)), bool(rng.integers(2)), 0) for s in samples]
    for block in (64, 128, 1000, 4096):
        mixer, out = Mixer(SHOW, kit_for_show(SHOW, RATE), block), []
        for start in range(0, 4 * RATE, block):
            out.append(mixer.process(start, block, [h for h in hits if start <= h.sample < start + block]).copy())
        np.testing.assert_allclose(np.concatenate(out)[:4 * RATE], reference(hits, 4 * RATE), atol=2e-6)


def test_a_jump_in_position_starts_from_silence():
    mixer = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK)
    mixer.process(0, BLOCK, [Hit(0, 0.0, 1, True, 0)])  # a kick: it would sound for 0.4 s
    assert not np.any(mixer.process(10 * RATE, BLOCK, []))
    after = mixer.process(10 * RATE + BLOCK, BLOCK, [Hit(10 * RATE + BLOCK + 5, 0.0, 0, True, 0)]).copy()
    np.testing.assert_allclose(after, reference([Hit(5, 0.0, 0, True, 0)], BLOCK), atol=1e-7)


@pytest.mark.parametrize("lead", [1, 2])
def test_a_live_hit_played_into_blocks_already_mixed_sounds_as_if_mixed_with_them(lead):
    # the engine mixes blocks before they are due; a live hit that comes meanwhile joins the one
    # playing from its first sample, and goes on into those mixed after it
    hits = [Hit(10, 0.0, 1, False, 0), Hit(700, 0.0, 0, False, 0)]
    live = {128: (0, False), 1024: (1, True), 4096 + 640: (0, True)}  # block start: (section, accent)
    mixer, ahead, out = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK), [], []
    for start in range(0, RATE, BLOCK):
        ahead.append(mixer.process(start, BLOCK, [h for h in hits if start <= h.sample < start + BLOCK]).copy())
        if len(ahead) == lead:
            playing = start - (lead - 1) * BLOCK
            if playing in live:
                mixer.play_now(*live[playing], playing, ahead)
            out.append(ahead.pop(0))
    heard = hits + [Hit(start, 0.0, section, accent, 0) for start, (section, accent) in live.items()]
    np.testing.assert_allclose(np.concatenate(out), reference(heard, RATE)[:len(out) * BLOCK], atol=2e-6)


@pytest.mark.parametrize("lead, alone", [(1, 1), (2, 1), (2, 3)])
def test_a_live_hit_begun_beside_the_mixer_then_taken_over_sounds_as_if_mixed_with_them(lead, alone):
    # while the engine's renderer holds the mixer, the callback adds a live hit's start to the
    # block it plays itself (for ``alone`` blocks); then the mixer carries the hit on
    hits = [Hit(10, 0.0, 1, False, 0), Hit(700, 0.0, 0, False, 0)]
    live_at, section, accent = 1024, 1, True
    mixer, ahead, out = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK), [], []
    scratch = np.zeros((2, BLOCK), np.float32)
    for start in range(0, RATE, BLOCK):
        ahead.append(mixer.process(start, BLOCK, [h for h in hits if start <= h.sample < start + BLOCK]).copy())
        if len(ahead) == lead:
            playing = start - (lead - 1) * BLOCK
            if live_at <= playing < live_at + alone * BLOCK:
                assert mixer.sound_into(section, accent, ahead[0], playing - live_at, scratch)  # more to come
            elif playing == live_at + alone * BLOCK:
                mixer.play_now(section, accent, live_at, ahead)
            out.append(ahead.pop(0))
    heard = hits + [Hit(live_at, 0.0, section, accent, 0)]
    np.testing.assert_allclose(np.concatenate(out), reference(heard, RATE)[:len(out) * BLOCK], atol=2e-6)


def test_a_live_hit_joins_only_the_blocks_just_mixed():
    mixer = Mixer(SHOW, kit_for_show(SHOW, RATE), BLOCK)
    blocks = [mixer.process(0, BLOCK, []).copy(), mixer.process(BLOCK, BLOCK, []).copy()]
    with pytest.raises(ValueError, match="after the first of the last blocks mixed"):
        mixer.play_now(0, True, BLOCK, blocks)
