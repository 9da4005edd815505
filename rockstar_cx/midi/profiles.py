"""Built-in controller profiles: a default layout and how each device lights its LEDs.

* **Novation Launchpad** (X, Mini mk3, Pro mk3 — programmer mode): the top grid row plays the
  sections live, the next rows mute, solo and teach them, the bottom two rows launch moments
  1-16; the round buttons on top are back, GO, slower, faster, tap, click, start/stop, panic.
  RGB pads in each section's colour; the device flashes and pulses them itself (MIDI channel 2
  and 3 of its programmer mode).
* **Akai APC mini** (mk1 and mk2): the same grid layout on its 8×8 pads, the buttons under the
  grid as the Launchpad's top row, the faders set section volumes and the ninth the master.
  The mk2's pads are RGB (channel selects solid, pulsing or blinking); the mk1's only green, red
  and yellow, blinking for both pulse and flash.
* **Korg nanoKONTROL2** (CC mode, LEDs set to "external" in Korg's editor): per strip the fader
  is the section's volume, S solo, M mute, R a live hit; knob 1 the master; transport buttons
  back (◀◀), GO (▶▶), start/stop (▶), panic (■), tap (●), click (cycle), slower/faster (track ◀ ▶).
  Single-colour LEDs: lit for any state but off.
* **Generic**: GM drum pads (notes 36-43 on channel 10) play sections 1-8, CC 7 the master,
  the sustain pedal (CC 64) is GO; anything else by MIDI learn.

A profile is chosen by the port's name (:func:`profile_for`); learned bindings go on top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from ..live.intent import Action, Target
from .mapping import CC, NOTE, Control, Mapping


class Mode(Enum):
    OFF = "off"
    LIT = "lit"  # playing, engaged
    PULSE = "pulse"  # armed
    FLASH = "flash"  # entering on the next bar


@dataclass(frozen=True)
class Led:
    mode: Mode
    color: str = "#FFFFFF"


OFF = Led(Mode.OFF)
BUTTONS = (Action.BACK, Action.GO, Action.SLOWER, Action.FASTER, Action.TAP, Action.CLICK, Action.START_STOP,
           Action.PANIC)
ROWS = (Action.HIT, Action.MUTE, Action.SOLO, Action.TEACH)  # grid rows from the top


@dataclass(frozen=True)
class Profile:
    name: str
    matches: tuple[str, ...]  # lower-case parts of port names
    mapping: Mapping
    render: Callable[[Control, Led], bytes] | None = None  # None: no LEDs
    init: tuple[bytes, ...] = field(default=())  # sent when the device connects


# -- colours --------------------------------------------------------------------------------------

#: A few entries of the 128-colour palette Novation's and Akai's RGB pads share (approximate RGB).
PALETTE = {3: (255, 255, 255), 5: (255, 76, 76), 9: (255, 161, 76), 13: (255, 255, 76), 17: (136, 255, 76),
           21: (76, 255, 76), 29: (76, 255, 136), 33: (76, 255, 183), 37: (76, 195, 255), 41: (76, 136, 255),
           45: (76, 76, 255), 49: (136, 76, 255), 53: (255, 76, 255), 57: (255, 76, 136)}


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def nearest(color: str, palette: dict[int, tuple[int, int, int]]) -> int:
    r, g, b = _rgb(color)
    return min(palette, key=lambda i: (palette[i][0] - r) ** 2 + (palette[i][1] - g) ** 2 + (palette[i][2] - b) ** 2)


# -- renderers ------------------------------------------------------------------------------------

_LAUNCHPAD_CHANNEL = {Mode.LIT: 0, Mode.FLASH: 1, Mode.PULSE: 2}
_APC2_CHANNEL = {Mode.LIT: 6, Mode.PULSE: 10, Mode.FLASH: 14}  # 100 % solid, pulse 1/2, blink 1/4
_APC1_COLORS = {1: (0, 255, 0), 3: (255, 0, 0), 5: (255, 255, 0)}  # green, red, yellow; +1 blinks


def _status(control: Control, channel: int) -> int:
    return (0x90 if control.kind == NOTE else 0xB0) | channel


def render_launchpad(control: Control, led: Led) -> bytes:
    if led.mode is Mode.OFF:
        return bytes([_status(control, 0), control.number, 0])
    return bytes([_status(control, _LAUNCHPAD_CHANNEL[led.mode]), control.number, nearest(led.color, PALETTE)])


def render_apc_mk2(control: Control, led: Led) -> bytes:
    if control.number >= 64:  # the single-colour buttons: 0 off, 1 on, 2 blinking
        return bytes([0x90, control.number, {Mode.OFF: 0, Mode.LIT: 1}.get(led.mode, 2)])
    if led.mode is Mode.OFF:
        return bytes([0x90, control.number, 0])
    return bytes([0x90 | _APC2_CHANNEL[led.mode], control.number, nearest(led.color, PALETTE)])


def render_apc_mk1(control: Control, led: Led) -> bytes:
    if led.mode is Mode.OFF:
        return bytes([0x90, control.number, 0])
    if control.number >= 64:
        return bytes([0x90, control.number, 1 if led.mode is Mode.LIT else 2])
    color = nearest(led.color, _APC1_COLORS)
    return bytes([0x90, control.number, color if led.mode is Mode.LIT else color + 1])


def render_korg(control: Control, led: Led) -> bytes:
    return bytes([0xB0 | control.channel, control.number, 0 if led.mode is Mode.OFF else 127])


# -- layouts --------------------------------------------------------------------------------------


def _grid(note_of: Callable[[int, int], int], buttons: list[Control], faders: list[int] | None) -> Mapping:
    """Rows from the top: hits, mutes, solos, teaches; the bottom two rows launch moments 1-16."""
    bindings: dict[Control, Target] = {}
    for row, action in enumerate(ROWS):
        for column in range(8):
            bindings[Control(NOTE, 0, note_of(7 - row, column))] = Target(action, column)
    for moment in range(16):
        bindings[Control(NOTE, 0, note_of(moment // 8, moment % 8))] = Target(Action.LAUNCH, moment)
    for control, action in zip(buttons, BUTTONS):
        bindings[control] = Target(action)
    for index, number in enumerate(faders or []):
        bindings[Control(CC, 0, number)] = Target(Action.VOLUME, index) if index < 8 else Target(Action.MASTER)
    return Mapping(bindings)


LAUNCHPAD = Profile(
    "launchpad", ("launchpad",),
    _grid(lambda row, column: 10 * (row + 1) + column + 1, [Control(CC, 0, 91 + i) for i in range(8)], None),
    render_launchpad,
    # programmer mode for Launchpad X, Mini mk3 and Pro mk3 (each ignores the others' SysEx)
    (bytes.fromhex("F0002029020C0E01F7"), bytes.fromhex("F0002029020D0E01F7"), bytes.fromhex("F0002029020E0E01F7")))

APC_MINI_MK2 = Profile(
    "apc mini mk2", ("apc mini mk2", "apc mini mk 2"),
    _grid(lambda row, column: 8 * row + column, [Control(NOTE, 0, 100 + i) for i in range(8)], list(range(48, 57))),
    render_apc_mk2)

APC_MINI = Profile(
    "apc mini", ("apc mini", "apc_mini"),
    _grid(lambda row, column: 8 * row + column, [Control(NOTE, 0, 64 + i) for i in range(8)], list(range(48, 57))),
    render_apc_mk1)

_KORG_BUTTONS = {43: Action.BACK, 44: Action.GO, 41: Action.START_STOP, 42: Action.PANIC, 45: Action.TAP,
                 46: Action.CLICK, 58: Action.SLOWER, 59: Action.FASTER}
NANOKONTROL2 = Profile(
    "nanokontrol2", ("nanokontrol2",),
    Mapping({Control(CC, 0, 16): Target(Action.MASTER)}
            | {Control(CC, 0, n): Target(a) for n, a in _KORG_BUTTONS.items()}
            | {Control(CC, 0, base + i): Target(action, i)
               for base, action in ((0, Action.VOLUME), (32, Action.SOLO), (48, Action.MUTE), (64, Action.HIT))
               for i in range(8)}),
    render_korg)

GENERIC = Profile(
    "generic", (),
    Mapping({Control(NOTE, 9, 36 + i): Target(Action.HIT, i) for i in range(8)}
            | {Control(CC, 0, 7): Target(Action.MASTER), Control(CC, 0, 64): Target(Action.GO)}))

PROFILES = (LAUNCHPAD, APC_MINI_MK2, APC_MINI, NANOKONTROL2, GENERIC)  # most specific first


def profile_for(port_name: str) -> Profile:
    lowered = port_name.lower()
    return next((p for p in PROFILES if any(m in lowered for m in p.matches)), GENERIC)
