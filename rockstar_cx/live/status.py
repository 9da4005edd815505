"""Where the show stands, in numbers and words every front-end shares: the console, the stage, the terminal.

    place = Place.of(view.transport(), bar, beat, show.meter.beats)  # bar/beat: as heard (a frame's)
    place.words(); then_words(show, transport, place)             # "bar 6 of 8"; "then holds"
    Clocks.of(view, sample)                                       # show and moment time, frozen while stopped
    Remaining(show).seconds(transport, bar, beat)                 # the show's time left, as rendered
    tempo_adjustment(show, transport, view.applied)               # "tapped", "nudged" ... or None
    engine_faults(counters)                                       # the audio faults that are ours

The health rule, stated once: the console turns red only for a block our engine failed to
deliver — ``dropped_blocks`` (the renderer had not made it ready and the callback played
silence), ``callback_errors`` (a block silenced because something raised) and
``nonfinite_blocks`` (NaN or infinity silenced).  Underflows, late and missed callbacks are the
audio system's word on its own schedule: a JACK or driver xrun shows up there whoever caused it,
so they are shown, counted since the show started beside the device's total, never alarmed.
"""

from __future__ import annotations

from collections.abc import Reversible
from dataclasses import dataclass

from ..audio.health import Counters, Health
from ..conductor.commands import NudgeTempo, Reset, SetTempo, TapTempo
from ..conductor.conductor import Transport
from ..conductor.length import measure
from ..show.model import HOLD_RENDER_BARS, Show
from .view import EngineView

TEMPO_TOLERANCE = 0.05  # bpm: closer than this to the show file's tempo is the file's tempo
_ADJUSTED = {TapTempo: "tapped", NudgeTempo: "nudged", SetTempo: "set"}


@dataclass(frozen=True)
class Place:
    """Where a moment stands in its bars."""

    bar: int  # from 1
    bars: int | None  # the moment's length; None: it holds from its start
    holding: bool  # past its bars (or from its start), it waits for GO
    moves_on: bool  # at the end of its bars it moves on by itself
    beats_left: int | None  # when it moves on by itself: beats to its end, counting the one playing

    @classmethod
    def of(cls, t: Transport, bar: int, beat: int, meter: int) -> Place:
        bars = t.moment_bars
        holding = bars is None or (not t.moves_on and bar >= bars)
        left = (bars - bar) * meter - beat if t.moves_on and bars is not None else None
        return cls(bar + 1, bars, holding, t.moves_on, None if left is None else max(left, 1))

    def words(self) -> str:
        if self.bars is None:
            return f"bar {self.bar} · holds until GO"
        if self.holding:
            return f"bar {self.bar} · holding after its {self.bars} bars"
        return f"bar {self.bar} of {self.bars}"

    def bars_left(self, meter: int) -> int | None:
        """Bars to the change that comes by itself, counting the one playing."""
        return None if self.beats_left is None else -(-self.beats_left // meter)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def then_words(show: Show, t: Transport, place: Place) -> str:
    """What happens at the moment's end, nothing armed: "then holds", or what comes by itself and when."""
    if not place.moves_on or place.beats_left is None:
        return "then holds (until GO)"
    meter = show.meter.beats
    when = f"in {_count(place.bars_left(meter), 'bar')} ({_count(place.beats_left, 'beat')})"
    following = t.moment + 1
    if following >= len(show.moments):
        return f"then the show ends by itself {when}"
    return f"then NEXT: {entering(show, t.moment, following)} {when}"


def entering(show: Show, moment: int, following: int) -> str:
    """The next moment in words: who enters, else its title ("Sales enter", "Enter the conductor")."""
    new = [i for i in show.moment_sections[following] if i not in show.moment_sections[moment]]
    if new:
        names = " & ".join(show.sections[i].name for i in new)
        return f"{names} enter{'s' * (len(new) == 1)}"
    return show.moments[following].title


@dataclass(frozen=True)
class Clocks:
    """The show's and the moment's elapsed seconds (None: not begun); frozen while stopped."""

    show: float | None
    moment: float | None

    @classmethod
    def of(cls, view: EngineView, sample: float) -> Clocks:
        started = view.started_sample
        if started is None:
            return cls(None, None)
        end = sample if view.stopped_sample is None else min(sample, view.stopped_sample)
        moment = view.moment_sample if view.moment_sample >= started else None  # a count-in: none yet
        return cls(max(0.0, (end - started) / view.rate), None if moment is None else max(0.0, (end - moment) / view.rate))


class Remaining:
    """The show's time left as rendered (``render``: held moments 4 bars): the rendered end of the
    show less the rendered time at the current moment and bar (a bar's time taken as its share of
    the moment's)."""

    def __init__(self, show: Show) -> None:
        ends = [seconds for seconds, _ in measure(show).moment_ends]
        self.starts, self.ends = [0.0, *ends[:-1]], ends
        self.bars = [moment.bars or HOLD_RENDER_BARS for moment in show.moments]
        self.meter = show.meter.beats

    def seconds(self, t: Transport, bar: int, beat: int) -> float:
        start, end = self.starts[t.moment], self.ends[t.moment]
        done = 0.0
        if t.playing and not t.counting_in:
            done = min(1.0, (bar * self.meter + beat) / (self.bars[t.moment] * self.meter))
        return max(0.0, self.ends[-1] - (start + (end - start) * done))


def file_tempo(show: Show, t: Transport) -> float:
    """The tempo the show file has where the transport is (a ramp's written line; held: its end)."""
    start, end = show.moment_tempi()[t.moment]
    if not t.playing or t.counting_in or t.moment_bars is None:
        return start
    done = min(1.0, (t.bar * show.meter.beats + t.beat) / (t.moment_bars * show.meter.beats))
    return start + (end - start) * done


def tempo_adjustment(show: Show, t: Transport, applied: Reversible[tuple[int, object]]) -> str | None:
    """How the tempo was changed from the show file's ("tapped", "nudged", "set"); None: it is the file's."""
    if abs(t.tempo - file_tempo(show, t)) < TEMPO_TOLERANCE:
        return None
    for _, command in reversed(applied):  # the last tempo command since the last reset says how
        if type(command) in _ADJUSTED:
            return _ADJUSTED[type(command)]
        if type(command) is Reset:
            break
    return "adjusted"


def engine_faults(counters: Counters) -> int:
    """Blocks our engine failed to deliver: the only audio faults shown red (see the module)."""
    return counters.dropped_blocks + counters.callback_errors + counters.nonfinite_blocks


def callbacks_missed(health: Health) -> int:
    """Callbacks the stream's running time called for that never came (as the run report counts them)."""
    counters = health.counters
    due = int(counters.stream_seconds * health.samplerate / max(health.blocksize, 1))
    return max(0, due - counters.callbacks)
