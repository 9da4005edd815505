"""The stage view: what the projector shows the room.

Every section of the moment is a big zone in its colour, with its name, its sound (word and
icon) and its pattern; its cue disc lights on each hit and a ring closes onto it before the
next, so people clap *on* the beat.  Sections the presenter has just armed appear as outlined
zones counting the beats down ("Sales enter in 3 · 2 · 1"); the count-in is one huge number;
the header holds the moment's title, bar and beat and the conductor's baton (crossed out, and
the zones drifting apart, when a moment plays without a conductor).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pygame

from ..live.presenter import Teach
from ..show.model import Show
from ..show.sounds import SOUND_WORDS
from .cues import Frame
from .layout import COUNT_CAP, Layout, Zone, layout, widest_word
from .palette import ALERT, BACKGROUND, INK, SOFT_INK, SectionColors
from .text import Text
from .widgets import Painter, TextBox, ZoneLook, draw_conductor, draw_cue, draw_zone

DRIFT_PER_S = 0.006  # chaos: how fast (in screen heights per second) zones start wandering...
DRIFT_MAX = 0.025  # ...and how far they may go


def cue_word(sound: str) -> str:
    return SOUND_WORDS.get(sound, sound.upper())


def _names(show: Show, sections: list[int]) -> str:
    return " & ".join(show.sections[i].name.upper() for i in sections)


class StageView:
    def __init__(self, show: Show, text: Text) -> None:
        self.show = show
        self.text = text
        self.painter = Painter(text)
        self.looks = [ZoneLook(SectionColors.of(s.color), s.name, cue_word(s.sound), s.sound, s.pattern,
                               s.steps_per_beat) for s in show.sections]
        self.zones: list[tuple[int, pygame.Rect]] = []  # (section, rect) as drawn in the last frame
        self._resting: dict[tuple, tuple[pygame.Surface, list[TextBox]]] = {}  # zones at rest, drawn once
        self._scene = pygame.Surface((1, 1))  # the last beat's still picture, and what it holds
        self._scene_key: tuple | None = None
        self._scene_boxes: list[TextBox] = []
        self._scene_zones: list[tuple[int, pygame.Rect]] = []
        self.badge: str | None = None  # a word for the audience beside the bar count (the app sets it)

    @property
    def texts(self) -> list[TextBox]:
        """Every line of text of the last frame, with its role (the legibility tests measure them)."""
        return self.painter.boxes

    def draw(self, surface: pygame.Surface, frame: Frame, *, blackout: bool = False, teach: Teach | None = None) -> None:
        """The stage at ``frame``.  What only changes on a beat (zones at rest, text) is drawn once per beat
        and kept; each frame copies it and draws what moves (cues, rings, playheads, the baton) over it."""
        self.painter.boxes, self.zones = [], []
        if blackout:
            surface.fill((0, 0, 0))
            return
        if teach is not None:
            scene, key = (lambda static: self._teach(surface, frame, teach, static)), ("teach", teach, frame.state)
        elif frame.state == "count-in":
            sections = list(self.show.moment_sections[frame.moment])
            scene, key = (lambda static: self._count_in(surface, frame, sections, static)), ("count-in",)
        elif frame.state in ("stopped", "finished"):
            scene, key = (lambda static: self._stopped(surface, frame, static)), ("stopped", frame.state)
        else:
            scene, key = (lambda static: self._perform(surface, frame, static)), ("playing", frame.muted, frame.soloed)
            if frame.armed is not None or self.show.moments[frame.moment].mode == "chaos":
                key = None  # countdown rings and drifting zones move every frame
        if key is not None:
            key += (surface.get_size(), frame.moment, frame.bar, frame.beat, self.badge)
        if key is not None and key == self._scene_key:
            surface.blit(self._scene, (0, 0))
            self.painter.boxes, self.zones = list(self._scene_boxes), list(self._scene_zones)
        else:
            surface.fill(BACKGROUND)
            scene(True)
            self._scene_key = key
            if key is not None:
                if self._scene.get_size() != surface.get_size():
                    self._scene = pygame.Surface(surface.get_size(), 0, surface)
                self._scene.blit(surface, (0, 0))
                self._scene_boxes, self._scene_zones = list(self.painter.boxes), list(self.zones)
        scene(False)

    def _layout(self, surface: pygame.Surface, sections: list[int]) -> Layout:
        size = surface.get_size()
        words = [self.looks[i].word for i in sections]
        return layout(size, len(sections), widest_word(self.text, words, size[1]))

    # -- the states --------------------------------------------------------------------------

    def _perform(self, surface: pygame.Surface, frame: Frame, static: bool) -> None:
        show = self.show
        moment = show.moments[frame.moment]
        current = show.moment_sections[frame.moment]
        entering: tuple[int, ...] = ()
        if frame.armed is not None and frame.armed >= 0:
            entering = show.moment_sections[frame.armed]
        shown = sorted(set(current) | set(entering))
        resting = not shown  # a moment for talking: the room's sections, at rest, to split the room by
        if resting:
            shown = list(range(len(show.sections)))
        lay = self._layout(surface, shown)
        chaos = moment.mode == "chaos"
        if not static:
            self._figure(surface, lay, frame, chaos)
            for zone, index in zip(lay.zones, shown):
                if index in current and (index in frame.soloed if frame.soloed else index not in frame.muted):
                    step = None
                    if not chaos:
                        look = self.looks[index]
                        position = (frame.bar * show.meter.beats + frame.beat + frame.beat_phase) * look.steps_per_beat
                        step = int(position) % len(look.pattern)
                    offset = self._drift(surface, index, frame) if chaos else (0, 0)
                    self._cue(surface, zone, index, frame, step, offset)
            return
        self._header(surface, lay, moment.title, frame, chaos)
        leaving = frame.armed is not None and frame.countdown is not None
        for zone, index in zip(lay.zones, shown):
            badge = None
            if resting:
                kind = "idle"
            elif index not in current:
                kind = "ghost"
            else:
                audible = index in frame.soloed if frame.soloed else index not in frame.muted
                kind = "live" if audible else "muted"
                badge = "SOLO" if index in frame.soloed else None if audible else "MUTED"
                if leaving and index not in entering:
                    badge = f"OUT IN {frame.countdown}"
            self._zone(surface, zone, index, kind, badge, frame, self._drift(surface, index, frame) if chaos else (0, 0))
        if frame.armed is not None:
            self._countdown(surface, lay, frame, [i for i in entering if i not in current], current, entering)
        else:
            self._caption(surface, lay, moment.caption)

    def _count_in(self, surface: pygame.Surface, frame: Frame, sections: list[int], static: bool,
                  title: str | None = None) -> None:
        moment = self.show.moments[frame.moment]
        lay = self._layout(surface, [])
        if not static:
            return self._figure(surface, lay, frame, False)
        self._header(surface, lay, title or moment.title, frame, False)
        area = lay.area
        names_cap = lay.caption_cap * 1.5
        lines = 1 if len(sections) <= 4 else 2
        cap = min(COUNT_CAP * surface.get_height(), area.height - names_cap * (1.5 * lines + 1.2))
        count = frame.bar * self.show.meter.beats + frame.beat + 1
        top = area.centery - (cap + names_cap * (0.6 + 1.5 * lines)) / 2  # the number and the names, centred
        self.painter.line(surface, "cue", str(count), round(cap), INK, (area.centerx, top), "midtop")
        if sections:  # who starts, each in their colour, in as many rows as it takes
            pieces = [(self.show.sections[i].name.upper(), self.looks[i].colors.text) for i in sections]
            px = self.text.fit("   ".join(p for p, _ in pieces), names_cap, area.width, lay.caption_cap)
            space = self.text.width("   ", px)
            rows: list[list[tuple[str, tuple[int, int, int]]]] = [[]]
            for piece in pieces:
                row = rows[-1] + [piece]
                if rows[-1] and sum(self.text.width(p, px) for p, _ in row) + space * (len(row) - 1) > area.width:
                    rows.append([piece])
                else:
                    rows[-1] = row
            y = top + cap + names_cap * 0.6
            for row in rows:
                total = sum(self.text.width(p, px) for p, _ in row) + space * (len(row) - 1)
                x = area.centerx - total / 2
                for words, color in row:
                    self.painter.line(surface, "name", words, lay.caption_cap, color, (x, y), px=px)
                    x += self.text.width(words, px) + space
                y += names_cap * 1.5
        self._caption(surface, lay, moment.caption)

    def _stopped(self, surface: pygame.Surface, frame: Frame, static: bool) -> None:
        if not static:
            return
        show = self.show
        sections = list(show.moment_sections[frame.moment]) if frame.state == "stopped" else []
        lay = self._layout(surface, sections)
        self.painter.line(surface, "title", show.title, lay.title_cap, INK, lay.header.midleft, "midleft",
                          px=self.text.fit(show.title, lay.title_cap, lay.header.width, lay.caption_cap))
        if sections:
            for zone, index in zip(lay.zones, sections):
                self._zone(surface, zone, index, "idle", None, frame, (0, 0))
            self._caption(surface, lay, f"Up next: {show.moments[frame.moment].title}")
            return
        big = "THANK YOU" if frame.state == "finished" else show.moments[frame.moment].title
        cap = lay.cue_cap * 1.6
        px = self.text.fit(big, cap, lay.area.width, lay.cue_cap)
        self.painter.line(surface, "cue", big, round(cap), INK, lay.area.center, "center", px=px)
        line = "You were the band." if frame.state == "finished" else show.moments[frame.moment].caption
        self._caption(surface, lay, line)

    def _teach(self, surface: pygame.Surface, frame: Frame, teach: Teach, static: bool) -> None:
        name = self.show.sections[teach.section].name
        title = f"Learn your part: {name}"
        if frame.state == "count-in":
            return self._count_in(surface, frame, [teach.section], static, title)
        lay = self._layout(surface, [teach.section])
        zone, look = lay.zones[0], self.looks[teach.section]
        playing = frame.state == "playing"
        if not static:
            self._figure(surface, lay, frame, False)
            if playing:
                position = (frame.bar * self.show.meter.beats + frame.beat + frame.beat_phase) * look.steps_per_beat
                self._cue(surface, zone, teach.section, frame, int(position) % len(look.pattern), (0, 0))
            return
        self._header(surface, lay, title, frame, False)
        self._zone(surface, zone, teach.section, "live" if playing else "idle", None, frame, (0, 0))
        banner = "LISTEN…" if teach.phase == "listen" else f"YOUR TURN, {name.upper()}!"
        px = self.text.fit(banner, lay.cue_cap, lay.band.width, lay.cue_cap)
        self.painter.line(surface, "cue", banner, lay.cue_cap, look.colors.text, lay.band.midleft, "midleft", px=px)

    # -- pieces --------------------------------------------------------------------------------

    def _zone(self, surface: pygame.Surface, zone: Zone, index: int, kind: str, badge: str | None, frame: Frame,
              offset: tuple[int, int]) -> None:
        """A zone at rest, from the cache (drawing it is most of a frame's work); ghosts change every beat."""
        height = surface.get_height()
        look = self.looks[index]
        if kind == "ghost":
            draw_zone(surface, self.painter, zone, look, kind=kind, badge=badge, height=height, number=frame.countdown,
                      beat_phase=frame.beat_phase, offset=offset)
        else:
            key = (index, tuple(zone.rect), zone.mode, zone.word_cap, kind, badge, height)
            cached = self._resting.get(key)
            if cached is None:
                if len(self._resting) > 64:
                    self._resting.clear()
                resting = pygame.Surface(zone.rect.size, 0, surface)  # the screen's pixel format: plain copies
                resting.fill(BACKGROUND)
                painter = Painter(self.text)
                draw_zone(resting, painter, zone, look, kind=kind, badge=badge, height=height,
                          offset=(-zone.rect.x, -zone.rect.y))
                boxes = [replace(b, rect=b.rect.move(zone.rect.topleft)) for b in painter.boxes]
                cached = self._resting[key] = (resting, boxes)
            surface.blit(cached[0], zone.rect.move(offset))
            self.painter.boxes.extend(replace(b, rect=b.rect.move(offset)) for b in cached[1])
        self.zones.append((index, zone.rect.move(offset)))

    def _cue(self, surface: pygame.Surface, zone: Zone, index: int, frame: Frame, step: int | None,
             offset: tuple[int, int]) -> None:
        look = self.looks[index]
        boxes = self.painter.boxes
        resting_word = next(i for i in range(len(boxes) - 1, -1, -1)
                            if boxes[i].role == "cue" and boxes[i].text == look.word)
        if draw_cue(surface, self.painter, zone, look, frame.cues.get(index), step=step,
                    beat_seconds=frame.beat_seconds, height=surface.get_height(), offset=offset):
            del boxes[resting_word]  # drawn over, bright

    @staticmethod
    def _figure_box(lay: Layout) -> pygame.Rect:
        header = lay.header
        figure = pygame.Rect(0, 0, header.height, header.height)
        figure.midright = header.midright
        return figure

    def _figure(self, surface: pygame.Surface, lay: Layout, frame: Frame, chaos: bool) -> None:
        """The conductor's baton (moves every frame)."""
        if frame.state in ("playing", "count-in"):
            inset = -lay.header.height // 8
            draw_conductor(surface, self._figure_box(lay).inflate(inset, inset), self.show.meter.beats, frame.beat,
                           frame.beat_phase, chaos=chaos, color=ALERT if chaos else INK)

    def _header(self, surface: pygame.Surface, lay: Layout, title: str, frame: Frame, chaos: bool) -> None:
        header = lay.header
        status = ""
        if frame.state in ("playing", "count-in"):
            status = "NO  CONDUCTOR" if chaos else f"BAR {frame.bar + 1}  BEAT {frame.beat + 1}"
            if frame.state == "count-in":
                status = "COUNT-IN"
        if self.badge:  # e.g. following an external MIDI clock: the band's drummer leads now
            status = f"{status.replace('  ', ' ')}  {self.badge}" if status else self.badge
        right = self._figure_box(lay).left - lay.caption_cap
        if status:  # two short lines beside the figure leave the title the width
            first, _, second = status.partition("  ")
            color = ALERT if chaos else SOFT_INK
            gap = lay.caption_cap * 0.35
            top = self.painter.line(surface, "info", first, lay.caption_cap, color,
                                    (right, header.centery - gap), "bottomright")
            low = self.painter.line(surface, "info", second, lay.caption_cap, color, (right, header.centery + gap),
                                    "topright") if second else top
            right = min(top.left, low.left) - lay.caption_cap
        room = right - header.left
        px = self.text.fit(title, lay.title_cap, room, lay.caption_cap)
        if self.text.width(title, px) <= room:
            self.painter.line(surface, "title", title, lay.title_cap, INK, header.midleft, "midleft", px=px)
            return
        lines = self.text.wrap(title, px, room, 2)  # still too wide at the smallest size: two lines
        gap = lay.caption_cap * 0.35
        self.painter.line(surface, "title", lines[0], lay.caption_cap, INK, (header.x, header.centery - gap),
                          "bottomleft", px=px)
        if len(lines) > 1:
            self.painter.line(surface, "title", lines[1], lay.caption_cap, INK, (header.x, header.centery + gap),
                              "topleft", px=px)

    def _caption(self, surface: pygame.Surface, lay: Layout, caption: str) -> None:
        if not caption:
            return
        px = self.text.px_for_cap(lay.caption_cap)
        lines = self.text.wrap(caption, px, lay.band.width, 2)
        step = lay.caption_cap * 1.55
        top = lay.band.centery - (step * (len(lines) - 1) + lay.caption_cap) / 2
        for i, line in enumerate(lines):
            self.painter.line(surface, "caption", line, lay.caption_cap, SOFT_INK, (lay.band.x, top + i * step), px=px)

    def _countdown(self, surface: pygame.Surface, lay: Layout, frame: Frame, new: list[int],
                   current: tuple[int, ...], entering: tuple[int, ...]) -> None:
        """The band announces what the armed GO brings: "SALES ENTER IN 3 · 2 · 1"."""
        show = self.show
        if frame.armed == -1:
            label = "LAST HIT IN"
        elif new:
            label = f"{_names(show, new)} ENTER IN"
        elif set(current) - set(entering):
            label = f"{_names(show, sorted(set(current) - set(entering)))} STOP IN"
        else:
            label = f"{show.moments[frame.armed].title.upper()} IN"
        band = lay.band
        digits = " · ".join(str(n) for n in range(frame.countdown, 0, -1)) if frame.countdown else "THE NEXT BAR"
        digits_px = self.text.px_for_cap(lay.cue_cap)
        digits_width = self.text.width(digits, digits_px)
        room = band.width - digits_width - lay.caption_cap
        label_cap = lay.cue_cap * 0.6
        px = self.text.fit(label, label_cap, room, lay.caption_cap)
        while self.text.width(label, px) > room and len(label) > 4:
            label = label[:-2] + "…"
        caps = self.painter.line(surface, "caption", label, lay.caption_cap, SOFT_INK, band.midleft, "midleft", px=px)
        x = caps.right + lay.caption_cap
        first, _, rest = digits.partition(" · ")
        caps = self.painter.line(surface, "cue", first, lay.cue_cap, INK, (x, band.centery), "midleft", px=digits_px)
        if rest:
            self.painter.line(surface, "cue", " · " + rest, lay.cue_cap, SOFT_INK, (caps.right, band.centery), "midleft",
                              px=digits_px)

    def _drift(self, surface: pygame.Surface, index: int, frame: Frame) -> tuple[int, int]:
        """Chaos: each zone wanders on its own slow path, further the longer nobody conducts."""
        h = surface.get_height()
        amplitude = min(DRIFT_MAX, DRIFT_PER_S * frame.moment_seconds) * h
        t = frame.moment_seconds
        phase = 1.7 * index + 0.37
        return (round(amplitude * math.sin(2 * math.pi * (0.23 + 0.07 * index) * t + phase)),
                round(0.6 * amplitude * math.cos(2 * math.pi * (0.31 + 0.05 * index) * t + phase)))
