"""The command line, run as the user runs it: exit codes, messages, files written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mido
import pytest
import soundfile

SHOW = """\
[show]
title = "Tiny"
tempo = 120
count_in = 0

[[sections]]
id = "a"
sound = "clap"
pattern = "x..."

[[moments]]
id = "m"
title = "M"
sections = ["a"]
bars = 1
"""


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", "/tmp/rockstar-cx-test-state")}
    return subprocess.run([sys.executable, "-m", "rockstar_cx", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def show_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SHOW)
    return path


def test_version_and_help_on_every_command():
    assert run("--version").stdout.strip() == "rockstar-cx 0.1.0"
    for command in ("play", "render", "export-midi", "check", "devices"):
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: rockstar-cx " + command in result.stdout


def test_check_summarises_a_good_show_and_lists_every_problem_of_a_bad_one(show_file, tmp_path):
    good = run("check", str(show_file))
    assert good.returncode == 0 and '"Tiny", 120 bpm in 4/4, 1 sections, 1 moments, 0 min 2 s' in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(SHOW.replace('sound = "clap"', 'sound = "clapp"').replace("bars = 1", "bars = -1"))
    result = run("check", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{bad}:8", f"{bad}:15"]
    assert "Traceback" not in result.stderr


def test_user_errors_exit_2_with_one_message(show_file):
    missing = run("render", "nope.toml", "-o", "x.wav")
    assert missing.returncode == 2 and missing.stderr.startswith("nope.toml: cannot read")
    rate = run("render", str(show_file), "-o", "x.wav", "--samplerate", "5")
    assert rate.returncode == 2 and "--samplerate 5" in rate.stderr
    option = run("play", "--blocksize", "lots")
    assert option.returncode == 2 and "invalid int value" in option.stderr


def test_render_with_stems_and_export_midi(show_file, tmp_path):
    result = run("render", str(show_file), "-o", str(tmp_path / "mix.wav"), "--stems", str(tmp_path / "stems"))
    assert result.returncode == 0, result.stderr
    mix, rate = soundfile.read(tmp_path / "mix.wav")
    stem, _ = soundfile.read(tmp_path / "stems" / "a.wav")
    assert rate == 48000 and len(mix) == len(stem) and 2 * 48000 < len(mix) < 3 * 48000
    result = run("export-midi", str(show_file), "-o", str(tmp_path / "tiny.mid"))
    assert result.returncode == 0, result.stderr
    notes = [m for m in mido.MidiFile(tmp_path / "tiny.mid").tracks[1] if m.type == "note_on"]
    assert [(m.note, m.velocity) for m in notes] == [(39, 90)] * 4 + [(39, 127)]  # 4 beats + the final downbeat


def test_headless_play_writes_the_run_report(show_file, tmp_path, jack_server):
    report = tmp_path / "run.json"
    result = run("play", str(show_file), "--no-ui", "--device", "system", "--duration", "3", "--report", str(report))
    assert result.returncode == 0, result.stderr
    figures = json.loads(report.read_text())
    for key in ("samplerate", "blocksize", "device", "callbacks", "underflows", "underflows_after_warmup",
                "callback_ms_p50", "callback_ms_p99", "callback_ms_max", "callback_errors", "device_losses",
                "recoveries", "output_latency_ms"):
        assert key in figures
    assert (figures["samplerate"], figures["blocksize"], figures["device"], figures["audio"]) == (48000, 128, "system", "ok")
    assert 3 * 375 * 0.8 < figures["callbacks"] < 3 * 375 * 1.3
    assert "moment 1/1: M" in result.stdout


def test_play_without_a_matching_device_runs_silent_and_says_so(show_file, jack_server):
    result = run("play", str(show_file), "--no-ui", "--device", "no such interface", "--duration", "1")
    assert result.returncode == 0
    assert "no audio output matches --device 'no such interface'" in result.stderr
    assert "performing silently" in result.stderr
