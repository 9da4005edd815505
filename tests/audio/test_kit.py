"""The built-in kit's promises (attack at 0, loudness-matched, silent end, character) and sample loading."""

from __future__ import annotations

import types

import numpy as np
import pytest
import soundfile

from rockstar_cx.audio.kit import PEAK_MAX, TARGET_LOUDNESS_DB, kit_for_show, load_sample, loudness_db, synthesize
from rockstar_cx.errors import ShowError
from rockstar_cx.show.sounds import BUILTIN_SOUNDS, DEFAULT_CUSTOM_NOTE, SOUND_WORDS, SOUNDS

RATES = (8000, 22050, 44100, 48000, 96000, 192000)
SR = 48000


def db(value: float) -> float:
    return 20 * np.log10(max(value, 1e-12))


def centroid(x: np.ndarray, sample_rate: int) -> float:
    mag = np.abs(np.fft.rfft(x))
    return float((mag * np.fft.rfftfreq(len(x), 1 / sample_rate)).sum() / mag.sum())


def dominant_hz(x: np.ndarray, sample_rate: int) -> float:
    """Strongest frequency, on a 1 Hz grid (zero-padded to one second)."""
    return float(np.argmax(np.abs(np.fft.rfft(x, sample_rate))))


def envelope_peaks(x: np.ndarray, sample_rate: int, frame_s: float = 0.001) -> list[int]:
    """Frames (1 ms RMS) that are distinct loud bursts: the loudest within ±3 ms, above -10 dB of
    the top, and separated from the previous burst by a dip to half its level or less."""
    frame = round(frame_s * sample_rate)
    env = np.sqrt(np.square(x[: len(x) // frame * frame].astype(np.float64)).reshape(-1, frame).mean(axis=1))
    peaks: list[int] = []
    for i, level in enumerate(env):
        if level < 10 ** (-10 / 20) * env.max() or level < env[max(0, i - 3): i + 4].max():
            continue
        if peaks and env[peaks[-1]: i].min() > 0.5 * min(level, env[peaks[-1]]):
            continue
        peaks.append(i)
    return peaks


def test_tables_cover_every_builtin():
    assert len(set(BUILTIN_SOUNDS)) == len(BUILTIN_SOUNDS) == 11
    assert set(SOUND_WORDS) == set(BUILTIN_SOUNDS) and all(synthesize(name, SR).size for name in BUILTIN_SOUNDS)
    notes = {name: sound.gm_note for name, sound in SOUNDS.items()}
    assert notes["clap"] == 39 and notes["kick"] == 36 and notes["hihat"] == 42
    assert all(0 <= note < 128 for note in notes.values()) and DEFAULT_CUSTOM_NOTE == 60
    assert all(word.isupper() and word.isalpha() for word in SOUND_WORDS.values())


def test_loudness_db_is_the_loudest_10ms_rms():
    t = np.arange(SR) / SR
    assert loudness_db(np.sin(2 * np.pi * 1000 * t), SR) == pytest.approx(-3.01, abs=0.01)
    burst = np.concatenate([np.zeros(SR // 2), 0.5 * np.sin(2 * np.pi * 1000 * t[: SR // 100])])
    assert loudness_db(burst, SR) == pytest.approx(db(0.5 / np.sqrt(2)), abs=0.05)
    assert loudness_db(np.full(SR // 200, 0.5), SR) == pytest.approx(db(0.5 * np.sqrt(0.5)), abs=0.01), \
        "shorter than the window: counted as padded with silence"


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", BUILTIN_SOUNDS)
def test_builtin_promises(name, rate):
    x = synthesize(name, rate)
    assert x.dtype == np.float32 and x.ndim == 1 and x.flags.c_contiguous and not x.flags.writeable
    peak = float(np.abs(x).max())
    assert abs(x[0]) >= 0.5 * peak, "attack must be at sample 0"
    assert abs(loudness_db(x, rate) - TARGET_LOUDNESS_DB) <= 1.0
    assert peak <= PEAK_MAX
    assert len(x) <= rate
    assert db(float(np.abs(x[-max(1, rate // 1000):]).max())) < -60, "last 1 ms must be silent"
    assert abs(float(x.mean())) < 1e-3


@pytest.mark.parametrize("name", BUILTIN_SOUNDS)
def test_duration_is_in_seconds_not_samples(name):
    assert len(synthesize(name, 8000)) / 8000 == pytest.approx(len(synthesize(name, 192000)) / 192000, abs=1e-3)


def test_click_is_a_short_tick():
    assert 0.005 <= len(synthesize("click", SR)) / SR <= 0.015


@pytest.mark.parametrize("rate", (8000, 48000, 192000))
def test_clap_is_several_bursts_then_a_tail(rate):
    x = synthesize("clap", rate)
    bursts = [p for p in envelope_peaks(x, rate) if p < 40]
    assert len(bursts) >= 3, bursts
    assert len(envelope_peaks(synthesize("snap", rate), rate)) == 1, "the counter does not see bursts everywhere"
    assert all(8 <= b - a <= 12 for a, b in zip(bursts, bursts[1:])), bursts
    tail = x[round(0.1 * rate): round(0.15 * rate)]  # the room still answers 100 ms in
    assert -40 < db(float(np.sqrt(np.mean(np.square(tail, dtype=np.float64))))) - TARGET_LOUDNESS_DB < -10
    assert 1000 <= dominant_hz(x, rate) <= 2500


@pytest.mark.parametrize("name, low, high", [
    ("kick", 40, 70), ("stomp", 55, 90), ("woodblock", 800, 1000), ("claves", 2300, 2700),
    ("count", 870, 890), ("count_accent", 1750, 1770),
])
def test_pitched_sounds_ring_where_they_should(name, low, high):
    assert low <= dominant_hz(synthesize(name, SR), SR) <= high


def test_cowbell_is_its_two_tones():
    spectrum = np.abs(np.fft.rfft(synthesize("cowbell", SR), SR))  # 1 Hz bins
    low, high = int(np.argmax(spectrum[500:580])) + 500, int(np.argmax(spectrum[760:840])) + 760
    assert abs(low - 540) <= 2 and abs(high - 800) <= 2
    assert spectrum[[low, high]].min() >= 10 ** (-6 / 20) * spectrum.max(), "both tones lead the spectrum"


def test_stomp_and_kick_differ():
    stomp, kick = synthesize("stomp", SR), synthesize("kick", SR)
    assert len(stomp) < len(kick)
    assert dominant_hz(stomp, SR) > dominant_hz(kick, SR)


def test_spectral_centroids_order_the_kit():
    c = {name: centroid(synthesize(name, SR), SR) for name in BUILTIN_SOUNDS}
    for low in ("kick", "stomp"):
        for bright in ("clap", "snap", "hihat", "click"):
            assert c[low] < c[bright], (low, bright, c)
    assert sorted(c, key=c.get)[-2:].count("hihat") == 1, c
    assert dominant_hz(synthesize("count_accent", SR), SR) > dominant_hz(synthesize("count", SR), SR)


def test_cached_and_deterministic():
    first = synthesize("clap", SR)
    assert synthesize("clap", SR) is first
    synthesize.cache_clear()
    again = synthesize("clap", SR)
    assert again is not first and np.array_equal(again, first)
    with pytest.raises(ValueError):
        again[0] = 0.0


def test_unknown_sound_raises_key_error():
    with pytest.raises(KeyError):
        synthesize("theremin", SR)


def write_tone(path, rate, left, right, silence_s=0.1, tone_s=0.3, freq=440.0):
    """Stereo WAV: silence, then a cosine (which starts at its peak) per channel at the given levels."""
    t = np.arange(round(tone_s * rate)) / rate
    tone = np.cos(2 * np.pi * freq * t)
    body = np.stack([left * tone, right * tone], axis=1)
    soundfile.write(path, np.concatenate([np.zeros((round(silence_s * rate), 2)), body]), rate, subtype="FLOAT")


def test_load_sample_resamples_mixes_and_trims(tmp_path):
    path = tmp_path / "hey.wav"
    write_tone(path, 44100, 0.8, 0.4)
    x = load_sample(path, SR)
    assert x.dtype == np.float32 and x.ndim == 1 and x.flags.c_contiguous and not x.flags.writeable
    assert int(np.flatnonzero(np.abs(x) > 0.25)[0]) <= 1, "attack within a sample of 0"
    assert abs(len(x) - 0.3 * SR) <= 2
    assert float(np.abs(x).max()) == pytest.approx(0.6, abs=0.01), "channels averaged, not scaled up"
    assert dominant_hz(x, SR) == pytest.approx(440, abs=1), "rate converted, pitch kept"


def test_load_sample_scales_a_hot_file_down(tmp_path):
    path = tmp_path / "hot.wav"
    write_tone(path, SR, 1.0, 1.0, silence_s=0.0)
    x = load_sample(path, SR)
    assert float(np.abs(x).max()) == pytest.approx(PEAK_MAX, abs=1e-6)
    assert len(x) == round(0.3 * SR)


def test_load_sample_refuses_what_is_no_sound_naming_the_file(tmp_path):
    path = tmp_path / "not-audio.wav"
    path.write_text("hello")
    with pytest.raises(ShowError) as caught:
        load_sample(path, SR)
    assert str(caught.value).startswith(f"{path}: cannot be read: ")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_load_sample_refuses_a_non_finite_value(tmp_path, bad):
    path = tmp_path / "poison.wav"
    data = np.full((SR // 10, 2), 0.1, np.float32)
    data[2400, 1] = bad
    soundfile.write(path, data, SR, subtype="FLOAT")
    with pytest.raises(ShowError, match=r"NaN or infinite value \(the first at 0.050 s\)"):
        load_sample(path, SR)


def test_kit_for_show_adds_and_overrides(tmp_path):
    custom, clap = tmp_path / "horn.wav", tmp_path / "clap.wav"
    write_tone(custom, SR, 0.5, 0.5)
    write_tone(clap, SR, 0.3, 0.3)
    show = types.SimpleNamespace(sounds=(("horn", custom), ("clap", clap)))
    kit = kit_for_show(show, SR)
    assert set(kit) == set(BUILTIN_SOUNDS) | {"horn", "pre_entry"}  # the cue mix's own sound too
    assert kit["kick"] is synthesize("kick", SR)
    assert float(np.abs(kit["clap"]).max()) == pytest.approx(0.3, abs=1e-3), "the show's clap wins"
    assert np.array_equal(kit["horn"], load_sample(custom, SR))
