"""MIDI test setup: ``bus``, this process's in-memory MIDI graph, left empty after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
