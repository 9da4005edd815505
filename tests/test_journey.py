"""The presenter's records without a device: the journey as performed, the words for where the show
stands, and the state kept for resuming — all on a scripted engine (:mod:`played`)."""

from __future__ import annotations

import json

import pytest

from played import scripted_view
from rockstar_cx.conductor.commands import (Launch, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Reset,
                                            SetTempo, Solo, Start, Stop, TapTempo)
from rockstar_cx.live.journey import journey, pending_cause
from rockstar_cx.live.resume import Keeper
from rockstar_cx.live.status import Place, file_tempo, tempo_adjustment, then_words
from rockstar_cx.paths import state_dir
from rockstar_cx.show.model import DEFAULT_COLORS, Meter, Moment, Section, Show, parse_pattern

RATE = 48000
BAR = RATE  # 240 bpm in 4/4


def show() -> Show:
    sections = tuple(Section(i, i.capitalize(), DEFAULT_COLORS[n], "clap", parse_pattern("x... x... x... x..."))
                     for n, i in enumerate(("sales", "service")))
    return Show("Test", 240.0, Meter(4, 4), sections, (
        Moment("talk", "Talk", "", (), 0),
        Moment("sales", "Sales alone", "", ("sales",), 2),
        Moment("drift", "Drift", "", ("sales", "service"), 2, then="next"),
        Moment("all", "All", "", ("sales", "service"), 2, tempo_end=260.0),
    ), count_in=0)


def played(commands: list[tuple[int, object]], until: int):
    """A view of a scripted engine that applied ``commands`` (sample, command) and played to ``until``."""
    view, script = scripted_view(show(), RATE)
    for sample, command in commands:
        script.apply(sample, command)
        view.update()
    script.position = until
    view.update()
    return view


def entries(view) -> list[tuple[str, float, int, str | None]]:
    return [(e.id, e.start_s, e.bars, e.left_by) for e in
            journey(view.show, RATE, view.marks, view.applied, view.entry_bars, view.position)]


