"""``--record-room FILE.wav``: the room's microphone recorded for the whole show, aligned to it.

A thread drains the room ring (:mod:`rockstar_cx.audio.room`) into a WAV written aside (whole or
not at all: :func:`~rockstar_cx.files.replacing`), 32-bit float at the show's rate.  Its first
sample is show sample :attr:`RoomRecorder.first`; beside it, ``FILE.wav.json`` says so, with the
round trip as the listener last saw it, where each start of the show is heard in the file and the
device (whose kept calibration ``listen`` takes the room's path from), so ``rockstar-cx listen
FILE.wav SHOW --start S`` measures it on the show's own grid.  A recorder
that fell more than the ring behind (a stalled disk) writes silence for what it missed and counts
it in ``lost_samples``: the file's time stays the show's.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import soundfile

from ..audio.room import RoomRing
from ..files import replacing
from ..threads import Worker

DRAIN_S = 0.1


class RoomRecorder:
    """Records ``ring`` into ``path`` from now until :meth:`close`."""

    def __init__(self, ring: RoomRing, path: Path, samplerate: int, device: str = "") -> None:
        self.ring, self.path, self.rate, self.device = ring, path, samplerate, device
        self.first = ring.position  # the show sample of the file's first sample
        self.written = 0
        self.lost = 0
        self._files = ExitStack()
        try:
            temporary, self._sidecar = self._files.enter_context(replacing(path, _sidecar(path)))
            self._wav = self._files.enter_context(soundfile.SoundFile(temporary, "w", samplerate, 1, "FLOAT",
                                                                      format="WAV"))
        except BaseException as error:  # neither file left behind, half made
            self._files.__exit__(type(error), error, error.__traceback__)
            raise
        self._worker = Worker("room-recorder", self._run)

    def start(self) -> RoomRecorder:
        self._worker.start()
        return self

    def _run(self) -> None:
        while not self._worker.stopping.wait(DRAIN_S):
            self.drain()

    def drain(self) -> None:
        """Write what the ring holds beyond what is written."""
        at, position = self.first + self.written, self.ring.position
        if position <= at:
            return
        oldest = position - self.ring.capacity + 1
        if at < oldest:  # gone from the ring before it was written: silence keeps the file on the show's time
            self._write(np.zeros(oldest - at, np.float32))
            self.lost += oldest - at
            at = oldest
        audio = self.ring.read(at, position)
        if audio is not None:
            self._write(audio)

    def _write(self, audio: np.ndarray) -> None:
        self._wav.write(audio)
        self.written += len(audio)

    def close(self, *, round_trip_samples: float | None = None, starts: tuple[int, ...] = ()) -> None:
        """Stop, write the last samples and the sidecar, and put both files in place (on an error: neither)."""
        self._worker.stop()
        with self._files:
            self.drain()
            self._wav.close()
            heard = [(start - self.first + (round_trip_samples or 0.0)) / self.rate for start in starts]
            self._sidecar.write_text(json.dumps({
                "recording": self.path.name, "device": self.device, "samplerate": self.rate, "first_show_sample": self.first,
                "samples": self.written, "lost_samples": self.lost, "round_trip_samples": round_trip_samples,
                "show_starts_s": [round(s, 6) for s in heard if s >= 0]}, indent=2) + "\n", encoding="utf-8")


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")
