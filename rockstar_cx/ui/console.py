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
from typing import TYPE_CHECKING

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
from .console_layout import ConsoleLayout, ConsoleNeeds, caps, columns, console_layout, per_row
from .fit import fit, together, wrap
from .layout import lines_height
from .palette import ALERT, BACKGROUND, FAINT, INK, OK, PANEL, SOFT_INK, WARN, Color, SectionColors
from .stage import cue_word
from .text import Text

if TYPE_CHECKING:  # the listener needs scipy: imported only when a room is heard (--room-input)
    from ..live.heard import RoomNow
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
    presenter_screen: bool = False  # a display was plugged in: the console can move there (Tab)
    room: RoomNow | None = None  # what the room's microphone heard (--room-input)


_ROOM_COLORS = {"tight": OK, "ok": WARN, "loose": ALERT}
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
        lay = self.layout = console_layout(surface.get_size(), self._needs(surface.get_size(), info, preview))
        self._status(surface, info, lay)
        self._moments(surface, info, lay)
        self._buttons(surface, info, lay)
        if lay.preview is not None and preview is not None:
            surface.blit(pygame.transform.scale(preview, lay.preview.size), lay.preview)
            pygame.draw.rect(surface, FAINT, lay.preview, 1)
            if info.blackout:
                self._words(surface, "BLACKOUT", lay.preview, ALERT, align="center")
        self._sections(surface, info, lay)
        health = list(zip(self._health_lines(info), lay.health))
        cap = self._common([(words, box) for (words, _), box in health], lay.cap, lines=2)
        for (words, color), box in health:
            self._words(surface, words, box, color, cap=cap, floor=cap, lines=2)
        if info.dialog is not None:
            self._dialog(surface, info.dialog)

    def _needs(self, size: tuple[int, int], info: ConsoleInfo, preview: pygame.Surface | None) -> ConsoleNeeds:
        """What this frame's console holds, each text measured at the floor: how many lines it needs."""
        left, right = columns(size)
        floor_px = self.text.px_for_cap(caps(size[1])[1])
        frame, show = info.frame, self.show

        def lines(words: str, width: int, most: int) -> int:
            if not words or self.text.width(words, floor_px) <= width:  # one line: most do, and it is one width
                return 1
            return min(most, len(wrap(self.text, words, floor_px, width, most)[0]))

        nxt = info.briefing.next_moment
        notes = (lines(show.moments[frame.moment].caption, left.width, 99),
                 lines(show.moments[nxt].caption, left.width, 99) if nxt is not None and nxt < len(show.moments) else 1)
        learning = info.midi is not None and info.midi.learning
        return ConsoleNeeds(len(show.sections), tuple(lines(w, right.width, 2) for w, _ in self._health_lines(info)),
                            notes, 5 if learning else 3, tuple(len(row) for row in self._button_rows(info, size)),
                            preview is not None)

    # -- pieces --------------------------------------------------------------------------------

    def _words(self, surface: pygame.Surface, words: str, box: pygame.Rect, color: Color, *, cap: float | None = None,
               floor: float | None = None, lines: int = 1, align: str = "left") -> pygame.Rect:
        """``words`` fitted into ``box`` by the one rule (:mod:`.fit`), never below the console's floor (a group's
        members are given their common size as ``cap`` and ``floor``)."""
        cap = cap or self.layout.cap
        floor = min(cap, self.layout.floor if floor is None else floor)
        block = fit(self.text, words, box, cap=cap, floor=floor, lines=lines, align=align)
        return self.painter.block(surface, "info", block, color)

    def _common(self, items: list[tuple[str, pygame.Rect]], cap: float, lines: int = 1) -> float:
        """The one size a group of texts (a list, a row of buttons) is drawn at (:func:`.fit.together`)."""
        return together(self.text, items, cap=cap, floor=self.layout.floor, lines=lines)

    def _button_group(self, surface: pygame.Surface, rects: list[pygame.Rect],
                      buttons: list[tuple[str, Action, bool, Color]], section: int | None = None) -> None:
        """Buttons side by side, their labels at one size (two lines when one line is too narrow)."""
        s = self.layout.cap
        inner = [rect.inflate(-max(6, s // 2), -4) for rect in rects]
        cap = self._common([(label, box) for (label, *_), box in zip(buttons, inner)],
                           min(s, round(min(r.height for r in rects) * 0.36)), lines=2)
        for rect, box, (label, action, active, accent) in zip(rects, inner, buttons):
            pygame.draw.rect(surface, accent if active else PANEL, rect, border_radius=s // 2)
            pygame.draw.rect(surface, accent if active else FAINT, rect, 2, border_radius=s // 2)
            self._words(surface, label, box, BACKGROUND if active else INK, cap=cap, floor=cap, lines=2, align="center")
            self.buttons.append((rect, Target(action, section)))

    def _status(self, surface: pygame.Surface, info: ConsoleInfo, lay: ConsoleLayout) -> None:
        s, frame, brief = lay.cap, info.frame, info.briefing
        state = {"playing": ("PLAYING", OK), "count-in": ("COUNT-IN", WARN), "stopped": ("STOPPED", SOFT_INK),
                 "finished": ("FINISHED", SOFT_INK)}[frame.state]
        if info.panicking:
            state = ("FADING OUT", ALERT)
        self._words(surface, f"● {state[0]}", lay.state, state[1], cap=round(s * 1.3))
        self._words(surface, brief.clocks, lay.clocks, SOFT_INK)
        self._words(surface, brief.tempo, lay.tempo, WARN if "resets" in brief.tempo else INK, cap=round(s * 1.3),
                    lines=2, align="right")
        self._words(surface, brief.where, lay.where, SOFT_INK, lines=2)

    def _moments(self, surface: pygame.Surface, info: ConsoleInfo, lay: ConsoleLayout) -> None:
        s, frame, show = lay.cap, info.frame, self.show
        n = len(show.moments)
        current = show.moments[frame.moment]
        heading = "NOW" if frame.performing else "STARTS AT"
        if info.teaching is not None:
            heading = f"TEACHING {show.sections[info.teaching.section].name.upper()} ({info.teaching.phase})"
        self._words(surface, f"{heading}  {frame.moment + 1}/{n}", lay.heading, WARN)
        self._words(surface, current.title, lay.title, INK, cap=round(s * 1.6), lines=2)
        self._words(surface, current.caption, lay.notes, SOFT_INK, lines=99)
        brief = info.briefing
        self._words(surface, brief.change, lay.change, _CHANGE_COLORS.get(brief.kind, SOFT_INK), cap=round(s * 1.1))
        if brief.go:
            self._words(surface, brief.go, lay.go, INK)
        self._words(surface, brief.next_heading, lay.next_heading, WARN)
        nxt = n if brief.next_moment is None else brief.next_moment
        if nxt < n:
            self._words(surface, show.moments[nxt].title, lay.next_title, INK, cap=round(s * 1.25), lines=2)
            self._words(surface, show.moments[nxt].caption, lay.next_notes, SOFT_INK, lines=99)
        else:
            self._words(surface, "— the end of the show —", lay.next_title, SOFT_INK, cap=round(s * 1.25))

    def _button_rows(self, info: ConsoleInfo, size: tuple[int, int]) -> list[list[tuple[str, Action, bool, Color]]]:
        """The small buttons under GO and back, in rows of as many as the column holds (:func:`per_row`)."""
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
        if info.room is not None:
            rows[1].append(("ROOM  F8", Action.ROOM, False, WARN))
        if info.presenter_screen:  # a display was plugged in: the console can move there
            rows[0].append(("PRESENTER SCREEN  Tab", Action.CONSOLE, True, OK))
        midi = info.midi
        if midi is not None and midi.can_learn:
            rows[1].append(("LEARN  L", Action.LEARN, midi.learning, WARN))
            if midi.learning:
                rows[0].append(("MASTER VOL", Action.MASTER, _chosen(midi, Action.MASTER, None), WARN))
        flat = rows[0] + rows[1]
        count = -(-len(flat) // per_row(size))
        return [flat[len(flat) * r // count:len(flat) * (r + 1) // count] for r in range(count)]

    def _buttons(self, surface: pygame.Surface, info: ConsoleInfo, lay: ConsoleLayout) -> None:
        self._button_group(surface, [lay.back_button, lay.go_button], [("◀ BACK  (PgUp)", Action.BACK, False, WARN),
                                                                        ("GO ▶  (PgDn)", Action.GO, True, OK)])
        for rects, row in zip(lay.buttons, self._button_rows(info, lay.size)):
            self._button_group(surface, list(rects), row)

    def _sections(self, surface: pygame.Surface, info: ConsoleInfo, lay: ConsoleLayout) -> None:
        playing = set(self.show.moment_sections[info.frame.moment])
        midi = info.midi
        learning = midi is not None and midi.learning
        rows = list(zip(self.show.sections, lay.sections))
        cap = self._common([(self._section_label(i, section), row.label) for i, (section, row) in enumerate(rows)],
                           lay.cap)
        for i, (section, row) in enumerate(rows):
            c = self.colors[i]
            pygame.draw.rect(surface, c.edge, row.swatch, border_radius=3)
            buttons: list[tuple[str, Action, bool, Color]] = [
                ("MUTE", Action.MUTE, i in info.transport.muted, ALERT),
                ("SOLO", Action.SOLO, i in info.transport.soloed, WARN),
                ("TEACH", Action.TEACH, bool(info.teaching and info.teaching.section == i), OK)]
            if learning:
                buttons = [(label, action, _chosen(midi, action, i), WARN) for label, action, _, _ in buttons]
                buttons += [("HIT", Action.HIT, _chosen(midi, Action.HIT, i), WARN),
                            ("VOL", Action.VOLUME, _chosen(midi, Action.VOLUME, i), WARN)]
            self._words(surface, self._section_label(i, section), row.label, c.text if i in playing else SOFT_INK,
                        cap=cap, floor=cap)
            self._button_group(surface, list(row.buttons), buttons, i)

    @staticmethod
    def _section_label(index: int, section) -> str:
        """"1 Sales · CLAP", read left to right whatever the name's script (a LEFT-TO-RIGHT MARK leads it)."""
        return f"\u200e{index + 1} {section.name} · {cue_word(section.sound)}"

    def _health_lines(self, info: ConsoleInfo) -> list[tuple[str, Color]]:
        """The audio's health, the MIDI ports and the last message, a line each."""
        h = info.health
        counters = h.counters
        since = "--" if info.underflows_since_start is None else info.underflows_since_start
        faults = engine_faults(counters)  # the one rule for red: see rockstar_cx.live.status
        lines = [(f"AUDIO  {h.device or 'no device'} · {h.state.value}", OK if h.state == "ok" else ALERT),
                 (f"latency {h.output_latency * 1000.0:.1f} ms + projector {info.visual_offset_ms:.0f} ms", SOFT_INK),
                 (f"underflows {since} since start · device's own count {counters.underflows}"
                  f" · late {counters.late_callbacks} · missed {callbacks_missed(h)}", SOFT_INK),
                 (f"engine: {faults} blocks not delivered (dropped {counters.dropped_blocks} · errors "
                  f"{counters.callback_errors} · non-finite {counters.nonfinite_blocks})" if faults else
                  "engine: every block delivered", ALERT if faults else OK)]
        if h.message:
            lines.append((h.message, ALERT))
        if info.room is not None:
            lines.append((info.room.words(), _ROOM_COLORS.get(info.room.band(), SOFT_INK)))
        if info.midi is not None:
            lines += _midi_lines(info.midi)
        lines.append((info.message, INK))
        return lines

    def _dialog(self, surface: pygame.Surface, dialog: Dialog) -> None:
        """A question in a box over the middle of the console (never on the stage)."""
        w, h = surface.get_size()
        s = self.layout.cap
        title_h, line_h = lines_height(round(s * 1.4), 1), lines_height(s, 2)
        box = pygame.Rect(0, 0, round(w * 0.7), 2 * s + title_h + len(dialog.lines) * (line_h + s // 2))
        box.center = (w // 2, h // 2)
        accent = ALERT if dialog.alert else WARN
        pygame.draw.rect(surface, PANEL, box, border_radius=12)
        pygame.draw.rect(surface, accent, box, 3, border_radius=12)
        inner = box.inflate(-4 * s, 0)
        self._words(surface, dialog.title, pygame.Rect(inner.x, box.y + s, inner.width, title_h), accent,
                    cap=round(s * 1.4))
        y = box.y + s + title_h + s // 2
        for line in dialog.lines:
            self._words(surface, line, pygame.Rect(inner.x, y, inner.width, line_h), INK, lines=2)
            y += line_h + s // 2


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
    """Every key, from the same table the key handler uses, each line fitted by the one rule."""
    w, h = surface.get_size()
    rows = help_rows()
    box = pygame.Rect(0, 0, round(w * 0.9), round(h * 0.9))
    box.center = (w // 2, h // 2)
    pygame.draw.rect(surface, PANEL, box, border_radius=12)
    pygame.draw.rect(surface, WARN, box, 2, border_radius=12)
    painter = Painter(text)
    step = box.height / (len(rows) + 2)
    cap = max(8, round(step * 0.42))
    floor = min(cap, caps(h)[1])
    inner = box.inflate(-4 * cap, 0)
    keys_w = min(inner.width // 3, max(text.width(k, text.px_for_cap(cap)) for k, _ in rows) + cap)

    def row(y: float) -> pygame.Rect:
        return pygame.Rect(inner.x, round(y), inner.width, round(step))

    painter.block(surface, "info", fit(text, "KEYS  (H closes)", row(box.y + step * 0.4), cap=cap, floor=floor), WARN)
    for i, (keys, does) in enumerate(rows):
        line = row(box.y + step * (i + 1.4))
        key_box, does_box = line.copy(), line.copy()
        key_box.width = keys_w - cap
        does_box.x, does_box.width = inner.x + keys_w, inner.width - keys_w
        painter.block(surface, "info", fit(text, keys, key_box, cap=cap, floor=floor), WARN)
        painter.block(surface, "info", fit(text, does, does_box, cap=cap, floor=floor), INK)
    return painter
