"""The spacing of changes to the MIDI graph (ports.graph_change), on a fake clock.

libjack can crash when a port is unregistered while its client is still answering a notification
about an earlier change (jack2 issue #216), so with JACK an unregistering change waits until
SETTLE_S has passed since the last change.  ``scripts/stress_midi_close.py`` shows the crash and
its absence on real ports; this checks the rule itself, exactly.
"""

from __future__ import annotations

import pytest

from rockstar_cx.midi import ports
from rockstar_cx.midi.ports import SETTLE_S, graph_change, graph_changed


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(ports.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(ports.time, "sleep", fake.sleep)
    monkeypatch.setattr(ports, "_graph_changed_at", 0.0)
    return fake


def test_with_jack_an_unregistering_change_waits_until_the_graph_has_settled(clock):
    with graph_change("jack"):  # a port opened: never waits
        pass
    clock.now += 0.05
    with graph_change("jack", unregisters=True):  # 0.05 s after the open: waits the rest
        clock.now += 0.01
    with graph_change("jack", unregisters=True):  # right after: a whole SETTLE_S
        pass
    clock.now += 1.0
    with graph_change("jack", unregisters=True):  # long after: no wait
        pass
    assert clock.sleeps == [round(SETTLE_S - 0.05, 9), SETTLE_S, 0.0]


def test_a_change_made_elsewhere_counts_and_alsa_never_waits(clock):
    graph_changed()
    clock.now += 0.15
    with graph_change("alsa", unregisters=True):
        pass
    with graph_change("jack", unregisters=True):  # the ALSA change counts too: it just happened
        pass
    assert clock.sleeps == [SETTLE_S]


def test_a_failed_change_still_counts(clock):
    with pytest.raises(RuntimeError):
        with graph_change("jack"):
            raise RuntimeError("the port vanished while opening")
    with graph_change("jack", unregisters=True):
        pass
    assert clock.sleeps == [SETTLE_S]
