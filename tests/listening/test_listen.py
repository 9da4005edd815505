"""``rockstar-cx listen`` and ``report`` end to end: a show rendered, a room simulated around it, a WAV.

The room sits silent through the first moment, claps its own drifting pulse in the chaos moment
(110 → 119 bpm, σ 45 ms) and the show's beat, 12 ms early with σ 20 ms, in the conducted one; the
guide is 10 dB louder than the crowd at the mic, 70 ms away, RT60 1 s; the recording starts 2 s
before the show.  Measured: start exact to the sample, the conducted moment σ 17.3 ms and
13.3 ms ahead, its tempo within 0.1 bpm; the chaos moment's tempo within 0.11 bpm at its first
and last bar (seeds 12 and 13 of the same room: within 0.37 bpm; σ 17-20 ms, 11-15 ms ahead).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy import signal

from rockstar_cx.audio.render import render_show
from rockstar_cx.cli import main
from rockstar_cx.conductor.events import Beat
from rockstar_cx.listening import listen
from rockstar_cx.show import load_show

from ..roomsim import (RATE, bar_tempo, beat_times, clap_track, crowd, join, mix, room_response, skew,
                       through_room)

SHOW = """\
[show]
title = "Listening"
tempo = 110
count_in = 0

[[sections]]
id = "a"
sound = "clap"
pattern = "x... x... x... x..."

[[sections]]
id = "b"
sound = "click"
pattern = "X... .... X... ...."

[[moments]]
id = "quiet"
title = "Quiet"
sections = []
bars = 4

[[moments]]
id = "chaos"
title = "Chaos"
sections = ["a"]
bars = 8
mode = "chaos"

