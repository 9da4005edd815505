"""Read show files (TOML, format version 1) into a validated :class:`~rockstar_cx.show.model.Show`.

Every mistake in a file becomes a located :class:`~rockstar_cx.errors.Problem`; all of them are
raised together in one :class:`~rockstar_cx.errors.ShowError`, in line order.  A Show is only
built from a file without mistakes.  ``assets/shows/keynote.toml`` documents the format by example.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from rockstar_cx.errors import Problem, ShowError
from rockstar_cx.show.checks import (BOOLEAN, ID, LIST, MAX_PROBLEMS, STRING, WHOLE, Checks, Enough, Table, describe,
                                     hint)
from rockstar_cx.show.limits import MAX_MOMENTS, check_bounds, expand_user, length_problem, read_show_file
from rockstar_cx.show.locate import KeyPath
from rockstar_cx.show.model import DEFAULT_COLORS, THEN_HOLD, Meter, Moment, Section, Show, Step, parse_pattern
from rockstar_cx.show.samples import read_sample
from rockstar_cx.show.sounds import BUILTIN_SOUNDS, DEFAULT_CUSTOM_NOTE, SOUNDS
from rockstar_cx.show.waiting import then_problem, warn_beats_problem
from rockstar_cx.show.words import DEFAULT_LANGUAGE, language_problem

BUILTIN_SOURCE = "built-in show"

TABLES = ("show", "sounds", "sections", "moments")
SHOW_KEYS = ("title", "tempo", "meter", "swing", "count_in", "seed", "warn_beats", "language")
SECTION_KEYS = ("id", "name", "color", "sound", "pattern", "steps_per_beat", "gain", "midi_note")
MOMENT_KEYS = ("id", "title", "caption", "sections", "bars", "tempo", "tempo_end", "mode", "then", "reveal")
MODES = ("conducted", "chaos")
BEAT_UNITS = (1, 2, 4, 8, 16, 32)
MAX_SECTIONS = 32
MAX_SOUNDS = MAX_SECTIONS  # each section plays one: more could never all be heard, and each one is read
TEMPO_RANGE = (20, 300)

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_METER = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_SYNTAX_LOCATION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def builtin_show() -> Show:
    """The keynote show shipped with the app."""
    try:
        resource = importlib.resources.files("rockstar_cx.assets") / "shows" / "keynote.toml"
    except ModuleNotFoundError:  # a source checkout, not installed: assets/ sits beside the package
        resource = Path(__file__).resolve().parents[2] / "assets" / "shows" / "keynote.toml"
    # It has no [sounds], so base_dir only has to be a sensible directory.
    return parse_show(resource.read_text(encoding="utf-8"), BUILTIN_SOURCE, Path(str(resource)).parent)


def load_show(path: str | os.PathLike[str] | None) -> Show:
    """Load the show file at ``path``; ``None`` means the built-in show."""
    if path is None:
        return builtin_show()
    path = Path(path)
    text = read_show_file(path)
    return parse_show(text, str(path), expand_user(path).parent)  # the user exists: the file was read


def parse_show(text: str, source: str, base_dir: Path) -> Show:
    """Parse and validate show-file ``text``.

    ``source`` names the file in messages; [sounds] paths are relative to ``base_dir``.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    check_bounds(text, source)  # before tomllib: it is only quick on text within them
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ShowError([_syntax_problem(err, text, source)]) from None
    checker = _Checker(source, text)
    try:
        show = checker.show(data, Path(base_dir))
    except Enough:
        show = None
    if show is None:
        problems = sorted(checker.problems, key=lambda problem: problem.line)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(source, 0, f"stopped after {MAX_PROBLEMS} problems: fix these first"))
        raise ShowError(problems)
    return show


def _syntax_problem(err: tomllib.TOMLDecodeError, text: str, source: str) -> Problem:
    """tomllib puts the location in its message: "(at line L, column C)" or "(at end of document)"."""
    message = str(err)
    match = _SYNTAX_LOCATION.search(message)
    if match and match.group(1):
        line, where = int(match.group(1)), f" (column {match.group(2)})"
    else:
        line, where = max(1, len(text.splitlines())), " (at the end of the file)"
    return Problem(source, line, f"TOML syntax error: {_SYNTAX_LOCATION.sub('', message)}{where}")


