"""--record-room: the room's microphone in a WAV whose every sample is on the show's time, with its sidecar."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
import soundfile

from rockstar_cx.audio.room import RoomRing
from rockstar_cx.live.recorder import RoomRecorder

RATE = 1000  # a 20 s ring of 20,000 samples


@pytest.fixture
def ring():
    made = RoomRing.create(f"rcx-rec-{uuid.uuid4().hex[:8]}", RATE)
    yield made
    made.close()


def write(ring: RoomRing, start: int, stop: int) -> None:
    for at in range(start, stop, 100):
        ring.write(at, np.arange(at, at + 100, dtype=np.float32) / 1e5, np.zeros(100, np.float32))


def test_the_recording_is_the_room_from_its_first_show_sample_with_its_sidecar(ring, tmp_path):
    write(ring, 0, 3000)
    recorder = RoomRecorder(ring, tmp_path / "room.wav", RATE, "Scarlett 2i2")
    assert recorder.first == 3000 and not (tmp_path / "room.wav").exists()  # written aside until closed
    write(ring, 3000, 8000)
    recorder.drain()
    write(ring, 8000, 9000)
    recorder.close(round_trip_samples=12.5, starts=(2000, 5000))
    audio, rate = soundfile.read(tmp_path / "room.wav", dtype="float32")
    assert rate == RATE and np.array_equal(audio, np.arange(3000, 9000, dtype=np.float32) / 1e5)
    assert json.loads((tmp_path / "room.wav.json").read_text()) == {
        "recording": "room.wav", "device": "Scarlett 2i2", "samplerate": RATE, "first_show_sample": 3000, "samples": 6000, "lost_samples": 0,
        "round_trip_samples": 12.5, "show_starts_s": [2.0125]}  # the start before the recording began: not in it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["room.wav", "room.wav.json"]


def test_what_the_ring_lost_before_it_was_written_is_silence_and_counted(ring, tmp_path):
    recorder = RoomRecorder(ring, tmp_path / "room.wav", RATE)
    write(ring, 0, 25000)  # a stalled disk: 25 s while the ring holds 20
    recorder.close()
    audio, _ = soundfile.read(tmp_path / "room.wav", dtype="float32")
    sidecar = json.loads((tmp_path / "room.wav.json").read_text())
    assert len(audio) == 25000 and sidecar["lost_samples"] == 5001 and not np.any(audio[:5001])
    assert np.array_equal(audio[5001:], np.arange(5001, 25000, dtype=np.float32) / 1e5)


def test_a_recorder_that_cannot_write_leaves_nothing(ring, tmp_path):
    (tmp_path / "room.wav.json").mkdir()  # where the sidecar goes
    with pytest.raises(OSError):
        recorder = RoomRecorder(ring, tmp_path / "room.wav", RATE)
        recorder.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["room.wav.json"]
