"""What ``rockstar-cx devices`` prints: audio outputs and MIDI ports, by name."""

from __future__ import annotations


def describe_devices() -> str:
    from .audio.device import describe_outputs
    from .midi.ports import port_names

    lines = ["Audio outputs:"]
    outputs = describe_outputs()
    if isinstance(outputs, str):
        lines.append(f"  {outputs}")
    else:
        lines += [f"  {name}" for name in outputs] or ["  (none: rockstar-cx will run silent)"]
    inputs, midi_outputs = port_names()
    lines.append("MIDI inputs:")
    lines += [f"  {name}" for name in inputs] or ["  (none)"]
    lines.append("MIDI outputs:")
    lines += [f"  {name}" for name in midi_outputs] or ["  (none)"]
    return "\n".join(lines)
