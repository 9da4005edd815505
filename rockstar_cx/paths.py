"""Where rockstar-cx keeps the user's settings and its log, per operating system."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "rockstar-cx"


def config_dir() -> Path:
    """Settings and MIDI mappings: ~/.config/rockstar-cx, ~/Library/Application Support/rockstar-cx, %APPDATA%."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / APP


def log_file() -> Path:
    """Where unexpected errors are written in full."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / APP
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Logs" / APP
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP
    return base / f"{APP}.log"
