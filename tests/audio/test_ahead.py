"""Rendering ahead: the engine's blocks played with no device, the renderer driven by hand.

``Engine.play`` is what the audio callback runs; here the test calls it (and the renderer's
step, ``render_ahead``) itself, in the order the threads would, on the engine's real shared memory.
"""

from __future__ import annotations

import gc
import time

import cffi
import numpy as np
import pytest

from rockstar_cx.audio.ahead import LEAD, POLL, WAIT, Renderer
from rockstar_cx.audio.cue import Routing
from rockstar_cx.audio.engine import Engine, EngineConfig
from rockstar_cx.audio.ipc import Applied, SharedState
from rockstar_cx.audio.kit import kit_for_show
from rockstar_cx.audio.mixer import HIT_GAIN, MASTER_GAIN, Mixer
from rockstar_cx.conductor import Conductor, LiveHit, MomentStart, Mute, Start

from ..conductor.shows import make_show, moment, section

RATE, BLOCK = 48000, 128
PERIOD = BLOCK / RATE
FFI = cffi.FFI()  # the raw stream hands the callback a cffi buffer: so does this test
SHOW = make_show([section("a", "x.x. xxx.", sound="clap"), section("b", "X... x.x.", sound="kick")],
                 [moment("m", ("a", "b"), 0)], count_in=0)
QUIET = make_show([section("a", "x", sound="clap")], [moment("quiet", (), 0)], count_in=0)


@pytest.fixture
def engines():
    """Engines on shared memory of their own, as in an engine process; the app's side to read it."""
    memories, made = [], []

    def make(show=SHOW) -> tuple[Engine, SharedState]:
        app = SharedState.create()
        memories.append(app)
        memories.insert(0, SharedState.attach(app.name))  # closed first: the owner unlinks
        made.append(Engine(EngineConfig(show, blocksize=BLOCK), memories[0], Conductor(show, RATE)))
        return made[-1], app

    yield make
    made.clear()  # the engines hold views of the memory: gone before it closes
    gc.collect()
    for memory in memories:
        memory.close()


def play(engine: Engine, ahead: bool) -> np.ndarray:
    """One block as the callback plays it (rendered ahead by the renderer first, or not): left channel."""
    if ahead:
        assert engine.renderer.render_ahead()
    out = FFI.buffer(FFI.new("float[]", BLOCK * 2))
    engine.play(time.perf_counter(), out)
    stereo = np.frombuffer(out, np.float32).reshape(BLOCK, 2).copy()
    assert np.array_equal(stereo[:, 0], stereo[:, 1])
    return stereo[:, 0]


def test_blocks_rendered_ahead_are_the_blocks_the_callback_would_render(engines):
    (late, _), (early, _) = engines(), engines()
    for engine in (late, early):
        engine.shared.push_command(Start(count_in=False))
    # the callback renders its own blocks, or plays what the renderer made ready: the same audio
    # (the first the callback renders in both: the renderer would have rendered it before Start came)
    heard = [np.concatenate([play(engine, ahead and i > 0) for i in range(200)])
             for engine, ahead in ((late, False), (early, True))]
    assert np.any(heard[0]) and np.array_equal(heard[0], heard[1])
    assert (late.counters.callback_renders, early.counters.callback_renders) == (200, 1)  # the first: Start


def test_a_command_takes_effect_at_the_next_block_rendered(engines):
    engine, reader = engines()
    engine.shared.push_command(Start(count_in=False))
    play(engine, ahead=False)  # nothing ready: the callback renders block 0 itself, Start at its start
    assert engine.renderer.render_ahead()  # block 1, before the next command comes
    engine.shared.push_command(Mute(1))
    play(engine, ahead=False)  # block 1 as rendered: the mute waits for block 2
    play(engine, ahead=True)
    events, _ = reader.read_events()
    assert [e for e in events if type(e) is Applied] == [Applied(0, Start(count_in=False)), Applied(2 * BLOCK, Mute(1))]
    assert events[1] == MomentStart(0, 0.0, 0)
    assert int(SharedState.read_record(reader.transport)["muted"]) == 0b10
    assert int(SharedState.read_record(reader.transport)["sample"]) == 3 * BLOCK


