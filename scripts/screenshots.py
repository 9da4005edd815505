#!/usr/bin/env python3
"""Make the README's screenshots from real runs of the app on a real X display: docs/screenshots/.

    .venv/bin/python scripts/screenshots.py            # stage, console, chaos, conductor-return
    .venv/bin/python scripts/screenshots.py --show my.toml --moment 3 --out /tmp/shots --size 1024x768

Each picture is ``rockstar-cx play --fullscreen --moment N --duration … --screenshot …`` (the
built-in show) in a private Xvfb screen with SDL's x11 driver — the driver a presenter's laptop
uses, not the dummy one that puts no pixel on a display.  The conductor's return needs a GO in the
chaos moment: it is pressed with xdotool in the middle of a bar, so it lands on the bar line after
next whatever the start-up's jitter, and the picture is taken in the first conducted bar.  The
engine plays on a private JACK dummy server when jackd is installed (the console then shows a
healthy audio device), else silently.  Settings are read from an empty folder, so your own
calibration does not end up in the docs.  With ``--show`` only stage.png and console.png are made
(of any show, for looking at odd ones: 8 sections, long captions, other scripts, 4:3).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
BAR_S = 2.5  # the built-in show: 4 beats at 96 bpm; a bar of count-in before the first moment
# stage and console: moment 5 after the count-in and a bar, just after the claps on beat 2 (a lit cue)
STAGE_S = BAR_S + BAR_S + 0.625 + 0.07
CHAOS_MOMENT, CHAOS_S = 6, BAR_S + 4 * BAR_S + 0.4  # four bars into the chaos: the spread has grown
# GO in the middle of the chaos's third bar lands on the bar line two bars on (at least 4 beats away)
GO_AT_S, RETURN_S = BAR_S + 2.5 * BAR_S, BAR_S + 4 * BAR_S + 0.8


def play(env: dict, out: Path, name: str, moment: int, seconds: float, *, console: bool = False,
         show: Path | None = None, go_at: float | None = None) -> None:
    command = [sys.executable, "-m", "rockstar_cx", "play", *([str(show)] if show else []), "--fullscreen",
               "--moment", str(moment), "--duration", str(seconds), "--screenshot", str(out / f"{name}.png")]
    if console:
        command += ["--presenter-screenshot", str(out / "console.png")]
    process = subprocess.Popen(command, cwd=REPO, env=env)
    if go_at is not None:
        found = subprocess.run(["xdotool", "search", "--sync", "--classname", "__main__"], env=env, check=True,
                               capture_output=True, text=True, timeout=30).stdout.split()[0]
        started = time.monotonic()
        subprocess.run(["xdotool", "windowfocus", "--sync", found], env=env, check=True, timeout=10)
        time.sleep(max(0.0, go_at - (time.monotonic() - started)))
        subprocess.run(["xdotool", "key", "Next"], env=env, check=True, timeout=10)
    if process.wait() != 0:
        raise SystemExit(f"rockstar-cx play failed making {name}.png")
    print(f"Wrote {out / f'{name}.png'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=Path, help="a show file (default: the built-in show, all four pictures)")
    parser.add_argument("--moment", type=int, default=5, help="with --show: the moment to start at (from 1)")
    parser.add_argument("--size", default="1920x1080", help="the X screen, WIDTHxHEIGHT (the stage is fullscreen)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from jackserver import JackServer, jackd_available
    from xserver import free_display

    args.out.mkdir(parents=True, exist_ok=True)
    number = free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{args.size}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = JackServer(name="rockstar-cx-shots").start() if jackd_available() else None
    try:
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if xvfb.poll() is not None:
                raise SystemExit("Xvfb did not start (Debian/Ubuntu: apt-get install xvfb xdotool)")
            time.sleep(0.05)
        with tempfile.TemporaryDirectory() as config:
            env = dict(os.environ, DISPLAY=f":{number}", SDL_VIDEODRIVER="x11", XDG_CONFIG_HOME=config,
                       XDG_STATE_HOME=config)
            if args.show:
                play(env, args.out, "stage", args.moment, STAGE_S, console=True, show=args.show)
                return 0
            play(env, args.out, "stage", 5, STAGE_S, console=True)
            play(env, args.out, "chaos", CHAOS_MOMENT, CHAOS_S)
            play(env, args.out, "conductor-return", CHAOS_MOMENT, RETURN_S, go_at=GO_AT_S)
    finally:
        if server is not None:
            server.stop()
        xvfb.terminate()
        xvfb.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
