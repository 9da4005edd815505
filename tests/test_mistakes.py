"""Every user mistake is exit 2 with one clear line, never "unexpected error" (issue 16.6); SIGTERM
and SIGHUP end a show like Ctrl-C, its report written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rockstar_cx.errors import ShowError
from test_cli import SHOW, run

LONG_NAME = "a" * 300


@pytest.fixture
def show_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SHOW)
    return path


def one_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "unexpected" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize("args, expected", [
    (("render", "-o", "keynote"), ["keynote: no extension: name the file .wav, .flac, .aiff or .aif"]),
    (("render", "-o", "keynote.mp3"), ["unknown extension '.mp3'", ".wav, .flac"]),
    (("render", "-o", "/dev/full"), ["/dev/full: no extension"]),
    (("render", "-o", "~nosuchuser/keynote.wav"), ["there is no user 'nosuchuser'"]),
    (("render", "-o", "keynote.wav", "--stems", "~nosuchuser/stems"), ["there is no user 'nosuchuser'"]),
    (("render", "-o", LONG_NAME + ".wav"), ["the file name is too long (304 bytes; at most 255)"]),
    (("render", "-o", "/no/such/folder/keynote.wav"), ["there is no folder /no/such/folder"]),
    (("export-midi", "-o", "/dev/full"), ["/dev/full: no extension: name the file .mid or .midi"]),
    (("export-midi", "-o", "show.txt"), ["unknown extension '.txt'"]),
    (("export-midi", "-o", "~nosuchuser/show.mid"), ["there is no user 'nosuchuser'"]),
    (("export-midi", "-o", LONG_NAME + ".mid"), ["the file name is too long"]),
    (("play", "--no-ui", "--duration", "nan"), ["--duration nan"]),
    (("play", "--no-ui", "--duration", "inf"), ["--duration inf"]),
    (("play", "--no-ui", "--duration", "-1"), ["--duration -1"]),
    (("play", "--no-ui", "--room-input", "0"), ["--room-input 0: give the microphone's input channel"]),
    (("play", "--no-ui", "--room-input", "left\x1b[2J"), ["--room-input left\\x1b[2J: give"]),
])
def test_a_mistake_is_one_line_and_exit_2(args, expected, tmp_path):
    one_line(_run_in(tmp_path, *args), *expected)


def _run_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_STATE_HOME": str(folder / "state")}
    return subprocess.run([sys.executable, "-m", "rockstar_cx", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=folder)


def test_an_output_that_is_a_folder_is_one_line(tmp_path):
    (tmp_path / "mix.wav").mkdir()
    one_line(_run_in(tmp_path, "render", "-o", "mix.wav"), "mix.wav: it is a folder")


def test_the_report_is_checked_before_the_show(show_file, tmp_path):
    started = time.monotonic()
    result = run("play", str(show_file), "--no-ui", "--duration", "5", "--report", str(tmp_path / "no" / "r.json"))
    one_line(result, f"there is no folder {tmp_path / 'no'}")
    assert time.monotonic() - started < 4 and "moment" not in result.stdout


def test_echoed_values_cannot_forge_a_line_or_rewrite_the_terminal(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SHOW.replace('sections = ["a"]', 'sections = ["a\\nfake.toml:1: error \\u202e \\u001b[2J"]'))
    result = run("check", str(bad))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "\\nfake.toml:1: error \\u202e \\x1b[2J" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert str(ShowError("a\rb\u2028c\u2066")) == "rockstar-cx: a\\rb\\u2028c\\u2066"


@pytest.fixture
def no_jack(monkeypatch):
    """No JACK server by the name clients look for, and none started for them."""
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"rockstar-cx-none-{os.getpid()}")
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")


def test_midi_without_a_jack_server_answers_at_once(show_file, no_jack):
    started = time.monotonic()
    result = run("play", str(show_file), "--no-ui", "--duration", "1", "--midi-out", "virtual", "--midi-api", "jack")
    one_line(result, "rockstar-cx: MIDI: no JACK server is running (start one, or use --midi-api alsa)")
    assert time.monotonic() - started < 5


def test_devices_without_a_jack_server_lists_what_there_is(no_jack):
    result = run("devices", "--midi-api", "jack")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "Audio outputs:" in result.stdout and "MIDI: no JACK server is running" in result.stdout


def shared_memory_of(pid: int) -> set[str]:
    with open(f"/proc/{pid}/maps") as maps:
        return {line.split()[-1] for line in maps if "/dev/shm/" in line}


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_end_the_show_like_ctrl_c_with_the_report_written(ending, show_file, tmp_path):
    report = tmp_path / "r.json"
    play = subprocess.Popen([sys.executable, "-m", "rockstar_cx", "play", "--no-ui", "--device", "no such device",
                             "--report", str(report)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")})
    deadline = time.monotonic() + 60
    while not (children_of(play.pid) and any("psm_" in name for name in shared_memory_of(play.pid))):
        assert play.poll() is None and time.monotonic() < deadline, play.communicate()
        time.sleep(0.05)
    time.sleep(2)  # performing
    shared, children = shared_memory_of(play.pid), children_of(play.pid)
    play.send_signal(ending)
    out, err = play.communicate(timeout=60)
    assert play.returncode == 130, err
    assert "unexpected" not in err and "Traceback" not in err, err
    figures = json.loads(report.read_text())
    assert figures["samplerate"] == 48000 and {"callbacks", "underflows", "device_losses"} <= figures.keys()
    assert [name for name in shared if os.path.exists(name)] == []
    deadline = time.monotonic() + 5  # the engine's own children (multiprocessing's resource tracker) end by themselves
    while (alive := [child for child in children if os.path.exists(f"/proc/{child}")]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive == []
