"""MIDI file export: the render's own events as a Standard MIDI File.

Track 0 carries the title, the meter and a tempo map with one tempo per beat (so ramps and
tapped tempi come out right); then one track per section, its hits as notes on channel 10
(accents loud), and a count-in track when the render counts in.  Event times come from the
conductor's exact times: beats land on their exact microsecond, everything in between is
placed within half a tick.
"""

from __future__ import annotations

import bisect
import io
from pathlib import Path

import mido

from ..conductor.events import COUNT_IN, Beat, Event, Hit, Stop
from ..errors import ShowError
from ..files import check_output, describe, write_atomically
from ..show.model import Show
from ..show.sounds import SOUNDS

TICKS_PER_QUARTER = 960
DRUM_CHANNEL = 9  # "channel 10" counted from 1
ACCENT_VELOCITY, HIT_VELOCITY = 127, 90
COUNT_NOTE = SOUNDS["count"].gm_note  # the count-in bips' note, accented or not
SUFFIXES = (".mid", ".midi")
NOTE_TICKS = TICKS_PER_QUARTER // 8  # percussion notes are short; a 32nd note


def velocity(accent: bool) -> int:
    return ACCENT_VELOCITY if accent else HIT_VELOCITY


def build_midi(show: Show, events: list[Event]) -> mido.MidiFile:
    """A type-1 MIDI file of a performance's events (from :func:`~rockstar_cx.conductor.perform`)."""
    beats = [e for e in events if type(e) is Beat]
    end = next(e for e in reversed(events) if type(e) is Stop)
    ticks_per_beat = TICKS_PER_QUARTER * 4 // show.meter.unit
    grid = [b.time for b in beats] + [end.time]  # the grid's last point: the final downbeat

    def tick_of(time: float) -> int:
        i = min(max(bisect.bisect_right(grid, time) - 1, 0), len(grid) - 2)
        return round((i + (time - grid[i]) / (grid[i + 1] - grid[i])) * ticks_per_beat)

    conductor = [(0, mido.MetaMessage("track_name", name=show.title)),
                 (0, mido.MetaMessage("time_signature", numerator=show.meter.beats, denominator=show.meter.unit,
                                      clocks_per_click=24, notated_32nd_notes_per_beat=8))]
    # Microseconds per quarter note, rounded cumulatively so the tempo map never drifts.
    to_quarter_us = 1e6 * show.meter.unit / 4
    for i in range(len(grid) - 1):
        tempo = round(grid[i + 1] * to_quarter_us) - round(grid[i] * to_quarter_us)
        conductor.append((i * ticks_per_beat, mido.MetaMessage("set_tempo", tempo=tempo)))
    conductor.append(((len(grid) - 1) * ticks_per_beat, mido.MetaMessage("end_of_track")))

    # names in any script: the text events in UTF-8, as DAWs and MIDI libraries read them (mido's
    # default, Latin-1, cannot hold a Japanese title)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_QUARTER, charset="utf-8")
    midi.tracks.append(_track(conductor))
    for index, section in enumerate(show.sections):
        notes = [(tick_of(e.time), section.midi_note, velocity(e.accent))
                 for e in events if type(e) is Hit and e.section == index]
        midi.tracks.append(_note_track(section.name, notes))
    counts = [(tick_of(b.time), COUNT_NOTE, velocity(b.beat == 0)) for b in beats if b.moment == COUNT_IN]
    if counts:
        midi.tracks.append(_note_track("Count-in", counts))
    return midi


def export_midi(show: Show, events: list[Event], path: Path) -> None:
    """Write ``path`` (.mid or .midi) whole, or leave it untouched; ShowError when it cannot be written."""
    check_output(path, SUFFIXES)
    data = io.BytesIO()
    build_midi(show, events).save(file=data)
    try:
        write_atomically(path, data.getvalue())
    except OSError as error:
        raise ShowError(f"cannot write {path}: {describe(error)}") from error


def _note_track(name: str, notes: list[tuple[int, int, int]]) -> mido.MidiTrack:
    timed = [(0, mido.MetaMessage("track_name", name=name))]
    for tick, note, vel in notes:
        timed.append((tick, mido.Message("note_on", channel=DRUM_CHANNEL, note=note, velocity=vel)))
        timed.append((tick + NOTE_TICKS, mido.Message("note_off", channel=DRUM_CHANNEL, note=note, velocity=0)))
    # note_offs before note_ons at the same tick, so a repeated note is never cut short
    timed.sort(key=lambda item: (item[0], item[1].type != "note_off"))
    return _track(timed)


def _track(timed: list[tuple[int, mido.Message]]) -> mido.MidiTrack:
    """Absolute ticks -> a track with delta times."""
    track, last = mido.MidiTrack(), 0
    for tick, message in timed:
        track.append(message.copy(time=tick - last))
        last = tick
    return track
