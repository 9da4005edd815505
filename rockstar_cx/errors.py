"""The one domain error type, and the user-facing problem it carries.

Everything the user can get wrong (a show file, an option, a device name) surfaces as a
:class:`ShowError`; the CLI prints it and exits 2.  Anything else is a bug (exit 1, log file).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake, located: ``FILE:LINE: message`` (line 0 when no line applies)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class ShowError(Exception):
    """A user error: a bad show file, option or device.  Carries every problem found, not just the first."""

    def __init__(self, problems: "list[Problem] | tuple[Problem, ...] | str") -> None:
        if isinstance(problems, str):
            problems = (Problem("rockstar-cx", 0, problems),)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