def test_every_moment_entered_is_listed_with_what_left_it():
    # GO at 0.5 s: the first bar line a whole bar on (2 s); "sales" holds after its 2 bars until GO
    # at 5.5 s (enters 7 s); "drift" moves on by itself after 2 bars (9 s); "all" speeds up, so
    # back at 10 s returns to "drift" after 3 of its quicker bars, and GO at 13 s comes with
    # drift's own end; two GOs at 17 s arm the end once.
    view = played([(0, Start(count_in=False)), (BAR // 2, Next()), (5 * BAR + BAR // 2, Next()),
                   (10 * BAR, Previous()), (13 * BAR, Next()), (17 * BAR, Next()), (17 * BAR + 1000, Next())],
                  until=24 * BAR)
    drift = 9.0 + 3 * 4 * 60 / 260  # "all" ramps to 260 over its 2 bars, and plays on at it (the spans' exact sum)
    assert entries(view) == [("talk", 0.0, 2, "go"), ("sales", 2.0, 5, "go"), ("drift", 7.0, 2, "by itself"),
                             ("all", 9.0, 3, "back"), ("drift", pytest.approx(drift, abs=0.2), 2, "go"),
                             ("all", pytest.approx(drift + 8 * 60 / 260, abs=0.2), 5, "end")]
    report = journey(view.show, RATE, view.marks, view.applied, view.entry_bars, view.position)[0].report()
    assert report == {"moment": 1, "id": "talk", "start_s": 0.0, "seconds": 2.0, "bars": 2, "left_by": "go"}


def test_a_back_that_disarms_a_go_leaves_the_moment_to_hold_and_panic_and_launch_are_named():
    view = played([(0, Start(count_in=False)), (BAR // 2, Next()), (BAR // 2 + 10, Previous()),  # GO, then disarmed
                   (4 * BAR + 100, Launch(1)), (7 * BAR, Panic()), (7 * BAR + 10, Stop()),
                   (8 * BAR, Start(count_in=False, moment=3))], until=9 * BAR)
    # the panic at 7 s lands on the bar line it was applied at: "sales" played one bar
    assert entries(view) == [("talk", 0.0, 6, "launch"), ("sales", 6.0, 1, "panic"), ("all", 8.0, 2, None)]


def test_the_cause_of_a_pending_change_is_the_command_that_armed_it():
    assert pending_cause([(10, Next()), (20, Next())], 0, 0, 4) == "go"
    assert pending_cause([(10, Next()), (20, Previous())], 0, 0, 4) is None  # disarmed
    assert pending_cause([(10, Next()), (20, Next()), (30, Previous())], 0, 0, 4) == "back"
    assert pending_cause([(10, Panic()), (20, Stop())], 0, 1, 4) == "panic"
    assert pending_cause([(5, Next()), (10, Launch(2))], 8, 1, 4) == "launch"  # the GO came before this moment


def test_place_and_then_words_say_the_bar_of_the_length_and_what_comes():
    view = played([(0, Start(count_in=False, moment=1))], until=BAR + 100)  # "sales": bar 2 of 2
    t = view.transport()
    place = Place.of(t, t.bar, t.beat, 4)
    assert (place.words(), then_words(view.show, t, place)) == ("bar 2 of 2", "then holds (until GO)")
    view = played([(0, Start(count_in=False, moment=1))], until=3 * BAR + 100)
    t = view.transport()
    assert Place.of(t, t.bar, t.beat, 4).words() == "bar 4 · holding after its 2 bars"
    view = played([(0, Start(count_in=False, moment=2))], until=BAR // 4 + 100)  # "drift": bar 1, beat 2
    t = view.transport()
    place = Place.of(t, t.bar, t.beat, 4)
    assert place.words() == "bar 1 of 2" and place.beats_left == 7
    assert then_words(view.show, t, place) == "then NEXT: All in 2 bars (7 beats)"
    view = played([(0, Start(count_in=False))], until=100)
    t = view.transport()
    assert Place.of(t, t.bar, t.beat, 4).words() == "bar 1 · holds until GO"


def test_a_tempo_changed_live_is_told_apart_from_the_files_ramp():
    base = [(0, Start(count_in=False, moment=3))]  # "all" ramps 240 -> 260 over 2 bars
    view = played(base, until=BAR + 100)
    t = view.transport()
    assert t.tempo == pytest.approx(file_tempo(view.show, t)) and tempo_adjustment(view.show, t, view.applied) is None
    view = played(base + [(1000, NudgeTempo(1.0))], until=BAR // 2)
    assert tempo_adjustment(view.show, view.transport(), view.applied) == "nudged"
    view = played(base + [(1000, TapTempo()), (13000, TapTempo()), (25000, TapTempo())], until=BAR)
    assert tempo_adjustment(view.show, view.transport(), view.applied) == "tapped"
    view = played(base + [(1000, SetTempo(200.0)), (20000, Reset())], until=BAR + 100)
    assert tempo_adjustment(view.show, view.transport(), view.applied) is None


def test_the_state_is_kept_on_every_change_and_offered_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert state_dir() == tmp_path / "state" / "rockstar-cx"
    view = played([(0, Start(count_in=False)), (100, Launch(1)), (200, Mute(0)), (300, Solo(1)),
                   (400, NudgeTempo(2.0))], until=3 * BAR)
    keeper = Keeper(view.show)
    assert keeper.file.parent == state_dir() and keeper.offer() is None
    keeper.observe(view)
    saved = json.loads(keeper.file.read_text())
    assert saved | {"path": None, "digest": None} == {"path": None, "digest": None, "moment": 1, "tempo": 242.0,
                                                      "muted": [0], "soloed": [1], "playing": True}
    again = Keeper(view.show)
    offer = again.offer()
    assert offer is not None and not offer.changed
    assert offer.words(view.show) == "Resume at moment 2/4 “Sales alone”?"
    sent: list = []
    assert again.accept(offer, sent.append) == 242.0
    assert sent == [Launch(1), Mute(0, True), Solo(1, True), SetTempo(242.0)]
    other = show()
    changed = Keeper(Show(**{**other.__dict__, "title": "Changed"}))
    assert changed.offer().changed  # the built-in-like show (no file): its text is its digest
    finished = played([(0, Start(count_in=False, moment=3)), (100, Next())], until=5 * BAR)
    assert finished.transport().finished
    again.observe(finished)
    assert not again.file.exists()  # a finished show: nothing to resume


def test_a_show_file_is_known_by_its_path_and_its_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "show.toml"
    path.write_text("# a show\n")
    first = Keeper(Show(**{**show().__dict__, "source": str(path)}))
    view = played([(0, Start(count_in=False))], until=BAR)
    first.observe(view)
    path.write_text("# a show, edited\n")
    offer = Keeper(Show(**{**show().__dict__, "source": str(path)})).offer()
    assert offer.changed and offer.words(show()).startswith("The show file has changed since. Resume at moment 1/4")
    assert Keeper(show()).offer() is None  # another show (no file here): its own state file, none
