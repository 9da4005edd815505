"""Stage app test setup: headless pygame (display and font only), private settings, small shows."""

from __future__ import annotations

import pygame
import pytest

from rockstar_cx.audio.ipc import Applied
from rockstar_cx.show.model import DEFAULT_COLORS, Meter, Moment, Section, Show, parse_pattern
from rockstar_cx.ui.cues import CueTrack, Frame

RATE = 48000
SOUNDS = ("click", "clap", "stomp", "snap", "woodblock", "claves", "cowbell", "kick")
NAMES = ("Marketing", "Sales", "Service", "Fulfilment", "Finance", "Legal", "Support", "Logistics")


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """Settings go to a temporary config folder, never the developer's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "rockstar-cx" / "settings.toml"


@pytest.fixture(scope="session", autouse=True)
def pygame_display():
    pygame.display.init()
    pygame.font.init()
    yield


def make_show(count: int = 4, *, tempo: float = 240.0, patterns: tuple[str, ...] | None = None,
              moments: tuple[Moment, ...] | None = None, count_in: int = 1) -> Show:
    """``count`` sections in the default palette; by default one held moment with all of them."""
    patterns = patterns or ("X... x... x... x...", ".... X... .... x...", "..X. .... ..x. ....", ".... ..x. .... ..x.",
                            "x.x. .... x.x. ....", ".x.. .x.. .x.. .x..", "...x ...x ...x ...x", "X... .... X... ....")
    sections = tuple(Section(NAMES[i].lower(), NAMES[i], DEFAULT_COLORS[i], SOUNDS[i], parse_pattern(patterns[i % len(patterns)]))
                     for i in range(count))
    ids = tuple(s.id for s in sections)
    moments = moments or (Moment("all", "Everyone plays", "The whole room, every section in time.", ids, 0),)
    return Show("Test show", tempo, Meter(4, 4), sections, moments, count_in=count_in)


def frame_at(show: Show, commands: list[tuple[int, object]], sample: int, track: CueTrack | None = None) -> Frame:
    """The stage's frame at ``sample`` after the engine applied ``commands`` (sample, command)."""
    track = track or CueTrack(show, RATE)
    for at, command in commands:
        track.ingest([Applied(at, command)], at)
    track.ingest([], sample + 1)
    return track.frame(sample)
