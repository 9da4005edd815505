"""Where rockstar-cx keeps the user's settings, its state and its log, per operating system."""

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


def state_dir() -> Path:
    """What the app keeps between runs (where a show stood, to resume it): $XDG_STATE_HOME/rockstar-cx
    (~/.local/state/rockstar-cx), ~/Library/Application Support/rockstar-cx, %LOCALAPPDATA%\\rockstar-cx."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP


def log_file() -> Path:
    """Where unexpected errors are written in full."""
    base = Path.home() / "Library" / "Logs" / APP if sys.platform == "darwin" else state_dir()
    return base / f"{APP}.log"
