"""The presenter's settings, kept between runs, and the calibration that measures one of them.

``settings.toml`` in :func:`rockstar_cx.paths.config_dir` holds the projector delay (the visual
offset), the stage's display and whether it starts fullscreen.  It is small and flat, so it is
written by hand (the standard library reads TOML but cannot write it).  A damaged file never
stops a show: its readable values are kept, the rest fall back to the defaults.  The calibration screen (:mod:`.calibrate`)
measures the projector delay.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..files import write_atomically
from ..paths import config_dir

MAX_OFFSET_MS = 500.0


@dataclass(frozen=True)
class Settings:
    visual_offset_ms: float = 0.0  # how late the projector shows a frame: cues are drawn this much earlier
    display: int | None = None  # the stage's display, counted from 1; None: the last one
    fullscreen: bool = False


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def load_settings(path: Path | None = None) -> tuple[Settings, str]:
    """(settings, a warning or ""): defaults for anything missing or unreadable."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), ""
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Settings(), f"{path}: unreadable ({error}); using the defaults"
    settings, bad = Settings(), []
    offset = data.get("visual_offset_ms", 0.0)
    if isinstance(offset, (int, float)) and not isinstance(offset, bool) and -MAX_OFFSET_MS <= offset <= MAX_OFFSET_MS:
        settings = replace(settings, visual_offset_ms=float(offset))
    elif "visual_offset_ms" in data:
        bad.append("visual_offset_ms")
    display = data.get("display")
    if isinstance(display, int) and not isinstance(display, bool) and display >= 1:
        settings = replace(settings, display=display)
    elif "display" in data:
        bad.append("display")
    fullscreen = data.get("fullscreen", False)
    if isinstance(fullscreen, bool):
        settings = replace(settings, fullscreen=fullscreen)
    else:
        bad.append("fullscreen")
    warning = f"{path}: ignored {', '.join(bad)} (not a valid value)" if bad else ""
    return settings, warning


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    lines = ["# rockstar-cx settings: written by the app (the calibration, F11); safe to edit."]
    for field in fields(settings):
        value = getattr(settings, field.name)
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        lines.append(f"{field.name} = {text}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"))  # whole, or the old file kept
