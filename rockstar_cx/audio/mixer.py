"""The mixer: conductor events in, one block of mono master audio out.

Every hit adds its sound, already scaled, into its section's *bus*: a ring of samples ahead
of the performance, one row per bus, with a row for their running total beside them.  It adds
a piece of the sound at a time (:data:`FIRST`, then :data:`HORIZON`), each just before it is
due, so the work is spread thin: a block where eight sections hit at once adds eight short
pieces, not eight whole sounds.  A block is then the same few numpy calls however many sounds
overlap: the total row is the mix (corrected only for the presenter's volumes that are not 1),
and the window is zeroed for reuse.  That matters more than the arithmetic: a callback that
slept through a period wakes to cold caches, and on a busy or virtual machine each numpy call
then costs several times its warm price.  The master goes through :func:`soft_limit`, a
stateless limiter: the output never reaches full scale, and since nothing in the chain depends
on the block size, a render in 16k chunks sounds like the live engine at 128 frames (equal up
to float rounding).

A section's volume applies to its bus, so it changes its sounding hits too.

With a cue mix (``cue=True``, :mod:`.cue`) the mixer renders a second bus beside the master,
:attr:`Mixer.cue`, for the presenter's ears: the click (then never in the master), the count-in
(in both) and the pre-entry cue.  It has a ring of its own, outside the running total, and
neither the presenter's master volume nor a panic fade touches it.

Threading contract: :meth:`Mixer.process` and :meth:`Mixer.play_now` are written for the
real-time threads (the engine's renderer, its audio callback).  All buffers are
preallocated in ``__init__``; ``process`` only does in-place numpy work on them (slicing makes
small views) and a heap of the pieces still to add, and never blocks.  They must not be called
from two threads at once; :meth:`Mixer.sound_into` only reads the mixer, and may run beside them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping

import numpy as np

from ..conductor.events import Beat, Event, Hit
from ..show.model import Show
from .cue import PreEntry

MASTER_GAIN = 0.7
HIT_GAIN = 0.6  # an unaccented step, relative to an accent
COUNT_GAIN = 0.8  # count-in bips
CLICK_GAIN = 0.35  # the optional click track under the performance
PRE_ENTRY_GAIN = 0.8  # the cue mix's pre-entry cue
LIMIT_KNEE = 0.8  # the limiter leaves the signal untouched below this level...
LIMIT_CEILING = 0.98  # ...and never lets it reach this one (-0.2 dBFS)
HORIZON = 4096  # samples of a sound added at a time (at least: a window's worth when windows are longer)
FIRST = 128  # a sound's first piece is this long, or a few times it (see Mixer._begin)
STAGGER = 8  # first pieces come in this many lengths: FIRST, 2 x FIRST, ...
MAX_SOUNDING = 256  # sounds carried on at once; beyond (a flood of live hits) a new one stops after its first piece


def _scaled(sound: np.ndarray, gain: float) -> np.ndarray:
    out = (sound * np.float32(gain)).astype(np.float32)
    out.flags.writeable = False
    return out


class Mixer:
    """Mixes one show's sounds.  Bus ``i`` is section ``i``; the last bus carries count-in and click."""

    def __init__(self, show: Show, kit: Mapping[str, np.ndarray], max_block: int, *, cue: bool = False) -> None:
        self.max_block = max_block
        # Every sound a hit can start, scaled once: (accented, unaccented) per section...
        self._hits = [(_scaled(kit[s.sound], MASTER_GAIN * s.gain), _scaled(kit[s.sound], MASTER_GAIN * s.gain * HIT_GAIN))
                      for s in show.sections]
        # ...and (first beat of the bar, other beats) for count-in and click.
        self._beats = {count_in: (_scaled(kit["count_accent"], MASTER_GAIN * gain), _scaled(kit["count"], MASTER_GAIN * gain))
                       for count_in, gain in ((True, COUNT_GAIN), (False, CLICK_GAIN))}
        self._horizon = max(HORIZON, max_block)
        # A piece is added before the window it starts in: the ring holds that window and the
        # piece's reach past it, so a piece never overwrites a sample still to be played.
        self._length = max_block + self._horizon
        # one row per bus, then their running total: the mix while every volume is 1
        self._ring = np.zeros((len(show.sections) + 2, self._length), np.float32)
        # heap of pieces still to add, each HORIZON long: (due sample, serial, bus, sound, sample, offset)
        self._pieces: list[tuple[int, int, int, np.ndarray, int, int]] = []
        self._serial = 0  # ties in due sample go by age, never compare the sounds
        self._started = 0  # sounds started
        self._expected = 0  # the next window's start; any other start clears the ring
        self._count_bus = len(show.sections)
        self._volumes = [1.0] * len(show.sections)  # the presenter's volumes, as set
        self._levels = np.ones(len(show.sections) + 1, np.float32)  # the same per bus, for stems (count bus: 1)
        self._corrections: list[tuple[int, np.float32]] = []  # (bus, volume - 1) of every volume not 1
        self._master_level = self._master_target = 1.0  # a change glides over one block: no click
        self.click = False  # the click track: a quiet bip on every beat while performing
        # The cue mix: a bus of its own (its index is the total's, which no sound is started on).
        self._cue_bus = len(show.sections) + 1 if cue else None
        self._cue_ring = np.zeros(self._length if cue else 0, np.float32)
        self._pre_entry = _scaled(kit["pre_entry"], MASTER_GAIN * PRE_ENTRY_GAIN) if cue else None
        self.cue_on = cue  # the presenter's toggle (SetCue): sounds start on the cue bus only while on
        self.cue = np.zeros(max_block if cue else 0, np.float32)
        self._ramp = np.arange(max_block, dtype=np.float32)
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
        """The presenter's volume (0-1) of a section — its sounding hits too — or of the master (None)."""
        level = min(max(float(level), 0.0), 1.0)
        if section is None:
            self._master_target = level
        else:
            self._volumes[section] = self._levels[section] = level
            self._corrections = [(bus, np.float32(v - 1.0)) for bus, v in enumerate(self._volumes) if v != 1.0]

    def levels(self) -> dict[int | None, float]:
        """Every volume that is not 1, by section (None: the master)."""
        levels: dict[int | None, float] = {i: level for i, level in enumerate(self._volumes) if level != 1.0}
        if self._master_target != 1.0:
            levels[None] = self._master_target
        return levels

    def process(self, start: int, frames: int, events: Iterable[Event], *, buses: bool = False) -> np.ndarray:
        """Mix the window ``[start, start + frames)``; return a view of the master block.

        ``events`` must lie in the window (the conductor's output for it).  With ``buses``, each
        bus's share of the master before the limiter is left in :attr:`buses` too (stems).  With a
        cue mix, its window is left in :attr:`cue`; a :class:`~.cue.PreEntry` among the events starts
        the pre-entry cue there.
        """
        if start != self._expected:  # not where the last window ended: what the ring holds is not for here
            self._ring.fill(0.0)
            self._cue_ring.fill(0.0)
            self._pieces.clear()
        self._expected = end = start + frames
        for event in events:
            self._start(event)
        pieces = self._pieces
        while pieces and pieces[0][0] < end:
            _, _, bus, sound, sample, offset = heapq.heappop(pieces)
            self._add(bus, sound, sample, offset, self._horizon)
        master = self.master[:frames]
        at = start % self._length
        split = min(frames, self._length - at)  # the window up to the ring's end; the rest wraps round
        self._mix(self._ring[:, at:at + split], master[:split], self.buses[:, :split] if buses else None)
        if split < frames:
            self._mix(self._ring[:, :frames - split], master[split:], self.buses[:, split:frames] if buses else None)
        soft_limit(master, self._scratch[:, :frames])
        if self._cue_bus is not None:
            self._take_cue(at, split, frames)
        if self._master_target != 1.0 or self._master_level != 1.0:
            self._apply_master(master)
        if self._fade_gain < 1.0 or self._fade_step:
            self._apply_fade(master)
        return master

    def _mix(self, rows: np.ndarray, master: np.ndarray, buses: np.ndarray | None) -> None:
        """The window's ``rows`` (every bus, then their total) into ``master`` (and ``buses``), then
        cleared for reuse.  Live, the total is the mix, corrected only for volumes that are not 1:
        a copy costs a fraction of a weighted sum in a callback that wakes to cold caches."""
        if buses is None:
            np.copyto(master, rows[-1])
            scratch = self._scratch[1, :len(master)]
            for bus, correction in self._corrections:
                np.multiply(rows[bus], correction, out=scratch)
                np.add(master, scratch, out=master)
        else:
            np.multiply(rows[:-1], self._levels[:, None], out=buses)
            np.add.reduce(buses, axis=0, out=master)
        rows.fill(0.0)

    def _take_cue(self, at: int, split: int, frames: int) -> None:
        """The cue bus's window into :attr:`cue`, limited; its ring cleared for reuse."""
        cue, ring = self.cue[:frames], self._cue_ring
        np.copyto(cue[:split], ring[at:at + split])
        ring[at:at + split] = 0.0
        if split < frames:
            np.copyto(cue[split:], ring[:frames - split])
            ring[:frames - split] = 0.0
        soft_limit(cue, self._scratch[:, :frames])

    def _start(self, event: Event) -> None:
        """Start the sound an event plays on its bus, at the event's sample."""
        kind = type(event)
        if kind is Hit:
            self._begin(event.section, self._hits[event.section][0 if event.accent else 1], event.sample, 0)
            return
        cue = self._cue_bus if self.cue_on else None
        if kind is Beat and (event.count_in or self.click):
            sound = self._beats[event.count_in][0 if event.beat == 0 else 1]
            if event.count_in or self._cue_bus is None:  # the room needs the count-in; a click with no cue mix is heard
                self._begin(self._count_bus, sound, event.sample, 0)
            if cue is not None:
                self._begin(cue, sound, event.sample, 0)
        elif kind is PreEntry and cue is not None:
            self._begin(cue, self._pre_entry, event.sample, 0)

    def play_now(self, section: int, accent: bool, sample: int, blocks: list[np.ndarray]) -> None:
        """Sound a section's hit heard from ``sample`` on into ``blocks``: the master blocks this
        mixer mixed last, in order (a live hit that came after they were rendered ahead).
        ``sample`` is their first sample, or earlier for a hit whose start :meth:`sound_into`
        already played.

        The sound goes straight into them (at the volumes set now, then through the limiter
        again); the rest joins the ring like any sound's.  Writes into ``blocks``.
        """
        first = self._expected - sum(len(block) for block in blocks)
        if sample > first:
            raise ValueError(f"a live hit at {sample} is after the first of the last blocks mixed ({first})")
        sound, gain = self._live(section, accent)
        offset = first - sample
        for block in blocks:
            added = _add_scaled(block, sound, offset, gain, self._scratch)
            if not added:  # the sound ended: the blocks after it are left as they were
                break
            offset += added
        if offset < len(sound):
            self._begin(section, sound, sample, offset)

    def sound_into(self, section: int, accent: bool, block: np.ndarray, offset: int, scratch: np.ndarray) -> bool:
        """Add a section's hit to ``block`` from ``offset`` samples into its sound, at the volumes
        set now, then limit it; True while more of the sound is to come.  It only reads the mixer,
        so the audio callback may call it while another thread mixes.  ``scratch`` is (2, len(block)),
        the caller's own."""
        sound, gain = self._live(section, accent)
        return offset + _add_scaled(block, sound, offset, gain, scratch) < len(sound)

    def _live(self, section: int, accent: bool) -> tuple[np.ndarray, np.float32]:
        """A live hit's sound and the gain it is added at now (its volume, the master's, a fade)."""
        gain = np.float32(self._volumes[section] * self._master_level * self._fade_gain)
        return self._hits[section][0 if accent else 1], gain

    def _begin(self, bus: int, sound: np.ndarray, sample: int, offset: int) -> None:
        """Add a sound's first piece from ``offset``; the rest follows piece by piece."""
        # A short first piece keeps a block where every section hits cheap; their lengths differ,
        # so sounds that started together are continued in different blocks, not all in one.
        self._started += 1
        self._add(bus, sound, sample, offset, FIRST * (1 + self._started % STAGGER))

    def _add(self, bus: int, sound: np.ndarray, sample: int, offset: int, length: int) -> None:
        """Add ``length`` of ``sound`` from ``offset`` (heard from ``sample``); schedule the next piece."""
        piece = sound[offset:offset + length]
        at, length = (sample + offset) % self._length, len(piece)
        split = min(length, self._length - at)  # what fits before the ring's end; the rest wraps round
        rows = (self._cue_ring,) if bus == self._cue_bus else (self._ring[bus], self._ring[-1])
        for row in rows:  # its bus, and the total (the cue bus is in no total)
            np.add(row[at:at + split], piece[:split], out=row[at:at + split])
            if split < length:
                np.add(row[:length - split], piece[split:], out=row[:length - split])
        offset += length
        if offset < len(sound) and len(self._pieces) < MAX_SOUNDING:
            self._serial += 1
            heapq.heappush(self._pieces, (sample + offset, self._serial, bus, sound, sample, offset))

    def _apply_master(self, master: np.ndarray) -> None:
        self._glide(master, self._master_level, (self._master_target - self._master_level) / len(master))
        self._master_level = self._master_target

    def _apply_fade(self, master: np.ndarray) -> None:
        self._glide(master, self._fade_gain, -self._fade_step)
        self._fade_gain = max(0.0, self._fade_gain - self._fade_step * len(master))

    def _glide(self, master: np.ndarray, gain: float, step: float) -> None:
        """Scale ``master`` by a gain going from ``gain`` by ``step`` per sample (never below 0)."""
        ramp = self._scratch[0, :len(master)]
        np.multiply(self._ramp[:len(master)], step, out=ramp)
        np.add(ramp, gain, out=ramp)
        np.maximum(ramp, 0.0, out=ramp)
        np.multiply(master, ramp, out=master)


def _add_scaled(block: np.ndarray, sound: np.ndarray, offset: int, gain: np.float32, scratch: np.ndarray) -> int:
    """Add ``sound`` from ``offset``, times ``gain``, into ``block`` and limit it; how many samples were added."""
    piece = sound[offset:offset + len(block)]
    length = len(piece)
    if length:
        scaled = scratch[0, :length]
        np.multiply(piece, gain, out=scaled)
        np.add(block[:length], scaled, out=block[:length])
        soft_limit(block, scratch[:, :len(block)])
    return length


def all_finite(block: np.ndarray) -> bool:
    """Whether no sample of ``block`` (any shape, float32) is a NaN or an infinity: one sum, about
    1 µs for 128 stereo frames, nothing allocated but the scalar.

    A sum is NaN or infinite iff a term is, unless the sum itself overflows: and every sample
    the mixer makes is bounded (the master by :func:`soft_limit` within ±``LIMIT_CEILING``, a bus
    by the few hundred sounds of peak <= 0.98 it can carry), so no block comes near float32's 3.4e38.
    (soft_limit turns an infinity into the ceiling, a full-scale click, not a NaN: only the checks
    at load time stop those.)
    """
    return math.isfinite(block.sum())


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