[[moments]]
id = "conducted"
title = "Conducted"
sections = ["a", "b"]
bars = 8
"""
LEAD_S, DELAY_S = 2.0, 0.07
SKEW_PPM = 100.0  # the same room recorded by a second device with a fast clock (and at 44.1 kHz)
KEYS = ["id", "title", "mode", "start_s", "seconds", "clapping", "spread_ms", "ahead_ms", "tempo_start_bpm",
        "tempo_end_bpm", "conductor_tempo_start_bpm", "conductor_tempo_end_bpm", "r", "n_beats", "pulse", "sections"]


@pytest.fixture(scope="module")
def performance(tmp_path_factory) -> tuple[Path, Path, np.ndarray]:
    """(show file, recording WAV, the chaos moment's true beat times in the recording)."""
    folder = tmp_path_factory.mktemp("listen")
    show_file = folder / "show.toml"
    show_file.write_text(SHOW)
    guide, _, events = render_show(load_show(show_file), RATE)
    rng = np.random.default_rng(11)
    chaos_beats = [e.time for e in events if type(e) is Beat and e.moment == 1]
    chaos = beat_times(chaos_beats[0], 110, 119, len(chaos_beats)) + LEAD_S
    conducted = np.array([e.time for e in events if type(e) is Beat and e.moment == 2]) + LEAD_S
    seconds = len(guide) / RATE + LEAD_S + 1
    claps = join(crowd(chaos, 200, 45, 0, rng), crowd(conducted, 200, 20, -12, rng))
    played = np.zeros(int(seconds * RATE))
    played[int(LEAD_S * RATE):int(LEAD_S * RATE) + len(guide)] = guide
    mic = mix(through_room(clap_track(claps, seconds, rng), room_response(DELAY_S, 1.0, rng)), rng,
              guide=through_room(played, room_response(DELAY_S, 1.0, rng)), guide_db=10)
    recording = folder / "room.wav"
    soundfile.write(recording, (mic / np.abs(mic).max() * 0.9).astype(np.float32), RATE, subtype="FLOAT")
    second = signal.resample_poly(skew(mic, SKEW_PPM), 147, 160)  # a USB mic: its own clock, at 44.1 kHz
    soundfile.write(folder / "room-skewed.wav", (second / np.abs(mic).max() * 0.9).astype(np.float32), 44100,
                    subtype="FLOAT")
    return show_file, recording, chaos + DELAY_S


@pytest.fixture(scope="module")
def measured(performance, tmp_path_factory) -> dict:
    show_file, recording, _ = performance
    out = tmp_path_factory.mktemp("out") / "room.json"
    assert main(["listen", str(recording), str(show_file), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_listen_writes_every_moment_with_the_fields(measured):
    assert list(measured) == ["recording", "show", "start_s", "sample_rate", "skew_ppm", "kernel_ms", "moments"]
    assert measured["start_s"] == pytest.approx(LEAD_S + DELAY_S, abs=1 / RATE)
    assert measured["skew_ppm"] == 0
    assert [m["id"] for m in measured["moments"]] == ["quiet", "chaos", "conducted"]
    for moment in measured["moments"]:
        assert list(moment) == KEYS


def test_listen_measures_the_room_per_moment(measured, performance):
    quiet, chaos, conducted = measured["moments"]
    assert quiet["clapping"] is False and quiet["spread_ms"] is None and quiet["tempo_start_bpm"] is None
    assert conducted["clapping"] is True
    assert conducted["spread_ms"] == pytest.approx(20, abs=6)
    assert conducted["ahead_ms"] == pytest.approx(-12, abs=6)
    assert conducted["tempo_start_bpm"] == pytest.approx(110, abs=0.5)
    assert conducted["tempo_end_bpm"] == pytest.approx(110, abs=0.5)
    true_chaos = performance[2]
    assert chaos["clapping"] is True and chaos["ahead_ms"] is None  # no conductor to be ahead of
    assert chaos["tempo_start_bpm"] == pytest.approx(bar_tempo(true_chaos, 0), abs=0.5)
    assert chaos["tempo_end_bpm"] == pytest.approx(bar_tempo(true_chaos, 7), abs=0.5)
    assert chaos["spread_ms"] > conducted["spread_ms"] + 15  # without the conductor the room spread


def test_listen_from_a_given_start_agrees(performance, measured, tmp_path):
    show_file, recording, _ = performance
    out = tmp_path / "given.json"
    given_s = LEAD_S + DELAY_S + 0.012  # a start read off a waveform by eye: refined by the guide
    assert main(["listen", str(recording), str(show_file), "--json", str(out), "--start", str(given_s)]) == 0
    given = json.loads(out.read_text())
    assert given["start_s"] == measured["start_s"]
    conducted = given["moments"][2]
    assert conducted["spread_ms"] == pytest.approx(measured["moments"][2]["spread_ms"], abs=1.0)


def test_a_second_devices_recording_is_put_back_on_the_shows_rate_and_clock(performance, measured, tmp_path):
    show_file, recording, _ = performance
    out = tmp_path / "skewed.json"
    assert main(["listen", str(recording.with_name("room-skewed.wav")), str(show_file), "--json", str(out)]) == 0
    skewed = json.loads(out.read_text())
    assert skewed["skew_ppm"] == pytest.approx(SKEW_PPM, abs=1)
    assert skewed["start_s"] == pytest.approx((LEAD_S + DELAY_S) * (1 + SKEW_PPM * 1e-6), abs=0.1e-3)
    for field, tolerance in (("spread_ms", 2.0), ("ahead_ms", 1.0), ("tempo_end_bpm", 0.1)):
        assert skewed["moments"][2][field] == pytest.approx(measured["moments"][2][field], abs=tolerance), field


def test_each_section_on_its_own_steps_has_its_own_phase(tmp_path):
    """Section a claps the beats 15 ms early, b the off-beats 15 ms late: each is read on its own steps
    (measured: -18.5 and +12.7 ms; the room as a whole +1.0 ms)."""
    show_file = tmp_path / "two.toml"
    sections = SHOW.split("[[moments]]")[0].replace('"X... .... X... ...."', '"..x. ..x. ..x. ..x."')
    show_file.write_text(sections + '[[moments]]\nid = "both"\ntitle = "Both"\nsections = ["a", "b"]\nbars = 8\n')
    guide, _, events = render_show(load_show(show_file), RATE)
    rng = np.random.default_rng(12)
    beats = np.array([e.time for e in events if type(e) is Beat]) + LEAD_S
    claps = join(crowd(beats, 150, 15, -15, rng), crowd(beats + 60 / 110 / 2, 150, 15, 15, rng))
    seconds = len(guide) / RATE + LEAD_S + 1
    played = np.zeros(int(seconds * RATE))
    played[int(LEAD_S * RATE):int(LEAD_S * RATE) + len(guide)] = guide
    mic = mix(through_room(clap_track(claps, seconds, rng), room_response(DELAY_S, 0.8, rng)), rng,
              guide=through_room(played, room_response(DELAY_S, 0.8, rng)), guide_db=0)
    (moment,) = listen(mic, RATE, load_show(show_file)).as_dict()["moments"]
    assert moment["sections"]["a"] == pytest.approx(-15, abs=6)
    assert moment["sections"]["b"] == pytest.approx(15, abs=6)
    assert moment["ahead_ms"] == pytest.approx(0, abs=6)  # the room as a whole: both, on average


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".html", b"<!doctype html>")])
def test_report_draws_the_journey(measured, tmp_path, suffix, magic):
    run = tmp_path / "run.json"
    run.write_text(json.dumps(measured))
    out = tmp_path / f"report{suffix}"
    assert main(["report", str(run), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # written whole: no temporary left


def test_listen_takes_the_rooms_echo_from_the_calibration_of_the_device_the_sidecar_names(performance, tmp_path,
                                                                                          monkeypatch, capsys):
    from rockstar_cx.listening import Latency
    from rockstar_cx.live.roomcal import save_round_trip

    show_file, recording, _ = performance
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    copy = tmp_path / "room.wav"
    copy.write_bytes(recording.read_bytes())
    out = tmp_path / "o.json"
    assert main(["listen", str(copy), str(show_file), "--json", str(out)]) == 0
    assert capsys.readouterr().out.endswith("; the room's echo from the guide\n")
    save_round_trip("Scarlett", RATE, Latency(DELAY_S * RATE, 1, 40.0, room_response(DELAY_S, 1.0, np.random.default_rng(2))))
    (tmp_path / "room.wav.json").write_text(json.dumps({"recording": "room.wav", "device": "Scarlett"}))
    assert main(["listen", str(copy), str(show_file), "--json", str(out)]) == 0
    assert capsys.readouterr().out.endswith("; the room's echo from Scarlett's calibration\n")
    assert main(["listen", str(copy), str(show_file), "--json", str(out), "--device", "Other"]) == 2
    assert "--device 'Other': no calibration kept for it at 48000 Hz in " in capsys.readouterr().err


def test_user_mistakes_exit_2_with_one_line(performance, tmp_path, capsys):
    show_file, recording, _ = performance
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(RATE * 2, dtype=np.float32), RATE)
    run = tmp_path / "run.json"
    run.write_text("{\"moments\": []}")
    played = tmp_path / "played.json"  # a `play --report` run: its moments' times, no room in them
    played.write_text(json.dumps({"moments": [{"id": "a", "start_s": 0.0, "seconds": 8.0, "left_by": "go"}]}))
    cases = {
        "no such file": ["listen", str(tmp_path / "none.wav"), "--json", str(tmp_path / "o.json")],
        "--start -1": ["listen", str(recording), str(show_file), "--json", str(tmp_path / "o.json"), "--start", "-1"],
        "name the file": ["listen", str(recording), "--json", str(tmp_path / "o.txt")],
        "silent": ["listen", str(silent), str(show_file), "--json", str(tmp_path / "o.json")],
        "not an audio file": ["listen", str(show_file), "--json", str(tmp_path / "o.json")],
        "no moments": ["report", str(run), "-o", str(tmp_path / "r.png")],
        "no room measures": ["report", str(played), "-o", str(tmp_path / "r.png")],
        "not a JSON run": ["report", str(show_file), "-o", str(tmp_path / "r.png")],
        ".png, .html or .pdf": ["report", str(run), "-o", str(tmp_path / "r.svg")],
    }
    for words, argv in cases.items():
        assert main(argv) == 2, words
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1, (words, err)
    assert not (tmp_path / "o.json").exists()


def test_report_draws_a_live_runs_room_too(tmp_path):
    """``play --report`` keeps the moments entered and, apart, the room heard per moment: joined by id."""
    run = tmp_path / "live.json"
    run.write_text(json.dumps({
        "moments": [{"id": "chaos", "start_s": 0.0, "seconds": 17.5, "mode": "chaos"},
                    {"id": "conducted", "start_s": 17.5, "seconds": 17.5}],
        "room": [{"moment": 1, "id": "chaos", "bars": 8, "clapping_bars": 8, "spread_ms": 61.0, "ahead_ms": 3.0},
                 {"moment": 2, "id": "conducted", "bars": 8, "clapping_bars": 0, "spread_ms": None, "ahead_ms": None}],
    }))
    out = tmp_path / "live.html"
    assert main(["report", str(run), "-o", str(out)]) == 0
    page = out.read_text()
    assert "<td>chaos</td><td>chaos</td><td>True</td><td>61.0</td>" in page
    assert "<td>conducted</td><td></td><td>False</td>" in page
