"""The cue mix on a real 4-output JACK device: the click and the pre-entry cues on channels 3-4
only, not one sample of them on 1-2, the count-in on both, every main-mix hit exact to the sample."""

from __future__ import annotations

import time

import numpy as np
import pytest

from jackcapture import JackCapture
from timing import CUE_ATTEMPTS, ONSET_NOTICE_EARLY, ONSET_NOTICE_LATE
from rockstar_cx.audio.commands import SetClick
from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.kit import PRE_ENTRY_GAP_S, synthesize
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor import Beat, Hit, Start, perform
from rockstar_cx.errors import ShowError

from ..conductor.shows import make_show, moment, section
from .test_cue import expected_pre_entries
from .test_engine import wait_for

RATE = 48000
# Hits on the 8th notes of every other beat: the odd beats are silent in the room, so a click there would show,
# and the room is silent from 15 ms after every hit (the click sound's length), where a pre-entry cue would show.
SHOW = make_show([section("a", "x.x. ....", sound="click")],
                 [moment("one", ("a",), 2), moment("two", ("a",), 1)], tempo=150.0, count_in=1)


@pytest.fixture
def four_outputs(jack_server_4out, monkeypatch):
    monkeypatch.setenv("JACK_DEFAULT_SERVER", jack_server_4out.name)  # the engine process's and the capture's
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    return jack_server_4out


def play_once() -> tuple[JackCapture, dict, int]:
    """The show with the click on, cue channels 3,4: (the capture of all four outputs, the report, xruns)."""
    config = EngineConfig(SHOW, device="system", main_channels=(1, 2), cue_channels=(3, 4), hold_bars=4)
    with AudioEngine(config) as engine:
        assert engine.start_state == "ok", engine.health().message
        recorder = JackCapture(12, channels=4)
        try:
            for channel, port in enumerate(recorder.ports):
                recorder.connect(f"PortAudio:out_{channel}", port)
            time.sleep(0.5)  # JACK may report an xrun for the graph change of connecting: let it pass
            xruns = recorder.xruns
            engine.send(SetClick(True))
            engine.send(Start(count_in=True))
            wait_for(lambda: engine.transport().finished, timeout=30)
            time.sleep(0.3)
            report = engine.close()
        finally:
            recorder.close()
    return recorder, report, recorder.xruns - xruns


def disturbed(frames: np.ndarray, xruns: np.ndarray) -> np.ndarray:
    """Which of ``frames`` a cycle JACK dropped, and reported at ``xruns``, may have touched."""
    near = np.zeros(len(frames), bool)
    for xrun in xruns:
        near |= (frames >= xrun - ONSET_NOTICE_LATE) & (frames <= xrun + ONSET_NOTICE_EARLY)
    return near


def test_the_cue_mix_reaches_only_the_cue_channels_and_the_room_hears_every_hit_to_the_sample(four_outputs):
    events = perform(SHOW, RATE, count_in=True)
    count_in = [e.sample for e in events if type(e) is Beat and e.count_in]
    beats = [e.sample for e in events if type(e) is Beat]
    hits = [e.sample for e in events if type(e) is Hit]
    room = sorted(count_in + hits)  # what the main channels play: the count-in and the hits, nothing else
    lengths = {**{s: len(synthesize("count", RATE)) for s in count_in}, **{s: len(synthesize("click", RATE)) for s in hits}}
    checked = np.zeros(len(room) - 1, bool)  # the room's intervals seen exact, clear of a JACK xrun
    for _attempt in range(CUE_ATTEMPTS):
        recorder, report, xruns = play_once()
        assert report["callback_errors"] == 0
        assert report["channels"] == {"main": [1, 2], "cue": [3, 4]} and report["click_in_main"] is False
        audio = recorder.buffers[:, :recorder.written]
        xrun_at = np.array(recorder.xrun_frames[len(recorder.xrun_frames) - xruns:], int) - recorder.first_frame
        # both channels of each pair alike, but where a cycle JACK dropped can have cut one port's copy short
        differ = np.flatnonzero((audio[0] != audio[1]) | (audio[2] != audio[3]))
        assert disturbed(differ, xrun_at).all(), f"channels differ at {differ[~disturbed(differ, xrun_at)][:8]}, xruns at {xrun_at}"
        main, cue = audio[0], audio[2]
        heard, cued = recorder.onsets(channel=0) - recorder.first_frame, recorder.onsets(channel=2) - recorder.first_frame
        if (len(heard), len(cued)) != (len(room), len(beats)):  # a cycle JACK dropped inside a sound splits it
            assert xruns, (len(heard), len(room), len(cued), len(beats))
            continue
        # not one sample of a click or a cue in the room: each sound there rings out in silence
        loud = np.flatnonzero(main)
        owner = np.searchsorted(heard, loud, side="right") - 1
        outside = loud[loud - heard[owner] >= np.array([lengths[room[i]] for i in owner])]
        outside = outside[~disturbed(outside, xrun_at)]  # a cycle JACK dropped may repeat a block of a sound
        assert len(outside) == 0, f"{len(outside)} samples of the main mix outside the show's sounds, from {outside[0]}"
        # the count-in on both, together; the pre-entry cue's second blip on the cue channels only where due
        together = ~disturbed(heard[:len(count_in)], xrun_at)
        assert list(cued[:len(count_in)][together]) == list(heard[:len(count_in)][together])
        second = round(PRE_ENTRY_GAP_S * RATE)
        blipped = [b for b, at in zip(beats, cued) if b not in count_in and np.abs(cue[at + second:][:32]).max() > 0.05]
        assert blipped == expected_pre_entries(SHOW) and len(blipped) == 2
        # every onset where the show puts it, to the sample, but across a cycle JACK dropped (and said so)
        clear = np.ones(len(room) - 1, bool)
        cue_clear = np.ones(len(beats) - 1, bool)
        for xrun in xrun_at:
            clear &= (heard[1:] < xrun - ONSET_NOTICE_LATE) | (heard[:-1] > xrun + ONSET_NOTICE_EARLY)
            cue_clear &= (cued[1:] < xrun - ONSET_NOTICE_LATE) | (cued[:-1] > xrun + ONSET_NOTICE_EARLY)
        assert list(np.diff(heard)[clear]) == list(np.diff(room)[clear])
        assert list(np.diff(cued)[cue_clear]) == list(np.diff(beats)[cue_clear])  # the cue mix on every beat
        checked |= clear
        if checked.all():
            break
    assert checked.all(), f"intervals never clear of a JACK xrun in {CUE_ATTEMPTS} runs: {np.flatnonzero(~checked)}"


def test_cue_channels_the_device_does_not_have_are_refused_at_start(jack_server):
    with pytest.raises(ShowError, match="has 2 output channels, fewer than --main-channels 1,2 --cue-channels 3,4"):
        AudioEngine(EngineConfig(SHOW, device="system", cue_channels=(3, 4))).start()
