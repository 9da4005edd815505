"""The cue mix, without a device: the routing of rendered blocks and the pre-entry cue's samples."""

from __future__ import annotations

import numpy as np
import pytest

from rockstar_cx import cli
from rockstar_cx.audio.ahead import Renderer
from rockstar_cx.audio.commands import SetClick, SetCue
from rockstar_cx.audio.cue import PreEntry, Routing, check_routing, parse_channels, pre_entry
from rockstar_cx.audio.health import Counters, Health, run_report
from rockstar_cx.audio.ipc import decode_command, encode_command
from rockstar_cx.audio.kit import PRE_ENTRY_GAP_S, kit_for_show
from rockstar_cx.audio.mixer import Mixer
from rockstar_cx.conductor import Beat, Conductor, MomentStart, Start, Stop, perform
from rockstar_cx.errors import ShowError

from ..conductor.shows import make_show, moment, section

RATE, BLOCK = 48000, 128
CUED = Routing(main=(1, 2), cue=(3, 4))
# a ramp and a one-bar moment (its own downbeat cues the next change), then the end
SHOW = make_show([section("a", "x... x.x.", sound="clap")],
                 [moment("one", ("a",), 2), moment("two", ("a",), 1, tempo=150.0),
                  moment("three", ("a",), 2, tempo_end=90.0)], count_in=1)


