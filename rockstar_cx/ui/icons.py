"""One simple drawn icon per sound, at any size: a second channel besides colour and word.

Icons are drawn with plain shapes at twice the size and smoothed down (cheap antialiasing),
then cached per (sound, size, colour), so a frame only blits them.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pygame

Color = tuple[int, int, int]
SUPERSAMPLE = 2


def _clap(s: pygame.Surface, n: float, c: Color) -> None:
    for side in (-1, 1):  # two palms leaning together
        palm = pygame.Surface((n * 0.26, n * 0.52), pygame.SRCALPHA)
        pygame.draw.rect(palm, c, palm.get_rect(), border_radius=int(n * 0.11))
        palm = pygame.transform.rotate(palm, -side * 18)
        s.blit(palm, palm.get_rect(center=(n * (0.5 + side * 0.13), n * 0.6)))
    for k in (-1, 0, 1):  # the burst above them
        x = n * 0.5 + k * n * 0.2
        pygame.draw.line(s, c, (x, n * 0.08 + abs(k) * n * 0.06), (x * 0.9 + n * 0.05, n * 0.24 + abs(k) * n * 0.04),
                         max(2, int(n * 0.06)))


def _stomp(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.ellipse(s, c, (n * 0.3, n * 0.1, n * 0.34, n * 0.5))  # sole
    pygame.draw.ellipse(s, c, (n * 0.36, n * 0.62, n * 0.24, n * 0.22))  # heel
    w = max(2, int(n * 0.05))
    pygame.draw.line(s, c, (n * 0.1, n * 0.93), (n * 0.9, n * 0.93), w)  # the floor it hits
    for side in (-1, 1):
        pygame.draw.line(s, c, (n * (0.5 + side * 0.24), n * 0.8), (n * (0.5 + side * 0.36), n * 0.7), w)


def _snap(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.circle(s, c, (n * 0.5, n * 0.5), n * 0.12)
    for k in range(8):
        a = k * math.pi / 4
        inner, outer = (0.22, 0.44) if k % 2 == 0 else (0.22, 0.34)
        pygame.draw.line(s, c, (n * (0.5 + inner * math.cos(a)), n * (0.5 + inner * math.sin(a))),
                         (n * (0.5 + outer * math.cos(a)), n * (0.5 + outer * math.sin(a))), max(2, int(n * 0.07)))


def _click(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.circle(s, c, (n * 0.3, n * 0.5), n * 0.13)
    for k, r in enumerate((0.3, 0.46)):  # sound waves
        rect = pygame.Rect(0, 0, n * r * 2, n * r * 2)
        rect.center = (int(n * 0.3), int(n * 0.5))
        pygame.draw.arc(s, c, rect, -math.pi / 3.2, math.pi / 3.2, max(2, int(n * 0.07)))


def _block(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.rect(s, c, (n * 0.12, n * 0.42, n * 0.76, n * 0.36), border_radius=int(n * 0.06))
    pygame.draw.line(s, c, (n * 0.55, n * 0.36), (n * 0.85, n * 0.08), max(2, int(n * 0.08)))  # the stick


def _claves(s: pygame.Surface, n: float, c: Color) -> None:
    w = max(2, int(n * 0.11))
    pygame.draw.line(s, c, (n * 0.15, n * 0.85), (n * 0.85, n * 0.25), w)
    pygame.draw.line(s, c, (n * 0.15, n * 0.25), (n * 0.85, n * 0.85), w)


def _cowbell(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.polygon(s, c, [(n * 0.38, n * 0.15), (n * 0.62, n * 0.15), (n * 0.82, n * 0.78), (n * 0.18, n * 0.78)])
    pygame.draw.circle(s, c, (n * 0.5, n * 0.88), n * 0.08)


def _kick(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.circle(s, c, (n * 0.5, n * 0.5), n * 0.42, max(2, int(n * 0.09)))
    pygame.draw.circle(s, c, (n * 0.5, n * 0.5), n * 0.14)


def _hihat(s: pygame.Surface, n: float, c: Color) -> None:
    pygame.draw.ellipse(s, c, (n * 0.1, n * 0.22, n * 0.8, n * 0.14))
    pygame.draw.ellipse(s, c, (n * 0.1, n * 0.4, n * 0.8, n * 0.14))
    pygame.draw.line(s, c, (n * 0.5, n * 0.5), (n * 0.5, n * 0.92), max(2, int(n * 0.06)))


def _note(s: pygame.Surface, n: float, c: Color) -> None:  # any other sound: a note
    pygame.draw.ellipse(s, c, (n * 0.2, n * 0.62, n * 0.34, n * 0.26))
    pygame.draw.line(s, c, (n * 0.51, n * 0.75), (n * 0.51, n * 0.12), max(2, int(n * 0.07)))
    pygame.draw.line(s, c, (n * 0.51, n * 0.12), (n * 0.78, n * 0.3), max(2, int(n * 0.07)))


_DRAW = {"clap": _clap, "stomp": _stomp, "snap": _snap, "click": _click, "woodblock": _block, "claves": _claves,
         "cowbell": _cowbell, "kick": _kick, "hihat": _hihat}


@lru_cache(maxsize=128)
def icon(sound: str, size: int, color: Color) -> pygame.Surface:
    """The icon of ``sound`` in a ``size``×``size`` transparent square."""
    big = max(8, size) * SUPERSAMPLE
    surface = pygame.Surface((big, big), pygame.SRCALPHA)
    _DRAW.get(sound, _note)(surface, float(big), color)
    return pygame.transform.smoothscale(surface, (max(8, size), max(8, size)))
