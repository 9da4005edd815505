"""What each control does: bindings from MIDI controls to presenter actions, saved as TOML.

A *control* is a pad, key, button, fader or knob: a note or a controller number on a channel.
A *target* is what it does: a :class:`~rockstar_cx.live.intent.Target`, the presenter's vocabulary
(with a section or moment where it takes one) — the keys' actions, and those only a controller
has: launch moment N, a live hit of a section, section or master volume.

``midi.toml`` in :func:`rockstar_cx.paths.config_dir` holds the bindings made by MIDI learn, per
device profile, and per-port output settings (clock and notes on or off).  Like the stage's
settings file it is small and written by hand; a damaged file never stops a show: what can be
read is kept, the rest is reported and ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..live.intent import INDEXED, Action, Target
from ..files import write_atomically
from ..paths import config_dir

CC, NOTE = "cc", "note"
_BY_NAME: dict[str, Action] = {a.value: a for a in Action}  # midi.toml's words


@dataclass(frozen=True, order=True)
class Control:
    kind: str  # NOTE or CC
    channel: int  # 0-15
    number: int  # 0-127

    def __str__(self) -> str:
        return f"{self.kind} {self.number} (channel {self.channel + 1})"


@dataclass
class Mapping:
    """Control → target.  A control does one thing; a target may have several controls."""

    bindings: dict[Control, Target]

    def target(self, control: Control) -> Target | None:
        return self.bindings.get(control)

    def bind(self, control: Control, target: Target) -> None:
        self.bindings[control] = target

    def merged(self, learned: Mapping) -> Mapping:
        """This mapping with ``learned`` bindings on top (learned ones win for their controls)."""
        return Mapping(self.bindings | learned.bindings)

    def fitted(self, sections: int, moments: int) -> tuple[Mapping, list[tuple[Control, Target]]]:
        """(this mapping without the bindings to a section or moment beyond a show's, those bindings).

        ``midi.toml`` is shared by every show (indices up to 64), so a row may name a section the
        show at hand lacks; the file keeps it for the shows that have one."""
        kept: dict[Control, Target] = {}
        beyond = []
        for control, target in self.bindings.items():
            count = moments if target.action is Action.LAUNCH else sections
            if target.index is not None and not 0 <= target.index < count:
                beyond.append((control, target))
            else:
                kept[control] = target
        return Mapping(kept), beyond


@dataclass
class MidiSettings:
    learned: dict[str, Mapping]  # per profile name
    outputs: dict[str, tuple[bool, bool]]  # port (as named on the command line) -> (clock, notes)


def settings_path() -> Path:
    return config_dir() / "midi.toml"


def load(path: Path | None = None) -> tuple[MidiSettings, str]:
    """(settings, a warning or ""): whatever is readable; a missing file is an empty one."""
    path = path or settings_path()
    settings = MidiSettings({}, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings, ""
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return settings, f"{path}: unreadable ({error}); no learned MIDI mappings"
    bad = 0
    for row in data.get("binding", []) if isinstance(data.get("binding"), list) else []:
        parsed = _binding(row)
        if parsed is None:
            bad += 1
            continue
        device, control, target = parsed
        settings.learned.setdefault(device, Mapping({})).bind(control, target)
    outputs = data.get("outputs", {})
    for port, flags in outputs.items() if isinstance(outputs, dict) else ():
        if isinstance(flags, dict) and all(isinstance(flags.get(k, True), bool) for k in ("clock", "notes")):
            settings.outputs[port] = (flags.get("clock", True), flags.get("notes", True))
        else:
            bad += 1
    return settings, f"{path}: ignored {bad} unreadable entries" if bad else ""


def _binding(row: object) -> tuple[str, Control, Target] | None:
    if not isinstance(row, dict):
        return None
    device, kind, channel, number = row.get("device"), row.get("control"), row.get("channel"), row.get("number")
    action, index = _BY_NAME.get(str(row.get("action"))), row.get("index")
    if not (isinstance(device, str) and kind in (CC, NOTE) and action is not None
            and _whole(channel, 1, 16) and _whole(number, 0, 127)):
        return None
    if action in INDEXED:
        if not _whole(index, 1, 64):
            return None
        index -= 1
    else:
        index = None
    return device, Control(kind, channel - 1, number), Target(action, index)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def save(settings: MidiSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    lines = ["# rockstar-cx MIDI settings: written by MIDI learn; safe to edit.",
             "# channel, index: counted from 1.  action: one of " + ", ".join(_BY_NAME) + "."]
    for device, mapping in sorted(settings.learned.items()):
        for control, target in sorted(mapping.bindings.items()):
            lines += ["", "[[binding]]", f"device = {_quote(device)}", f'control = "{control.kind}"',
                      f"channel = {control.channel + 1}", f"number = {control.number}",
                      f'action = "{target.action.value}"']
            if target.index is not None:
                lines.append(f"index = {target.index + 1}")
    for port, (clock, notes) in sorted(settings.outputs.items()):
        lines += ["", f"[outputs.{_quote(port)}]", f"clock = {str(clock).lower()}", f"notes = {str(notes).lower()}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    # whole, or the old file kept; "replace": a name undecodable from the OS (a lone surrogate) still saves
    return write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8", "replace"))


_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _quote(text: str) -> str:
    """A TOML basic string: every control character escaped, so the file always reads back."""
    return '"' + "".join(_ESCAPES.get(c) or (f"\\u{ord(c):04X}" if c < " " or c == "\x7f" else c) for c in text) + '"'