def test_a_live_hit_sounds_from_the_first_sample_of_the_block_played_next(engines):
    engine, reader = engines(QUIET)
    engine.shared.push_command(Start(count_in=False))
    for _ in range(3):
        play(engine, ahead=True)
    engine.renderer.render_ahead(), engine.renderer.render_ahead()  # blocks 3 and 4 ready, silent, when the hit comes
    engine.shared.push_command(LiveHit(0))
    heard = np.concatenate([play(engine, ahead=False)] + [play(engine, ahead=True) for _ in range(100)])
    clap = kit_for_show(QUIET, RATE)["clap"] * np.float32(MASTER_GAIN * HIT_GAIN)
    np.testing.assert_allclose(heard[:len(clap)], clap, atol=1e-7)
    assert not np.any(heard[len(clap):])
    assert reader.read_events()[0][-1] == Applied(3 * BLOCK, LiveHit(0))


def test_a_callback_that_finds_the_renderer_busy_plays_silence_and_the_show_goes_on_after(engines):
    engine, _ = engines()
    engine.shared.push_command(Start(count_in=False))
    heard = [play(engine, ahead=i > 0) for i in range(10)]
    assert engine.renderer.take()  # the renderer, in the middle of a block, and stalled there
    started = time.perf_counter()
    assert not np.any(play(engine, ahead=False)) and engine.counters.dropped_blocks == 1
    assert WAIT * engine.renderer.period <= time.perf_counter() - started < WAIT * engine.renderer.period + 0.05  # a moment
    engine.renderer.give()
    heard += [play(engine, ahead=True) for _ in range(190)]
    early, _ = engines()
    early.shared.push_command(Start(count_in=False))
    # the block the renderer was on is played next: the show lost a block of time, none of its sound
    assert np.array_equal(np.concatenate(heard), np.concatenate([play(early, ahead=i > 0) for i in range(200)]))


def test_a_callback_that_finds_the_renderer_busy_waits_a_moment_for_the_block(engines):
    engine, _ = engines()
    engine.shared.push_command(Start(count_in=False))
    heard = [play(engine, ahead=i > 0) for i in range(10)]
    renderer = engine.renderer
    assert renderer.take()  # the renderer, in the middle of the block due now
    pauses = []

    def renderer_finishes():  # what the GIL handed over lets the renderer do
        pauses.append(1)
        if len(pauses) == 3:
            renderer.give()
            assert renderer.render_ahead()

    renderer.pause = renderer_finishes
    heard.append(play(engine, ahead=False))
    assert len(pauses) == 3 and engine.counters.dropped_blocks == 0 and renderer.ready == 0
    heard += [play(engine, ahead=True) for _ in range(189)]
    early, _ = engines()
    early.shared.push_command(Start(count_in=False))
    assert np.array_equal(np.concatenate(heard), np.concatenate([play(early, ahead=i > 0) for i in range(200)]))


def test_the_renderer_keeps_two_blocks_ready_and_the_callback_needs_no_token_to_play_them(engines):
    engine, reader = engines()
    engine.shared.push_command(Start(count_in=False))
    play(engine, ahead=False)
    renderer = engine.renderer
    assert [renderer.render_ahead() for _ in range(3)] == [True, True, False] and renderer.ready == LEAD == 2
    assert renderer.take()  # the renderer is busy: the blocks ready play all the same
    assert np.any(play(engine, ahead=False)) and np.any(play(engine, ahead=False))
    assert engine.counters.dropped_blocks == 0 and renderer.ready == 0
    assert int(SharedState.read_record(reader.transport)["sample"]) == 3 * BLOCK


