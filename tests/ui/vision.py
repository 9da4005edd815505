"""Measuring rendered pixels: luminance and contrast (WCAG 2), colour-vision-deficiency simulation
(Machado, Oliveira & Fernandes 2009), CIEDE2000 colour difference, text height and flashes.

Written independently of the app's own colour code, so the tests do not grade the app with its
own ruler.
"""

from __future__ import annotations

import numpy as np
import pygame

# Machado et al. 2009, severity 1.0, applied to linear RGB (the published matrices).
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
FLASH_DELTA = 0.1  # WCAG: a flash is a pair of opposing changes of 10 % of the maximum relative luminance


def linear(rgb) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def encode(lin) -> np.ndarray:
    lin = np.clip(np.asarray(lin, dtype=np.float64), 0.0, 1.0)
    return 255.0 * np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def luminance(rgb) -> np.ndarray:
    return linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    la, lb = sorted((float(luminance(a)), float(luminance(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def simulate(rgb, deficiency: str) -> np.ndarray:
    return encode(MACHADO[deficiency] @ linear(rgb))


def lab(rgb) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear(rgb)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """Sharma, Wu & Dalal (2005) formulation."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_bar_p ** 7 / (c_bar_p ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar_p, 1 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhp / s_h) ** 2 + r_t * (dc / s_c) * (dhp / s_h)))


def pixels(surface: pygame.Surface) -> np.ndarray:
    """(height, width, 3) copy of a surface's RGB."""
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2).copy()


def crop(image: np.ndarray, rect: pygame.Rect) -> np.ndarray:
    h, w = image.shape[:2]
    clipped = rect.clip(pygame.Rect(0, 0, w, h))
    return image[clipped.top:clipped.bottom, clipped.left:clipped.right]


def ink_measure(image: np.ndarray, rect: pygame.Rect, color) -> tuple[int, tuple, tuple]:
    """(height of the ink above its baseline in pixels, ink colour, background colour) of a line of text.

    Ink is what is drawn in (or within antialiasing reach of) the text's colour; the baseline is
    the lowest row still carrying a third of the busiest row's ink, so descenders (g, p, y) do not
    count — for capitals and digits the result is the cap height.
    """
    region = crop(image, rect).astype(np.int32)
    distance = np.abs(region - np.array(color, dtype=np.int32)).sum(axis=2)
    solid = distance <= 24
    per_row = solid.sum(axis=1)
    rows = np.nonzero(per_row)[0]
    if len(rows) == 0:
        return 0, tuple(color), tuple(color)
    baseline = np.nonzero(per_row >= per_row.max() / 3)[0].max()
    ink = _mode(region[solid])
    around = region[distance > 200]
    background = _mode(around) if len(around) else (0, 0, 0)
    return int(baseline - rows.min() + 1), ink, background


def _mode(colors: np.ndarray) -> tuple[int, int, int]:
    """The most frequent colour of an (n, 3) array."""
    packed = (colors[:, 0].astype(np.int64) << 16) | (colors[:, 1].astype(np.int64) << 8) | colors[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    top = int(values[np.argmax(counts)])
    return top >> 16, (top >> 8) & 255, top & 255


def mean_luminance(surface: pygame.Surface) -> float:
    return float(luminance(pixels(surface).reshape(-1, 3)).mean())


def swings_per_second(levels: list[float], fps: float) -> int:
    """The most luminance swings (changes of at least FLASH_DELTA, alternating in direction) in any one
    second.  A flash is two swings (WCAG); the stage is held to at most 3 swings a second, stricter still."""
    swings: list[int] = []
    low = high = levels[0]
    direction = 0
    for i, level in enumerate(levels):
        low, high = min(low, level), max(high, level)
        if direction >= 0 and high - level >= FLASH_DELTA:  # fell from the last peak
            swings.append(i)
            direction, low, high = -1, level, level
        elif direction <= 0 and level - low >= FLASH_DELTA:  # rose from the last trough
            swings.append(i)
            direction, low, high = 1, level, level
    window = round(fps)
    return max((sum(1 for s in swings if start <= s < start + window) for start in range(len(levels))), default=0)
