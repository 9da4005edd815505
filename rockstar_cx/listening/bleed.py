"""The guide's bleed: the PA's own sounds heard back by the mic, taken out before the claps are measured.

A drilled crowd claps *on* the guide, so ignoring sound near the guide would throw away the very
claps to measure, and leaving it in makes the room look tighter than it is (the guide is perfectly
on the grid).  The app knows its guide exactly (it renders it offline), aligned where it is heard.

Whatever in the recording is coherent with the guide goes: in blocks of seconds, the recording is
divided by the guide frequency by frequency, and only what the guide cannot explain is kept,
``Y·ε / (|G|² + ε)``.  That is the guide subtracted through its own path (estimated from the
recording, ``H = Y·G* / (|G|² + ε)``), with no limit on the path's length — a repeating guide
identifies its path only modulo the repeat, which a cut-off path estimate would get wrong.  A
repeating guide's energy sits on narrow lines (its beat rate's harmonics), while a crowd's claps
are fresh noise every time, spread over every frequency: the crowd loses only the few percent of
its energy that falls on the guide's lines, and its timing none.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft, signal

#: ε, against the guide's mean power per frequency: above it the guide's lines are taken out whole.
STRENGTH = 1.0
#: Blocks of ~11 s, half overlapping: many beats, so a repeating guide's lines are narrow, and seconds of
#: reverberation inside; what is taken out stays within the block (a quiet moment stays quiet).
BLOCK = 1 << 19


def remove_guide(recording: np.ndarray, guide: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """``recording`` less everything coherent with ``guide`` (aligned with it, same rate), block by block."""
    recording = np.asarray(recording, dtype=np.float64)
    guide = np.asarray(guide, dtype=np.float64)
    n = len(recording)
    block = min(block, 1 << max(1, (n - 1).bit_length()))
    hop = block // 2
    window = np.sqrt(np.hanning(block + 1)[:block])  # analysis and synthesis: sums to 1 at half overlap
    padded = np.concatenate((np.zeros(hop), recording, np.zeros(block)))
    reference = np.concatenate((np.zeros(hop), guide[:n], np.zeros(block + n - min(n, len(guide)))))
    out = np.zeros(len(padded))
    for start in range(0, n + hop, hop):
        heard = fft.rfft(padded[start:start + block] * window)
        power = np.abs(fft.rfft(reference[start:start + block] * window)) ** 2
        floor = STRENGTH * power.mean()
        kept = heard * (floor / (power + floor)) if floor > 0 else heard
        out[start:start + block] += fft.irfft(kept, block) * window
    return out[hop:hop + n]


PATH_S = (-0.05, 1.0)  # the path's lags kept: the guide is placed where it is heard, then its reverberation
PATH_FIT_S = 180.0  # of the recording, from the guide's first sound, the path is estimated from (memory)
#: A path's direct sound over its median: a guide heard 20 dB under the crowd gave 35-41 dB, a recording
#: without it (an in-ear guide) 18-31 dB (simulated, RT60 0.3-1.5 s; a guide 30 dB under reads as unheard).
PATH_HEARD_DB = 33.0
PATH_DIRECT_S = 0.001  # and where: the guide is placed where it is heard, so the direct sound is at lag 0


def estimate_path(recording: np.ndarray, guide: np.ndarray, rate: int) -> np.ndarray:
    """The path from ``guide`` to ``recording`` (aligned, same rate) as a FIR over the lags of PATH_S (index
    0 is lag PATH_S[0]): one spectral division over up to PATH_FIT_S of it, cut to those lags.  A guide that
    repeats identifies it only modulo its repeat; one that changes (moments, a chaos moment's drift) fully."""
    sounding = np.flatnonzero(guide[:len(recording)])
    if not len(sounding):
        return np.zeros(int((PATH_S[1] - PATH_S[0]) * rate))
    lo = int(sounding[0])
    hi = min(len(recording), lo + int(PATH_FIT_S * rate))
    size = fft.next_fast_len(2 * (hi - lo), real=True)
    played = fft.rfft(np.asarray(guide[lo:hi], dtype=np.float64), size)
    power = np.abs(played) ** 2
    path = fft.irfft(fft.rfft(np.asarray(recording[lo:hi], dtype=np.float64), size) * np.conj(played)
                     / (power + 1e-3 * power.max()), size)
    return _lags(path[-int(-PATH_S[0] * rate):], path, rate)


def path_from_response(response: np.ndarray, rate: int) -> np.ndarray:
    """An impulse response (index 0: no delay; a calibration sweep's) as a path of :func:`estimate_path`'s lags."""
    return _lags(np.zeros(int(-PATH_S[0] * rate)), response, rate)


def _lags(before: np.ndarray, after: np.ndarray, rate: int) -> np.ndarray:
    """The lags of PATH_S: ``before`` lag 0 as it is, from lag 0 on ``after`` faded out towards PATH_S[1]."""
    length = int(PATH_S[1] * rate)
    after = np.pad(after[:length], (0, max(0, length - len(after))))
    return np.concatenate((before, after * signal.windows.tukey(2 * length, 0.2)[length:]))


def path_heard(path: np.ndarray) -> bool:
    """Whether a path from :func:`estimate_path` (the guide placed where it is heard) is one: a direct sound
    at lag 0 standing out of the rest."""
    size = np.abs(path)
    top, middle = float(size.max()), float(np.median(size))
    lag = int(np.argmax(size)) / len(path) * (PATH_S[1] - PATH_S[0]) + PATH_S[0]
    return top > 0 and abs(lag) <= PATH_DIRECT_S and (middle == 0 or 20 * math.log10(top / middle) >= PATH_HEARD_DB)


def subtract_path(recording: np.ndarray, guide: np.ndarray, rate: int, path: np.ndarray | None = None) -> np.ndarray:
    """``recording`` less ``guide`` sent through its path (:func:`estimate_path` unless given).  It takes out a
    guide that does not repeat; a repeating one's remainder :func:`remove_guide`, run after it, takes out."""
    n = len(recording)
    path = estimate_path(recording, guide, rate) if path is None else path
    before = int(-PATH_S[0] * rate)
    heard = signal.oaconvolve(guide[:n], path)[before:before + n]
    return np.asarray(recording, dtype=np.float64) - np.pad(heard, (0, n - len(heard)))


def aligned(guide: np.ndarray, start: int, length: int) -> np.ndarray:
    """The guide placed at sample ``start`` of a recording ``length`` long (cut or padded with silence)."""
    out = np.zeros(length)
    lo, hi = max(0, start), min(length, start + len(guide))
    if hi > lo:
        out[lo:hi] = guide[lo - start:hi - start]
    return out


def take_out_guide(recording: np.ndarray, guide: np.ndarray, rate: int,
                   path: np.ndarray | None = None) -> np.ndarray:
    """The room without the guide: its path subtracted, then whatever is still coherent with it removed."""
    return remove_guide(subtract_path(recording, guide, rate, path), guide)
