"""MIDI notes out: every section's hits as drum notes, where the audio plays them.

Each :class:`~rockstar_cx.conductor.events.Hit` becomes a note-on on channel 10 (mido channel 9)
with the section's ``midi_note`` (General MIDI percussion by default, set per section in the
show file), velocity 127 for an accent and 90 for a hit — the same as ``export-midi`` — and a
note-off :data:`NOTE_S` later (drum machines ignore it; lighting desks and DAWs want it).

Timing: scheduled hits come from the follower's preview, so they are sent at the hit's own host
time (minus ``--midi-offset``), before the engine has even played them.  Live hits (pads, keys)
are known only once the engine applied them: they are sent at the same place — the sample where
the engine plays them, which sounds one output latency later — or at once if our loop learns of
them later than that (at most one planner period, :data:`~.sender.PLAN_S`, behind the sound).

Threading contract: one owner (the planner thread) calls :meth:`NotePlan.observe` and :meth:`NotePlan.plan`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..conductor.events import Event, Hit
from ..show.model import Show
from .clock import Timed
from .export import DRUM_CHANNEL, velocity

NOTE_ON, NOTE_OFF = 0x90 | DRUM_CHANNEL, 0x80 | DRUM_CHANNEL
NOTE_S = 0.030  # shorter than a 16th at 300 bpm (50 ms): a repeated note is never cut short
# After the clock's own messages on the same sample: offs, then ons.
ORDER_OFF, ORDER_ON = 4, 5


class NotePlan:
    def __init__(self, show: Show, rate: int) -> None:
        self.notes = [section.midi_note for section in show.sections]
        self.length = round(NOTE_S * rate)
        self._history: list[Hit] = []  # played hits that may still be due

    def observe(self, played: Iterable[Event], keep_from: float) -> None:
        self._history = [h for h in self._history if h.sample + self.length >= keep_from]
        self._history += [e for e in played if type(e) is Hit]

    def plan(self, upcoming: list[Event], start: float, end: float) -> list[Timed]:
        """Note on/off messages due in ``(start, end]``."""
        out: list[Timed] = []
        for hit in self._history + [e for e in upcoming if type(e) is Hit and not e.live]:
            note = self.notes[hit.section]
            key = (hit.sample, hit.section, hit.live)
            if start < hit.sample <= end:
                out.append(Timed(hit.sample, ORDER_ON, bytes([NOTE_ON, note, velocity(hit.accent)]), ("on", *key)))
            if start < hit.sample + self.length <= end:
                out.append(Timed(hit.sample + self.length, ORDER_OFF, bytes([NOTE_OFF, note, 0]), ("off", *key)))
        return out
