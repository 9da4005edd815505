"""Colours of the stage: a near-black stage, section colours, and text that stays readable on them.

Contrast follows WCAG 2: relative luminance of linear sRGB, ratio (L1 + 0.05) / (L2 + 0.05).
Text must reach 7:1 against whatever it sits on.  A section colour that is too dark for that
(Okabe-Ito's blue on black is 3.8:1) is only used for shapes; its text gets the same hue made
lighter in OKLab, which keeps the hue people recognise while raising the luminance.
"""

from __future__ import annotations

from dataclasses import dataclass

Color = tuple[int, int, int]

BACKGROUND: Color = (6, 7, 10)  # projectors show black as dark grey anyway; this keeps the black level honest
INK: Color = (255, 255, 255)
SOFT_INK: Color = (208, 212, 220)  # secondary text: still 13:1 on the background
FAINT: Color = (58, 62, 72)  # rules and idle shapes (no text in it)
MUTED_EDGE: Color = (96, 100, 110)
PANEL: Color = (22, 24, 30)  # console panels
WARN: Color = (255, 196, 61)
ALERT: Color = (255, 120, 120)
OK: Color = (120, 220, 140)
TEXT_CONTRAST = 7.5  # aim a little above the 7:1 rule: antialiasing eats into thin strokes
ZONE_TINT = 0.14  # how much section colour a zone's panel carries at rest
PULSE_TINT = 0.08  # and how much more at the moment of a hit


def hex_rgb(text: str) -> Color:
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _linear(channel: float) -> float:
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _encode(linear: float) -> float:
    linear = min(max(linear, 0.0), 1.0)
    return 255.0 * (linear * 12.92 if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055)


def luminance(color: Color) -> float:
    r, g, b = (_linear(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Color, b: Color) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: Color, b: Color, t: float) -> Color:
    """``a`` moved a fraction ``t`` towards ``b`` (in sRGB: what the eye sees as a tint)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def _to_oklab(color: Color) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in color)
    l = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    m = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    s = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    return (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
            1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
            0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s)


def _from_oklab(lightness: float, a: float, b: float) -> tuple[float, float, float]:
    """Linear sRGB (may fall outside 0..1)."""
    l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
            -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
            -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)


def readable(color: Color, background: Color, ratio: float = TEXT_CONTRAST) -> Color:
    """``color`` itself if it reaches ``ratio`` on ``background``, else the same hue, lighter (or darker)."""
    if contrast(color, background) >= ratio:
        return color
    lightness, a, b = _to_oklab(color)
    step = 0.01 if luminance(background) < 0.18 else -0.01
    while 0.0 <= lightness <= 1.0:
        lightness += step
        for keep in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0):  # less chroma until it is in gamut
            rgb = _from_oklab(lightness, a * keep, b * keep)
            if all(-1e-4 <= c <= 1.0001 for c in rgb):
                break
        candidate: Color = tuple(round(_encode(c)) for c in rgb)  # type: ignore[assignment]
        if contrast(candidate, background) >= ratio:
            return candidate
    return INK if step > 0 else (0, 0, 0)


@dataclass(frozen=True)
class SectionColors:
    """The colours one section's zone is drawn with."""

    edge: Color  # the show's colour itself: borders, cue discs, pattern hits
    panel: Color  # the zone's dark tint
    text: Color  # the section name: its colour, readable on the panel
    idle: Color  # pattern rests, the ring before it closes

    @classmethod
    def of(cls, hex_color: str) -> SectionColors:
        edge = hex_rgb(hex_color)
        panel = mix(BACKGROUND, edge, ZONE_TINT)
        return cls(edge, panel, readable(edge, mix(panel, edge, PULSE_TINT)), mix(panel, edge, 0.35))
