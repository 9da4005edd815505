"""The mixer: conductor events in, one block of mono master audio out.

Every hit starts a *voice* (a sound, a gain, a read position) on its section's bus; voices
carry over from block to block until their sound ends.  The master is the sum of the buses
times :data:`MASTER_GAIN` through :func:`soft_limit`, a stateless limiter: the output never
reaches full scale, and because nothing in the chain has memory across samples, the audio is
identical whatever the block size — live at 128 frames or offline in 64k chunks.

Threading contract: :meth:`Mixer.process` is written for the audio callback.  All buffers and
voices are preallocated in ``__init__``; ``process`` only does in-place numpy work on them and
creates no arrays (slicing makes small views).  It must not be called from two threads at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..conductor.events import Beat, Event, Hit
from ..show.model import Show

MASTER_GAIN = 0.7
HIT_GAIN = 0.6  # an unaccented step, relative to an accent
COUNT_GAIN = 0.8  # count-in bips
CLICK_GAIN = 0.35  # the optional click track under the performance
LIMIT_KNEE = 0.8  # the limiter leaves the signal untouched below this level...
LIMIT_CEILING = 0.98  # ...and never lets it reach this one (-0.2 dBFS)
MAX_VOICES = 64  # beyond this the oldest voice is dropped


class _Voice:
    __slots__ = ("sound", "position", "offset", "gain", "bus")

    def __init__(self) -> None:
        self.sound = np.zeros(0, dtype=np.float32)
        self.position = self.offset = self.bus = 0
        self.gain = 0.0


class Mixer:
    """Mixes one show's sounds.  Bus ``i`` is section ``i``; the last bus carries count-in and click."""

    def __init__(self, show: Show, kit: Mapping[str, np.ndarray], max_block: int) -> None:
        self._section_sounds = [kit[s.sound] for s in show.sections]
        self._section_gains = [s.gain for s in show.sections]
        self._count = (kit["count_accent"], kit["count"])
        self.click = False  # the click track: a quiet bip on every beat while performing
        self.buses = np.zeros((len(show.sections) + 1, max_block), dtype=np.float32)
        self.master = np.zeros(max_block, dtype=np.float32)
        self._scratch = np.zeros((2, max_block), dtype=np.float32)
        self._free = [_Voice() for _ in range(MAX_VOICES)]
        self._active: list[_Voice] = []

    @property
    def voices(self) -> int:
        return len(self._active)

    def process(self, start: int, frames: int, events: Iterable[Event]) -> np.ndarray:
        """Mix the window ``[start, start + frames)``; return a view of the master block.

        ``events`` must lie in the window (the conductor's output for it).  Bus contents for
        the window stay readable in :attr:`buses` until the next call.
        """
        buses = self.buses[:, :frames]
        buses.fill(0.0)
        for event in events:
            self._start_voice(event, event.sample - start)
        scratch = self._scratch[0, :frames]
        still = []
        for voice in self._active:
            n = min(frames - voice.offset, len(voice.sound) - voice.position)
            np.multiply(voice.sound[voice.position:voice.position + n], voice.gain, out=scratch[:n])
            target = buses[voice.bus, voice.offset:voice.offset + n]
            np.add(target, scratch[:n], out=target)
            voice.position += n
            voice.offset = 0
            (still if voice.position < len(voice.sound) else self._free).append(voice)
        self._active = still
        master = self.master[:frames]
        np.sum(buses, axis=0, out=master)
        np.multiply(master, MASTER_GAIN, out=master)
        soft_limit(master, self._scratch[:, :frames])
        return master

    def _start_voice(self, event: Event, offset: int) -> None:
        kind = type(event)
        if kind is Hit:
            sound = self._section_sounds[event.section]
            gain = self._section_gains[event.section] * (1.0 if event.accent else HIT_GAIN)
            bus = event.section
        elif kind is Beat and (event.count_in or self.click):
            sound = self._count[0 if event.beat == 0 else 1]
            gain = COUNT_GAIN if event.count_in else CLICK_GAIN
            bus = len(self._section_sounds)
        else:
            return
        voice = self._free.pop() if self._free else self._active.pop(0)  # steal the oldest
        voice.sound, voice.position, voice.offset, voice.gain, voice.bus = sound, 0, offset, gain, bus
        self._active.append(voice)


def soft_limit(block: np.ndarray, scratch: np.ndarray) -> None:
    """Limit ``block`` in place to :data:`LIMIT_CEILING`: identity under :data:`LIMIT_KNEE`, a tanh knee above.

    ``|y| = knee + w·tanh((|x| - knee) / w)`` with ``w = ceiling - knee``: continuous with a
    continuous slope, so the knee adds no click.  ``scratch`` is (2, len(block)) of preallocated space.
    """
    magnitude, curve = scratch[0], scratch[1]
    np.abs(block, out=magnitude)
    if magnitude.max(initial=0.0) <= LIMIT_KNEE:
        return
    width = LIMIT_CEILING - LIMIT_KNEE
    np.subtract(magnitude, LIMIT_KNEE, out=curve)
    np.maximum(curve, 0.0, out=curve)
    np.multiply(curve, 1.0 / width, out=curve)
    np.tanh(curve, out=curve)
    np.multiply(curve, width, out=curve)
    np.add(curve, LIMIT_KNEE, out=curve)
    # Under the knee the curve sits at the knee, above |x|; over it, below |x|: min() picks right.
    np.minimum(magnitude, curve, out=magnitude)
    np.copysign(magnitude, block, out=block)
