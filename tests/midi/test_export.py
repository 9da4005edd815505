"""MIDI export agrees with the render, event for event."""

from __future__ import annotations

import dataclasses
import io

import mido
import pytest
from hypothesis import HealthCheck, given, settings

from rockstar_cx.conductor import Beat, Hit, perform
from rockstar_cx.midi.export import build_midi
from rockstar_cx.show import builtin_show

from ..conductor.shows import make_show, moment, random_shows, section
from ..fixtures import before_issue13 as before

RATE = 48000


def midi_notes(midi: mido.MidiFile) -> list[tuple[float, str, int, int]]:
    """(seconds, track name, note, velocity) of every note-on, through the file's own tempo map."""
    tempo_map, notes = [], []
    names = [next(m.name for m in t if m.type == "track_name") for t in midi.tracks]
    tick = 0
    for message in midi.tracks[0]:
        tick += message.time
        if message.type == "set_tempo":
            tempo_map.append((tick, message.tempo))

    def seconds(at: int) -> float:
        total, last_tick, last_tempo = 0.0, 0, 500000
        for change_tick, tempo in tempo_map:
            if change_tick >= at:
                break
            total += mido.tick2second(change_tick - last_tick, midi.ticks_per_beat, last_tempo)
            last_tick, last_tempo = change_tick, tempo
        return total + mido.tick2second(at - last_tick, midi.ticks_per_beat, last_tempo)

    for name, track in zip(names[1:], midi.tracks[1:]):
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "note_on":
                assert message.channel == 9
                notes.append((seconds(tick), name, message.note, message.velocity))
    return sorted(notes)


def rendered_notes(show, events):
    return sorted((e.time, show.sections[e.section].name, show.sections[e.section].midi_note, 127 if e.accent else 90)
                  for e in events if type(e) is Hit)


def assert_agree(show, events):
    midi = build_midi(show, events)
    # compared track by track: hits of different sections less than a tick apart may swap order;
    # a chaos section's last step can meet the final downbeat (to 1e-14 s), so a tie goes by velocity
    got = sorted(midi_notes(midi), key=lambda n: (n[1], round(n[0], 9), n[3]))
    want = sorted(rendered_notes(show, events), key=lambda n: (n[1], round(n[0], 9), n[3]))
    assert [n[1:] for n in got] == [n[1:] for n in want]
    # a note is placed within half a tick; a tick is longest in the slowest beat
    grid = [e.time for e in events if type(e) is Beat] + [events[-1].time]
    ticks_per_beat = midi.ticks_per_beat * 4 / show.meter.unit
    half_tick = max(b - a for a, b in zip(grid, grid[1:])) / ticks_per_beat / 2
    assert max((abs(a[0] - b[0]) for a, b in zip(got, want)), default=0.0) <= half_tick + 2e-6


def test_builtin_show_exports_the_rendered_events():
    show = builtin_show()
    assert_agree(show, perform(show, RATE))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_shows(chaos=True))
def test_random_shows_export_the_rendered_events(show):
    assert_agree(show, perform(show, RATE))


def test_tempo_map_and_meter_meta_events():
    show = make_show([section("a", "x", 1)], [moment("m", ("a",), 1, tempo=60.0, tempo_end=120.0)], meter=(3, 8))
    events = perform(show, RATE)
    midi = build_midi(show, events)
    meta = [m for m in midi.tracks[0] if m.is_meta]
    signature = next(m for m in meta if m.type == "time_signature")
    assert (signature.numerator, signature.denominator) == (3, 8)
    beats = [e.time for e in events if type(e) is Beat] + [events[-1].time]
    # an eighth-note beat lasts tempo/2 µs per quarter: exact to the microsecond, beat by beat
    tempos = [m.tempo for m in meta if m.type == "set_tempo"]
    assert tempos == [round(beats[i + 1] * 2e6) - round(beats[i] * 2e6) for i in range(3)]
    assert midi.tracks[1].name == "A" and [m.note for m in midi.tracks[1] if m.type == "note_on"] == [60] * 4


@pytest.mark.parametrize("count_in", [False, True])
def test_a_show_written_before_moments_waited_exports_the_same_bytes(count_in):
    # issue 13: moments without `then` now hold live, but the export keeps their bars
    show = before.old_keynote()
    out = io.BytesIO()
    build_midi(show, perform(show, RATE, count_in=count_in)).save(file=out)
    assert before.sha256(out.getvalue()) == before.MIDI[count_in]


def test_titles_and_names_in_any_script_are_read_back_by_mido_and_pretty_midi(tmp_path):
    import pretty_midi

    from rockstar_cx.midi.export import export_midi

    names = ("Ventes ça va", "マーケティング", "خدمة العملاء", "सेवा 🎸")
    show = make_show([section(f"s{i}", "x...") for i in range(len(names))],
                     [moment("m", tuple(f"s{i}" for i in range(len(names))), 1)])
    show = dataclasses.replace(show, title="ロックスター CX 🥁", sections=tuple(
        dataclasses.replace(s, name=name) for s, name in zip(show.sections, names)))
    path = tmp_path / "show.mid"
    export_midi(show, perform(show, RATE), path)
    by_mido = [m.name for track in mido.MidiFile(path, charset="utf-8").tracks for m in track if m.type == "track_name"]
    assert by_mido[:len(names) + 1] == [show.title, *names]
    by_pretty = pretty_midi.PrettyMIDI(str(path), charset="utf-8")
    assert [i.name for i in by_pretty.instruments][:len(names)] == list(names)
