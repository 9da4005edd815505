"""Right-to-left text on a line: the order its runs go on the screen (Unicode's bidirectional algorithm, in short).

    visual(chain.runs("قفوا: Sales 2"))   # [Run("Sales 2", ...), Run(" :", ...), Run("قفوا", ...)]: left to right

SDL_ttf shapes a run of Arabic or Hebrew with HarfBuzz, right to left (``Font.set_direction``,
pygame-ce 2.5 with SDL_ttf 2.24): its letters join and go in the right order.  A line is drawn run
by run, left to right, so a line mixing directions needs its runs put in visual order first; that
is this module.  The paragraph's direction is its first strong letter's (rules P2–P3); numbers
after a left-to-right letter are left to right (W7), other numbers count as right to left between
letters (N1) but read left to right (I1–I2); neutrals (spaces, punctuation) between letters of
one direction take it, else the paragraph's (N1–N2); runs are then reversed from the highest level
down (L2), and brackets in right-to-left runs are mirrored (L4).  Explicit embeddings and isolates
(U+202A…U+2069) are not followed: a show's titles and names do not carry them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from .fonts import Run

RTL = frozenset({"R", "AL"})
NUMBERS = frozenset({"EN", "AN"})
MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))


def rtl(text: str) -> bool:
    """The paragraph reads right to left: its first strong letter is Arabic, Hebrew... (P2–P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in RTL:
            return True
    return False


def levels(text: str) -> list[int]:
    """Each character's embedding level: even reads left to right, odd right to left."""
    base = 1 if rtl(text) else 0
    kinds: list[str] = []
    last_strong = "R" if base else "L"
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "NSM" and kinds:  # a mark is what it marks (W1)
            kind = kinds[-1]
        elif kind in RTL:
            kind = "R"
        elif kind in NUMBERS:
            kind = "L" if kind == "EN" and last_strong == "L" else "N"  # W7; else a number (read left to right)
        elif kind != "L":
            kind = ""  # a neutral, resolved below
        if kind in ("L", "R"):
            last_strong = kind
        kinds.append(kind)
    edge = "R" if base else "L"
    strong = ["R" if k == "N" else k for k in kinds]  # numbers count as right to left among neutrals (N1)
    result = []
    for i, kind in enumerate(kinds):
        if not kind:
            before = next((k for k in reversed(strong[:i]) if k), edge)
            after = next((k for k in strong[i + 1:] if k), edge)
            kind = before if before == after else edge
        if base:
            result.append(1 if kind == "R" else 2)
        else:
            result.append(0 if kind == "L" else 1 if kind == "R" else 2)
    return result


def visual(runs: list[Run]) -> list[Run]:
    """``runs`` (a line, in reading order) cut where the direction changes and put in the order they are drawn,
    left to right; a right-to-left run that no shaping turns around (punctuation, a font without the script's
    shaping) is turned around here, its brackets mirrored."""
    text = "".join(run.text for run in runs)
    if not any(unicodedata.bidirectional(char) in RTL for char in text):
        return runs
    marks = levels(text)
    pieces: list[tuple[int, Run]] = []
    at = 0
    for run in runs:
        start = at
        for i in range(at, at + len(run.text) + 1):
            if i == at + len(run.text) or marks[i] != marks[start]:
                pieces.append((marks[start], replace(run, text=text[start:i])))
                start = i
        at += len(run.text)
    pieces = [(level, run) for level, run in pieces if run.text]
    for level in range(max(level for level, _ in pieces), 0, -1):  # L2: reverse every stretch at this level or up
        i = 0
        while i < len(pieces):
            if pieces[i][0] >= level:
                j = i
                while j < len(pieces) and pieces[j][0] >= level:
                    j += 1
                pieces[i:j] = reversed(pieces[i:j])
                i = j
            else:
                i += 1
    return [run if level % 2 == 0 or (run.script is not None and run.script[1])
            else replace(run, text="".join(MIRROR.get(c, c) for c in reversed(run.text)))
            for level, run in pieces]
