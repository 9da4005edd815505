"""The stage view: what the projector shows the room.

Every section of the moment is a big zone in its colour, with its name, its sound (word and
icon) and its pattern; its cue disc lights on each hit and a ring closes onto it before the
next, so people clap *on* the beat.  Sections the presenter has just armed appear as outlined
zones counting the beats down ("ENTER IN 3"); the count-in is one huge number; the header holds
the moment's title, bar and beat and the conductor's baton (crossed out when a moment plays
without a conductor).  Chaos, the keynote's punchline, has its own picture (:mod:`.lanes`): the
zones stand still and pulse on their own hits, each says how far it is off the beat, their
markers leave the conductor's beat line and the spread grows in milliseconds; on the conductor's
first bar the markers stand on the line, the spread is "0 ms" and the band says "TOGETHER".
Where things go is :mod:`.layout` (boxes);
every text is fitted into its box by :mod:`.fit`; the words are the show's language's
(:mod:`rockstar_cx.show.words`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pygame

from ..live.presenter import Teach
from ..show.model import Show
from ..show.words import DEFAULT_LANGUAGE, cue_word as word_in, say
from .chaos import Drift, after_chaos, conductor_returns, drift
from .cues import Frame
from .fit import fit, measure, wrap
from .lanes import draw_lanes, draw_reveal, draw_spread, draw_together, spread_ms, spread_needs
from .layout import COUNT_CAP, MOST_LINES, Layout, Needs, Zone, caps, layout, lines_height
from .palette import ALERT, BACKGROUND, INK, SOFT_INK, SectionColors
from .text import Text
from .widgets import Painter, TextBox, ZoneLook, draw_conductor, draw_cue, draw_zone, hit_light

def cue_word(sound: str, language: str = DEFAULT_LANGUAGE) -> str:
    return word_in(language, sound)


def _names(show: Show, sections: list[int]) -> str:
    return " & ".join(show.sections[i].name.upper() for i in sections)


class StageView:
    def __init__(self, show: Show, text: Text) -> None:
        self.show = show
        self.text = text
        self.painter = Painter(text)
        self.language = show.language
        self.looks = [ZoneLook(SectionColors.of(s.color), s.name, cue_word(s.sound, show.language), s.sound, s.pattern,
                               s.steps_per_beat) for s in show.sections]
        self.zones: list[tuple[int, pygame.Rect]] = []  # (section, rect) as drawn in the last frame
        self._resting: dict[tuple, tuple[pygame.Surface, list[TextBox]]] = {}  # zones at rest, drawn once
        self._scene = pygame.Surface((1, 1))  # the last beat's still picture, and what it holds
        self._scene_key: tuple | None = None
        self._scene_boxes: list[TextBox] = []
        self._scene_zones: list[tuple[int, pygame.Rect]] = []
        self.badge: str | None = None  # a word for the audience beside the bar count (the app sets it)
        # A change that comes by itself, discreetly beside the bar count ("NEXT MOMENT IN 3 BARS"; the app sets it)
        self.coming: str | None = None
        self.reveal: tuple[str, str] | None = None  # the room without the conductor and with it (the app sets it)
        # Where the last frame differs from its beat's still picture (the baton, cues, rings, playheads), when
        # that picture came from the cache; None: anything may have changed (the app then flips it all)
        self.moving: list[pygame.Rect] | None = None

    @property
    def texts(self) -> list[TextBox]:
        """Every line of text of the last frame, with its role (the legibility tests measure them)."""
        return self.painter.boxes

    def draw(self, surface: pygame.Surface, frame: Frame, *, blackout: bool = False, teach: Teach | None = None) -> None:
        """The stage at ``frame``.  What only changes on a beat (zones at rest, text) is drawn once per beat
        and kept; each frame copies it and draws what moves (cues, rings, playheads, the baton) over it."""
        self.painter.boxes, self.zones = [], []
        self.moving = None
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
                key = None  # countdown rings and the spread change every frame
        if key is not None:
            key += (surface.get_size(), frame.moment, frame.bar, frame.beat, self.badge, self.coming, self.reveal)
        if key is not None and key == self._scene_key:
            surface.blit(self._scene, (0, 0))
            self.painter.boxes, self.zones = list(self._scene_boxes), list(self._scene_zones)
            self.moving = []
        else:
            self.moving = None
            surface.fill(BACKGROUND)
            scene(True)
            self._scene_key = key
            if key is not None:
                if self._scene.get_size() != surface.get_size():
                    self._scene = pygame.Surface(surface.get_size(), 0, surface)
                self._scene.blit(surface, (0, 0))
                self._scene_boxes, self._scene_zones = list(self.painter.boxes), list(self.zones)
        scene(False)

    def still_key(self, size: tuple[int, int], frame: Frame, *, blackout: bool = False,
                  teach: Teach | None = None) -> tuple | None:
        """A key for the whole picture :meth:`draw` would draw, when nothing in it moves (blacked out, stopped,
        finished, a lesson between plays): the same key, the same pixels, so the app need not draw or flip
        again.  None while something moves (the baton, cues, rings)."""
        if blackout:
            return ("blackout", size)
        if frame.state in ("playing", "count-in"):
            return None
        what = ("teach", teach, frame.state) if teach is not None else ("stopped", frame.state)
        return what + (size, frame.moment, frame.bar, frame.beat, self.badge, self.coming)

    def say(self, key: str, **values: object) -> str:
        return say(self.language, key, **values)

    def _layout(self, surface: pygame.Surface, sections: list[int], caption: str = "", badges: tuple[str, ...] = (),
                lanes: bool = False) -> Layout:
        """The layout for what this frame shows, measured in the stage's own type."""
        size = surface.get_size()
        caption_cap, cue_cap, _ = caps(size[1])
        cue_px, caption_px = self.text.px_for_cap(cue_cap), self.text.px_for_cap(caption_cap)
        words = max((self.text.width(self.looks[i].word, cue_px) for i in sections), default=0)
        badge = max((self.text.width(b, caption_px) for b in badges), default=0)
        margin = 2 * round(0.02 * size[1])
        spread, stacked = spread_needs(self.text, size[1], self.say("spread")) if lanes else (0.0, 0.0)
        band = size[0] - margin - (min(stacked, (size[0] - margin) / 2) + margin / 2 if stacked else 0)  # readout's
        lines = len(wrap(self.text, caption, caption_px, band, MOST_LINES)[0]) if caption else 1
        status = max(self.text.width(w, caption_px) for w in self._status_words())
        names = tuple(measure(self.text, self.looks[i].name.upper(), caption_px) for i in sections)
        return layout(size, Needs(len(sections), float(words), float(badge), max(1, lines), float(status), spread,
                                  names, float(self.text.width(" ", caption_px)), stacked))

    def _status_words(self) -> list[str]:
        words = [self.say("bar", bar=888), self.say("beat", beat=88), self.say("count_in"), *self.say("no_conductor").split()]
        return words + [line for line in (self.badge, self.coming) if line]

    # -- the states --------------------------------------------------------------------------

    def _badges(self, frame: Frame, current: tuple[int, ...], entering: tuple[int, ...]) -> dict[int, str]:
        """The state badge of every zone that has one: MUTED, SOLO, OUT IN n, ENTER IN n."""
        badges: dict[int, str] = {}
        leaving = frame.armed is not None and frame.countdown is not None
        for index in current:
            audible = index in frame.soloed if frame.soloed else index not in frame.muted
            if leaving and index not in entering:
                badges[index] = self.say("out_in", n=frame.countdown)
            elif index in frame.soloed:
                badges[index] = self.say("solo")
            elif not audible:
                badges[index] = self.say("muted")
        if frame.countdown is not None:
            for index in entering:
                if index not in current:
                    badges[index] = self.say("enter_in_badge", n=frame.countdown)
        return badges

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
        chaos = moment.mode == "chaos"
        lanes, returning = chaos or after_chaos(show, frame), conductor_returns(show, frame)
        revealing = self.reveal is not None and not returning and not chaos
        lanes = lanes and not revealing  # after the conductor's first bar the room's numbers take the band
        badges = self._badges(frame, current, entering)
        measured = tuple(set(badges.values())) + ((self.say("ms", ms="+8888"),) if lanes else ())  # offsets' room
        lay = self._layout(surface, shown, " · ".join(self.reveal) if revealing else moment.caption, measured, lanes)  # the band keeps its height under a GO
        off = drift(show, frame) if lanes else Drift()
        shared = lay.lanes == lay.band  # no strip to spare: the lanes hold the band while no GO counts down
        if not static:
            self._figure(surface, lay, frame, chaos)
            for zone, index in zip(lay.zones, shown):
                if index in current and (index in frame.soloed if frame.soloed else index not in frame.muted):
                    step = None
                    if not chaos:
                        look = self.looks[index]
                        position = (frame.bar * show.meter.beats + frame.beat + frame.beat_phase) * look.steps_per_beat
                        step = int(position) % len(look.pattern)
                    self._cue(surface, zone, index, frame, step)
            if lanes and not (shared and frame.armed is not None):
                self._moved(lay.lanes)
                draw_lanes(surface, lay, frame, list(current), self.looks, off, returning)
            return
        self._header(surface, lay, moment.title, frame, chaos)
        for zone, index in zip(lay.zones, shown):
            if resting:
                kind = "idle"
            elif index not in current:
                kind = "ghost"
            else:
                audible = index in frame.soloed if frame.soloed else index not in frame.muted
                kind = "live" if audible else "muted"
            self._zone(surface, zone, index, kind, badges.get(index), frame)
            if (chaos or returning) and kind == "live" and index not in badges and zone.badge is not None:
                self._offset(surface, zone, 0.0 if returning else off.offsets.get(index))
        if lanes:
            spread = self.say("ms", ms=0 if returning else spread_ms(off.spread))
            if returning and shared:  # the band holds the lanes: the word takes the readout's place
                draw_spread(surface, self.painter, lay, self.say("spread"), self.say("together"), False)
            else:
                draw_spread(surface, self.painter, lay, self.say("spread"), spread, chaos)
        if frame.armed is not None:
            self._countdown(surface, lay, frame, [i for i in entering if i not in current], current, entering)
        elif returning and not shared:
            draw_together(surface, self.painter, lay, self.say("together"))
        elif revealing:
            draw_reveal(surface, self.painter, lay, self.reveal)
        elif not (lanes and shared):
            self._caption(surface, lay, moment.caption)

    def _count_in(self, surface: pygame.Surface, frame: Frame, sections: list[int], static: bool,
                  title: str | None = None) -> None:
        moment = self.show.moments[frame.moment]
        lay = self._layout(surface, [], moment.caption)
        if not static:
            return self._figure(surface, lay, frame, False)
        self._header(surface, lay, title or moment.title, frame, False)
        area, gap = lay.area, lay.caption_cap // 2
        names_cap = round(lay.caption_cap * 1.4)
        cols = min(4, len(sections)) or 1
        rows = math.ceil(len(sections) / cols)
        row_h = lines_height(names_cap, 1)
        number = pygame.Rect(area.x, area.y, area.width, area.height - rows * (row_h + gap))
        count = frame.bar * self.show.meter.beats + frame.beat + 1
        cap = min(COUNT_CAP * surface.get_height(), number.height / 1.25)
        self.painter.block(surface, "cue", fit(self.text, str(count), number, cap=cap, floor=lay.cue_cap,
                                               align="center"), INK)
        width = (area.width - (cols - 1) * gap) // cols
        for k, index in enumerate(sections):  # who starts, each in their colour
            row, col = divmod(k, cols)
            in_row = min(cols, len(sections) - row * cols)
            x = area.x + (cols - in_row) * (width + gap) // 2 + col * (width + gap)
            box = pygame.Rect(x, number.bottom + gap + row * (row_h + gap), width, row_h)
            block = fit(self.text, self.show.sections[index].name.upper(), box, cap=names_cap, floor=lay.caption_cap,
                        align="center")
            self.painter.block(surface, "name", block, self.looks[index].colors.text)
        self._caption(surface, lay, moment.caption)

    def _stopped(self, surface: pygame.Surface, frame: Frame, static: bool) -> None:
        if not static:
            return
        show = self.show
        sections = list(show.moment_sections[frame.moment]) if frame.state == "stopped" else []
        up_next = self.say("up_next", title=show.moments[frame.moment].title)
        if sections:
            lay = self._layout(surface, sections, up_next)
            self._title(surface, lay, show.title)
            for zone, index in zip(lay.zones, sections):
                self._zone(surface, zone, index, "idle", None, frame)
            self._caption(surface, lay, up_next)
            return
        finished = frame.state == "finished"
        line = self.say("you_were_the_band") if finished else show.moments[frame.moment].caption
        lay = self._layout(surface, [], line)
        self._title(surface, lay, show.title)
        big = self.say("thank_you") if finished else show.moments[frame.moment].title
        block = fit(self.text, big, lay.area, cap=lay.cue_cap * 1.6, floor=lay.cue_cap, lines=2, align="center")
        self.painter.block(surface, "cue", block, INK)
        self._caption(surface, lay, line)

    def _teach(self, surface: pygame.Surface, frame: Frame, teach: Teach, static: bool) -> None:
        name = self.show.sections[teach.section].name
        title = self.say("learn", name=name)
        if frame.state == "count-in":
            return self._count_in(surface, frame, [teach.section], static, title)
        lay = self._layout(surface, [teach.section])
        zone, look = lay.zones[0], self.looks[teach.section]
        playing = frame.state == "playing"
        if not static:
            self._figure(surface, lay, frame, False)
            if playing:
                position = (frame.bar * self.show.meter.beats + frame.beat + frame.beat_phase) * look.steps_per_beat
                self._cue(surface, zone, teach.section, frame, int(position) % len(look.pattern))
            return
        self._header(surface, lay, title, frame, False)
        self._zone(surface, zone, teach.section, "live" if playing else "idle", None, frame)
        banner = self.say("listen") if teach.phase == "listen" else self.say("your_turn", name=name.upper())
        block = fit(self.text, banner, lay.band, cap=lay.cue_cap, floor=lay.caption_cap, lines=2)
        self.painter.block(surface, "cue" if block.px >= self.text.px_for_cap(lay.cue_cap) else "caption", block,
                           look.colors.text)

    # -- pieces --------------------------------------------------------------------------------

    def _zone(self, surface: pygame.Surface, zone: Zone, index: int, kind: str, badge: str | None,
              frame: Frame) -> None:
        """A zone at rest, from the cache (drawing it is most of a frame's work); ghosts change every beat."""
        height = surface.get_height()
        look = self.looks[index]
        if kind == "ghost":
            draw_zone(surface, self.painter, zone, look, kind=kind, badge=badge, height=height, number=frame.countdown,
                      beat_phase=frame.beat_phase)
        else:
            key = (index, tuple(zone.rect), tuple(zone.name), tuple(zone.word), zone.mode, zone.word_cap, kind, badge,
                   height)
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
            surface.blit(cached[0], zone.rect)
            self.painter.boxes.extend(cached[1])
        self.zones.append((index, zone.rect))

    def _offset(self, surface: pygame.Surface, zone: Zone, seconds: float | None) -> None:
        """Chaos: how far the section's latest hit is off the conductor's beat, in its zone's badge place."""
        if seconds is None or zone.badge is None:
            return
        # in the spread's steps: a number the back row can read, and not a new text to render every frame
        ms, cap = spread_ms(seconds), caps(surface.get_height())[0]
        block = fit(self.text, self.say("ms", ms=f"{ms:+d}" if ms else "0"), zone.badge, cap=cap, floor=cap,
                    align="right")
        self.painter.block(surface, "info", block, SOFT_INK)

    def _moved(self, rect: pygame.Rect | None, margin: int = 4) -> None:
        """Note where a moving part draws (None: somewhere unknown, so everywhere)."""
        if self.moving is not None:
            if rect is None:
                self.moving = None
            else:
                self.moving.append(rect.inflate(2 * margin, 2 * margin))

    def _cue(self, surface: pygame.Surface, zone: Zone, index: int, frame: Frame, step: int | None) -> None:
        look = self.looks[index]
        if hit_light(frame.cues.get(index)) > 0.0:  # the zone brightens, its border thickens, the word lights
            self._moved(zone.rect)
        else:  # the ring closing onto the disc, the playhead on the pattern
            self._moved(zone.disc)
            if zone.pattern is not None:
                self._moved(zone.pattern, margin=zone.pattern.height)
        resting = [b for b in self.painter.boxes if b.role == "cue" and zone.word.contains(b.rect)]
        if draw_cue(surface, self.painter, zone, look, frame.cues.get(index), step=step,
                    beat_seconds=frame.beat_seconds, height=surface.get_height()):
            self.painter.boxes = [b for b in self.painter.boxes if not any(b is r for r in resting)]  # drawn over

    def _figure(self, surface: pygame.Surface, lay: Layout, frame: Frame, chaos: bool) -> None:
        """The conductor's baton (moves every frame)."""
        if frame.state in ("playing", "count-in"):
            inset = -lay.figure.height // 8
            self._moved(lay.figure.inflate(inset, inset), margin=max(8, lay.figure.height // 8))
            draw_conductor(surface, lay.figure.inflate(inset, inset), self.show.meter.beats, frame.beat,
                           frame.beat_phase, chaos=chaos, color=ALERT if chaos else INK)

    def _title(self, surface: pygame.Surface, lay: Layout, title: str) -> None:
        block = fit(self.text, title, lay.title, cap=lay.title_cap, floor=lay.caption_cap, lines=2)
        self.painter.block(surface, "title", block, INK)

    def _header(self, surface: pygame.Surface, lay: Layout, title: str, frame: Frame, chaos: bool) -> None:
        self._title(surface, lay, title)
        if frame.state not in ("playing", "count-in"):
            return
        status, cap, color = lay.status, lay.caption_cap, ALERT if chaos else SOFT_INK
        if chaos and self.coming:  # nobody conducts, and the change comes by itself: say when, discreetly
            first, second = self.say("no_conductor"), self.coming
        elif chaos or frame.state == "count-in":
            words = self.say("no_conductor") if chaos else self.say("count_in")
            self.painter.block(surface, "info", fit(self.text, words, status, cap=cap, floor=cap, lines=2,
                                                    align="right"), color)
            return
        else:
            first, second = self.say("bar", bar=frame.bar + 1), self.say("beat", beat=frame.beat + 1)
        if not chaos and (self.badge or self.coming):  # the badge: e.g. following an external MIDI clock
            first, second = f"{first} {second}", self.badge or self.coming
        half = status.height // 2
        for words, box in ((first, pygame.Rect(status.x, status.y, status.width, half)),
                           (second, pygame.Rect(status.x, status.y + half, status.width, status.height - half))):
            self.painter.block(surface, "info", fit(self.text, words, box, cap=cap, floor=cap, align="right"), color)

    def _caption(self, surface: pygame.Surface, lay: Layout, caption: str) -> None:
        block = fit(self.text, caption, lay.band, cap=lay.caption_cap, floor=lay.caption_cap, lines=lay.caption_lines)
        self.painter.block(surface, "caption", block, SOFT_INK)

    def _countdown(self, surface: pygame.Surface, lay: Layout, frame: Frame, new: list[int],
                   current: tuple[int, ...], entering: tuple[int, ...]) -> None:
        """The band announces what the armed GO brings: "SALES ENTER IN 3 · 2 · 1"."""
        show = self.show
        if frame.armed == -1:
            label = self.say("last_hit_in")
        elif new:
            label = self.say("enter_in", names=_names(show, new))
        elif set(current) - set(entering):
            label = self.say("stop_in", names=_names(show, sorted(set(current) - set(entering))))
        else:
            label = self.say("moment_in", title=show.moments[frame.armed].title.upper())
        band, cap = lay.band, lay.caption_cap
        px = self.text.px_for_cap(lay.cue_cap)
        first, rest = (str(frame.countdown), "") if frame.countdown else (self.say("next_bar"), "")
        for n in range(frame.countdown - 1 if frame.countdown else 0, 0, -1):  # the beats after it, while they fit
            if self.text.width(f"{first}{rest} · {n}", px) > band.width // 2:
                break
            rest += f" · {n}"
        widths = self.text.width(first, px), self.text.width(rest, px) if rest else 0
        digits = pygame.Rect(0, band.y, min(sum(widths) + 2, band.width * 2 // 3), band.height)
        digits.right = band.right
        one = pygame.Rect(digits.x, band.y, min(widths[0] + 1, digits.width), band.height)
        block = fit(self.text, first, one, cap=lay.cue_cap, floor=cap)
        self.painter.block(surface, "cue", block, INK)
        if rest:
            other = pygame.Rect(one.right, band.y, digits.right - one.right, band.height)
            self.painter.block(surface, "cue", fit(self.text, rest.strip(), other, cap=lay.cue_cap, floor=cap,
                                                   align="right"), SOFT_INK)
        room = pygame.Rect(band.x, band.y, digits.x - cap - band.x, band.height)
        self.painter.block(surface, "caption", fit(self.text, label, room, cap=lay.cue_cap * 0.6, floor=cap, lines=2),
                           SOFT_INK)