def perform_blocks(show, routing: Routing, commands: list, hold_bars: int | None = None) -> np.ndarray:
    """The whole journey as the renderer hands it to the device: samples × channels."""
    conductor = Conductor(show, RATE, hold_bars=hold_bars)
    mixer = Mixer(show, kit_for_show(show, RATE), BLOCK, cue=bool(routing.cue))
    renderer = Renderer(conductor, mixer, BLOCK, BLOCK / RATE, routing, Counters())
    renderer.pending.extend(commands)
    blocks = []
    while not conductor.transport().finished:
        blocks.append(renderer.next_block().out.copy())
    blocks += [renderer.next_block().out.copy() for _ in range(RATE // 4 // BLOCK)]  # the last sounds ring out
    return np.concatenate(blocks)


def expected_pre_entries(show) -> list[int]:
    """The beat one bar before every moment change and the end, but the entry the count-in counts into."""
    events = perform(show, RATE, count_in=True)
    beats = [e.sample for e in events if type(e) is Beat]
    changes = [e.sample for e in events if type(e) in (MomentStart, Stop)][1:]
    return [beats[beats.index(change) - show.meter.beats] if change in beats else beats[-show.meter.beats]
            for change in changes]


def onsets(channel: np.ndarray, silence: int = 64) -> list[int]:
    loud = np.flatnonzero(channel != 0.0)
    return list(loud[np.diff(loud, prepend=-silence - 1) > silence])


def test_the_pre_entry_cue_falls_on_the_downbeat_a_bar_before_every_change():
    conductor = Conductor(SHOW, RATE)
    conductor.submit(Start(count_in=True))
    found = []
    while not conductor.transport().finished:
        events = conductor.advance(BLOCK)
        cue = pre_entry(conductor, events) if events else None
        if cue is not None:
            assert any(type(e) is Beat and e.sample == cue.sample for e in events)
            found.append(cue.sample)
    assert found == expected_pre_entries(SHOW) == [192000, 288000, 450487]  # ramps, tempi: to the sample


def test_a_held_moment_gets_no_pre_entry_cue_while_it_holds():
    show = make_show([section("a", "x...")], [moment("held", ("a",), 0), moment("next", ("a",), 1)], count_in=0)
    conductor = Conductor(show, RATE)  # live: it holds until the presenter moves on
    conductor.submit(Start(count_in=False))
    cues = [pre_entry(conductor, events) for events in (conductor.advance(BLOCK) for _ in range(4 * RATE // BLOCK))]
    assert conductor.transport().playing and not any(cues)


def test_the_click_and_pre_entry_cues_reach_only_the_cue_channels_and_the_count_in_both():
    out = perform_blocks(SHOW, CUED, [SetClick(True), Start(count_in=True)])
    plain = perform_blocks(SHOW, Routing(), [Start(count_in=True)])  # no click, no cue mix
    main, cue = out[:, :2], out[:, 2:]
    assert np.array_equal(main[:, 0], main[:, 1]) and np.array_equal(cue[:, 0], cue[:, 1])
    # the room's mix is bit for bit the mix without any click: the count-in is in it, nothing else
    assert main[:, 0].tobytes() == plain[:len(out), 0].tobytes()
    events = perform(SHOW, RATE, count_in=True)
    beats = [e.sample for e in events if type(e) is Beat]
    count_in = [e.sample for e in events if type(e) is Beat and e.count_in]
    assert onsets(cue[:, 0]) == beats  # a sound from every beat's very sample
    assert [o for o in onsets(main[:, 0]) if o < beats[len(count_in)]] == count_in
    # the pre-entry cue's second blip, at full strength where a click's bip has died down to a murmur
    second = round(PRE_ENTRY_GAP_S * RATE)
    blipped = [b for b in beats[len(count_in):] if np.abs(cue[b + second:b + second + 32, 0]).max() > 0.05]
    assert blipped == expected_pre_entries(SHOW)


def test_the_cue_toggle_silences_the_cue_mix_and_the_click_stays_out_of_the_room():
    out = perform_blocks(SHOW, CUED, [SetClick(True), SetCue(False), Start(count_in=True)])
    plain = perform_blocks(SHOW, Routing(), [Start(count_in=True)])
    assert not np.any(out[:, 2:]) and out[:, 0].tobytes() == plain[:len(out), 0].tobytes()


def test_without_cue_channels_the_click_plays_in_the_main_mix_as_before():
    out = perform_blocks(SHOW, Routing(main=(1,)), [SetClick(True), Start(count_in=True)])
    plain = perform_blocks(SHOW, Routing(main=(1,)), [Start(count_in=True)])
    beats = [e.sample for e in perform(SHOW, RATE, count_in=True) if type(e) is Beat and not e.count_in]
    assert out.shape[1] == 1 and onsets(out[:, 0] - plain[:len(out), 0]) == beats  # the count-in is in both


def test_channels_apart_and_unasked_ones_silent():
    out = perform_blocks(SHOW, Routing(main=(2,), cue=(5,)), [SetClick(True), Start(count_in=True)])
    assert out.shape[1] == 5 and np.any(out[:, 1]) and np.any(out[:, 4])
    assert not np.any(out[:, [0, 2, 3]])


def test_a_pre_entry_cue_is_mixed_from_its_exact_sample_into_the_cue_bus_only():
    show = make_show([section("a", "x")], [moment("m", (), 1)], count_in=0)
    kit = kit_for_show(show, RATE)
    mixer = Mixer(show, kit, BLOCK, cue=True)
    at = 3 * BLOCK + 17
    cue, master = [], []
    for block in range(80):
        events = [PreEntry(at)] if block == 3 else []
        master.append(mixer.process(block * BLOCK, BLOCK, events).copy())
        cue.append(mixer.cue[:BLOCK].copy())
    cue = np.concatenate(cue)
    assert not np.any(np.concatenate(master)) and onsets(cue) == [at]
    sound = kit["pre_entry"]
    np.testing.assert_allclose(cue[at:at + len(sound)] / cue[at], sound / sound[0], atol=1e-6)


@pytest.mark.parametrize("text, message", [("3,x", "separated by commas"), ("", "separated by commas"),
                                           ("0,1", "counted from 1"), ("3,3", "named twice")])
def test_bad_channel_lists_are_the_users_mistake(text, message):
    with pytest.raises(ShowError, match=message):
        parse_channels("--cue-channels", text)


def test_channel_lists_and_routing():
    assert parse_channels("--cue-channels", "3, 4") == (3, 4)
    with pytest.raises(ShowError, match="share channel 2"):
        check_routing((1, 2), (2, 3))
    out = np.zeros((4, 4), np.float32)
    main, cue = Routing(main=(1, 3), cue=(4,)).views(out)
    assert [v.shape for v in main] == [(4, 1), (4, 1)] and [v.shape for v in cue] == [(4, 1)]
    assert len(CUED.views(out)[0]) == len(CUED.views(out)[1]) == 1 and CUED.channels == 4


def test_set_cue_crosses_the_wire_and_the_report_names_the_channels():
    assert decode_command(*encode_command(SetCue(False))) == SetCue(False)
    report = run_report(Health(), np.zeros(10, np.uint32), CUED)
    assert report["channels"] == {"main": [1, 2], "cue": [3, 4]} and report["click_in_main"] is False
    assert run_report(Health(), np.zeros(10, np.uint32), Routing())["click_in_main"] is True


@pytest.mark.parametrize("options, message", [
    (["--cue-channels", "3;4"], "--cue-channels 3;4: give channel numbers separated by commas"),
    (["--main-channels", "0,1"], "--main-channels 0,1: channels are counted from 1"),
    (["--cue-channels", "2,3"], "--main-channels and --cue-channels share channel 2"),
    (["--main-channels", "1", "--cue-channels", "4,4"], "--cue-channels 4,4: a channel is named twice")])
def test_play_refuses_bad_channel_options_before_anything_starts(options, message, capsys):
    assert cli.main(["play", "--no-ui", "--duration", "1", *options]) == cli.EXIT_USER_ERROR
    assert message in capsys.readouterr().err
