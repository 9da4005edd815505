"""A whole show, performed offline: the event list that render and MIDI export share."""

from __future__ import annotations

from collections.abc import Iterator

from ..show.model import HOLD_RENDER_BARS, Show
from .commands import Start
from .conductor import Conductor
from .events import Event, Stop

#: Samples processed per step; any size gives the same events.
CHUNK = 1 << 16


def perform_chunks(show: Show, sample_rate: int, *, count_in: bool = False,
                   chunk: int = CHUNK) -> Iterator[tuple[int, list[Event]]]:
    """Yield (window start sample, events) chunk by chunk until the journey ends."""
    conductor = Conductor(show, sample_rate, hold_bars=HOLD_RENDER_BARS)
    conductor.submit(Start(moment=0, count_in=count_in))
    while True:
        start = conductor.position
        events = conductor.advance(chunk)
        yield start, events
        if events and type(events[-1]) is Stop:
            return


def perform(show: Show, sample_rate: int, *, count_in: bool = False) -> list[Event]:
    """Every event of the journey from start to its final downbeat, in sample order."""
    return [event for _, events in perform_chunks(show, sample_rate, count_in=count_in) for event in events]
