"""A private X server for tests that put the stage on a real display (Xvfb, SDL's x11 driver).

The dummy video driver never puts a pixel on a display; these tests run the app as a presenter
would.  Each server takes a display number of its own (from this process's id, then the next
free one), so suites run side by side never share one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_display() -> int:
    number = 300 + os.getpid() % 400
    while Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
        number += 1
    return number


@contextmanager
def xvfb(size: str = "1280x800", *, tools: tuple[str, ...] = ()) -> Iterator[str]:
    """An Xvfb screen of ``size`` (WIDTHxHEIGHT) for the block; yields its DISPLAY.  Skips the test
    when Xvfb (or one of ``tools``, e.g. xdotool) is not installed."""
    missing = [name for name in ("Xvfb", *tools) if shutil.which(name) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} needed (Debian/Ubuntu: apt-get install xvfb xdotool; scripts/setup does)")
    number = free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert server.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)
