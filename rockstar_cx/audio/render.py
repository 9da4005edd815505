"""Offline render: the whole journey to a WAV, FLAC or AIFF file (and per-section stems), far faster than
real time.

It runs the same conductor and the same mixer as the live engine, in big chunks, so a render
sounds exactly like the performance.  Memory stays flat: chunks stream to the files, which
replace the old ones only when all are complete (:mod:`rockstar_cx.files`).
"""

from __future__ import annotations

import bisect
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from ..conductor.events import Beat, Event, Hit
from ..conductor.perform import perform
from ..errors import ShowError
from ..files import check_output, describe, replacing
from ..show.model import Show
from .kit import kit_for_show
from .mixer import Mixer, all_finite

CHUNK = 16384  # samples per mixing step: small enough for the cache, big enough to amortise Python

FORMATS = {".wav": "WAV", ".flac": "FLAC", ".aiff": "AIFF", ".aif": "AIFF"}  # the mix's, by its extension
FULL_BYTES = 1 << 20  # less free than this after a failed write: the disk is full

Progress = Callable[[int, int], None]  # (samples done, samples in all)


@dataclass(frozen=True)
class Rendered:
    events: list[Event]
    samples: int  # length of the mix and of every stem
    seconds: float


def render_length(events: list[Event], kit: dict[str, np.ndarray], show: Show) -> int:
    """Samples until the last sound has rung out (a performance always ends with a Stop)."""
    end = events[-1].sample + 1
    for event in events:
        if type(event) is Hit:
            end = max(end, event.sample + len(kit[show.sections[event.section].sound]))
        elif type(event) is Beat and event.count_in:
            end = max(end, event.sample + len(kit["count"]))
    return end


def render_chunks(show: Show, events: list[Event], length: int, kit: dict[str, np.ndarray], *,
                  stems: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (master, each section's share of it before the limiter) chunk by chunk; views are reused.
    RuntimeError if a chunk holds a NaN or an infinity (nothing the user did: samples are checked)."""
    mixer = Mixer(show, kit, CHUNK)
    samples = [event.sample for event in events]
    for start in range(0, length, CHUNK):
        frames = min(CHUNK, length - start)
        lo, hi = bisect.bisect_left(samples, start), bisect.bisect_left(samples, start + frames)
        master = mixer.process(start, frames, events[lo:hi], buses=stems)
        buses = mixer.buses[:len(show.sections), :frames]
        # a bug (samples are checked when loaded): stop rather than write noise into the files
        if not all_finite(master) or (stems and not all_finite(buses)):
            raise RuntimeError(f"the mix holds a NaN or an infinity in samples {start}-{start + frames}")
        yield master, buses


def render_show(show: Show, sample_rate: int, *, count_in: bool = False) -> tuple[np.ndarray, np.ndarray, list[Event]]:
    """In memory: (mix, stems with shape (sections, samples), events).  For tests and short shows."""
    kit = kit_for_show(show, sample_rate)
    events = perform(show, sample_rate, count_in=count_in)
    length = render_length(events, kit, show)
    mix = np.zeros(length, dtype=np.float32)
    stems = np.zeros((len(show.sections), length), dtype=np.float32)
    position = 0
    for master, buses in render_chunks(show, events, length, kit, stems=True):
        mix[position:position + len(master)] = master
        stems[:, position:position + len(master)] = buses
        position += len(master)
    return mix, stems, events


def render_to_files(show: Show, out: Path, *, sample_rate: int = 48000, stems_dir: Path | None = None,
                    count_in: bool = False, progress: Progress | None = None) -> Rendered:
    """Render to ``out`` (24-bit WAV, FLAC or AIFF, by its extension); ``stems_dir/<section id>.wav`` as
    32-bit float WAV, before the limiter.  The mix and the stems are renamed into place together, once all
    are complete: on any error or interruption the files there were stay as they were.  ShowError when a
    file cannot be written."""
    check_output(out, FORMATS)
    kit = kit_for_show(show, sample_rate)
    events = perform(show, sample_rate, count_in=count_in)
    length = render_length(events, kit, show)
    stem_paths = [stems_dir / f"{s.id}.wav" for s in show.sections] if stems_dir else []
    made = _make_folders(stems_dir) if stems_dir else []
    try:
        for path in stem_paths:
            check_output(path)
        with replacing(out, *stem_paths) as temporary:
            files = []
            try:
                files.append(soundfile.SoundFile(temporary[0], "w", sample_rate, 1, "PCM_24",
                                                 format=FORMATS[out.suffix.lower()]))
                files += [soundfile.SoundFile(path, "w", sample_rate, 1, "FLOAT", format="WAV")
                          for path in temporary[1:]]
                done = 0
                for master, buses in render_chunks(show, events, length, kit, stems=bool(stems_dir)):
                    files[0].write(master)
                    for file, bus in zip(files[1:], buses):
                        file.write(bus)
                    done += len(master)
                    if progress:
                        progress(done, length)
            finally:
                for file in files:
                    file.close()
    except OSError as error:
        raise ShowError(f"cannot write the render: {describe(error)}") from error
    except soundfile.SoundFileError as error:  # libsndfile says only "System error."
        raise ShowError(f"cannot write the render: {_why(out, error)}") from error
    finally:
        for folder in made:  # the folders made for stems never written: no trace left
            with suppress(OSError):  # not empty: the stems are there
                folder.rmdir()
    return Rendered(events, length, length / sample_rate)


def _make_folders(folder: Path) -> list[Path]:
    """Make the stems' folder and its missing parents; the ones made, innermost first."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ShowError(f"cannot make the folder {folder} for the stems: {describe(error)}") from error
    return missing


def _why(out: Path, error: soundfile.SoundFileError) -> str:
    """Why libsndfile could not write: mostly a full disk, which it reports as a 'System error.'."""
    try:
        full = shutil.disk_usage(out.parent).free < FULL_BYTES
    except OSError:
        full = False
    return "No space left on device" if full else str(error)
