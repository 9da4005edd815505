"""An engine that dies or cannot start: said at once, retried without a spawn storm."""

from __future__ import annotations

import time

import pytest

from rockstar_cx.audio import engine as engine_module
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.revival import GIVE_UP_AFTER, Backoff
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.errors import ShowError

from ..conductor.shows import make_show, moment, section

SHOW = make_show([section("a", "x...", sound="click")], [moment("pulse", ("a",), 0)], count_in=0)


def test_the_backoff_doubles_and_gives_up_on_what_keeps_failing():
    backoff = Backoff()
    assert backoff.ready(0.0) and not backoff.exhausted(0.0)
    waits = []
    for now in (0.0, 10.0, 20.0):
        backoff.failed("boom", now)
        waits.append(backoff.delay())
        assert not backoff.ready(now + backoff.delay() - 0.01) and backoff.ready(now + backoff.delay())
    assert waits == [0.5, 1.0, 2.0] and backoff.exhausted(20.0) and backoff.reason == "boom"
    assert not backoff.exhausted(51.0)  # failures a window apart are unrelated
    assert len(backoff.failures) == GIVE_UP_AFTER


def test_no_spawn_storm_when_every_revival_fails(monkeypatch):
    """A dead engine whose every replacement fails: a few attempts, further and further apart."""
    engine = AudioEngine(EngineConfig(SHOW, device="no such interface")).start()
    try:
        spawned = []

        def failing_spawn(standby, revival=None):
            spawned.append(time.monotonic())
            return _Gone(), None, ("failed", "no luck")

        monkeypatch.setattr(engine, "_spawn", failing_spawn)
        engine._worker.kill()
        deadline = time.monotonic() + 5
        while not engine.dead and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.dead and engine.health().state == "dead"
        assert "audio engine stopped — restarting (killed by SIGKILL" in engine.health().message
        engine.revive(_Conductor())
        time.sleep(4.0)
        assert 2 <= len(spawned) <= 4, spawned  # 0.5, 1, 2 s apart (and so on): never every 50 ms
        assert "audio engine failed to restart: no luck" in engine.health().message
        report = engine.close()
    finally:
        engine.close()
    assert report["engine_failures"] == 1 and report["engine_recoveries"] == 0 and report["audio"] == "dead"


def test_the_engines_start_failure_is_said_at_once_in_its_own_words(monkeypatch):
    def unloadable(show, rate):
        raise ShowError("sounds/kick.wav: no such file (it was there when the show was checked)")

    monkeypatch.setattr(engine_module, "kit_for_show", unloadable)
    began = time.monotonic()
    with pytest.raises(ShowError, match="sounds/kick.wav: no such file"):
        AudioEngine(EngineConfig(SHOW, device="no such interface"), in_process=True).start()
    assert time.monotonic() - began < 2.0


class _Gone:
    """A worker that is already over."""

    pid = None
    exitcode = 1

    def join(self, timeout=None) -> None:
        pass

    def is_alive(self) -> bool:
        return False


class _Conductor:
    position = 0
