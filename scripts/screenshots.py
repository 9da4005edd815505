#!/usr/bin/env python3
"""Make the README's screenshots from a real run of the app: docs/screenshots/stage.png and console.png.

    .venv/bin/python scripts/screenshots.py

Runs ``rockstar-cx play --moment 5 --duration … --screenshot … --presenter-screenshot …`` (the
built-in show, four sections playing) under SDL's dummy video driver, so no screen is needed.
The engine plays on a private JACK dummy server when jackd is installed (the console then shows
a healthy audio device), else silently.  Settings are read from an empty folder, so your own
calibration does not end up in the docs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
# count-in (one bar at 96 bpm: 2.5 s), a bar, then just after the claps on beat 2: a lit cue
DURATION_S = 2.5 + 2.5 + 0.625 + 0.07


def main() -> int:
    sys.path.insert(0, str(REPO / "tests"))
    from jackserver import JackServer, jackd_available

    OUT.mkdir(parents=True, exist_ok=True)
    server = JackServer(name="rockstar-cx-shots").start() if jackd_available() else None
    try:
        with tempfile.TemporaryDirectory() as config:
            env = dict(os.environ, SDL_VIDEODRIVER="dummy", XDG_CONFIG_HOME=config)
            command = [sys.executable, "-m", "rockstar_cx", "play", "--moment", "5", "--duration", str(DURATION_S),
                       "--screenshot", str(OUT / "stage.png"), "--presenter-screenshot", str(OUT / "console.png")]
            result = subprocess.run(command, cwd=REPO, env=env)
    finally:
        if server is not None:
            server.stop()
    if result.returncode == 0:
        print(f"Wrote {OUT / 'stage.png'} and {OUT / 'console.png'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