def test_a_primed_engine_plays_its_first_blocks_without_rendering_in_the_callback(engines):
    engine, reader = engines()
    engine.renderer.prime()  # as the engine process does before its stream starts
    assert engine.renderer.ready == LEAD
    engine.shared.push_command(Start(count_in=False))
    assert not any(np.any(play(engine, ahead=False)) for _ in range(LEAD))  # rendered before Start came
    assert engine.counters.callback_renders == 0
    assert np.any(np.concatenate([play(engine, ahead=False) for _ in range(10)]))
    assert reader.read_events()[0][0] == Applied(LEAD * BLOCK, Start(count_in=False))
    standby, _ = engines()
    standby.renderer.conductor = None  # an engine standing by for a handover has nothing to render
    standby.renderer.prime()
    assert standby.renderer.ready == 0


def test_a_live_hit_that_finds_the_renderer_busy_still_sounds_from_the_block_played_now(engines):
    engine, reader = engines(QUIET)
    engine.shared.push_command(Start(count_in=False))
    play(engine, ahead=False)
    renderer = engine.renderer
    renderer.render_ahead(), renderer.render_ahead()  # blocks 1 and 2 ready, silent
    assert renderer.take()  # the renderer, in the middle of block 3 all the while blocks 1 and 2 play
    engine.shared.push_command(LiveHit(0))
    heard = [play(engine, ahead=False), play(engine, ahead=False)]
    assert np.any(heard[0]) and renderer.ready == 0
    renderer.give()
    # block 3 was rendered without the hit: the mixer takes it over there, 2 blocks into the sound
    heard += [play(engine, ahead=True)] + [play(engine, ahead=True) for _ in range(100)]
    clap = kit_for_show(QUIET, RATE)["clap"] * np.float32(MASTER_GAIN * HIT_GAIN)
    heard = np.concatenate(heard)
    np.testing.assert_allclose(heard[:len(clap)], clap, atol=1e-7)  # from the first sample of block 1
    assert not np.any(heard[len(clap):])
    assert [e for e in reader.read_events()[0] if type(e) is Applied][-1] == Applied(BLOCK, LiveHit(0))


def test_the_renderer_waits_while_a_block_is_being_played_then_renders_two_ahead(engines):
    engine, _ = engines()
    engine.shared.push_command(Start(count_in=False))
    play(engine, ahead=False)
    renderer, chores = engine.renderer, []
    renderer._chores, renderer._chores_every = (lambda: chores.append(1)), 1.0
    # just played, on the grid (said to be later than now: room to render, however slow this machine is)
    renderer.played_at, renderer.interval = time.perf_counter() + 100 * PERIOD, PERIOD
    renderer.playing = True  # the callback is in the middle of it: hold off (it would have to hand the GIL over)
    renderer.step(PERIOD)
    assert (renderer.ready, chores) == (0, [])
    renderer.playing = False
    renderer.step(PERIOD)
    assert (renderer.ready, chores) == (LEAD, [1])


@pytest.mark.parametrize("since, interval, room", [
    (0.0, 1.0, True),  # just played, on the grid: a whole period ahead
    (0.8, 1.0, False),  # the next block is due in 0.2 periods
    (0.0, 0.1, False),  # blocks back to back: the device is catching up, another may come at once
    (0.0, 1.8, False),  # 0.8 periods late: the next comes 0.2 periods after it, on the old grid
    (0.0, 1.3, True),  # 0.3 late: the next is 0.7 periods away
    (0.3, 0.1, True),  # back to back, then none for 0.3 periods: the burst is over, the next a period after it
    (0.8, 0.1, False),  # ...but not with the next due in 0.2 periods
])
def test_the_renderer_renders_only_with_room_before_the_next_block(since, interval, room):
    renderer = Renderer(None, Mixer(QUIET, kit_for_show(QUIET, RATE), BLOCK), BLOCK, PERIOD, Routing(), {})
    renderer.played_at, renderer.interval = time.perf_counter() - since * PERIOD, interval * PERIOD
    assert renderer._room(PERIOD) is room


