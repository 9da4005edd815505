"""MIDI test setup without JACK.

* ``bus``: this process's in-memory MIDI graph (``--midi-api memory``), left empty after every test;
* ``silent_engine``: starts real engines that find no audio device and play on their silent clock.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator

import pytest

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.midi.memory import MemoryBus, memory_bus


@pytest.fixture
def bus() -> Iterator[MemoryBus]:
    """The ``memory`` MIDI API's bus; every port still on it at the end is unplugged (a test's leftovers)."""
    memory = memory_bus()
    assert memory.names(sources=True) == memory.names(sources=False) == [], "a test left ports on the bus"
    yield memory
    for source in (True, False):
        for name in memory.names(sources=source):
            endpoint = memory.find(name, source=source)
            if endpoint is not None:
                memory.remove(endpoint)


@pytest.fixture
def silent_engine(monkeypatch) -> Callable[[EngineConfig], AudioEngine]:
    """Engines that find no audio system and play on their silent clock: the real conductor, no device.

    In this process (``in_process``: the app's probing for a device to come back is a subprocess
    every half second, which these tests do not need), with a PortAudio that lists no output.
    """
    no_audio = types.ModuleType("sounddevice")
    no_audio.query_hostapis = lambda: []
    no_audio.query_devices = lambda: []
    no_audio.PortAudioError = type("PortAudioError", (Exception,), {})
    monkeypatch.setitem(sys.modules, "sounddevice", no_audio)

    def engine(config: EngineConfig) -> AudioEngine:
        started = AudioEngine(config, in_process=True).start()
        assert started.start_state == "silent", started.start_state
        return started
    return engine
