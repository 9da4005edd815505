"""The room microphone, from the audio callback to whoever listens, on the show's own clock.

With ``--room-input`` the engine opens its device duplex (one clock for what it plays and what it
hears), and the callback copies the room channel of each input block into a ring in shared memory
at the *show position* of the output block it plays in the same callback: ring sample ``p`` was
captured in the callback that sent out show sample ``p``.  The round trip (output → speaker →
room → microphone → input) is then one constant offset, measured through the air
(:mod:`~rockstar_cx.listening`), so every clap heard lands on the conductor's own sample grid.
Beside it the ring keeps what the main mix *played* at each position (after live hits and the
master's guard): the guide a listener takes out of what it heard, and follows the round trip by.

Callback contract: :meth:`RoomRing.write` is two strided copies of one block (four at a ring's
wrap) and one aligned 8-byte store of the new position, published after the samples; no lock.  A block the engine did not play (a dropped block: the show's time stood still) is
overwritten by the next, at the same position.

Readers — the listening process, the recorder — read by position without locks and check after
their copy that the writer has not come round over what they read.  The app owns the block
(:meth:`create`, next to the engine's :class:`~.ipc.SharedState`, named after it); engine
processes, revived ones too, :meth:`attach` to it, so the room's record runs on through a handover.
"""

from __future__ import annotations

import sys
from multiprocessing import shared_memory

import numpy as np

RING_SECONDS = 20.0  # more than a bar at 20 bpm, and room for a listener that falls behind
_HEADER = 16  # int64 capacity, int64 position


def ring_name(shared_name: str) -> str:
    """The room ring's shared-memory name, beside the engine's block ``shared_name``."""
    return f"{shared_name}-room"


class RoomRing:
    """The room's samples by show position (see the module's docstring).  ``create`` owns the
    block; ``attach`` borrows it."""

    def __init__(self, memory: shared_memory.SharedMemory, owner: bool) -> None:
        self.memory, self.owner = memory, owner
        header = np.ndarray((2,), np.int64, memory.buf, 0)
        self.capacity = int(header[0])
        self._position = header[1:]  # one aligned store publishes a block
        # row 0: heard (the microphone), row 1: played (the main mix)
        self._samples = np.ndarray((2, self.capacity), np.float32, memory.buf, _HEADER)

    @classmethod
    def create(cls, name: str, samplerate: int) -> RoomRing:
        capacity = int(RING_SECONDS * samplerate)
        size = _HEADER + 2 * 4 * capacity
        memory = shared_memory.SharedMemory(name=name, create=True, size=size)
        memory.buf[:size] = bytes(size)
        np.ndarray((1,), np.int64, memory.buf, 0)[0] = capacity
        return cls(memory, owner=True)

    @classmethod
    def attach(cls, name: str) -> RoomRing:
        if sys.version_info >= (3, 13):  # the owner unlinks it (see SharedState.attach)
            return cls(shared_memory.SharedMemory(name=name, track=False), owner=False)
        return cls(shared_memory.SharedMemory(name=name), owner=False)

    @property
    def position(self) -> int:
        """The show position after the last sample written."""
        return int(self._position[0])

    def write(self, start: int, heard: np.ndarray, played: np.ndarray) -> None:
        """The callback's: a block ``heard`` and ``played`` (float32, one channel each, any stride) at
        show position ``start``."""
        frames, capacity = len(heard), self.capacity
        at = start % capacity
        first = min(frames, capacity - at)
        for row, block in enumerate((heard, played)):
            self._samples[row, at:at + first] = block[:first]
            if first < frames:
                self._samples[row, :frames - first] = block[first:]
        self._position[0] = start + frames

    def read(self, start: int, stop: int, *, played: bool = False) -> np.ndarray | None:
        """A copy of what was heard (``played``: what the main mix played) at show positions
        ``[start, stop)``; None when not all of it is in the ring (not yet, or written over since)."""
        position, capacity = self.position, self.capacity
        if stop > position or start < position - capacity or stop - start > capacity or start > stop:
            return None
        at, frames = start % capacity, stop - start
        first = min(frames, capacity - at)
        row = self._samples[1 if played else 0]
        out = np.empty(frames, np.float32)
        out[:first] = row[at:at + first]
        out[first:] = row[:frames - first]
        if start < self.position - capacity:  # the writer came round during the copy
            return None
        return out

    def close(self) -> None:
        del self._position, self._samples
        self.memory.close()
        if self.owner:
            self.memory.unlink()
