"""The built-in percussion kit, synthesized with numpy, and loading of user samples.

The kit is what the audience sections play: a click, a hand clap, a stomp, a finger snap, a
woodblock, claves, a cowbell, a kick, a hi-hat, and the conductor's count-in bips.  Every sound is
a few lines of synthesis (no downloads, no files), generated once per sample rate and cached.

All sounds, built-in or loaded, keep the promises the rest of the app relies on:

* the attack is at sample 0: the scheduler puts the *start* of a sound on the beat, and the timing
  tests find onsets as the first loud sample, so the start must be the transient;
* they never clip (peak <= ``PEAK_MAX``); built-ins are also loudness-matched
  (:func:`loudness_db` = ``TARGET_LOUDNESS_DB``) so sections balance without per-sound gains;
* built-ins last at most a second, end in silence and carry no DC.

Durations are in seconds and bands stop at 18 kHz, so the kit sounds the same at any rate from
44.1 to 192 kHz; at lower rates a band or partial the rate cannot carry slides down under Nyquist.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from rockstar_cx.show.model import Show
from rockstar_cx.show.samples import read_sample
from rockstar_cx.show.sounds import BUILTIN_SOUNDS

TARGET_LOUDNESS_DB = -14.0  # the spikiest sounds (click, snap) peak near 0.83 here: -12 would clip them
PEAK_MAX = 0.98
LOUDNESS_WINDOW_S = 0.010
TRIM_THRESHOLD_DB = -50.0  # load_sample: leading samples quieter than this are cut
FADE_OUT_S = 0.008
MAX_BAND_FRACTION = 0.9  # of Nyquist: the highest frequency a band or partial may reach...
MAX_BAND_HZ = 18000.0  # ...and at high rates no higher: ultrasound would only steal loudness
FILTER_ORDER = 2  # Butterworth-like slopes, 12 dB/octave: resonant bodies, not brick walls
NOISE_SOFT_CLIP = 1.5  # in standard deviations: bounds the noise's crest factor at any rate


def loudness_db(x: np.ndarray, sample_rate: int) -> float:
    """Loudness in dBFS: the largest RMS over a sliding 10 ms window (shorter sounds count as padded)."""
    window = max(1, round(LOUDNESS_WINDOW_S * sample_rate))
    energy = np.concatenate(([0.0], np.cumsum(np.square(x, dtype=np.float64))))
    peak_energy = energy[-1] if len(x) <= window else np.max(energy[window:] - energy[:-window])
    return 20.0 * float(np.log10(max(np.sqrt(peak_energy / window), 1e-12)))


# --- building blocks -------------------------------------------------------------------------

def _top(sample_rate: int) -> float:
    return min(MAX_BAND_FRACTION * sample_rate / 2, MAX_BAND_HZ)


def _band_gain(freqs: np.ndarray, sample_rate: int, lo: float, hi: float) -> np.ndarray:
    """Magnitude response of a band-pass from lo to hi Hz (lo=0: low-pass; hi=inf: high-pass)."""
    hi = min(hi, _top(sample_rate))
    lo = min(lo, hi / 2)  # a band above Nyquist slides down rather than vanishing
    below = np.divide(lo, freqs, out=np.full(freqs.shape, np.inf), where=freqs > 0)
    return 1.0 / np.sqrt((1.0 + (freqs / hi) ** (2 * FILTER_ORDER)) * (1.0 + below ** (2 * FILTER_ORDER)))


def _decay(t: np.ndarray, tau: float, onset: float = 0.0) -> np.ndarray:
    """An exponential decay (time constant tau s) struck at `onset` s, silent before."""
    return np.where(t >= onset, np.exp(-np.maximum(t - onset, 0.0) / tau), 0.0)


def _tone(t: np.ndarray, freq: float, sample_rate: int, phase: float = 0.0) -> np.ndarray:
    """A cosine: at phase 0 it starts at its peak, the strike itself."""
    return np.cos(2 * np.pi * min(freq, _top(sample_rate)) * t + phase)


def _sweep(t: np.ndarray, f_start: float, f_end: float, tau: float) -> np.ndarray:
    """A cosine whose pitch glides exponentially from f_start to f_end Hz (drum skin settling)."""
    phase = f_end * t + (f_start - f_end) * tau * (1.0 - _decay(t, tau))
    return np.cos(2 * np.pi * phase)


def _squares(t: np.ndarray, sample_rate: int, bases: tuple[float, ...], lo: float, hi: float) -> np.ndarray:
    """Square waves at `bases` Hz through a band-pass, built from their odd harmonics.

    Additive synthesis makes the filter exact with no aliasing, and cosine phase lines every
    partial up at t=0, so the result peaks (at 1) on the strike.
    """
    out = np.zeros_like(t)
    for base in bases:
        harmonics = np.arange(1, _top(sample_rate) / base + 1, 2)
        amps = _band_gain(harmonics * base, sample_rate, lo, hi) / harmonics
        for k, amp in zip(harmonics, amps):
            out += amp * np.cos(2 * np.pi * k * base * t)
    return out / out[0]


def _noise(rng: np.random.Generator, n: int, sample_rate: int, lo: float, hi: float) -> np.ndarray:
    """Band-passed noise, peak 1, rotated so that peak is sample 0.

    Filtering is circular and the noise stationary, so the rotation is inaudible; under a
    decaying envelope it puts the loudest grain exactly on the attack.
    """
    gain = _band_gain(np.fft.rfftfreq(n, 1 / sample_rate), sample_rate, lo, hi)
    x = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * gain, n)
    x = np.tanh(x / (NOISE_SOFT_CLIP * x.std()))  # tames rare spikes, which would eat the headroom
    loudest = int(np.argmax(np.abs(x)))
    return np.roll(x, -loudest) / x[loudest]


# --- the sounds: each maps (time in seconds, sample rate, seeded rng) to a raw waveform ------

Synth = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]

CLAP_BURSTS = ((0.0, 1.0), (0.010, 0.75), (0.019, 0.8), (0.030, 0.6))  # (onset s, level): palms meeting
CLAP_BURST_TAU = 0.004
CLAP_TAIL = (0.3, 0.06)  # (level, decay s): the room's answer after the last burst
COWBELL_HZ = (540.0, 800.0)
HIHAT_HZ = (205.3, 304.4, 369.6, 522.7, 540.0, 800.0)  # the TR-808's six detuned oscillators
HIHAT_CUTOFF_HZ = 7000.0
WOODBLOCK_HZ = 900.0
WOODBLOCK_PARTIAL = 2.76  # inharmonic overtone ratio: what makes it wood, not a bell
COUNT_HZ = 880.0
COUNT_ACCENT_HZ = 1760.0  # the bar's first beat: an octave up
PRE_ENTRY_HZ = 2640.0  # the cue mix's pre-entry cue: above the count-in's bips, and twice...
PRE_ENTRY_GAP_S = 0.07  # ...this far apart: a double blip no click or bip is mistaken for


def _click(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    return _decay(t, 0.004) * (_tone(t, 3000, sr) + 0.3 * _noise(rng, len(t), sr, 4000, 12000))


def _clap(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    bursts = sum(level * _decay(t, CLAP_BURST_TAU, onset) for onset, level in CLAP_BURSTS)
    tail = CLAP_TAIL[0] * _decay(t, CLAP_TAIL[1], CLAP_BURSTS[-1][0])
    # One noise for bursts and tail: their envelopes never sum above 1, so sample 0 stays the peak.
    return (bursts + tail) * _noise(rng, len(t), sr, 1000, 2500)


def _stomp(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    body = _decay(t, 0.06) * _sweep(t, 90, 55, 0.03)  # a heavy, short-lived low thump
    scuff = 0.3 * _decay(t, 0.008) * _noise(rng, len(t), sr, 80, 600)  # sole on floorboards
    return body + scuff


def _snap(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    crack = _decay(t, 0.005) * _noise(rng, len(t), sr, 2000, 4000)  # finger hitting the palm
    # The cupped hand rings as a resonator hit by the crack does: from zero, in sine phase.
    ping = 0.5 * _decay(t, 0.012) * _tone(t, 2200, sr, -np.pi / 2)
    return crack + ping


def _woodblock(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    overtone = _tone(t, WOODBLOCK_HZ * WOODBLOCK_PARTIAL, sr)
    return _decay(t, 0.022) * _tone(t, WOODBLOCK_HZ, sr) + 0.35 * _decay(t, 0.01) * overtone


def _claves(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    return _decay(t, 0.014) * _tone(t, 2500, sr)


def _cowbell(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    envelope = 0.65 * _decay(t, 0.012) + 0.35 * _decay(t, 0.09)  # bright clank, then the ring
    return envelope * _squares(t, sr, COWBELL_HZ, 400, 3000)


def _kick(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    return _decay(t, 0.1) * _sweep(t, 150, 50, 0.035)


def _hihat(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    metal = _squares(t, sr, HIHAT_HZ, HIHAT_CUTOFF_HZ, np.inf)
    return _decay(t, 0.02) * (_noise(rng, len(t), sr, HIHAT_CUTOFF_HZ, np.inf) + 0.5 * metal)


def _bip(freq: float) -> Synth:
    return lambda t, sr, rng: _decay(t, 0.025) * _tone(t, freq, sr)


def _pre_entry(t: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    blips = _decay(t, 0.012) + _decay(t, 0.012, PRE_ENTRY_GAP_S)
    return blips * _tone(t, PRE_ENTRY_HZ, sr)


class _Recipe(NamedTuple):
    seconds: float
    seed: int
    make: Synth


_RECIPES: dict[str, _Recipe] = {
    "click": _Recipe(0.015, 1, _click),
    "clap": _Recipe(0.25, 2, _clap),
    "stomp": _Recipe(0.25, 3, _stomp),
    "snap": _Recipe(0.06, 4, _snap),
    "woodblock": _Recipe(0.12, 5, _woodblock),
    "claves": _Recipe(0.08, 6, _claves),
    "cowbell": _Recipe(0.3, 7, _cowbell),
    "kick": _Recipe(0.4, 8, _kick),
    "hihat": _Recipe(0.08, 9, _hihat),
    "count": _Recipe(0.1, 10, _bip(COUNT_HZ)),
    "count_accent": _Recipe(0.1, 11, _bip(COUNT_ACCENT_HZ)),
    "pre_entry": _Recipe(0.15, 12, _pre_entry),  # the cue mix's only: no show plays it
}


def _finish(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """Fade out, remove DC, match loudness; returns a read-only float32 array."""
    fade = min(len(x), max(1, round(FADE_OUT_S * sample_rate)))
    x[-fade:] *= 0.5 * (1.0 + np.cos(np.pi * np.arange(1, fade + 1) / fade))  # reaches exactly 0
    # DC goes out as a Hann-shaped, sub-audible offset: zero at both ends, it leaves the attack
    # and the silent ending untouched, which a DC-blocking filter would not.
    hann = np.hanning(len(x))
    x -= hann * (x.mean() / hann.mean())
    x *= 10.0 ** ((TARGET_LOUDNESS_DB - loudness_db(x, sample_rate)) / 20.0)
    out = x.astype(np.float32)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=None)
def synthesize(name: str, sample_rate: int) -> np.ndarray:
    """The built-in sound `name` at `sample_rate`: mono float32, read-only, cached.  KeyError if unknown."""
    if name not in _RECIPES:
        raise KeyError(f"unknown built-in sound {name!r}; known: {', '.join(BUILTIN_SOUNDS)}")
    recipe = _RECIPES[name]
    t = np.arange(round(recipe.seconds * sample_rate)) / sample_rate
    return _finish(recipe.make(t, sample_rate, np.random.default_rng(recipe.seed)), sample_rate)


def load_sample(path: Path, sample_rate: int) -> np.ndarray:
    """A user's sample as a mono float32 read-only array at `sample_rate`, attack at sample 0.

    Channels are averaged, the rate converted by linear interpolation, leading near-silence
    (below ``TRIM_THRESHOLD_DB``) trimmed, and a peak above ``PEAK_MAX`` scaled down (never up:
    the user chose the level).  A file that is no safe sample (see
    :func:`~rockstar_cx.show.samples.read_sample`) raises ShowError naming it.
    """
    x, rate = read_sample(path)
    if rate != sample_rate and len(x) > 1:
        n_out = max(1, round(len(x) * sample_rate / rate))
        x = np.interp(np.arange(n_out) * (rate / sample_rate), np.arange(len(x)), x)
    audible = np.flatnonzero(np.abs(x) >= 10.0 ** (TRIM_THRESHOLD_DB / 20.0))
    if len(audible):  # an all-quiet file is kept as is rather than emptied
        x = x[audible[0]:]
    peak = float(np.max(np.abs(x), initial=0.0))
    if peak > PEAK_MAX:
        x = x * (PEAK_MAX / peak)
    out = np.ascontiguousarray(x, dtype=np.float32)
    out.flags.writeable = False
    return out


def kit_for_show(show: Show, sample_rate: int) -> dict[str, np.ndarray]:
    """Every built-in sound plus the show's own samples (which win over a built-in of the same name)."""
    kit = {name: synthesize(name, sample_rate) for name in (*BUILTIN_SOUNDS, "pre_entry")}
    kit.update((name, load_sample(path, sample_rate)) for name, path in show.sounds)
    return kit
