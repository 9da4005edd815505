"""What the console tells the presenter, in words: where the show is, what comes, what GO will do.

One function, :func:`brief`, from the view (the engine replayed), the frame being shown and the
presenter's state; the console draws its lines and the stage takes its one discreet line.  The
states the presenter acts on each have their own words, never another's: a GO armed ("GO ARMED:
Sales enter in 3 beats"), the end armed ("ENDING ARMED … back cancels"), a panic's fade
("FADING OUT"), teaching ("TEACHING SALES"), a change that comes by itself ("then NEXT: … in 2
bars") and a moment that holds ("then holds").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..live.journey import BACK, GO, LAUNCH, pending_cause
from ..live.presenter import Teach
from ..live.status import Clocks, Place, Remaining, entering, tempo_adjustment, then_words
from ..live.view import EngineView
from .cues import Frame

#: The change line's kinds, which the console colours: the presenter must act on some, not others.
ARMED, ENDING, FADING, TEACHING, BY_ITSELF, HOLDS, STOPPED = ("armed", "ending", "fading", "teaching", "by itself",
                                                              "holds", "stopped")


@dataclass(frozen=True, kw_only=True)
class Briefing:
    clocks: str  # "show 03:12 · moment 00:45 · left 04:10"
    where: str  # "bar 6 of 8 · beat 3"
    change: str  # what comes: armed, ending, fading, teaching, by itself, holds
    kind: str  # one of the kinds above
    go: str  # what GO does now ("GO ends the show: final hit in 6 beats"); "" when nothing to say
    next_heading: str
    next_moment: int | None  # the moment NEXT names; None: the end of the show
    tempo: str  # "100.0 bpm (tapped; R resets)"
    stage_line: str | None  # the stage's discreet "NEXT MOMENT IN 3 BARS", only for a change that comes by itself


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _beats(n: int | None) -> str:
    return "at the bar line" if n is None else f"in {n} beat{'s' * (n != 1)}"


def go_lands_in(frame: Frame, meter: int, warn_beats: int) -> int:
    """Beats (counting the one playing) until the bar line a GO pressed now would change on: the
    first bar line at least ``warn_beats`` after the next beat (the conductor's rule)."""
    position = frame.bar * meter + frame.beat
    first = position + (1 if frame.beat_phase > 0 else 0)
    lands = math.ceil((first + warn_beats) / meter) * meter
    return max(1, lands - position)


def brief(view: EngineView, frame: Frame, remaining: Remaining, *, teach: Teach | None, panicking: bool,
          resume: int | None) -> Briefing:
    """``resume``: the moment teaching returns to (None: not teaching)."""
    show, t = view.show, view.transport()
    n, meter = len(show.moments), show.meter.beats
    clocks = Clocks.of(view, frame.sample)
    playing = frame.state == "playing" and frame.moment == t.moment
    left = 0.0 if frame.state == "finished" else remaining.seconds(t, frame.bar, frame.beat) if playing else \
        remaining.seconds(t, 0, 0)
    place = Place.of(t, frame.bar, frame.beat, meter) if playing else None
    if place is not None:
        where = f"{place.words()} · beat {frame.beat + 1}"
    elif frame.state == "count-in":
        where = f"count-in · beat {frame.bar * meter + frame.beat + 1}"
    else:
        where = {"stopped": "stopped", "finished": "finished"}.get(frame.state, "")
    how = tempo_adjustment(show, t, view.applied)
    tempo = f"{frame.tempo:.1f} bpm" + (f" ({how}; R resets)" if how else "")
    armed = frame.armed if frame.armed is not None else t.armed
    following = t.moment + 1 if t.moment + 1 < n else None
    heading, go, stage_line = "NEXT", "", None
    if teach is not None and resume is not None:
        name = show.sections[teach.section].name.upper()
        change, kind = f"TEACHING {name} ({teach.phase}): back returns to moment {resume + 1}", TEACHING
        if armed is not None and armed >= 0:
            change = f"TEACHING {name}: the part starts {_beats(frame.countdown)}"
        following = resume + 1 if resume + 1 < n else None
        heading = "NEXT (GO ends teaching)"
    elif panicking:
        change, kind = f"FADING OUT: silent {_beats(frame.countdown)} (F5 or Esc stops at once)", FADING
    elif armed is not None and frame.performing:
        cause = pending_cause(view.applied, view.moment_sample, t.moment, n)
        if armed < 0:
            words = "ENDING ARMED: final hit" if cause == GO else "STOPPING"
            change, kind = f"{words} {_beats(frame.countdown)} — back (PgUp) cancels", ENDING
            following = None
        else:
            label = {GO: "GO ARMED", BACK: "BACK ARMED", LAUNCH: "LAUNCH ARMED"}.get(cause, "ARMED")
            what = show.moments[armed].title if armed == t.moment else entering(show, t.moment, armed)
            again = " again (plays on)" if armed == t.moment else ""
            change, kind = f"{label}: {what}{again} {_beats(frame.countdown)}", ARMED
            following = armed
    elif place is not None:
        change = then_words(show, t, place)
        kind = BY_ITSELF if place.moves_on else HOLDS
        if place.moves_on:
            bars = place.bars_left(meter)
            ahead = "NEXT MOMENT" if following is not None else "THE END"
            stage_line = f"{ahead} IN {bars} BAR{'S' * (bars != 1)}"
        lands = go_lands_in(frame, meter, show.warning_beats)
        if following is None:
            go = f"GO ends the show: final hit {_beats(lands)}"
        else:
            go = f"GO: {entering(show, t.moment, following)} {_beats(lands)}"
    elif frame.state == "count-in":
        change, kind = f"count-in, then {show.moments[t.moment].title}", BY_ITSELF
    else:
        start = 0 if frame.state == "finished" else t.moment
        change, kind = f"F5 starts: count-in, then {show.moments[start].title}", STOPPED
        following = start if frame.state == "finished" else following
        heading = "STARTS WITH" if frame.state == "finished" else "NEXT"
    return Briefing(clocks=f"show {clock(clocks.show)} · moment {clock(clocks.moment)} · left {clock(left)}",
                    where=where, change=change, kind=kind, go=go, next_heading=heading, next_moment=following,
                    tempo=tempo, stage_line=stage_line)