@pytest.mark.parametrize("since, overdue, done", [
    (0.1, 0.5, True),  # early in the gap after a render: due is enough
    (0.9, 0.5, False),  # late in the gap: a callback may come while they run
    (0.9, 1.5, True),  # ...unless overdue by a whole interval (a device whose callbacks come in bursts)
])
def test_the_chores_are_done_early_in_a_gap_or_once_overdue(engines, since, overdue, done):
    engine, _ = engines()
    renderer, chores, every = engine.renderer, [], 0.1
    renderer._chores, renderer._chores_every = (lambda: chores.append(1)), every
    renderer.prime()  # LEAD blocks ready: the renderer has nothing to render
    now = time.perf_counter()
    renderer.played_at, renderer.interval, renderer._chores_due = now - since * PERIOD, PERIOD, now - overdue * every
    renderer.step(PERIOD)
    assert chores == ([1] if done else [])


def test_the_renderer_polls_for_the_next_block_only_when_it_has_one_to_render(engines):
    engine, _ = engines()
    renderer = engine.renderer
    renderer.played_at = time.perf_counter()  # a block was just played
    assert renderer._sleep(PERIOD) == pytest.approx(POLL * PERIOD)  # none ready: look again soon
    renderer.conductor = None  # standing by for a handover: its stream plays silence, nothing to render
    assert renderer._sleep(PERIOD) == PERIOD


def test_a_live_hit_that_cannot_play_silences_its_block_and_what_the_block_did_is_published(engines):
    engine, reader = engines()
    engine.shared.push_command(Start(count_in=False))
    engine.shared.push_command(LiveHit(99))  # no such section
    assert not np.any(play(engine, ahead=False)) and engine.counters.callback_errors == 1
    assert [e for e in reader.read_events()[0] if type(e) is Applied] == [Applied(0, Start(count_in=False))]
    assert np.any(np.concatenate([play(engine, ahead=True) for _ in range(20)]))  # and the show goes on


def test_a_handover_goes_on_after_the_blocks_played_with_the_commands_not_yet_applied():
    app = SharedState.create()
    memories = [SharedState.attach(app.name), SharedState.attach(app.name)]
    config = EngineConfig(SHOW, blocksize=BLOCK)
    engines = [Engine(config, memories[0], Conductor(SHOW, RATE)), Engine(config, memories[1], None)]
    try:
        old, new = engines
        app.push_command(Start(count_in=False))
        for i in range(10):
            play(old, ahead=i > 0)
        old.renderer.render_ahead(), old.renderer.render_ahead()  # blocks 10 and 11 ready
        app.push_command(Mute(1))
        assert not np.any(play(new, ahead=False))  # standing by: silence, and the command is left to the old one
        new.publish_health()  # nor does it report: the health record has one writer, the playing engine
        assert int(app.health["seq"][0]) == 0
        new.take_over(old.handover_state())  # the blocks ready play out there: the mute is still to apply
        play(new, ahead=False)
        applied = [e for e in app.read_events()[0] if type(e) is Applied]
        assert applied == [Applied(0, Start(count_in=False)), Applied(12 * BLOCK, Mute(1))]
        transport = SharedState.read_record(app.transport)
        assert (int(transport["sample"]), int(transport["muted"])) == (13 * BLOCK, 0b10)
        assert new.counters.recoveries == 1
    finally:
        engines.clear()
        gc.collect()
        for memory in [*memories, app]:
            memory.close()


def test_the_probe_plays_into_the_main_mix_from_the_block_after_its_command(engines):
    from rockstar_cx.audio.commands import PlayProbe
    from rockstar_cx.audio.probe import probe

    engine, reader = engines(QUIET)
    engine.renderer._sweep = sweep = probe(RATE)  # as with a room input
    engine.shared.push_command(Start(count_in=False))
    heard = [play(engine, ahead=True) for _ in range(3)]
    engine.shared.push_command(PlayProbe())
    heard += [play(engine, ahead=False)] + [play(engine, ahead=True) for _ in range(len(sweep) // BLOCK + 2)]
    heard = np.concatenate(heard)
    assert not np.any(heard[:3 * BLOCK])
    np.testing.assert_array_equal(heard[3 * BLOCK:3 * BLOCK + len(sweep)], sweep)  # a quiet show: the sweep alone
    assert not np.any(heard[3 * BLOCK + len(sweep):])
    assert Applied(3 * BLOCK, PlayProbe()) in reader.read_events()[0]  # where a listener counts the round trip from
