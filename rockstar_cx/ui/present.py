"""Pushing only part of a window to the display: SDL's ``SDL_UpdateWindowSurfaceRects``, reached through ctypes.

``pygame.Window`` has only ``flip``, which pushes the whole window to the display (8 MB a frame at
1080p); a playing stage changes in a few small rectangles (the baton, the cue discs, the playheads).
"""

from __future__ import annotations

import ctypes

import pygame


class SDLRect(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int), ("h", ctypes.c_int)]


def update_rects():
    """A function pushing a window's rectangles to the display with the SDL pygame loaded; None when that SDL
    cannot be found."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libSDL2-2" in line}  # not SDL2_ttf, SDL2_image...
        if len(paths) != 1:
            return None
        sdl = ctypes.CDLL(paths.pop())
        by_id, update = sdl.SDL_GetWindowFromID, sdl.SDL_UpdateWindowSurfaceRects
        by_id.argtypes, by_id.restype = [ctypes.c_uint32], ctypes.c_void_p
        update.argtypes, update.restype = [ctypes.c_void_p, ctypes.POINTER(SDLRect), ctypes.c_int], ctypes.c_int
    except (OSError, AttributeError):
        return None

    def push(window: pygame.Window, rects: list[pygame.Rect]) -> bool:
        handle = by_id(window.id)
        if not handle:
            return False
        array = (SDLRect * len(rects))(*(SDLRect(r.x, r.y, r.w, r.h) for r in rects))
        return update(handle, array, len(rects)) == 0

    return push


PUSH = update_rects()
