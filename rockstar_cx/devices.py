"""What ``rockstar-cx devices`` prints: audio outputs and MIDI ports, by name."""

from __future__ import annotations


def describe_devices(midi_api: str = "auto") -> str:
    from .audio.device import describe_outputs
    from .midi.session import describe_ports

    lines = ["Audio outputs:"]
    outputs = describe_outputs()
    if isinstance(outputs, str):
        lines.append(f"  {outputs}")
    else:
        lines += [f"  {name}" for name in outputs] or ["  (none: rockstar-cx will run silent)"]
    lines += describe_ports(midi_api)
    return "\n".join(lines)
