"""The engine's own commands: what it does beside the conductor, which never sees them.

The conductor's commands (:mod:`rockstar_cx.conductor.commands`) change the performance; these
change only the sound — the click track under it, the cue mix, a section's volume or the master's.  They
travel the same command ring (:mod:`.ipc` encodes both) and are published as applied, so a
replay (:class:`~rockstar_cx.live.view.EngineView`) knows the click state too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetClick:
    """The click track under the performance on or off."""

    on: bool


@dataclass(frozen=True)
class SetGain:
    """A section's volume, or the master's (``section`` None), 0 (silent) to 1 (as written)."""

    section: int | None
    gain: float


@dataclass(frozen=True)
class SetCue:
    """The presenter's cue mix (click, count-in, pre-entry cues on the cue channels) on or off."""

    on: bool


@dataclass(frozen=True)
class PlayProbe:
    """The calibration sweep (:mod:`.probe`) into the main mix, from the next block on."""


ENGINE_COMMANDS = (SetClick, SetGain, SetCue, PlayProbe)  # the engine's own: the conductor never sees them
