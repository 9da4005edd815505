"""How the stage app is asked to run: plain values, no pygame (the command line makes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STAGE_SIZE = (1280, 720)


@dataclass(frozen=True, kw_only=True)
class StageOptions:
    display: int | None = None  # the stage's screen, from 1; None: the settings', else the last screen
    fullscreen: bool | None = None  # None: as in the settings
    visual_offset_ms: float | None = None  # None: as in the settings
    separate_console: bool | None = None  # None: a console window when there are two screens
    size: tuple[int, int] = STAGE_SIZE
    start_moment: int | None = None  # start performing at once from this moment (unattended runs)
    screenshot_dir: Path = Path(".")
    save_settings: bool = True  # F11 and calibration write the settings file
