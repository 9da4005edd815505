"""The presenter console: where the show is, what comes next, and every control as a button.

It shows the current and next moment with their captions (the speaker notes), the show's and
the moment's time and the show's time left, the moment's bar of its length, what comes at its
end and what GO will do (:mod:`.briefing`), the tempo and whether it was changed live, each
section's mute/solo state and the engine's health (device, latency, underflows, "audio lost —
retrying"; red only for faults of our engine: :mod:`~rockstar_cx.live.status`), the MIDI ports,
the external clock and MIDI learn — and the dialogs that ask before quitting or resuming.  Every button does what its key does: :meth:`ConsoleView.hit` maps a click to the
same :class:`~rockstar_cx.live.intent.Target` (the presenter's).  While MIDI learn is on, the
sections also show the targets only a controller has — a live hit, a section's volume, the
master volume (:data:`LEARN_ONLY`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from ..audio.health import Health
from ..conductor.conductor import Transport
from ..live.intent import Action, Target
from ..live.presenter import Teach
from ..live.status import callbacks_missed, engine_faults
from ..live.surface import MidiSummary
from ..show.model import Show
from .briefing import ARMED, BY_ITSELF, ENDING, FADING, HOLDS, TEACHING, Briefing
from .controls import help_rows
from .cues import Frame
from .dialogs import Dialog
from .fit import wrap
from .palette import ALERT, BACKGROUND, FAINT, INK, OK, PANEL, SOFT_INK, WARN, Color, SectionColors
from .stage import cue_word
from .text import Text
from .widgets import Painter

LEARN_ONLY = frozenset({Action.HIT, Action.VOLUME, Action.MASTER})  # console targets for MIDI learn that no key has


@dataclass(frozen=True, kw_only=True)
class ConsoleInfo:
    frame: Frame
    transport: Transport
    click: bool
    panicking: bool
    health: Health
    visual_offset_ms: float
    message: str
    blackout: bool
    teaching: Teach | None
    briefing: Briefing
    underflows_since_start: int | None  # None: the show has not started yet
    cue: bool | None = None  # the cue mix; None: no cue channels
    dialog: Dialog | None = None  # a question over everything: quit? resume?
    midi: MidiSummary | None = None


_CHANGE_COLORS = {ARMED: WARN, ENDING: ALERT, FADING: ALERT, TEACHING: OK, BY_ITSELF: WARN, HOLDS: SOFT_INK}


class ConsoleView:
    def __init__(self, show: Show, text: Text) -> None:
        self.show = show
        self.text = text
        self.painter = Painter(text)
        self.colors = [SectionColors.of(s.color) for s in show.sections]
        self.buttons: list[tuple[pygame.Rect, Target]] = []

    def hit(self, pos: tuple[int, int]) -> Target | None:
        """What the button under a click does."""
        for rect, target in self.buttons:
            if rect.collidepoint(pos):
                return target
        return None

    def draw(self, surface: pygame.Surface, info: ConsoleInfo, preview: pygame.Surface | None) -> None:
        self.painter.boxes, self.buttons = [], []
        surface.fill(BACKGROUND)
        w, h = surface.get_size()
        self.s = max(9, round(h * 0.02))  # small capitals
        self.m = max(8, round(h * 0.025))
        s, m = self.s, self.m
        left = pygame.Rect(m, m, round(w * 0.56) - m, h - 2 * m)
        right = pygame.Rect(left.right + m, m, w - left.right - 2 * m, h - 2 * m)
        y = self._status(surface, info, left, right)
        y = self._moments(surface, info, left, y)
        self._buttons(surface, info, left, y)
        y = right.y + round(s * 3.2)
        if preview is not None:
            box = pygame.Rect(right.x, y, right.width, round(right.width * 9 / 16))
            surface.blit(pygame.transform.scale(preview, box.size), box)
            pygame.draw.rect(surface, FAINT, box, 1)
            if info.blackout:
                self._label(surface, "BLACKOUT", s, ALERT, (box.centerx, box.centery), "center")
            y = box.bottom + m
        y = self._sections(surface, info, right, y)
        self._health(surface, info, right, y)
        if info.dialog is not None:
            self._dialog(surface, info.dialog)

    # -- pieces --------------------------------------------------------------------------------

    def _label(self, surface: pygame.Surface, words: str, cap: int, color: Color, point, anchor: str = "topleft",
               width: float | None = None) -> pygame.Rect:
        px = self.text.fit(words, cap, width, 6) if width else None
        return self.painter.line(surface, "info", words, cap, color, point, anchor, px=px)

    def _button(self, surface: pygame.Surface, rect: pygame.Rect, label: str, action: Action,
                section: int | None = None, *, active: bool = False, accent: Color = WARN) -> None:
        pygame.draw.rect(surface, accent if active else PANEL, rect, border_radius=self.s // 2)
        pygame.draw.rect(surface, accent if active else FAINT, rect, 2, border_radius=self.s // 2)
        cap = min(self.s, round(rect.height * 0.36))
        self._label(surface, label, cap, BACKGROUND if active else INK, rect.center, "center", rect.width - cap)
        self.buttons.append((rect, Target(action, section)))

    def _status(self, surface: pygame.Surface, info: ConsoleInfo, left: pygame.Rect, right: pygame.Rect) -> int:
        s, frame = self.s, info.frame
        state = {"playing": ("PLAYING", OK), "count-in": ("COUNT-IN", WARN), "stopped": ("STOPPED", SOFT_INK),
                 "finished": ("FINISHED", SOFT_INK)}[frame.state]
        if info.panicking:
            state = ("FADING OUT", ALERT)
        brief = info.briefing
        caps = self._label(surface, f"● {state[0]}", round(s * 1.3), state[1], left.topleft)
        self._label(surface, brief.clocks, s, SOFT_INK, (caps.right + s * 2, caps.bottom), "bottomleft",
                    left.right - caps.right - s * 2)
        tempo = self._label(surface, brief.tempo, round(s * 1.3), WARN if "resets" in brief.tempo else INK,
                            right.topright, "topright", right.width * 0.55)
        self._label(surface, brief.where, s, SOFT_INK, right.topleft, width=tempo.left - right.left - s)
        return left.y + round(s * 3.2)

    def _moments(self, surface: pygame.Surface, info: ConsoleInfo, left: pygame.Rect, y: int) -> int:
        s, frame, show = self.s, info.frame, self.show
        n = len(show.moments)
        current = show.moments[frame.moment]
        heading = "NOW" if frame.performing else "STARTS AT"
        if info.teaching is not None:
            heading = f"TEACHING {show.sections[info.teaching.section].name.upper()} ({info.teaching.phase})"
        self._label(surface, f"{heading}  {frame.moment + 1}/{n}", s, WARN, (left.x, y))
        y += round(s * 1.8)
        self._label(surface, current.title, round(s * 1.6), INK, (left.x, y), width=left.width)
        y += round(s * 2.6)
        y = self._notes(surface, current.caption, left, y, 2)
        brief = info.briefing
        self._label(surface, brief.change, round(s * 1.1), _CHANGE_COLORS.get(brief.kind, SOFT_INK), (left.x, y),
                    width=left.width)
        y += round(s * 1.9)
        if brief.go:
            self._label(surface, brief.go, s, INK, (left.x, y), width=left.width)
        y += round(s * 1.9)
        self._label(surface, brief.next_heading, s, WARN, (left.x, y))
        y += round(s * 1.8)
        nxt = n if brief.next_moment is None else brief.next_moment
        if nxt < n:
            self._label(surface, show.moments[nxt].title, round(s * 1.25), INK, (left.x, y), width=left.width)
            y += round(s * 2.2)
            y = self._notes(surface, show.moments[nxt].caption, left, y, 2)
        else:
            self._label(surface, "— the end of the show —", round(s * 1.25), SOFT_INK, (left.x, y))
            y += round(s * 2.2)
        return y + s

    def _notes(self, surface: pygame.Surface, caption: str, box: pygame.Rect, y: int, lines: int) -> int:
        px = self.text.px_for_cap(self.s)
        for line in wrap(self.text, caption, px, box.width, lines)[0]:
            self._label(surface, line, self.s, SOFT_INK, (box.x, y))
            y += round(self.s * 1.7)
        return y + round(self.s * 0.6)

    def _buttons(self, surface: pygame.Surface, info: ConsoleInfo, left: pygame.Rect, y: int) -> None:
        s = self.s
        gap = max(4, s // 2)
        room = left.bottom - y - 2 * gap
        big = max(s * 3, min(s * 7, round(room * 0.4)))  # GO is the biggest target on the screen
        half = (left.width - gap) // 2
        self._button(surface, pygame.Rect(left.x, y, half, big), "◀ BACK  (PgUp)", Action.BACK)
        self._button(surface, pygame.Rect(left.x + half + gap, y, half, big), "GO ▶  (PgDn)", Action.GO,
                     active=True, accent=OK)
        y += big + gap
        playing = info.transport.playing
        rows = [
            [("STOP  F5" if playing else "START  F5", Action.START_STOP, playing, OK),
             ("PANIC  Esc", Action.PANIC, info.panicking, ALERT), ("BLACKOUT  B", Action.BLACKOUT, info.blackout, ALERT),
             ("CLICK  C", Action.CLICK, info.click, WARN)],
            [("TAP  T", Action.TAP, False, WARN), ("−1 bpm", Action.SLOWER, False, WARN),
             ("+1 bpm", Action.FASTER, False, WARN), ("RESET  R", Action.RESET, False, WARN),
             ("HELP  H", Action.HELP, False, WARN), ("CALIBRATE  F9", Action.CALIBRATE, False, WARN)],
        ]
        if info.cue is not None:
            rows[0].append(("CUE MIX  M", Action.CUE, info.cue, OK))
        midi = info.midi
        if midi is not None and midi.can_learn:
            rows[1].append(("LEARN  L", Action.LEARN, midi.learning, WARN))
            if midi.learning:
                rows[0].append(("MASTER VOL", Action.MASTER, _chosen(midi, Action.MASTER, None), WARN))
        height = max(s * 2, min(s * 5, (left.bottom - y - gap) // 2))
        for row in rows:
            width = (left.width - gap * (len(row) - 1)) // len(row)
            for i, (label, action, active, accent) in enumerate(row):
                rect = pygame.Rect(left.x + i * (width + gap), y, width, height)
                self._button(surface, rect, label, action, active=active, accent=accent)
            y += height + gap

    def _sections(self, surface: pygame.Surface, info: ConsoleInfo, right: pygame.Rect, y: int) -> int:
        s = self.s
        playing = set(self.show.moment_sections[info.frame.moment])
        row_h = round(s * 2.6)
        midi = info.midi
        learning = midi is not None and midi.learning
        button_w = round(s * (3.6 if learning else 5.2))
        for i, section in enumerate(self.show.sections[:8]):
            c = self.colors[i]
            pygame.draw.rect(surface, c.edge, (right.x, y, s, row_h - 4), border_radius=3)
            color = c.text if i in playing else SOFT_INK
            buttons: list[tuple[str, Action, bool, Color]] = [
                ("MUTE", Action.MUTE, i in info.transport.muted, ALERT),
                ("SOLO", Action.SOLO, i in info.transport.soloed, WARN),
                ("TEACH", Action.TEACH, bool(info.teaching and info.teaching.section == i), OK)]
            if learning:
                buttons = [(label, action, _chosen(midi, action, i), WARN) for label, action, _, _ in buttons]
                buttons += [("HIT", Action.HIT, _chosen(midi, Action.HIT, i), WARN),
                            ("VOL", Action.VOLUME, _chosen(midi, Action.VOLUME, i), WARN)]
            room = right.width - len(buttons) * (button_w + 4) - s * 2
            self._label(surface, f"{i + 1} {section.name} · {cue_word(section.sound)}", s, color,
                        (right.x + s * 2, y + row_h // 2 - 2), "midleft", room)
            x = right.right - len(buttons) * (button_w + 4)
            for label, action, active, accent in buttons:
                self._button(surface, pygame.Rect(x, y, button_w, row_h - 4), label, action, i, active=active,
                             accent=accent)
                x += button_w + 4
            y += row_h
        return y + s

    def _health(self, surface: pygame.Surface, info: ConsoleInfo, right: pygame.Rect, y: int) -> None:
        s, h = self.s, info.health
        counters = h.counters
        color = OK if h.state == "ok" else ALERT
        since = "--" if info.underflows_since_start is None else info.underflows_since_start
        faults = engine_faults(counters)  # the one rule for red: see rockstar_cx.live.status
        lines = [(f"AUDIO  {h.device or 'no device'} · {h.state.value}", color),
                 (f"latency {h.output_latency * 1000.0:.1f} ms + projector {info.visual_offset_ms:.0f} ms", SOFT_INK),
                 (f"underflows {since} since start · device's own count {counters.underflows}"
                  f" · late {counters.late_callbacks} · missed {callbacks_missed(h)}", SOFT_INK),
                 (f"engine: {faults} blocks not delivered (dropped {counters.dropped_blocks} · errors "
                  f"{counters.callback_errors} · non-finite {counters.nonfinite_blocks})" if faults else
                  "engine: every block delivered", ALERT if faults else OK)]
        if h.message:
            lines.append((h.message, ALERT))
        if info.midi is not None:
            lines += _midi_lines(info.midi)
        lines.append((info.message, INK))
        for words, color in lines:
            if y + s > right.bottom:
                break
            self._label(surface, words, s, color, (right.x, y), width=right.width)
            y += round(s * 1.8)


    def _dialog(self, surface: pygame.Surface, dialog: Dialog) -> None:
        """A question in a box over the middle of the console (never on the stage)."""
        w, h = surface.get_size()
        s = self.s
        box = pygame.Rect(0, 0, round(w * 0.7), round(s * (4.5 + 2 * len(dialog.lines))))
        box.center = (w // 2, h // 2)
        accent = ALERT if dialog.alert else WARN
        pygame.draw.rect(surface, PANEL, box, border_radius=12)
        pygame.draw.rect(surface, accent, box, 3, border_radius=12)
        y = box.y + s
        self._label(surface, dialog.title, round(s * 1.4), accent, (box.x + s * 2, y), width=box.width - s * 4)
        y += round(s * 2.6)
        for line in dialog.lines:
            self._label(surface, line, s, INK, (box.x + s * 2, y), width=box.width - s * 4)
            y += s * 2


def _chosen(midi: MidiSummary, action: Action, index: int | None) -> bool:
    """Is this the target the next control moved will be bound to?"""
    return midi.selected == Target(action, index)


def _midi_lines(midi: MidiSummary) -> list[tuple[str, Color]]:
    lines = []
    for heading, ports in (("MIDI IN", midi.inputs), ("MIDI OUT", midi.outputs)):
        if ports:
            words = " · ".join(f"{name} {'✓' if up else '✗ (unplugged)'}" for name, up in ports)
            lines.append((f"{heading}  {words}", OK if all(up for _, up in ports) else ALERT))
    if midi.out_state:
        lines.append((midi.out_state, ALERT))
    if midi.clock_in is not None:
        lines.append((f"CLOCK IN  {midi.clock_in}", OK if midi.following else WARN))
    if midi.learning:
        lines.append(("MIDI LEARN ON: press a key or click a button, then move a control (L: off)", WARN))
        if midi.selected is not None:
            lines.append((f"the next control moved will do: {midi.selected}", WARN))
    if midi.learned:
        lines.append((f"learned: {midi.learned}", SOFT_INK))
    return lines


def draw_help(surface: pygame.Surface, text: Text) -> Painter:
    """Every key, from the same table the key handler uses."""
    w, h = surface.get_size()
    rows = help_rows()
    box = pygame.Rect(0, 0, round(w * 0.9), round(h * 0.9))
    box.center = (w // 2, h // 2)
    pygame.draw.rect(surface, PANEL, box, border_radius=12)
    pygame.draw.rect(surface, WARN, box, 2, border_radius=12)
    painter = Painter(text)
    step = box.height / (len(rows) + 2)
    cap = max(8, round(step * 0.42))
    painter.line(surface, "info", "KEYS  (H closes)", cap, WARN, (box.x + cap * 2, box.y + step * 0.6))
    keys_w = max(text.width(k, text.px_for_cap(cap)) for k, _ in rows) + cap * 2
    for i, (keys, does) in enumerate(rows):
        y = box.y + step * (i + 1.6)
        painter.line(surface, "info", keys, cap, WARN, (box.x + cap * 2, y))
        room = box.width - keys_w - cap * 4
        px = text.fit(does, cap, room, 6)
        painter.line(surface, "info", does, cap, INK, (box.x + cap * 2 + keys_w, y), px=px)
    return painter
