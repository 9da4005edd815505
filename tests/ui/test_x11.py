"""``rockstar-cx play`` as a presenter runs it, in a real X server (Xvfb, SDL's x11 driver), driven by
real key presses (xdotool's XTEST): quitting mid-show asks first, and a killed app (SIGKILL)
restarted with the same show resumes at the same moment, with the same mutes and tempo.

What the app did is read from outside, as a user would find it: the state file it keeps
(``$XDG_STATE_HOME/rockstar-cx``) and the run report (``--report``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xserver import xvfb

REPO = Path(__file__).resolve().parents[2]
SHOW = """\
[show]
title = "Resume test"
tempo = 240
count_in = 1
warn_beats = 0

[[sections]]
id = "sales"
name = "Sales"
sound = "clap"
pattern = "x... x... x... x..."

[[sections]]
id = "service"
name = "Service"
sound = "stomp"
pattern = "..x. ..x. ..x. ..x."

[[moments]]
id = "talk"
title = "Talk"
sections = []
bars = 0

[[moments]]
id = "groove"
title = "Groove"
sections = ["sales", "service"]
bars = 2

[[moments]]
id = "finale"
title = "Finale"
sections = ["sales", "service"]
bars = 2
"""


@pytest.fixture
def display():
    with xvfb(tools=("xdotool",)) as name:
        yield name


class App:
    """``rockstar-cx play SHOW`` in the X server, its state folder and report in ``home``."""

    def __init__(self, display: str, home: Path, show: Path) -> None:
        self.env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", XDG_STATE_HOME=str(home / "state"),
                        XDG_CONFIG_HOME=str(home / "config"))
        self.report = home / f"run-{time.monotonic_ns()}.json"
        self.process = subprocess.Popen([sys.executable, "-m", "rockstar_cx", "play", str(show), "--report",
                                         str(self.report)], cwd=REPO, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        found = self._xdotool("search", "--sync", "--classname", "__main__", timeout=30)  # its own X server: ours
        self.window = found.split()[0]
        deadline = time.monotonic() + 10
        while True:  # the window is found before it is mapped, and an unmapped one cannot take the focus
            try:
                self._xdotool("windowfocus", "--sync", self.window)
                break
            except subprocess.CalledProcessError:
                assert time.monotonic() < deadline, "the stage window never took the focus"
                time.sleep(0.1)

    def _xdotool(self, *args: str, timeout: float = 10) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, check=True,
                              timeout=timeout).stdout

    def key(self, *keys: str) -> None:
        for key in keys:
            self._xdotool("key", key)
            time.sleep(0.35)  # a clicker's pace: never a bounce (0.3 s)

    def state(self) -> dict | None:
        files = list((Path(self.env["XDG_STATE_HOME"]) / "rockstar-cx").glob("resume-*.json"))
        return json.loads(files[0].read_text()) if files else None

    def wait_state(self, **expected) -> dict:
        deadline = time.monotonic() + 15
        while True:
            state = self.state()
            if state is not None and all(state.get(k) == v for k, v in expected.items()):
                return state
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, (state, expected)
            time.sleep(0.05)

    def ended(self, timeout: float = 20) -> dict:
        """Its exit status was 0; its run report."""
        out, err = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, err
        return json.loads(self.report.read_text())

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=20)


@pytest.fixture
def show_file(tmp_path) -> Path:
    path = tmp_path / "resume.toml"
    path.write_text(SHOW)
    return path


def test_a_killed_app_resumes_at_the_same_moment_with_the_same_mutes_and_tempo(jack_server, display, tmp_path,
                                                                               show_file):
    first = App(display, tmp_path, show_file)
    try:
        first.key("F5")  # start; then GO to "groove", mute Sales, a tempo nudge
        first.wait_state(playing=True)
        first.key("Right")
        first.wait_state(moment=1)
        first.key("1", "plus")
        kept = first.wait_state(moment=1, muted=[0], tempo=241.0, playing=True)
        assert kept["path"] == str(show_file.resolve())
    finally:
        first.process.send_signal(signal.SIGKILL)  # a crash: nothing is cleaned up
        first.kill()
    assert first.state()["moment"] == 1

    again = App(display, tmp_path, show_file)
    try:
        time.sleep(1.0)
        again.key("Right")  # the clicker's GO accepts the offer: parked at "groove", stopped
        again.wait_state(moment=1, muted=[0], tempo=241.0, playing=False)
        again.key("F5")
        again.wait_state(moment=1, muted=[0], tempo=241.0, playing=True)
        time.sleep(2.5)  # the count-in, then "groove" at 241 bpm
        again.key("ctrl+q")  # mid-show: only asks
        time.sleep(1.0)
        assert again.process.poll() is None
        again.key("ctrl+q")
        report = again.ended()
    finally:
        again.kill()
    entered = report["moments"]
    assert [entry["id"] for entry in entered] == ["groove"] and entered[0]["left_by"] is None
    assert again.state()["playing"] is True  # quit mid-show: the next start offers to resume


def test_quitting_asks_while_playing_and_a_stopped_quit_or_the_finale_clears_the_state(jack_server, display, tmp_path,
                                                                                       show_file):
    app = App(display, tmp_path, show_file)
    try:
        app.key("F5")
        app.wait_state(playing=True, moment=0)
        app.key("ctrl+q", "Escape")  # asked, then carry on: Esc does not panic while the question is open
        time.sleep(1.5)
        assert app.process.poll() is None and app.wait_state(playing=True)
        app.key("Right")
        app.wait_state(moment=1)
        app.key("Right")
        app.wait_state(moment=2)
        app.key("Right")  # in the last moment: GO arms the end; the show finishes and clears the state
        deadline = time.monotonic() + 10
        while app.state() is not None:
            assert time.monotonic() < deadline, app.state()
            time.sleep(0.05)
        app.key("ctrl+q")  # stopped: quits at once
        report = app.ended()
    finally:
        app.kill()
    assert [(e["id"], e["left_by"]) for e in report["moments"]] == [("talk", "go"), ("groove", "go"),
                                                                     ("finale", "end")]
    assert app.state() is None
