"""A show's own samples, read and checked: nothing the mixer cannot play safely gets past here.

The loader runs these checks so ``rockstar-cx check`` reports a bad sample at its line; the kit
(:mod:`rockstar_cx.audio.kit`) reads samples through the same function, so a file changed since
then is caught again.  The header is checked before any data is read: a file claiming a 1 Hz
rate would otherwise be resampled into gigabytes, and a huge file is refused without loading it.
A NaN or an infinity in a float file would reach the speakers as full-scale noise.

soundfile is imported only here, and only when a show has samples: checking a show of
built-in sounds never loads it.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import NoReturn

import numpy as np

from rockstar_cx.errors import Problem, ShowError

RATE_RANGE = (8000, 384000)  # Hz: every real recording; outside it the header is broken
MAX_SAMPLE_S = 30.0  # a sound per hit, not a backing track: and it bounds the memory a sample takes
MAX_CHANNELS = 8  # channels are averaged: more is no sample, and would multiply the memory read
READ_FRAMES = 65536  # read in blocks: a sample's mono mix is all that is kept


def read_sample(path: Path) -> tuple[np.ndarray, int]:
    """The sample at ``path`` as (its channels averaged, float64; its rate), once it passed every
    check.  A ShowError naming ``path`` (line 0) says what is wrong otherwise."""
    _check_kind(path)
    import soundfile  # here, not at the top: see the module's docstring

    try:
        info = soundfile.info(str(path))
        _check_header(path, info.samplerate, info.frames, info.channels)
        mono: list[np.ndarray] = []
        done = 0
        with soundfile.SoundFile(str(path)) as file:
            for block in file.blocks(READ_FRAMES, dtype="float32", always_2d=True):
                finite = np.isfinite(block).all(axis=1)
                if not finite.all():
                    at = (done + int(np.flatnonzero(~finite)[0])) / info.samplerate
                    _fail(path, f"holds a NaN or infinite value (the first at {at:.3f} s), "
                                "which would play as a full-scale click: export it again")
                mono.append(block.mean(axis=1, dtype=np.float64))
                done += len(block)
                if done > info.frames:  # a header that undercounts (some compressed formats estimate)
                    _check_header(path, info.samplerate, done, info.channels)
    except (soundfile.SoundFileError, OSError) as err:
        reason = getattr(err, "error_string", None) or getattr(err, "strerror", None) or err
        _fail(path, f"cannot be read: {reason} Use a WAV, FLAC or OGG file.", err)
    return np.concatenate(mono) if mono else np.zeros(0), info.samplerate


def _check_kind(path: Path) -> None:
    """A regular file, or say what it is: opening a FIFO would wait for a writer forever."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        _fail(path, "file not found")
    except OSError as err:
        _fail(path, f"cannot be read: {err.strerror or err}", err)
    except ValueError as err:  # a NUL character: no file system has such a name
        _fail(path, "is not a file name: it holds a NUL character (\\u0000)", err)
    if stat.S_ISDIR(mode):
        _fail(path, "is a directory, not a sound file")
    if stat.S_ISFIFO(mode):
        _fail(path, "is a named pipe (FIFO), not a sound file")
    if not stat.S_ISREG(mode):
        _fail(path, "is a device or socket, not a sound file")


def _check_header(path: Path, rate: int, frames: int, channels: int) -> None:
    low, high = RATE_RANGE
    if not low <= rate <= high:
        _fail(path, f"claims a sample rate of {rate} Hz: a sound file must be {low} to {high} Hz")
    if frames > MAX_SAMPLE_S * rate:
        _fail(path, f"lasts {frames / rate:.1f} s: a sound may last at most {MAX_SAMPLE_S:g} s")
    if channels > MAX_CHANNELS:
        _fail(path, f"has {channels} channels: a sound may have at most {MAX_CHANNELS}")


def _fail(path: Path, message: str, cause: BaseException | None = None) -> NoReturn:
    raise ShowError([Problem(str(path), 0, message)]) from cause
