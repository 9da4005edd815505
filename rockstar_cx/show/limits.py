"""Bounds on a show file, enforced before anything parses it (issue 16: bounded work for any input).

tomllib and :mod:`.locate` are fast on files like a show file, but not on any text: a dotted key
of 20,000 parts costs each of them time quadratic in its length, an integer of 4,300 digits
raises ValueError, arrays nested a thousand deep raise RecursionError, and reading ``/dev/zero``
or a FIFO never ends.  So the file is read only if it is a regular file of at most
:data:`MAX_FILE_BYTES`, and :func:`check_bounds` scans the text once, linearly, for keys, nesting
and numbers far beyond anything the format needs.  Each problem is a ``FILE:LINE`` message.
"""

from __future__ import annotations

import math
import os
import re
import stat
from array import array
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

from rockstar_cx.errors import Problem, ShowError
from rockstar_cx.show.model import HOLD_RENDER_BARS, Show

#: The built-in keynote is 6 KB.  A 1 MB limit was the first idea, but tomllib alone needs 1.1 s
#: (3.3 s on a busy 2-core VM) for 1 MB of dense TOML such as ``x = [1,1,1,...]``: 256 KB keeps
#: checking any file under 2 s.
MAX_FILE_BYTES = 256 << 10
#: Parts of one dotted key or table header: the format needs 2 (``show.tempo``).
MAX_KEY_PARTS = 8
#: Characters of one key part: the format's longest is 14 (``steps_per_beat``); sound names are the user's.
MAX_KEY_CHARS = 100
#: Arrays and inline tables inside each other: the format needs 2 (``moments = [{ sections = [...] }]``).
MAX_NESTING = 8
#: Digits of one number: the largest the format has any use for is a seed.
MAX_DIGITS = 30

#: A moment every 11 s for 3 hours.  It also bounds the exact time the conductor chains: each
#: distinct tempo widens that Fraction (8,000 moments of distinct tempi: 1.1 s to add up).
MAX_MOMENTS = 1000
MAX_SHOW_SECONDS = 3 * 3600
#: 3 hours at 300 bpm is 54,000 beats; 8 sections hitting all 32 steps of each 4/4 bar (8 per beat)
#: make 8 x 8 x 54,000 = 3,456,000 hits, plus 54,000 beats: 3.51 million, and some room.  Each
#: event is ~150 bytes once performed, so render's event list stays near 600 MB at most.
MAX_EVENTS = 4_000_000
#: A chaos section takes more steps than its bars hold: it starts up to 4 % fast and speeds up by up
#: to 8 % more (conductor/timeline.py, CHAOS_*), so at most 1.04 x 1.08^1.13 = 1.135 times as many.
CHAOS_STEPS_FACTOR = 1.14

_BOM = "\ufeff"

# One token per match; every branch starts with its own characters, so scanning is linear.  An
# unterminated multi-line string runs to the end of the text: tomllib then reports it.
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<newline>\n)"
    r"|(?P<word>[A-Za-z0-9_+\-:]+)"
    r"|(?P<char>[\[\]{}=,])"
    r"|(?P<other>[^\n\"'#A-Za-z0-9_+\-:\[\]{}=,]+)"  # spaces, dots and anything else: nothing to follow
)
_DIGITS = re.compile(r"[0-9][0-9_]*")


