"""The mixer: conductor events in, one block of mono master audio out.

Every hit starts a *voice* (a sound, a gain, a read position) on its section's bus; voices
carry over from block to block until their sound ends.  The master is the sum of the voices
(each scaled by :data:`MASTER_GAIN` too) through :func:`soft_limit`, a stateless limiter: the output never
reaches full scale, and since nothing in the chain has memory, a render in 64k chunks sounds
like the live engine at 128 frames (equal up to float rounding).

Speed: all sounds live in one *bank*, each followed by a block of zeros, so a voice is just a
read position; mixing every voice is a handful of numpy calls whatever the voice count (gather
the rows, scale, sum), with no Python loop over voices in the common case.

Threading contract: :meth:`Mixer.process` is written for the audio callback.  All buffers are
preallocated in ``__init__``; ``process`` only does in-place numpy work on them (slicing makes
small views) and never blocks.  It must not be called from two threads at once.  (A row gather
from a sliding-window view of the bank costs half as much, but numpy gives it no ``out=``: its
temporary array per block came with more late callbacks on the real device, so it was dropped.)
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


class Mixer:
    """Mixes one show's sounds.  Bus ``i`` is section ``i``; the last bus carries count-in and click."""

    def __init__(self, show: Show, kit: Mapping[str, np.ndarray], max_block: int) -> None:
        self.max_block = max_block
        # The bank: zeros, then every sound followed by max_block zeros.  A voice reading a block
        # before its start or past its end reads zeros, so no voice needs clipping at its edges.
        names = sorted({s.sound for s in show.sections} | {"count", "count_accent"})
        pieces, where, at = [np.zeros(max_block, np.float32)], {}, max_block
        for name in names:
            where[name] = (at, len(kit[name]), float(np.abs(kit[name]).max()))
            pieces += [kit[name], np.zeros(max_block, np.float32)]
            at += len(kit[name]) + max_block
        self._bank = np.concatenate(pieces)
        self._section_sounds = [where[s.sound] for s in show.sections]
        self._section_gains = [s.gain for s in show.sections]
        self._levels = [1.0] * len(show.sections)  # the presenter's volumes, on top of the show's gains
        self._master_level = self._master_target = 1.0  # a change glides over one block: no click
        self._count_sounds = (where["count_accent"], where["count"])
        self._count_bus = len(show.sections)
        self.click = False  # the click track: a quiet bip on every beat while performing
        # Voice slots 0 .. voices-1 are active; a voice ends by swapping the last one into its slot.
        # A voice reads bank[origin + s] at performance sample s, so nothing moves from block to block.
        self.voices = 0
        self._origin = np.zeros(MAX_VOICES, np.int64)
        self._end = [0] * MAX_VOICES  # performance sample after its last one
        self._peak = [0.0] * MAX_VOICES  # its loudest possible contribution
        self._gain = np.zeros(MAX_VOICES, np.float32)
        self._written = [0.0] * MAX_VOICES  # each voice's gain before the presenter's volume
        self._bus = [0] * MAX_VOICES
        self._soonest_end = 0  # the first voice end to come: nothing to retire before it
        self._peak_sum = 0.0  # while the voices cannot add up past the knee, skip the limiter
        self._first = np.zeros(MAX_VOICES, np.int64)
        self._ramp = np.arange(max_block, dtype=np.int64)
        self._index = np.zeros(MAX_VOICES * max_block, np.int64)
        self._rows = np.zeros(MAX_VOICES * max_block, np.float32)
        self.buses = np.zeros((len(show.sections) + 1, max_block), np.float32)
        self.master = np.zeros(max_block, np.float32)
        self._scratch = np.zeros((2, max_block), np.float32)
        self._fade_gain = 1.0  # master gain now; falls to 0 over a panic fade
        self._fade_step = 0.0  # gain lost per sample while fading

    def fade_out(self, samples: int) -> None:
        """Fade the master to silence over ``samples`` (panic); it stays silent until :meth:`unfade`."""
        self._fade_step = self._fade_gain / max(samples, 1)

    def unfade(self) -> None:
        self._fade_gain, self._fade_step = 1.0, 0.0

    def set_level(self, section: int | None, level: float) -> None:
        """The presenter's volume (0-1) of a section — its sounding voices too — or of the master (None)."""
        level = min(max(float(level), 0.0), 1.0)
        if section is None:
            self._master_target = level
            return
        self._levels[section] = level
        for slot in range(self.voices):
            if self._bus[slot] == section:
                self._gain[slot] = self._written[slot] * level

    def levels(self) -> dict[int | None, float]:
        """Every volume that is not 1, by section (None: the master)."""
        levels: dict[int | None, float] = {i: level for i, level in enumerate(self._levels) if level != 1.0}
        if self._master_target != 1.0:
            levels[None] = self._master_target
        return levels

    def process(self, start: int, frames: int, events: Iterable[Event], *, buses: bool = False) -> np.ndarray:
        """Mix the window ``[start, start + frames)``; return a view of the master block.

        ``events`` must lie in the window (the conductor's output for it).  With ``buses``, each
        bus's share of the master before the limiter is left in :attr:`buses` too (stems).
        """
        for event in events:
            self._start_voice(event)
        master = self.master[:frames]
        voices = self.voices
        if buses:
            self.buses[:, :frames].fill(0.0)
        if not voices:
            master.fill(0.0)
            return master
        first = self._first[:voices]
        np.add(self._origin[:voices], start, out=first)
        index = self._index[:voices * frames].reshape(voices, frames)
        np.add(first[:, None], self._ramp[:frames], out=index)
        rows = self._rows[:voices * frames].reshape(voices, frames)
        self._bank.take(index, out=rows, mode="clip")  # an allocation-free gather of every voice's block
        if buses:
            np.multiply(rows, self._gain[:voices, None], out=rows)
            for voice in range(voices):
                bus = self.buses[self._bus[voice], :frames]
                np.add(bus, rows[voice], out=bus)
            np.add.reduce(rows, axis=0, out=master)
        else:
            np.dot(self._gain[:voices], rows, out=master)  # scale and sum in one BLAS call
        if self._peak_sum > LIMIT_KNEE:
            soft_limit(master, self._scratch[:, :frames])
        if self._master_target != 1.0 or self._master_level != 1.0:
            self._apply_master(master)
        if self._fade_gain < 1.0 or self._fade_step:
            self._apply_fade(master)
        if start + frames >= self._soonest_end:
            self._retire(start + frames)
        return master

    def _apply_master(self, master: np.ndarray) -> None:
        self._glide(master, self._master_level, (self._master_target - self._master_level) / len(master))
        self._master_level = self._master_target

    def _apply_fade(self, master: np.ndarray) -> None:
        self._glide(master, self._fade_gain, -self._fade_step)
        self._fade_gain = max(0.0, self._fade_gain - self._fade_step * len(master))

    def _glide(self, master: np.ndarray, gain: float, step: float) -> None:
        """Scale ``master`` by a gain going from ``gain`` by ``step`` per sample (never below 0)."""
        ramp = self._scratch[0, :len(master)]
        ramp[:] = self._ramp[:len(master)]
        np.multiply(ramp, step, out=ramp)
        np.add(ramp, gain, out=ramp)
        np.maximum(ramp, 0.0, out=ramp)
        np.multiply(master, ramp, out=master)

    def _start_voice(self, event: Event) -> None:
        kind = type(event)
        if kind is Hit:
            (base, length, peak), bus = self._section_sounds[event.section], event.section
            gain = MASTER_GAIN * self._section_gains[event.section] * (1.0 if event.accent else HIT_GAIN)
            level = self._levels[bus]
        elif kind is Beat and (event.count_in or self.click):
            (base, length, peak), bus = self._count_sounds[0 if event.beat == 0 else 1], self._count_bus
            gain, level = MASTER_GAIN * (COUNT_GAIN if event.count_in else CLICK_GAIN), 1.0
        else:
            return
        if self.voices < MAX_VOICES:
            slot = self.voices
            self.voices += 1
        else:  # full: the voice that would end first makes room
            slot = min(range(MAX_VOICES), key=self._end.__getitem__)
            self._peak_sum -= self._peak[slot]
        sample = event.sample
        self._origin[slot], self._gain[slot], self._bus[slot] = base - sample, gain * level, bus
        self._written[slot] = gain
        self._end[slot], self._peak[slot] = sample + length, gain * peak  # an upper bound: levels are <= 1
        self._peak_sum += gain * peak
        self._soonest_end = min(self._soonest_end, sample + length) if self.voices > 1 else sample + length

    def _retire(self, now: int) -> None:
        """Drop the voices whose sound has ended by ``now``."""
        slot, ends = 0, self._end
        while slot < self.voices:
            if ends[slot] <= now:
                last = self.voices - 1
                self._peak_sum -= self._peak[slot]
                self._origin[slot], self._gain[slot] = self._origin[last], self._gain[last]
                for values in (self._end, self._peak, self._bus, self._written):
                    values[slot] = values[last]
                self.voices = last
            else:
                slot += 1
        self._soonest_end = min(ends[:self.voices], default=now + (1 << 62))
        if not self.voices:
            self._peak_sum = 0.0  # no float residue from the running sum


def soft_limit(block: np.ndarray, scratch: np.ndarray) -> None:
    """Limit ``block`` in place to :data:`LIMIT_CEILING`: identity under :data:`LIMIT_KNEE`, a tanh knee above.

    ``|y| = knee + w·tanh((|x| - knee) / w)`` with ``w = ceiling - knee``: continuous with a
    continuous slope, so the knee adds no click.  ``scratch`` is (2, len(block)) of preallocated space.
    """
    if not len(block) or (block.max() <= LIMIT_KNEE and block.min() >= -LIMIT_KNEE):
        return
    magnitude, curve = scratch[0], scratch[1]
    np.abs(block, out=magnitude)
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
