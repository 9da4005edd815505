"""What the stage shows at a given sample: the engine's performance, replayed exactly and previewed.

The visuals keep no clock of their own.  The app's :class:`~rockstar_cx.live.view.EngineView`
replays what the engine applied, so it knows every event up to the engine's position, and its
preview gives the next two seconds — what anticipation cues and countdowns need.
:meth:`CueTrack.frame` then answers "what is on stage at sample S", where S is the sample leaving
the speakers when the frame appears (see :func:`display_sample`).  It only reads the view: the
one who updates it (the presenter's tick, once a frame) owns the replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..audio.health import ClockFit
from ..conductor.events import COUNT_IN, Beat, Event, Hit, MomentStart, Stop
from ..conductor.follower import PREVIEW_S
from ..live.view import EngineView


@dataclass(frozen=True)
class SectionCue:
    since_hit: float | None  # seconds since its last hit at or before the frame's sample
    accent: bool  # that hit was accented
    until_hit: float | None  # seconds to its next hit, if one is known
    next_accent: bool


@dataclass(frozen=True, kw_only=True)
class Frame:
    """The performance at one sample, as the stage draws it."""

    sample: int
    state: str  # "stopped", "count-in", "playing" or "finished"
    moment: int  # playing; during the count-in the one it leads into; stopped: where Start begins
    bar: int
    beat: int
    beat_phase: float  # 0 at the beat, rising to 1 at the next
    beat_seconds: float
    tempo: float
    moment_seconds: float  # since the moment began
    armed: int | None  # the moment entering on the presenter's GO; -1: the end
    countdown: int | None  # beats left before it enters, counting the one playing now
    cues: dict[int, SectionCue] = field(default_factory=dict)
    muted: frozenset[int] = frozenset()
    soloed: frozenset[int] = frozenset()
    # The conductor's beats of the moment around the frame, as (seconds from the frame's sample, beats since
    # the moment began): in chaos the grid the sections would play on, which they visibly leave
    grid: tuple[tuple[float, int], ...] = ()
    previous: int | None = None  # the moment played just before this one (None: it started the show)

    @property
    def performing(self) -> bool:
        return self.state in ("count-in", "playing")


def display_sample(fit: ClockFit | None, now: float, visual_offset: float) -> float | None:
    """The sample heard when a frame drawn at host time ``now`` appears on the projector.

    The engine's clock fit gives the host time at which each sample's block started; the sample
    leaves the speakers ``output latency`` later, and the projector shows the frame
    ``visual_offset`` seconds after it is drawn.  None until the engine has a fit.
    """
    return None if fit is None else fit.sample_at(now + visual_offset)


class CueTrack:
    """Frames from a view: its history (the last seconds played) and its preview (what comes)."""

    def __init__(self, view: EngineView) -> None:
        self.view = view
        self.show = view.show
        self.rate = view.rate

    def frame(self, sample: float) -> Frame:
        """What the stage shows at ``sample`` (within the history, or up to the preview's reach)."""
        s = int(sample)
        view = self.view
        transport = view.transport()
        events = list(view.history) + view.preview()
        last_beat = next_beat = last_stop = last_start = None
        last_hits: dict[int, Hit] = {}
        next_hits: dict[int, Hit] = {}
        later_beats: list[int] = []
        beats: list[Beat] = []
        for event in events:
            kind = type(event)
            if kind is Beat:
                beats.append(event)
            if event.sample <= s:
                if kind is Hit:
                    last_hits[event.section] = event
                elif kind is Beat:
                    last_beat = event
                elif kind is Stop:
                    last_stop = event
                elif kind is MomentStart:
                    last_start = event
            elif kind is Hit:
                next_hits.setdefault(event.section, event)
            elif kind is Beat:
                next_beat = next_beat or event
                later_beats.append(event.sample)
        stopped = last_beat is None or (last_stop is not None and last_stop.sample >= last_beat.sample)
        if last_beat is None and last_stop is None and transport.playing:  # beyond the history: trust the replay
            stopped = False
        if stopped:
            state = "finished" if (last_stop.finished if last_stop else transport.finished) else "stopped"
        else:
            state = "count-in" if last_beat is not None and last_beat.moment == COUNT_IN else "playing"
        tempo = last_beat.tempo if last_beat is not None and not stopped else transport.tempo
        beat_seconds = 60.0 / tempo
        phase = 0.0
        if last_beat is not None and not stopped:
            span = (next_beat.sample - last_beat.sample) if next_beat else beat_seconds * self.rate
            phase = min(max((s - last_beat.sample) / span, 0.0), 0.999)
        moment = transport.moment
        if state == "playing" and last_beat is not None:
            moment = last_beat.moment
        armed, countdown = self._armed(transport, s, events, later_beats)
        rate = self.rate
        cues = {}
        for index in range(len(self.show.sections)):
            last, upcoming = last_hits.get(index), next_hits.get(index)
            if stopped and (last is None or last_stop is None or last.sample < last_stop.sample):
                last = None
            cues[index] = SectionCue(None if last is None else (s - last.sample) / rate, bool(last and last.accent),
                                     None if upcoming is None else (upcoming.sample - s) / rate,
                                     bool(upcoming and upcoming.accent))
        moment_start = last_start.sample if last_start is not None else view.moment_sample
        grid = tuple(((b.sample - s) / rate, b.bar * self.show.meter.beats + b.beat) for b in beats
                     if b.moment == moment and b.sample >= moment_start) if state == "playing" else ()
        return Frame(sample=s, state=state, moment=moment, bar=last_beat.bar if last_beat and not stopped else 0,
                     beat=last_beat.beat if last_beat and not stopped else 0, beat_phase=phase,
                     beat_seconds=beat_seconds, tempo=tempo, moment_seconds=max(0.0, (s - moment_start) / rate),
                     armed=armed, countdown=countdown, cues=cues, muted=transport.muted, soloed=transport.soloed,
                     grid=grid, previous=self._previous(s, moment_start))

    def _previous(self, s: int, moment_start: int) -> int | None:
        """The moment that played right before the one begun at ``moment_start`` (None after a stop)."""
        marks = [m for m in self.view.marks if m.sample < moment_start and m.sample <= s]
        return marks[-1].moment if marks and type(marks[-1]) is MomentStart else None

    def _armed(self, transport, s: int, events: list[Event], later_beats: list[int]) -> tuple[int | None, int | None]:
        """The armed moment and the beats left before it enters (None when not within the preview)."""
        armed = transport.armed
        if armed is None:
            return None, None
        entry = transport.armed_sample
        if entry is None:  # beyond the current span: look for it in the preview
            kind = Stop if armed == -1 else MomentStart
            entry = next((e.sample for e in events if type(e) is kind and e.sample > s
                          and (armed == -1 or e.moment == armed)), None)
        if entry is None:
            return armed, None
        if entry <= s:  # already entered at this sample: nothing left to announce
            return None, None
        return armed, 1 + sum(1 for beat in later_beats if beat < entry)


def preview_reach(rate: int) -> int:
    """How far past the engine's position a frame may look and still find every event."""
    return int(PREVIEW_S * rate / 2)
