"""``rockstar-cx play --no-ui``: perform with no stage window, for rehearsals, tests and benchmarks.

Nobody is there to press GO, so held moments play as many bars as in a render.  A terminal
gets one live status line; a log or pipe gets a line per moment.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from .audio.supervisor import AudioEngine
from .conductor.commands import Start
from .conductor.events import MomentStart, Stop
from .show.model import Show

if TYPE_CHECKING:  # the MIDI package brings the stage's Director, which imports pygame
    from .midi.session import MidiSession

REFRESH_S = 0.1
MIDI_PUMP_S = 0.01


def perform_headless(show: Show, engine: AudioEngine, duration: float | None, out=sys.stdout,
                     midi: MidiSession | None = None) -> None:
    """Start the journey at once and follow it until it ends, ``duration`` passes, or Ctrl-C."""
    engine.send(Start(count_in=True))
    started = time.monotonic()
    tty = out.isatty()
    while duration is None or time.monotonic() - started < duration:
        _wait(REFRESH_S, midi)
        finished = False
        for event in engine.events():
            if type(event) is MomentStart and not tty:
                print(f"moment {event.moment + 1}/{len(show.moments)}: {show.moments[event.moment].title}", file=out)
            finished = finished or (type(event) is Stop and event.finished)
        if tty:
            out.write("\r" + status_line(show, engine, midi) + "\033[K")
            out.flush()
        if finished and duration is None:
            break
    if tty:
        out.write("\n")


def _wait(seconds: float, midi: MidiSession | None) -> None:
    """Sleep, serving MIDI input (controllers, clock in) every few milliseconds meanwhile."""
    if midi is None:
        time.sleep(seconds)
        return
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        midi.pump()
        time.sleep(MIDI_PUMP_S)


def status_line(show: Show, engine: AudioEngine, midi: MidiSession | None = None) -> str:
    t, h = engine.transport(), engine.health()
    if t.counting_in:
        where = f"count-in {t.beat + 1}"
    elif t.playing:
        moment = show.moments[t.moment]
        where = f"{t.moment + 1}/{len(show.moments)} {moment.title} · bar {t.bar + 1} beat {t.beat + 1}"
    else:
        where = "finished" if t.finished else "stopped"
    audio = h.message or f"audio {h.device}"
    following = midi is not None and midi.follower is not None and midi.follower.status().following
    clock = " · following external clock" if following else ""
    return f"▶ {where} · {t.tempo:.0f} bpm{clock} · {audio} · underflows {h.counters.underflows_after_warmup}"
