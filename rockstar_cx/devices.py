"""What ``rockstar-cx devices`` prints: audio outputs and MIDI ports, by name."""

from __future__ import annotations


def audio_outputs() -> list[str] | str:
    """Output device names as 'name (host API, N out)'; or a message why there are none."""
    try:
        import sounddevice
    except OSError as error:  # no PortAudio library
        return f"audio unavailable: {error} (install PortAudio, e.g. `apt-get install libportaudio2`)"
    hostapis = sounddevice.query_hostapis()
    return [f"{d['name']} ({hostapis[d['hostapi']]['name']}, {d['max_output_channels']} out)"
            for d in sounddevice.query_devices() if d["max_output_channels"] > 0]


def describe_devices() -> str:
    from .midi.ports import port_names

    lines = ["Audio outputs:"]
    outputs = audio_outputs()
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
