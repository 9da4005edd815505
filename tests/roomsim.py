"""A synthetic room for the listening tests: a crowd clapping, the PA's guide bleeding in, noise.

Everything is numpy at 48 kHz and seeded, so a test's truth is exact: the clappers' spread and
mean offset around the times they aim at, their tempo ramp, the room's delay, reverberation and
polarity, the noise, a second device's clock skew.  The microphone is at the back on the PA's
axis, so the crowd and the PA reach it with the same delay (see the listening notes).

    times = beat_times(1.0, 120, 129, 64)               # what the room aims at
    claps = crowd(times, 300, spread_ms=30, offset_ms=-10, rng=rng)
    dry = clap_track(claps, seconds, rng)
    mic = mix(through_room(dry, room_response(0.05, 1.2, rng)), guide=..., guide_db=10, noise_db=-30, rng=rng)

No app code imports this; only tests do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

RATE = 48000
CLAP_VARIANTS = 6  # distinct hands: fresh waveforms against the guide; more only cost time


@dataclass(frozen=True, eq=False)
class Claps:
    """Every single clap: its time in seconds and its amplitude."""

    times: np.ndarray
    levels: np.ndarray


def beat_times(start_s: float, bpm_start: float, bpm_end: float, beats: int) -> np.ndarray:
    """``beats`` beat times from ``start_s``, the tempo moving linearly per beat from ``bpm_start``
    to ``bpm_end`` (as the conductor's ramps do)."""
    tempi = np.linspace(bpm_start, bpm_end, beats)
    return start_s + np.concatenate(([0.0], np.cumsum(60.0 / tempi[:-1])))


def bar_tempo(times: np.ndarray, bar: int, beats_per_bar: int = 4) -> float:
    """The true tempo over one bar of ``times`` (bpm): its beats, first to next downbeat (or last beat)."""
    first = bar * beats_per_bar
    last = min(first + beats_per_bar, len(times) - 1)
    return 60.0 * (last - first) / (times[last] - times[first])


def crowd(times: np.ndarray, clappers: int, spread_ms: float, offset_ms: float, rng: np.random.Generator,
          level_db_sd: float = 6.0, every: int = 1) -> Claps:
    """Each clapper claps each of ``times`` (every ``every``-th of them), off by a normal error of
    ``spread_ms`` around ``offset_ms`` (negative: early); loudness varies by ``level_db_sd`` between people."""
    aimed = np.asarray(times, dtype=float)[::every]
    levels = 10 ** (rng.normal(0.0, level_db_sd, clappers) / 20)
    offsets = rng.normal(offset_ms / 1000, spread_ms / 1000, (clappers, len(aimed)))
    return Claps((aimed[None, :] + offsets).ravel(), np.repeat(levels, len(aimed)))


def join(*groups: Claps) -> Claps:
    """Several sections' claps as one crowd."""
    return Claps(np.concatenate([g.times for g in groups]), np.concatenate([g.levels for g in groups]))


def clap_sound(rng: np.random.Generator) -> np.ndarray:
    """One hand clap: a noise burst through a hand's resonance (1–2.5 kHz), 5–12 ms decay, sharp attack."""
    n = int(0.06 * RATE)
    t = np.arange(n) / RATE
    burst = rng.normal(0.0, 1.0, n) * np.exp(-t / rng.uniform(0.005, 0.012))
    centre = rng.uniform(1000.0, 2500.0)
    sos = signal.butter(2, (centre / 1.8, min(centre * 2.5, 9000.0)), "bandpass", fs=RATE, output="sos")
    sound = signal.sosfilt(sos, burst)
    return sound / np.max(np.abs(sound))


def clap_track(claps: Claps, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """The claps as heard dry, ``seconds`` long; claps outside it are dropped."""
    n = int(seconds * RATE)
    out = np.zeros(n)
    starts = np.round(claps.times * RATE).astype(int)
    hand = rng.integers(0, CLAP_VARIANTS, len(starts))
    keep = (starts >= 0) & (starts < n)
    for variant in range(CLAP_VARIANTS):
        train = np.zeros(n)
        chosen = keep & (hand == variant)
        np.add.at(train, starts[chosen], claps.levels[chosen])
        out += signal.oaconvolve(train, clap_sound(rng))[:n]
    return out


def room_response(delay_s: float, rt60_s: float, rng: np.random.Generator, drr_db: float = 0.0,
                  polarity: int = 1) -> np.ndarray:
    """The path to the mic: a direct sound at a fractional ``delay_s`` (windowed sinc), then a diffuse tail
    decaying 60 dB in ``rt60_s`` whose energy is ``drr_db`` below the direct sound's."""
    delay = delay_s * RATE
    n = int(delay + max(rt60_s, 0.05) * RATE) + 64
    response = np.zeros(n)
    taps = np.arange(int(delay) - 31, int(delay) + 33)
    response[taps] = polarity * np.sinc(taps - delay) * np.hanning(len(taps) + 2)[1:-1]
    if rt60_s > 0:
        t = np.arange(n) / RATE - delay_s - 0.002  # the first reflections come a little after the direct sound
        tail = rng.normal(0.0, 1.0, n) * np.exp(-3 * math.log(10) * t / rt60_s) * (t > 0)
        response += tail * math.sqrt(10 ** (-drr_db / 10) / np.sum(tail ** 2))
    return response


def through_room(audio: np.ndarray, response: np.ndarray) -> np.ndarray:
    return signal.oaconvolve(audio, response)[:len(audio)]


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio)))) or 1.0


def mix(crowd_audio: np.ndarray, rng: np.random.Generator, guide: np.ndarray | None = None, guide_db: float = 10.0,
        noise_db: float = -30.0) -> np.ndarray:
    """The mic: the crowd, the guide ``guide_db`` louder (by RMS), white noise ``noise_db`` against the crowd."""
    level = rms(crowd_audio)
    out = crowd_audio.copy()
    if guide is not None:
        out[:len(guide)] += guide[:len(out)] * (level / rms(guide) * 10 ** (guide_db / 20))
    return out + rng.normal(0.0, level * 10 ** (noise_db / 20), len(out))


def skew(audio: np.ndarray, ppm: float) -> np.ndarray:
    """As recorded by a device whose clock runs ``ppm`` fast: it takes more samples for the same sound."""
    n = int(len(audio) * (1 + ppm * 1e-6))
    return np.interp(np.arange(n) / (1 + ppm * 1e-6), np.arange(len(audio)), audio)


def speech_like(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Syllables at about 4–5 a second: voiced buzz with formants and noisy consonants, irregularly spaced."""
    n = int(seconds * RATE)
    out = np.zeros(n)
    t = 0.05
    while t < seconds - 0.3:
        length = rng.uniform(0.08, 0.25)
        k = np.arange(int(length * RATE))
        pitch = rng.uniform(100, 220)
        voiced = signal.sawtooth(2 * math.pi * pitch * k / RATE) * np.hanning(len(k))
        sos = signal.butter(2, (rng.uniform(300, 800), rng.uniform(1800, 3500)), "bandpass", fs=RATE, output="sos")
        syllable = signal.sosfilt(sos, voiced) + 0.3 * rng.normal(0, 1, len(k)) * np.hanning(len(k)) * rng.uniform()
        start = int(t * RATE)
        out[start:start + len(k)] += syllable[:n - start]
        t += length + rng.uniform(0.02, 0.2)
    return out


def music_like(seconds: float, rng: np.random.Generator, bpm: float = 103.0) -> np.ndarray:
    """Chords with harmonics changing every beat, a hi-hat-free groove at its own tempo."""
    n = int(seconds * RATE)
    out = np.zeros(n)
    beat = 60.0 / bpm
    t = 0.0
    while t < seconds:
        k = np.arange(min(int(beat * RATE), n - int(t * RATE)))
        root = 110 * 2 ** (rng.integers(0, 12) / 12)
        chord = sum(np.sin(2 * math.pi * root * ratio * h * k / RATE) / h
                    for ratio in (1, 1.26, 1.5) for h in range(1, 12))
        start = int(t * RATE)
        out[start:start + len(k)] += chord * np.exp(-k / RATE / 0.4)
        t += beat
    return out
