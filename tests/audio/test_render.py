"""Offline render: every hit's sound starts on its exact sample, stems add up, nothing clips."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from rockstar_cx.audio.kit import kit_for_show
from rockstar_cx.audio.mixer import LIMIT_CEILING, MASTER_GAIN, Mixer, soft_limit
from rockstar_cx.audio.render import render_chunks, render_length, render_show, render_to_files
from rockstar_cx.conductor import Hit, perform
from rockstar_cx.show import builtin_show

from ..conductor.shows import make_show, moment, section
from ..fixtures import before_issue13 as before

RATE = 48000


def onsets(signal: np.ndarray) -> list[int]:
    """Samples where sound starts after exact silence."""
    loud = signal != 0.0
    return list(np.flatnonzero(loud & ~np.concatenate(([False], loud[:-1]))))


def test_each_stem_starts_its_sound_on_the_hit_sample():
    # 50 bpm: hits 1.2 s apart, longer than any kit sound, so each onset follows true silence
    show = make_show([section("a", "x", 1, sound="clap"), section("b", ".x", 2, sound="stomp")],
                     [moment("m1", ("a",), 1), moment("m2", ("a", "b"), 1, tempo_end=70.0)], tempo=50)
    mix, stems, events = render_show(show, RATE)
    for index in range(2):
        expected = [e.sample for e in events if type(e) is Hit and e.section == index]
        assert onsets(stems[index]) == expected
        kit = kit_for_show(show, RATE)
        sound = kit[show.sections[index].sound]
        first = expected[0]
        np.testing.assert_allclose(stems[index][first:first + len(sound)], sound * (0.6 * MASTER_GAIN), rtol=1e-6)


def test_mix_is_the_limited_sum_of_the_stems_and_never_clips():
    show = builtin_show()
    mix, stems, _ = render_show(show, RATE)
    # the count-in bus is silent without --count-in, so the mix is the limited sum of the stems
    summed = stems.sum(axis=0, dtype=np.float32)
    soft_limit(summed, np.zeros((2, len(summed)), dtype=np.float32))
    np.testing.assert_allclose(mix, summed, atol=1e-6)
    assert np.abs(mix).max() <= LIMIT_CEILING
    assert len(mix) == stems.shape[1]


def test_soft_limit_is_identity_below_the_knee_and_bounded_above():
    x = np.linspace(-4, 4, 8001, dtype=np.float32)
    y = x.copy()
    soft_limit(y, np.zeros((2, len(y)), dtype=np.float32))
    quiet = np.abs(x) <= 0.8
    np.testing.assert_array_equal(y[quiet], x[quiet])
    assert np.abs(y).max() <= LIMIT_CEILING and np.all(np.diff(y) >= 0)  # bounded and monotonic: no fold-back


def test_block_size_does_not_change_the_audio():
    show = builtin_show()
    events = perform(show, RATE, count_in=True)
    kit = kit_for_show(show, RATE)
    length = events[-1].sample + RATE

    def run(block):
        mixer, out, i = Mixer(show, kit, block), [], 0
        for start in range(0, length, block):
            window = []
            while i < len(events) and events[i].sample < start + block:
                window.append(events[i])
                i += 1
            out.append(mixer.process(start, min(block, length - start), window).copy())
        return np.concatenate(out)

    np.testing.assert_allclose(run(128), run(65536), atol=1e-6)


def test_render_files_and_stems(tmp_path):
    show = builtin_show()
    ticks = []
    result = render_to_files(show, tmp_path / "mix.wav", stems_dir=tmp_path / "stems", count_in=True,
                             progress=lambda done, total: ticks.append((done, total)))
    mix, rate = soundfile.read(tmp_path / "mix.wav")
    assert rate == RATE and len(mix) == result.samples and ticks[-1] == (result.samples, result.samples)
    for s in show.sections:
        info = soundfile.info(tmp_path / "stems" / f"{s.id}.wav")
        assert (info.frames, info.subtype) == (result.samples, "FLOAT")
    memory, _, _ = render_show(show, RATE, count_in=True)
    np.testing.assert_allclose(mix, memory, atol=2 ** -22)  # 24-bit file, same audio


def test_panic_fade_reaches_silence_exactly_when_asked_and_stays_there():
    show = builtin_show()
    kit = kit_for_show(show, RATE)
    faded, plain = Mixer(show, kit, 256), Mixer(show, kit, 256)
    blocks = [[Hit(0, 0.0, s, True, 0) for s in range(4)], [], [Hit(600, 0.0, 1, True, 0)], [Hit(800, 0.0, 0, True, 0)]]
    out = {}
    for mixer in (faded, plain):
        for i, events in enumerate(blocks):
            if mixer is faded and i == 1:
                mixer.fade_out(512)  # silent from sample 256 + 512 = 768 on
            out[mixer, i] = mixer.process(i * 256, 256, events).copy()
    gain = np.clip(1.0 - np.arange(512) / 512, 0.0, 1.0).astype(np.float32)
    np.testing.assert_array_equal(out[faded, 0], out[plain, 0])
    np.testing.assert_allclose(out[faded, 1], out[plain, 1] * gain[:256], atol=1e-6)
    np.testing.assert_allclose(out[faded, 2], out[plain, 2] * gain[256:], atol=1e-6)
    assert np.all(out[faded, 3] == 0.0) and np.abs(out[plain, 3]).max() > 0.1
    faded.unfade()
    assert np.abs(faded.process(1024, 256, [Hit(1024, 0.0, 0, True, 0)])).max() > 0.1


def test_a_render_stops_at_a_nan_rather_than_write_it():
    # samples are checked when loaded: a NaN can only come from a bug, and must never reach a file
    show = make_show([section("a", "x", 1, sound="clap")], [moment("m", ("a",), 1)])
    kit = dict(kit_for_show(show, RATE))
    kit["clap"] = np.concatenate([kit["clap"][:100], [np.nan], kit["clap"][101:]]).astype(np.float32)
    events = perform(show, RATE)
    chunks = render_chunks(show, events, render_length(events, kit, show), kit, stems=False)
    with pytest.raises(RuntimeError, match="NaN or an infinity"):
        list(chunks)


@pytest.mark.parametrize("count_in", [False, True])
def test_a_show_written_before_moments_waited_renders_the_same_samples(count_in):
    # issue 13: moments without `then` now hold live, but offline they still play their bars
    mix, stems, events = render_show(before.old_keynote(), RATE, count_in=count_in)
    assert before.sha256(repr(events).encode()) == before.EVENTS[count_in]
    assert before.sha256(mix.tobytes()) == before.MIX[count_in]
    assert before.sha256(stems.tobytes()) == before.STEMS[count_in]