class _Checker(Checks):
    """Walks a show file's parsed TOML, collecting problems; builds the Show only when there are none."""

    # -- the show ---------------------------------------------------------------------------

    def show(self, data: dict[str, Any], base_dir: Path) -> Show | None:
        for key in data:
            if key in SHOW_KEYS:
                self.report((key,), f"'{key}' is outside any table: move it below the [show] header")
            elif key not in TABLES:
                self.report((key,), f"unknown table '{key}' {hint(key, TABLES, 'tables')}")
        settings = self.settings(data)
        sounds = self.sounds(data, base_dir)
        section_tables = self.table_list(data, "sections", "section")
        if len(section_tables) > MAX_SECTIONS:
            message = f"too many sections ({len(section_tables)}): a show can have at most {MAX_SECTIONS}"
            self.report(section_tables[MAX_SECTIONS].path, message)
        section_ids: dict[str, KeyPath] = {}
        sections = [self.section(table, index, sounds, section_ids) for index, table in enumerate(section_tables)]
        moment_tables = self.table_list(data, "moments", "moment")
        if len(moment_tables) > MAX_MOMENTS:
            message = f"too many moments ({len(moment_tables)}): a show can have at most {MAX_MOMENTS}"
            self.report(moment_tables[MAX_MOMENTS].path, message)
        moment_ids: dict[str, KeyPath] = {}
        moments = [self.moment(table, section_ids, moment_ids) for table in moment_tables]

        if self.problems:
            return None
        show = Show(
            **settings, sections=tuple(sections), moments=tuple(moments),
            sounds=tuple(sounds.items()), source=self.source,
        )
        too_long = length_problem(show)  # only now: measuring needs a valid show
        if too_long is not None:
            self.report(("moments", too_long[0]), too_long[1])
            return None
        return show

    def settings(self, data: dict[str, Any]) -> dict[str, Any]:
        """The [show] table, as keyword arguments for Show."""
        table = self.table(data, "show")
        if table is None:
            if "show" not in data:
                self.report((), "missing [show] table: a show needs at least a title and a tempo")
            return {}
        self.known_keys(table, SHOW_KEYS)
        meter = self.meter(table)
        warn_beats = self.value(table, "warn_beats", WHOLE)
        if warn_beats is not None and (problem := warn_beats_problem(warn_beats, meter)):
            self.report(table.path + ("warn_beats",), problem)
        language = self.value(table, "language", STRING, default=DEFAULT_LANGUAGE)
        if language is not None and (problem := language_problem(language)):
            self.report(table.path + ("language",), problem)
        return {
            "title": self.value(table, "title", STRING, required=True),
            "tempo": self.number(table, "tempo", *TEMPO_RANGE, required=True, unit=" beats per minute"),
            "meter": meter,
            "swing": self.number(table, "swing", 0.0, 0.5, default=0.0),
            "count_in": self.number(table, "count_in", 0, 8, whole=True, default=1, unit=" bars"),
            "seed": self.value(table, "seed", WHOLE, default=0),
            "warn_beats": warn_beats,
            "language": language,
        }

    def meter(self, settings: Table) -> Meter | None:
        text = self.value(settings, "meter", STRING, default="4/4")
        if text is None:
            return None
        path = settings.path + ("meter",)
        match = _METER.fullmatch(text)
        if not match:
            self.report(path, f"'meter' must look like \"4/4\" (beats per bar / beat unit), not \"{text}\"")
            return None
        beats, unit = int(match.group(1)), int(match.group(2))
        if not 1 <= beats <= 32:
            self.report(path, f"'meter' must have 1 to 32 beats per bar, not {beats}")
        elif unit not in BEAT_UNITS:
            self.report(path, f"'meter' beat unit must be 1, 2, 4, 8, 16 or 32, not {unit}")
        else:
            return Meter(beats, unit)
        return None

    def sounds(self, data: dict[str, Any], base_dir: Path) -> dict[str, Path]:
        """Custom samples by name; invalid ones are kept so sections using them are not reported twice."""
        table = self.table(data, "sounds")
        sounds: dict[str, Path] = {}
        for name, value in (table.data if table else {}).items():
            path = ("sounds", name)
            if not ID.fullmatch(name):
                self.report(path, f"sound name '{name}' must use only lowercase letters, digits, _ and -")
            elif name in BUILTIN_SOUNDS:
                self.report(path, f"sound '{name}' is already a built-in sound: give your sample another name")
            if not isinstance(value, str):
                self.report(path, f"sound '{name}' must be a file path in quotes, not {describe(value)}")
                continue
            if len(sounds) == MAX_SOUNDS:
                self.report(path, f"too many sounds: a show can have at most {MAX_SOUNDS}, one per section")
                break
            try:
                file = (base_dir / expand_user(Path(value))).absolute()
            except ValueError as err:
                self.report(path, f"sound '{name}': {err}")
                continue
            sounds[name] = file
            try:
                read_sample(file)  # what the kit will play, checked now: nothing unsafe reaches the speakers
            except ShowError as err:
                self.report(path, f"sound '{name}': {err.problems[0]}")
        return sounds

    # -- sections and moments ---------------------------------------------------------------

    def section(self, table: Table, index: int, sounds: dict[str, Path], seen: dict[str, KeyPath]) -> Section | None:
        before = len(self.problems)
        self.known_keys(table, SECTION_KEYS)
        section_id = self.identifier(table, "section", seen)
        name = self.value(table, "name", STRING)
        color = self.value(table, "color", STRING, default=DEFAULT_COLORS[index % len(DEFAULT_COLORS)])
        if color is not None and not _COLOR.fullmatch(color):
            self.report(table.path + ("color",), f"'color' must be a hex colour like \"#E4572E\", not \"{color}\"")
        sound = self.value(table, "sound", STRING, required=True)
        if sound is not None and sound not in BUILTIN_SOUNDS and sound not in sounds:
            builtin = ", ".join(BUILTIN_SOUNDS)
            message = f"unknown sound '{sound}' (built-in: {builtin}; or add it under [sounds])"
            self.report(table.path + ("sound",), message)
        pattern = self.pattern(table)
        steps_per_beat = self.number(table, "steps_per_beat", 1, 8, whole=True, default=4)
        gain = self.number(table, "gain", 0.0, 2.0, default=1.0)
        default_note = SOUNDS[sound].gm_note if sound in SOUNDS else DEFAULT_CUSTOM_NOTE
        midi_note = self.number(table, "midi_note", 0, 127, whole=True, default=default_note)
        if len(self.problems) > before:
            return None
        return Section(
            id=section_id, name=section_id.capitalize() if name is None else name, color=color.upper(),
            sound=sound, pattern=pattern, steps_per_beat=steps_per_beat, gain=gain, midi_note=midi_note,
        )

    def pattern(self, table: Table) -> tuple[Step, ...] | None:
        text = self.value(table, "pattern", STRING, required=True)
        if text is None:
            return None
        path = table.path + ("pattern",)
        try:
            steps = parse_pattern(text)
        except ValueError as err:
            self.report(path, f"'pattern' has an {err}")
            return None
        if not steps:
            message = "'pattern' is empty: write one character per step, like \"x... x.x.\" (X accent, x hit, . rest)"
            self.report(path, message)
        elif not any(steps):
            self.report(path, "'pattern' has no hits, so the section would never play: add at least one x or X")
        else:
            return steps
        return None

    def moment(self, table: Table, section_ids: dict[str, KeyPath], seen: dict[str, KeyPath]) -> Moment | None:
        before = len(self.problems)
        self.known_keys(table, MOMENT_KEYS)
        moment_id = self.identifier(table, "moment", seen)
        title = self.value(table, "title", STRING, required=True)
        caption = self.value(table, "caption", STRING, default="")
        sections = self.moment_sections(table, section_ids)
        bars = self.number(table, "bars", 0, 999, whole=True, required=True)
        tempo = self.number(table, "tempo", *TEMPO_RANGE, unit=" beats per minute")
        tempo_end = self.number(table, "tempo_end", *TEMPO_RANGE, unit=" beats per minute")
        if tempo_end is not None and bars == 0:
            message = "'tempo_end' needs 'bars' above 0: a held moment (bars = 0) has no length to ramp over"
            self.report(table.path + ("tempo_end",), message)
        mode = self.value(table, "mode", STRING, default="conducted")
        if mode is not None and mode not in MODES:
            self.report(table.path + ("mode",), f"'mode' must be \"conducted\" or \"chaos\", not \"{mode}\"")
        then = self.value(table, "then", STRING, default=THEN_HOLD)
        if then is not None and (problem := then_problem(then, bars)):
            self.report(table.path + ("then",), problem)
        reveal = self.value(table, "reveal", BOOLEAN, default=True)
        if len(self.problems) > before:
            return None
        return Moment(
            id=moment_id, title=title, caption=caption, sections=sections, bars=bars,
            tempo=tempo, tempo_end=tempo_end, mode=mode, then=then, reveal=reveal,
        )

    def moment_sections(self, table: Table, section_ids: dict[str, KeyPath]) -> tuple[str, ...] | None:
        items = self.value(table, "sections", LIST, required=True)
        if items is None:
            return None
        listed: set[str] = set()
        for index, item in enumerate(items):
            path = table.path + ("sections", index)
            if not isinstance(item, str):
                self.report(path, f"'sections' must list section ids in quotes, not {describe(item)}")
            elif section_ids and item not in section_ids:  # with no sections at all, that is the problem to report
                suggestion = hint(item, list(section_ids)[:MAX_SECTIONS], "sections")  # bounded, however many there are
                self.report(path, f"unknown section '{item}' in 'sections' {suggestion}")
            elif item in listed:
                self.report(path, f"'sections' lists '{item}' twice: list each section once")
            else:
                listed.add(item)
        return tuple(items)
