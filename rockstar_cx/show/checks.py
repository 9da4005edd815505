"""Checking parsed TOML, whatever the document: each value's kind, a number's range, tables, ids.

A :class:`Checks` reports every mistake as a :class:`~rockstar_cx.errors.Problem` at its line
(located only once there is one) and stops with :class:`Enough` after :data:`MAX_PROBLEMS`.
What a show file must hold is checked on top of it, in :mod:`rockstar_cx.show.loader`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rockstar_cx.errors import Problem
from rockstar_cx.show.locate import KeyPath, Locations, locate

#: After this many problems checking stops: the rest would bury the first, and cost time to find.
MAX_PROBLEMS = 50

ID = re.compile(r"[a-z0-9_-]+")

# What a value must be, as messages say it, and the Python types that qualify (bools never do).
STRING, WHOLE, NUMBER, LIST, BOOLEAN = "a string", "a whole number", "a number", "a list", "true or false"
_KIND_TYPES: dict[str, tuple[type, ...]] = {STRING: (str,), WHOLE: (int,), NUMBER: (int, float), LIST: (list,),
                                            BOOLEAN: (bool,)}


def describe(value: object) -> str:
    """What a TOML value is, as messages say it."""
    if isinstance(value, bool):
        return "true/false"
    names = {str: "a string", int: "a whole number", float: "a decimal number", list: "a list", dict: "a table"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date/time")


def hint(word: str, options: tuple[str, ...] | list[str], noun: str) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f"(did you mean '{close[0]}'?)" if close else f"(valid {noun}: {', '.join(options)})"


@dataclass(frozen=True)
class Table:
    """One TOML table under check: its content, its path for locating, and its name in messages."""

    data: dict[str, Any]
    path: KeyPath
    label: str


class Enough(Exception):
    """Checking stops: :data:`MAX_PROBLEMS` were found."""


class Checks:
    """Collects the problems of one parsed TOML document, with the checks every table needs."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self.problems: list[Problem] = []

    @cached_property
    def locations(self) -> Locations:
        """Found only once there is a problem to locate: a valid file is never scanned for them."""
        return locate(self.text)

    def report(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.source, self.locations.line(path), message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise Enough

    # -- generic checks -------------------------------------------------------------------

    def known_keys(self, table: Table, allowed: tuple[str, ...]) -> None:
        for key in table.data:
            if key not in allowed:
                self.report(table.path + (key,), f"unknown key '{key}' in {table.label} {hint(key, allowed, 'keys')}")

    def value(self, table: Table, key: str, kind: str, *, required: bool = False, default: Any = None) -> Any:
        """The value of ``key`` if it is of ``kind``; ``default`` if absent; None (reported) if wrong or missing."""
        if key not in table.data:
            if required:
                self.report(table.path, f"missing required key '{key}' in {table.label}")
            return default
        value = table.data[key]
        if isinstance(value, bool) != (kind == BOOLEAN) or not isinstance(value, _KIND_TYPES[kind]):
            self.report(table.path + (key,), f"'{key}' must be {kind}, not {describe(value)}")
            return None
        return value

    def number(
        self, table: Table, key: str, low: float, high: float, *,
        whole: bool = False, required: bool = False, default: float | None = None, unit: str = "",
    ) -> Any:
        """Like :meth:`value` for a number in ``[low, high]``; floats come back as float even if written as ints."""
        value = self.value(table, key, WHOLE if whole else NUMBER, required=required)
        if value is None:
            return default if key not in table.data else None
        if not low <= value <= high:  # also catches nan
            self.report(table.path + (key,), f"'{key}' must be between {low} and {high}{unit}, not {value}")
            return None
        return value if whole else float(value)

    def table(self, data: dict[str, Any], key: str) -> Table | None:
        """A single [key] table, or None if absent or not a table (reported)."""
        if key not in data:
            return None
        if not isinstance(data[key], dict):
            self.report((key,), f"'{key}' must be a table written as [{key}], not {describe(data[key])}")
            return None
        return Table(data[key], (key,), f"[{key}]")

    def table_list(self, data: dict[str, Any], key: str, noun: str) -> list[Table]:
        """The [[key]] tables (at least one required), labelled by their ids for messages."""
        entries = data.get(key)
        if entries is None:
            self.report((), f"missing [[{key}]]: a show needs at least one {noun}")
            return []
        if not isinstance(entries, list):
            self.report(
                (key,),
                f"'{key}' must be a list of tables, each headed [[{key}]] (double brackets), not {describe(entries)}",
            )
            return []
        if not entries:
            self.report((key,), f"'{key}' is empty: a show needs at least one {noun}")
        tables = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                self.report((key, index), f"each entry of '{key}' must be a table, not {describe(entry)}")
                continue
            entry_id = entry.get("id")
            label = f"{noun} '{entry_id}'" if isinstance(entry_id, str) else f"[[{key}]] #{index + 1}"
            tables.append(Table(entry, (key, index), label))
        return tables

    def identifier(self, table: Table, noun: str, seen: dict[str, KeyPath]) -> str | None:
        """The required, unique ``id``; ``seen`` maps the ids so far to their paths."""
        value = self.value(table, "id", STRING, required=True)
        if value is None:
            return None
        path = table.path + ("id",)
        if value in seen:
            first = self.locations.line(seen[value])
            self.report(path, f"duplicate {noun} id '{value}' (first used on line {first}): ids must be unique")
            return value
        if not ID.fullmatch(value):
            self.report(
                path, f"'id' must use only lowercase letters, digits, _ and - (like \"sales\"), not \"{value}\""
            )
        seen[value] = path  # even when malformed: references to it are not mistakes too
        return value
