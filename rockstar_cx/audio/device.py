"""Audio output devices, chosen by name (never by index: indices shift when a device is replugged)."""

from __future__ import annotations

import os
import subprocess
import sys

from ..errors import ShowError

PROBE_TIMEOUT_S = 5.0


def output_devices(sounddevice) -> list[tuple[int, str, str]]:
    """(index, name, host API) of every device with outputs."""
    hostapis = sounddevice.query_hostapis()
    return [(i, d["name"], hostapis[d["hostapi"]]["name"])
            for i, d in enumerate(sounddevice.query_devices()) if d["max_output_channels"] > 0]


def choose_output(sounddevice, name: str | None) -> tuple[int, str]:
    """(index, full name) of the first output whose name contains ``name`` (any case); the default when None.

    Raises ShowError listing the outputs there are.
    """
    outputs = output_devices(sounddevice)
    if not outputs:
        raise ShowError("no audio output device found")
    if name is None:
        default = sounddevice.default.device[1]
        for index, full, _ in outputs:
            if index == default:
                return index, full
        return outputs[0][0], outputs[0][1]
    for index, full, _ in outputs:
        if name.lower() in full.lower():
            return index, full
    listing = ", ".join(f"'{full}'" for _, full, _ in outputs)
    raise ShowError(f"no audio output matches --device '{name}' (there are: {listing})")


def describe_outputs() -> list[str] | str:
    """Output device names as 'name (host API)'; or a message why there are none."""
    try:
        import sounddevice
    except OSError as error:  # no PortAudio library
        return f"audio unavailable: {error} (install PortAudio, e.g. `apt-get install libportaudio2`)"
    return [f"{name} ({api})" for _, name, api in output_devices(sounddevice)]


_PROBE = """
import os, sys
try:
    import sounddevice
    from rockstar_cx.audio.device import choose_output
    choose_output(sounddevice, sys.argv[1] or None)
    code = 0
except BaseException:
    code = 1
os._exit(code)  # skip Pa_Terminate: it can abort when an audio server has just restarted
"""


def device_present(name: str | None) -> bool:
    """Whether the device is there now, asked in a fresh process (PortAudio lists devices only once per process)."""
    try:
        result = subprocess.run([sys.executable, "-c", _PROBE, name or ""], timeout=PROBE_TIMEOUT_S,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0
