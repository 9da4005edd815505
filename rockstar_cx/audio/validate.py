"""The engine's door: every command is checked against the show before it enters the command ring.

    problem = check_command(LiveHit(6), show)   # "LiveHit: section index 6 is not one of the show's 4"
    problem is None                             # the command is safe to play

The front-ends check what they ask (the presenter refuses sections and moments the show lacks),
but the engine must not depend on every caller being right: a section beyond the show raises in
the mixer and silences a whole block; a negative index travels the ring as ``-1``, which reads
back as None (``Mute(-1)`` would arrive as ``Mute(None)``, ``SetGain(-1, g)`` as the master's);
NaN passes the conductor's and the mixer's clamps (``max(nan, 20.0)`` is nan) and poisons the
tempo or the mix; and a value the ring's fields cannot hold raises in the caller.  So
:meth:`~.supervisor.AudioEngine.send` refuses any command this finds a problem with, in the app's
process — the audio callback never pays for it.
"""

from __future__ import annotations

import dataclasses
import math
import reprlib
from typing import get_args

from ..conductor.commands import Command, Mute, Quantize, Solo, Start
from ..conductor.tempo import MAX_TEMPO, MIN_TEMPO
from ..show.model import Show
from .commands import ENGINE_COMMANDS, SetGain

KNOWN = frozenset(get_args(Command)) | frozenset(ENGINE_COMMANDS)
#: Fields where None has a meaning: Start where the presenter stopped, toggle, the master's volume.
_OPTIONAL = {(Start, "moment"), (SetGain, "section"), (Mute, "on"), (Solo, "on")}
#: A nudge beyond the whole tempo range is no nudge (and keeps the conductor's sum finite).
MAX_NUDGE_BPM = MAX_TEMPO - MIN_TEMPO


def check_command(command: object, show: Show) -> str | None:
    """What is wrong with ``command`` for ``show``, in words; None if the engine can play it."""
    kind = type(command)
    if kind not in KNOWN:
        return f"not an engine command: {kind.__name__}"
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        if value is None and (kind, field.name) in _OPTIONAL:
            continue
        problem = _check_field(field.name, value, show)
        if problem is not None:
            return f"{kind.__name__}: {problem}"
    return None


def _check_field(name: str, value: object, show: Show) -> str | None:
    if name == "section":
        return _index(value, len(show.sections), "section")
    if name == "moment":
        return _index(value, len(show.moments), "moment")
    if name == "quantize":
        return None if isinstance(value, Quantize) else f"quantize {_short(value)} is not a Quantize"
    if name in ("on", "count_in", "accent"):
        return None if isinstance(value, bool) else f"{name} {_short(value)} is not true or false"
    if not _real(value):
        return f"{name} {_short(value)} is not a finite number"
    if name == "bpm":  # the conductor clamps any tempo to MIN_TEMPO-MAX_TEMPO (an external clock may be beyond)
        return None if value > 0 else f"tempo {_short(value)} is not above 0"
    if name == "delta_bpm":
        return None if abs(value) <= MAX_NUDGE_BPM else f"nudge {_short(value)} is beyond ±{MAX_NUDGE_BPM:g} bpm"
    if name == "gain":
        return None if 0.0 <= value <= 1.0 else f"gain {_short(value)} is not within 0-1"
    return f"unknown field {name}"


def _index(value: object, count: int, noun: str) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{noun} {_short(value)} is not an index"
    if not 0 <= value < count:
        return f"{noun} index {_short(value)} is not one of the show's {count}"
    return None


def _short(value: object) -> str:
    return reprlib.repr(value)  # a 400-digit int stays a short message


def _real(value: object) -> bool:
    """An int or float (not a bool), finite as a float (the ring's field is one)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond any float
        return False