def read_show_file(path: Path) -> str:
    """The text of the show file at ``path``: a regular file of at most :data:`MAX_FILE_BYTES`, in UTF-8."""
    name = str(path)

    def fail(message: str, line: int = 0) -> ShowError:
        return ShowError([Problem(name, line, message)])

    try:
        path = expand_user(path)
        _check_kind(path.stat().st_mode)  # before opening: opening a FIFO waits for a writer forever
        # O_NONBLOCK: should the path have become a FIFO since, opening it still returns at once.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as file:
            _check_kind(os.fstat(file.fileno()).st_mode)
            data = file.read(MAX_FILE_BYTES + 1)  # the size stat gave may be stale, or 0 (/proc)
    except OSError as err:
        raise fail(f"cannot read: {err.strerror or err}") from err
    except ValueError as err:  # _check_kind and expand_user say what is wrong
        raise fail(f"cannot read: {err}") from err
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"cannot read: larger than {MAX_FILE_BYTES >> 10} KB, which no show file needs "
                   "(is this the right file?)")
    try:
        return data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[data.rfind(b"\n", 0, err.start) + 1 : err.start].decode("utf-8", "replace")) + 1
        raise fail(f"not UTF-8 text: {err.reason} (column {column}); save the file as UTF-8", line) from err


def expand_user(path: Path) -> Path:
    """``~`` and ``~user`` expanded; a ValueError names a user that does not exist."""
    try:
        return path.expanduser()
    except RuntimeError as err:  # what pathlib raises for "~nosuchuser"
        raise ValueError(f"there is no user '{path.parts[0][1:]}' (for the '{path.parts[0]}' in the path)") from err


def output_path(path: Path) -> Path:
    """A path to write, as given on the command line: ``~`` and ``~user`` expanded (a quoted one reaches
    us as typed); ShowError ("cannot write ...") for a user that does not exist."""
    try:
        return expand_user(path)
    except ValueError as error:
        raise ShowError(f"cannot write {path}: {error}") from error


