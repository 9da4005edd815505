"""The shared memory between app and engine: the event ring, in bytes, across its wrap."""

from __future__ import annotations

from rockstar_cx.audio.ipc import EVENT_SLOTS, Applied, SharedState, event_rows
from rockstar_cx.conductor import Beat, Launch, LiveHit, Quantize


def test_events_pushed_as_rows_arrive_whole_and_in_order_across_the_wrap():
    engine = SharedState.create()
    app = SharedState.attach(engine.name)
    try:
        sent = []
        for i in range(EVENT_SLOTS // 3 * 2):  # three events a push: one push straddles the wrap
            events = [Beat(i, i / 100, 1, i, 2, 120.5), Applied(i, LiveHit(3, accent=True)),
                      Applied(i, Launch(2, Quantize.BAR))]
            engine.push_rows(event_rows(events))
            sent += events
            if i % 500 == 0:
                assert app.read_events() == (sent, 0)
                sent = []
        assert app.read_events() == (sent, 0)
        for i in range(EVENT_SLOTS + 5):  # a reader that fell behind a whole ring hears what it lost
            engine.push_rows(event_rows([Beat(i, 0.0, 0, 0, 0, 60.0)]))
        events, lost = app.read_events()
        assert lost == 5 and [e.sample for e in events] == list(range(5, EVENT_SLOTS + 5))
    finally:
        app.close()
        engine.close()
