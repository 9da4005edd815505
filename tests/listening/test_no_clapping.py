"""No clapping heard — speech, music, silence, the guide alone — is "no clapping", never a verdict."""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx.listening import fold, heard_clapping, onset_strength, take_out_guide

from ..roomsim import (RATE, beat_times, clap_track, crowd, mix, music_like, room_response, speech_like,
                       through_room)

BPM = 120
GRID = beat_times(1.0, BPM, BPM, 32)
SECONDS = float(GRID[-1] + 1.0)


def heard(audio: np.ndarray, seed: int, rt60_s: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return mix(through_room(audio, room_response(0.05, rt60_s, rng)), rng, noise_db=-30)


def clicks(times: np.ndarray) -> np.ndarray:
    """A guide: a short bright click on every time given."""
    out = np.zeros(int(SECONDS * RATE))
    click = np.random.default_rng(0).normal(0, 1, 96) * np.exp(-np.arange(96) / 20)
    for t in times:
        out[int(t * RATE):int(t * RATE) + 96] += click
    return out


@pytest.mark.parametrize("name", ["speech", "music", "silence", "speech over music"])
def test_no_clapping_in_sounds_that_are_not_a_room_clapping(name):
    rng = np.random.default_rng(21)
    sounds = {
        "speech": lambda: speech_like(SECONDS, rng),
        "music": lambda: music_like(SECONDS, rng),
        "silence": lambda: np.zeros(int(SECONDS * RATE)) + 1e-9,
        "speech over music": lambda: speech_like(SECONDS, rng) + 0.5 * music_like(SECONDS, rng, bpm=131),
    }
    spread = fold(onset_strength(heard(sounds[name](), 22), RATE), GRID + 0.05)
    assert not spread.clapping, spread


def test_the_guide_alone_is_no_clapping_once_it_is_taken_out():
    guide = clicks(GRID)
    mic = heard(guide, 23)
    placed = np.concatenate((np.zeros(int(0.05 * RATE)), guide))[:len(mic)]  # where it is heard
    assert fold(onset_strength(mic, RATE), GRID + 0.05).clapping  # left in, the guide *is* a tight room
    room = take_out_guide(mic, placed, RATE)
    left = fold(onset_strength(room, RATE), GRID + 0.05)
    assert left.clapping  # what is left of it is still on the grid...
    assert not heard_clapping(left, fold(onset_strength(mic - room, RATE), GRID + 0.05))  # ...but far too little


def test_a_room_clapping_quietly_under_speech_is_heard():
    """The positive control: the same detector says yes when a crowd claps, 6 dB under speech."""
    rng = np.random.default_rng(24)
    claps = clap_track(crowd(GRID, 100, 30, 0, rng), SECONDS, rng)
    speech = speech_like(SECONDS, rng)
    room = claps + speech * (np.std(claps) / np.std(speech) * 2)
    assert fold(onset_strength(heard(room, 25), RATE), GRID + 0.05).clapping
