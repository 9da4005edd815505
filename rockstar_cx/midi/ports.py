"""MIDI ports through mido's python-rtmidi backend, choosing ALSA or JACK on Linux.

There is no ALSA sequencer on machines without ``/dev/snd/seq`` (containers, some servers):
``auto`` then uses JACK MIDI, which any JACK-aware DAW or tool can connect to.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import mido

APIS = ("auto", "alsa", "jack")
_BACKENDS = {"alsa": "mido.backends.rtmidi/LINUX_ALSA", "jack": "mido.backends.rtmidi/UNIX_JACK"}


def backend(api: str = "auto") -> mido.Backend:
    """The mido backend for ``api`` (``auto``: the platform's own; on Linux ALSA if present, else JACK)."""
    if api == "auto":
        if not sys.platform.startswith("linux"):
            return mido.Backend("mido.backends.rtmidi")
        api = "alsa" if Path("/dev/snd/seq").exists() else "jack"
    return mido.Backend(_BACKENDS[api])


def port_names(api: str = "auto") -> tuple[list[str], list[str]]:
    """(input names, output names); empty lists when the MIDI system is not reachable."""
    midi = backend(api)
    try:
        with quiet_stderr():  # libjack prints a screen of "cannot connect" when no server runs
            return midi.get_input_names(), midi.get_output_names()
    except (OSError, RuntimeError):
        return [], []


@contextmanager
def quiet_stderr():
    """Silence C libraries writing to file descriptor 2 (Python's own sys.stderr is unaffected)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
