"""Which font draws which character: the bundled fonts, then the system's, found through fontconfig.

    chain = FontChain()
    chain.runs("Sales 営業 🎸")   # [Run("Sales ", 0, None), Run("営業 ", 3, None), Run("🎸", 4, None)]
    chain.missing("x\U000f0000")  # ["\U000f0000"]: no font on this machine can draw it

The chain starts with the fonts in ``assets/fonts`` (DejaVu Sans Bold for Latin, Greek, Cyrillic
and more; Noto Sans Arabic, Hebrew and Devanagari Bold, small enough to ship).  A character none
of them has is looked up once with ``fc-list :charset=…`` and the best system font for it joins
the chain (Noto CJK, Noto Color Emoji …, which scripts/setup installs on Debian).  Coverage is
asked of FreeType (``pygame.freetype``: its metrics are None for a glyph a font lacks, where
SDL_ttf answers with the .notdef box), and answers are cached: a character is looked up once.
"""

from __future__ import annotations

import importlib.resources
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pygame.freetype

BUNDLED = ("DejaVuSans-Bold.ttf", "NotoSansArabic-Bold.ttf", "NotoSansHebrew-Bold.ttf", "NotoSansDevanagari-Bold.ttf")
LATIN_END = "\u0250"  # Basic Latin to Latin Extended-B: every character DejaVu Sans Bold, the main font, draws
# Shaping needs the script and direction of a run (SDL_ttf's HarfBuzz): (first, last, script, right to left)
SCRIPTS = ((0x0590, 0x05FF, "Hebr", True), (0x0600, 0x06FF, "Arab", True), (0x0750, 0x077F, "Arab", True),
           (0x0900, 0x097F, "Deva", False), (0xA8E0, 0xA8FF, "Deva", False), (0xFB1D, 0xFB4F, "Hebr", True),
           (0xFB50, 0xFDFF, "Arab", True), (0xFE70, 0xFEFF, "Arab", True))


def assets_font(name: str) -> Path:
    try:
        resource = importlib.resources.files("rockstar_cx.assets") / "fonts" / name
    except ModuleNotFoundError:  # a source checkout, not installed: assets/ sits beside the package
        resource = Path(__file__).resolve().parents[2] / "assets" / "fonts" / name
    return Path(str(resource))


def script_of(char: str) -> tuple[str, bool] | None:
    """(ISO 15924 script, right to left) for the scripts that need shaping, else None."""
    code = ord(char)
    for first, last, script, rtl in SCRIPTS:
        if first <= code <= last:
            return script, rtl
    return None


def joins(char: str) -> bool:
    """Characters that belong to the glyph before them: marks, joiners, variation selectors, skin tones."""
    return (unicodedata.category(char) in ("Mn", "Me", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F
            or 0x1F3FB <= ord(char) <= 0x1F3FF)


def _invisible(char: str) -> bool:
    return char.isspace() or joins(char) or unicodedata.category(char) == "Cc"


@dataclass(frozen=True)
class Run:
    """Consecutive characters one font draws."""

    text: str
    font: int  # index into FontChain.files
    script: tuple[str, bool] | None


def _system_fonts(char: str) -> list[Path]:
    """Fonts on this system that have ``char``, the best first: bold, sans, not mono, colour emoji."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", f":charset={ord(char):x}", "file", "style", "family"], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for row in out.splitlines():
        file, _, rest = row.partition(": ")
        lower = rest.lower()
        score = (("bold" in lower) * 4 + ("sans" in lower) * 2 + ("noto" in lower) - ("mono" in lower) * 3
                 - ("serif" in lower and "sans" not in lower) * 2 - ("italic" in lower or "oblique" in lower) * 4
                 - ("condensed" in lower) + ("emoji" in lower) * 2)
        found.append((-score, file.strip()))
    return [Path(file) for _, file in sorted(set(found))]


class FontChain:
    """The fonts text is drawn with, in order of preference, and which one draws each character."""

    def __init__(self, *, system: bool = True) -> None:
        self.files: list[Path] = [assets_font(name) for name in BUNDLED]
        self._probes: list[pygame.freetype.Font] = []
        self._system = system
        self._tried: set[Path] = set()
        self._covered: dict[str, int | None] = {}

    def _probe(self, index: int) -> pygame.freetype.Font:
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        while len(self._probes) <= index:
            probe = pygame.freetype.Font(str(self.files[len(self._probes)]), 16)
            if not probe.scalable and probe.get_sizes():  # bitmap strikes only (colour emoji): ask at one of them
                probe.size = probe.get_sizes()[0][0]
            self._probes.append(probe)
        return self._probes[index]

    def bitmap(self, index: int) -> bool:
        """The font has fixed sizes only (colour emoji): it draws at its own size, whatever it is asked for."""
        return not self._probe(index).scalable

    def _has(self, index: int, char: str) -> bool:
        try:
            return self._probe(index).get_metrics(char)[0] is not None
        except (pygame.error, OSError):
            return False

    def font_for(self, char: str) -> int | None:
        """The index of the first font in the chain that draws ``char``; None when no font on this machine can."""
        if char in self._covered:
            return self._covered[char]
        found = next((i for i in range(len(self.files)) if self._has(i, char)), None)
        if found is None and self._system:
            for path in _system_fonts(char):
                if path in self._tried or path in self.files:
                    continue
                self._tried.add(path)
                self.files.append(path)
                if self._has(len(self.files) - 1, char):
                    found = len(self.files) - 1
                    break
                self.files.pop()
        self._covered[char] = found
        return found

    def runs(self, text: str) -> list[Run]:
        """``text`` cut where the font or the script changes; spaces and marks go with the glyph before them."""
        if text and max(text) < LATIN_END:  # Latin, all the main font's: one run (most text, measured very often)
            return [Run(text, 0, None)]
        runs: list[Run] = []
        for char in text:
            if runs and _invisible(char) and (runs[-1].font == 0 or runs[-1].script or not char.isspace()):
                last = runs[-1]  # (a space after emoji would take the emoji font's huge one)
                runs[-1] = Run(last.text + char, last.font, last.script)
                continue
            font = 0 if _invisible(char) else self.font_for(char)
            font = 0 if font is None else font  # nothing has it: the main font's box, and `check` warned
            script = script_of(char)
            if runs and runs[-1].font == font and runs[-1].script == script:
                runs[-1] = Run(runs[-1].text + char, font, script)
            else:
                runs.append(Run(char, font, script))
        return runs

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` that no font on this machine can draw, each once, in order."""
        seen: list[str] = []
        for char in text:
            if not _invisible(char) and char not in seen and self.font_for(char) is None:
                seen.append(char)
        return seen


def glyph_warnings(show) -> list[str]:
    """``check``'s warnings: each character of the show's stage text that no font here can draw, at FILE:LINE."""
    strings = [show.title, *(s.name for s in show.sections), *(m.title for m in show.moments),
               *(m.caption for m in show.moments)]
    missing = FontChain().missing("".join(strings))
    try:
        lines = Path(show.source).read_text(encoding="utf-8").splitlines() if missing else []
    except OSError:
        lines = []
    warnings = []
    for char in missing:
        line = next((n for n, text in enumerate(lines, 1) if char in text), None)
        where = f"{show.source}:{line}" if line else show.source
        warnings.append(f"{where}: warning: no font on this machine can draw {char!r} (U+{ord(char):04X}): "
                        "the stage will show an empty box for it")
    return warnings