def _check_kind(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise ValueError("it is a directory, not a show file")
    if stat.S_ISFIFO(mode):
        raise ValueError("it is a named pipe (FIFO), not a show file")
    if not stat.S_ISREG(mode):
        raise ValueError("it is a device or socket, not a show file")


def check_bounds(text: str, source: str) -> None:
    """Raise a ShowError at the first key, nesting or number far beyond the format; linear in ``text``."""
    problem = _Scan(text).first_problem()
    if problem is not None:
        line, message = problem
        raise ShowError([Problem(source, line, message)])


class _Scan:
    """Token by token, knowing only whether a key or a value comes next and how deep the brackets are."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 1
        self.nesting: list[str] = []  # the open "[" and "{" of values
        self.expect_key = True  # at the start of a statement, after "{" and after "," in an inline table
        self.header = False  # inside a [table] or [[table]] header
        self.parts = 0  # of the key being read

    def first_problem(self) -> tuple[int, str] | None:
        for match in _TOKEN.finditer(self.text):
            kind, token = match.lastgroup, match.group()
            message = getattr(self, kind)(token)
            if message:
                return self.line, message
            if kind in ("string", "newline"):
                self.line += token.count("\n")
        return None

    def key_part(self, length: int) -> str | None:
        self.parts += 1
        if self.parts > MAX_KEY_PARTS:
            return f"a dotted key of more than {MAX_KEY_PARTS} parts: a show file needs at most 2 (like show.tempo)"
        if length > MAX_KEY_CHARS:
            return f"a key of {length} characters: keys may have at most {MAX_KEY_CHARS}"
        return None

    def string(self, token: str) -> str | None:
        return self.key_part(len(token) - 2) if self.expect_key else None

    def word(self, token: str) -> str | None:
        if self.expect_key:
            return self.key_part(len(token))
        digits = max((len(run.group().replace("_", "")) for run in _DIGITS.finditer(token)), default=0)
        if digits > MAX_DIGITS:
            return f"a number of {digits} digits: numbers in a show file have at most {MAX_DIGITS}"
        return None

    def char(self, token: str) -> str | None:
        if token == "[" and self.expect_key and not self.nesting:
            self.header = True  # "[[" arrives as two tokens: the second is still the header's
        elif token in "[{" and not self.expect_key:
            self.nesting.append(token)
            if len(self.nesting) > MAX_NESTING:
                return f"lists or tables nested more than {MAX_NESTING} deep: a show file needs at most 2"
            self.expect_key, self.parts = token == "{", 0
        elif token in "]}" and self.nesting:
            self.nesting.pop()
            self.expect_key = False  # the list or table was a value: "," or the line's end comes next
        elif token == "]" and self.header:
            self.header = False
            self.parts = 0
        elif token == "=" and self.expect_key:
            self.expect_key = False
        elif token == "," and self.nesting and self.nesting[-1] == "{":
            self.expect_key, self.parts = True, 0
        return None

    def newline(self, token: str) -> str | None:
        if not self.nesting:
            self.expect_key, self.header, self.parts = True, False, 0
        return None

    def comment(self, token: str) -> None:
        return None

    def other(self, token: str) -> None:
        return None


def length_problem(show: Show) -> tuple[int, str] | None:
    """(moment index, message) if the show, with its count-in, runs past :data:`MAX_SHOW_SECONDS` or
    :data:`MAX_EVENTS` by that moment's end: so playing, rendering or exporting any show that loads is bounded.

    The show layer cannot ask the conductor (:func:`rockstar_cx.conductor.length.measure`), so this
    is the same arithmetic in floats, chaos sections counted at :data:`CHAOS_STEPS_FACTOR`: seconds
    within a microsecond, events exact without chaos and never fewer with (tests/conductor/test_length.py).
    """
    held = f" (held moments counted as {HOLD_RENDER_BARS} bars)" if any(m.holds for m in show.moments) else ""
    for index, (seconds, events) in enumerate(_moment_ends(show)):
        if seconds > MAX_SHOW_SECONDS:
            hours, minutes = divmod(round(seconds / 60), 60)
            return index, (f"the show lasts {hours} h {minutes:02} min by the end of this moment{held}: "
                           f"a show may last at most {MAX_SHOW_SECONDS // 3600} hours")
        if events > MAX_EVENTS:
            return index, (f"the show has {events:,} hits and beats by the end of this moment{held}: a show may "
                           f"have at most {MAX_EVENTS:,} (use fewer bars, sections or steps per beat)")
    return None


def _moment_ends(show: Show) -> Iterator[tuple[float, int]]:
    """Per moment, (seconds, events) at its end, of an offline performance with its count-in."""
    meter = show.meter.beats
    tempi = show.moment_tempi()
    seconds = 60.0 * show.count_in * meter / tempi[0][0]
    events = show.count_in * meter
    entries: dict[str, int] = {}  # section -> the global beat its pattern started at
    beat = show.count_in * meter
    prefixes = [array("q", accumulate(map(bool, section.pattern), initial=0)) for section in show.sections]
    for moment, (tempo, tempo_end) in zip(show.moments, tempi):
        beats = moment.render_bars * meter
        slope = (tempo_end - tempo) / beats  # per beat: the conductor's ramps integrate 60/tempo beat by beat
        duration = 60.0 * beats / tempo if slope == 0 else 60.0 / slope * math.log1p(slope * beats / tempo)
        seconds += duration
        events += 1 + beats  # the moment's start and its beats
        entries = {s: entries.get(s, beat) for s in moment.sections}
        for section_id, entry in entries.items():
            index = show.section_index[section_id]
            per_beat = show.sections[index].steps_per_beat
            first, steps = (beat - entry) * per_beat, beats * per_beat
            if moment.mode == "chaos":  # steps of the starting tempo fill the moment, however it ramps
                steps = math.ceil(duration * tempo / 60.0 * per_beat * CHAOS_STEPS_FACTOR) + 1
            events += _hits(prefixes[index], first + steps) - _hits(prefixes[index], first)
        beat += beats
        yield seconds, events


def _hits(prefix: array, steps: int) -> int:
    """Hits among the first ``steps`` steps of a looping pattern, from its hits before each step."""
    loops, rest = divmod(steps, len(prefix) - 1)
    return loops * prefix[-1] + prefix[rest]
