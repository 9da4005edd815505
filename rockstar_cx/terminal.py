"""``rockstar-cx play --no-ui``: the terminal front-end, for rehearsals, tests and benchmarks.

Nobody is there to press GO, so held moments play as many bars as in a render (the engine is
started so).  A terminal gets one live status line; a log or pipe gets a line per moment.
Controllers still play the show: the loop ticks the presenter every few milliseconds and pumps
MIDI, so their actions keep the presenter's rules — a taught part loops, a second panic stops.

A front-end beside :mod:`rockstar_cx.ui` and :mod:`rockstar_cx.midi`: it imports neither (MIDI is
a :class:`~rockstar_cx.live.surface.MidiSurface` here), so ``--no-ui`` never loads pygame.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .conductor.commands import Start
from .conductor.events import MomentStart, Stop
from .live.presenter import Presenter
from .live.status import Place, engine_faults
from .live.surface import MidiSurface
from .live.view import EngineView

REFRESH_S = 0.1  # the status line
TICK_S = 0.01  # the presenter's tick and the MIDI pump, with controllers


def perform_in_terminal(presenter: Presenter, duration: float | None, out: TextIO = sys.stdout,
                        midi: MidiSurface | None = None) -> None:
    """Start the journey at once and follow it until it ends, ``duration`` passes, or Ctrl-C."""
    show = presenter.show
    presenter.send(Start(count_in=True))
    started = time.monotonic()
    shown = started
    tty = out.isatty()
    while duration is None or time.monotonic() - started < duration:
        time.sleep(TICK_S if midi is not None else REFRESH_S)
        finished = False
        for event in presenter.tick():
            if type(event) is MomentStart and not tty:
                print(f"moment {event.moment + 1}/{len(show.moments)}: {show.moments[event.moment].title}", file=out)
            finished = finished or (type(event) is Stop and event.finished)
        if midi is not None:
            midi.pump()
        if tty and time.monotonic() - shown >= REFRESH_S:
            shown = time.monotonic()
            following = midi is not None and midi.summary().following
            out.write("\r" + status_line(presenter.view, following) + "\033[K")
            out.flush()
        if finished and duration is None:
            break
    if tty:
        out.write("\n")


def status_line(view: EngineView, following: bool = False) -> str:
    """Where the show is, its tempo, the audio's state: from the view (the engine replayed)."""
    show, t, h = view.show, view.transport(), view.health()
    if t.counting_in:
        where = f"count-in {t.beat + 1}"
    elif t.playing:
        moment = show.moments[t.moment]
        place = Place.of(t, t.bar, t.beat, show.meter.beats).words()
        where = f"{t.moment + 1}/{len(show.moments)} {moment.title} · {place} · beat {t.beat + 1}"
    else:
        where = "finished" if t.finished else "stopped"
    audio = h.message or f"audio {h.device}"
    clock = " · following external clock" if following else ""
    faults = engine_faults(h.counters)  # the health rule: rockstar_cx.live.status
    engine = f"engine faults {faults}" if faults else "engine ok"
    return f"▶ {where} · {t.tempo:.0f} bpm{clock} · {audio} · underflows {h.counters.underflows} · {engine}"
