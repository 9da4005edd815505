"""The sound vocabulary: every built-in sound's name, stage word and General MIDI note, in one table.

Show files name these sounds, the stage flashes their words, MIDI export and MIDI out play their
notes, and :mod:`rockstar_cx.audio.kit` synthesizes them.  It lives here, below all of those,
so the show loader can check a show without importing the audio engine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sound:
    """A built-in sound: its name in show files, the word the stage flashes, its GM percussion note."""

    name: str
    word: str
    gm_note: int


SOUNDS: dict[str, Sound] = {sound.name: sound for sound in (
    Sound("click", "CLICK", 33),
    Sound("clap", "CLAP", 39),
    Sound("stomp", "STOMP", 35),
    Sound("snap", "SNAP", 37),
    Sound("woodblock", "KNOCK", 76),
    Sound("claves", "CLACK", 75),
    Sound("cowbell", "DING", 56),
    Sound("kick", "BOOM", 36),
    Sound("hihat", "TSS", 42),
    Sound("count", "COUNT", 34),  # the count-in bips: GM2's metronome bell
    Sound("count_accent", "COUNT", 34),
)}

BUILTIN_SOUNDS: tuple[str, ...] = tuple(SOUNDS)
SOUND_WORDS: dict[str, str] = {name: sound.word for name, sound in SOUNDS.items()}  # the stage's lookup
DEFAULT_CUSTOM_NOTE = 60  # a show's own sample: middle C, unless its section sets midi_note
