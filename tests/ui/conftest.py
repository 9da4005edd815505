"""Stage app test setup: headless pygame (display and font only), private settings, small shows."""

from __future__ import annotations

import pygame
import pytest

from played import Script, scripted_view
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


def make_track(show: Show) -> CueTrack:
    """A cue track reading a view of a :class:`~played.Script` (see :func:`apply`, :func:`advance`)."""
    return CueTrack(scripted_view(show, RATE)[0])


def apply(track: CueTrack, sample: int, command: object) -> None:
    """The engine applied ``command`` at ``sample``; the view catches up."""
    script: Script = track.view.source
    script.apply(sample, command)
    track.view.update()


def advance(track: CueTrack, position: int) -> None:
    """The engine played on to ``position``; the view catches up."""
    track.view.source.position = position
    track.view.update()


def frame_at(show: Show, commands: list[tuple[int, object]], sample: int, track: CueTrack | None = None) -> Frame:
    """The stage's frame at ``sample`` after the engine applied ``commands`` (sample, command)."""
    track = track or make_track(show)
    for at, command in commands:
        apply(track, at, command)
    advance(track, sample + 1)
    return track.frame(sample)
