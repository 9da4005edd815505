"""Line numbers for the keys of a TOML document, which :mod:`tomllib` does not give.

:func:`locate` scans text that tomllib has already accepted and records where every key, table
header and array element starts, by *path*: ``("sections", 2, "pattern")`` is the ``pattern`` key
of the third ``[[sections]]`` table (or of the third inline table in ``sections = [...]``), and
``("moments", 0, "sections", 1)`` the second id in the first moment's ``sections`` list.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = ",]}\n#"


class Locations:
    """Where each path starts; ask with :meth:`line`."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self._lines = lines

    def line(self, path: KeyPath) -> int:
        """The line of ``path``, else of its nearest located parent (a key in an inline table
        falls back to the line the table starts on, a missing key to its table header), else 1."""
        for length in range(len(path), 0, -1):
            if path[:length] in self._lines:
                return self._lines[path[:length]]
        return 1


def locate(text: str) -> Locations:
    """Scan valid TOML ``text`` (check it with tomllib first) for the lines of its keys."""
    scanner = _Scanner(text)
    scanner.document()
    return Locations(scanner.lines)


class _Scanner:
    """A forgiving structural walk over TOML: keys, headers, strings and brackets, never values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        # Resolved path of each array of tables -> how many of its tables were seen so far.
        self._table_counts: dict[KeyPath, int] = {}

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def advance(self, count: int = 1) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + count)
        self.pos += count

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces, comments and (if ``newlines``) line breaks."""
        while not self.at_end():
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            elif char == "#":
                self.skip_to_line_end()
            else:
                return

    def skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.at_end():
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)
            # Whatever is left on the line is a comment; skipping it also guarantees progress.
            self.skip_to_line_end()

    def header(self) -> KeyPath:
        """``[a.b]`` or ``[[a.b]]``: record and return the resolved path of the table."""
        is_array = self.peek(2) == "[["
        self.advance(2 if is_array else 1)
        line = self.line
        path: KeyPath = ()
        parts = self.key()
        for depth, part in enumerate(parts):
            path += (part,)
            if is_array and depth == len(parts) - 1:
                index = self._table_counts.get(path, 0)
                self._table_counts[path] = index + 1
                path += (index,)
            elif path in self._table_counts:  # [a.b] after [[a]] means the latest table of a
                path += (self._table_counts[path] - 1,)
        self.lines.setdefault(path, line)
        return path

    def key(self) -> tuple[str, ...]:
        """A bare, quoted or dotted key."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    return tuple(parts)
                parts.append(match.group())
                self.advance(len(match.group()))
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.advance()

    def key_value(self, table: KeyPath) -> None:
        line = self.line
        parts = self.key()
        if not parts:
            return
        # A dotted key also locates the tables it implies: "show.tempo = 96" locates "show".
        for length in range(1, len(parts) + 1):
            self.lines.setdefault(table + parts[:length], line)
        self.skip_blank(newlines=False)
        if self.peek() == "=":
            self.advance()
        self.skip_blank(newlines=False)
        self.value(table + parts)

    def value(self, path: KeyPath) -> None:
        char = self.peek()
        if char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        elif char in ('"', "'"):
            self.string()
        else:  # number, boolean or date: runs to a separator
            while not self.at_end() and self.text[self.pos] not in _SCALAR_END:
                self.advance()

    def array(self, path: KeyPath) -> None:
        self.advance()  # "["
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.at_end() or self.peek() == "]":
                self.advance()
                return
            start = self.pos
            self.lines.setdefault(path + (index,), self.line)
            self.value(path + (index,))
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()
            if self.pos == start:  # never loop forever on something unexpected
                self.advance()
            index += 1

    def inline_table(self, path: KeyPath) -> None:
        self.advance()  # "{"
        while True:
            self.skip_blank(newlines=True)
            if self.at_end() or self.peek() == "}":
                self.advance()
                return
            start = self.pos
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()
            if self.pos == start:  # never loop forever on something unexpected
                self.advance()

    def string(self) -> str:
        """Skip a string of any of the four kinds and return its raw content (escapes left as written)."""
        quote = self.peek()
        delimiter = quote * 3 if self.peek(3) == quote * 3 else quote
        self.advance(len(delimiter))
        start = self.pos
        while not self.at_end() and not self.text.startswith(delimiter, self.pos):
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        content = self.text[start : self.pos]
        self.advance(len(delimiter))
        if len(delimiter) == 3:  # a multi-line string may end with up to two quotes of its own
            while self.peek() == quote:
                self.advance()
        return content
