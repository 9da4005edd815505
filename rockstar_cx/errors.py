"""The one domain error type, and the user-facing problem it carries.

Everything the user can get wrong (a show file, an option, a device name) surfaces as a
:class:`ShowError`; the CLI prints it and exits 2.  Anything else is a bug (exit 1, log file).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# What a message may never carry raw: control characters (newlines, terminal escapes), format
# characters (bidi overrides, zero-width ones) and the Unicode line and paragraph separators.
_HIDDEN = ("Cc", "Cf", "Zl", "Zp")


def printable(text: str) -> str:
    """``text`` with every control, bidi and line-breaking character escaped (``\\n``, ``\\x1b``, ``\\u202e``):
    a value echoed in a message can neither forge a line of its own nor rewrite the terminal."""
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return char.encode("unicode_escape").decode("ascii")  # \n, \t, \x1b
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@dataclass(frozen=True)
class Problem:
    """One mistake, located: ``FILE:LINE: message`` (line 0 when no line applies)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:  # one line, whatever the user's values in it hold
        file, message = printable(self.file), printable(self.message)
        return f"{file}:{self.line}: {message}" if self.line else f"{file}: {message}"


class ShowError(Exception):
    """A user error: a bad show file, option or device.  Carries every problem found, not just the first."""

    def __init__(self, problems: "list[Problem] | tuple[Problem, ...] | str") -> None:
        if isinstance(problems, str):
            problems = (Problem("rockstar-cx", 0, problems),)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
