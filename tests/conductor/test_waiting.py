"""Issue 13: moments wait for GO, GO gives a bar of warning, a fresh start is a fresh start (48 kHz)."""

from __future__ import annotations

import dataclasses

import pytest

from rockstar_cx.audio.ipc import decode_command, encode_command
from rockstar_cx.conductor import (Beat, Conductor, Hit, Launch, MomentStart, Mute, Next, NudgeTempo, Quantize, Reset,
                                   SetTempo, Solo, Start, Stop, StopCommand)
from rockstar_cx.show import builtin_show

from .shows import make_show, moment, section
from .test_conductor import RATE, drive, hits, live

BEAT = 24000  # at 120 bpm
BAR = 4 * BEAT


def starts(events):
    return [(e.sample, e.moment) for e in events if type(e) is MomentStart]


def beats(events):
    return [(e.sample, e.tempo) for e in events if type(e) is Beat]


A = section("a", "x", steps_per_beat=1)
HOLDING = make_show([A], [moment("m1", ("a",), 2, then="hold"), moment("m2", ("a",), 1, then="hold")])


# -- moments wait by default -------------------------------------------------------------------

def test_a_holding_moment_plays_its_bars_then_loops_until_go():
    conductor = live(HOLDING)
    events = drive(conductor, 10 * BAR)
    assert starts(events) == [(0, 0)] and not any(type(e) is Stop for e in events)
    assert hits(events) == [i * BEAT for i in range(40)]
    t = conductor.transport()
    assert (t.moment, t.bar, t.moment_bars, t.moves_on, t.armed) == (0, 9, 2, False, None)
    events = drive(conductor, 14 * BAR, [(10 * BAR + 100, Next())])  # warn_beats = 0 here: the next bar line
    assert starts(events) == [(11 * BAR, 1)]


def test_a_holding_moment_loops_at_the_end_of_its_ramp():
    show = make_show([A], [moment("ramp", ("a",), 1, tempo=60.0, tempo_end=120.0, then="hold"), moment("m", ("a",), 1)])
    events = drive(live(show), 133084 + 6 * BEAT)
    # the ramp as tested in test_conductor (t(b) = 4·ln(1 + b/4) s), ending at 4·ln 2 s = 133084.26 samples,
    # then 120 bpm from there on, on the exact sum of the spans
    assert hits(events)[:6] == [0, 42844, 77849, 107446, 133084, 133084 + BEAT]
    assert [tempo for _, tempo in beats(events)][3:7] == [105.0, 120.0, 120.0, 120.0]
    assert starts(events) == [(0, 0)]


def test_then_next_moves_on_at_the_exact_bar():
    show = make_show([A], [moment("m1", ("a",), 2, then="next"), moment("m2", ("a",), 1, then="hold")])
    conductor = live(show)
    events = drive(conductor, 8 * BAR)
    assert starts(events) == [(0, 0), (2 * BAR, 1)] and not any(type(e) is Stop for e in events)
    t = conductor.transport()
    assert (t.moment, t.bar, t.moment_bars, t.moves_on) == (1, 5, 1, False)
    conductor = live(show)
    drive(conductor, BEAT)
    assert (conductor.transport().moment_bars, conductor.transport().moves_on) == (2, True)


def test_held_from_the_start_reports_no_length():
    show = make_show([A], [moment("talk", ("a",), 0)])
    conductor = live(show)
    drive(conductor, BAR)
    assert (conductor.transport().moment_bars, conductor.transport().moves_on) == (None, False)


def test_headless_rehearsals_move_every_moment_on_after_its_bars():
    # hold_bars (play --no-ui): nobody presses GO, so holding moments move on after their bars,
    # and moments held from the start after hold_bars, as before issue 13
    show = make_show([A], [moment("talk", ("a",), 0), moment("m1", ("a",), 2, then="hold"),
                           moment("m2", ("a",), 1, then="hold")])
    conductor = live(show, hold_bars=4)
    events = drive(conductor, 8 * BAR)
    assert starts(events) == [(0, 0), (4 * BAR, 1), (6 * BAR, 2)]
    assert events[-1] == Stop(7 * BAR, 14.0, True)


def test_to_the_end_of_a_holding_moment_past_its_bars_is_the_next_bar_line():
    conductor = live(HOLDING)
    events = drive(conductor, 6 * BAR, [(BAR + 100, Launch(1, Quantize.MOMENT)), (3 * BAR + 100, Next()),
                                        (3 * BAR + 200, Launch(0, Quantize.MOMENT))])
    assert starts(events) == [(0, 0), (2 * BAR, 1), (4 * BAR, 0)]  # within its bars: its end; after: the bar line


def test_the_builtin_show_holds_in_every_moment_until_go():
    show = builtin_show()
    assert [m.then for m in show.moments] == ["hold"] * len(show.moments)  # the chaos too: GO calls the conductor in
    tempi = show.moment_tempi()
    for index, moment_ in enumerate(show.moments):
        conductor = Conductor(show, RATE)
        conductor.submit(Start(moment=index, count_in=False))
        bar = round(4 * 60 * RATE / min(tempi[index]))
        events = drive(conductor, (moment_.bars + 3) * bar, block=4096)
        if moment_.then == "next":
            assert starts(events) == [(0, index), (moment_.bars * bar, index + 1)]
            continue
        assert starts(events) == [(0, index)] and not any(type(e) is Stop for e in events), moment_.id
        last = [e for e in events if type(e) is Beat][-1]
        assert (last.moment, last.tempo) == (index, tempi[index][1]) and last.bar >= moment_.bars + 2, moment_.id


def test_go_after_the_finale_ends_the_show_together_and_the_next_start_plays_the_shows_tempo():
    show = builtin_show()
    finale = len(show.moments) - 1
    assert show.moment_tempi()[finale] == (96.0, 112.0) and show.tempo == 96.0
    conductor = Conductor(show, RATE)
    conductor.submit(Start(moment=finale, count_in=False))
    events = drive(conductor, 25 * RATE + 512, [(25 * RATE, Next())], block=512)
    armed = conductor.transport().armed_sample
    assert armed - 25 * RATE >= 4 * 60 * RATE / 112  # a whole bar for the room to end together
    events += drive(conductor, 30 * RATE, block=512)
    stop = events[-1]
    assert stop == Stop(armed, stop.time, True) and not conductor.playing
    held = [e for e in events if type(e) is Beat and e.bar >= 8]
    assert held and {e.tempo for e in held} == {112.0}  # looping at the finale's end tempo until GO
    assert held[-1].beat == 3 and abs(stop.sample - held[-1].sample - 60 * RATE / 112) < 1  # on the downbeat
    assert conductor.transport().tempo == 96.0  # stopped: what Start will play
    start = conductor.position
    events = drive(conductor, start + 2 * RATE, [(start, Start(count_in=False))])
    assert [(s - start, tempo) for s, tempo in beats(events)][:4] == [(0, 96.0), (30000, 96.0), (60000, 96.0),
                                                                     (90000, 96.0)]


# -- a whole bar of warning ----------------------------------------------------------------------

WARNED = dataclasses.replace(HOLDING, warn_beats=None)  # the file's default: one bar


@pytest.mark.parametrize(("go", "entry"), [
    (3 * BEAT + BEAT // 2, 2 * BAR),  # late in bar 1: not the bar line half a beat away, the one after
    (BAR, 2 * BAR),  # on a downbeat: exactly one bar
    (BAR + 1, 3 * BAR),  # just after it: the bar line after next
])
def test_a_late_go_still_gives_a_whole_bar_of_countdown(go, entry):
    conductor = live(WARNED)
    events = drive(conductor, go + 128, [(go, Next())])
    t = conductor.transport()
    assert (t.armed, t.armed_sample) == (1, entry)
    assert entry - go >= BAR
    events += drive(conductor, 4 * BAR)
    assert starts(events) == [(0, 0), (entry, 1)]


def test_warn_beats_sets_the_warning_and_zero_is_the_next_bar_line():
    for warn, entry in ((2, 2 * BAR), (0, BAR)):
        conductor = live(dataclasses.replace(HOLDING, warn_beats=warn))
        events = drive(conductor, 4 * BAR, [(2 * BEAT + 100, Next())])  # beat 3, + 2 -> 5 -> bar line 8
        assert starts(events) == [(0, 0), (entry, 1)]


def test_the_armed_sample_is_exact_beyond_the_playing_span():
    # a holding moment past its ramp plays bar by bar: a GO in its last ramped bar arms a bar line
    # in a span not yet made, and a tempo change on top moves it; the transport knows both exactly
    show = make_show([A], [moment("ramp", ("a",), 1, tempo=60.0, tempo_end=120.0, then="hold"), moment("m", ("a",), 1)],
                     warn_beats=4)
    conductor = live(show)
    drive(conductor, 110000, [(108000, Next())])
    armed = conductor.transport().armed_sample
    assert armed == 133084 + BAR
    events = drive(conductor, 400000)
    assert starts(events) == [(armed, 1)]
    conductor = live(show)
    drive(conductor, 110000, [(108000, Next()), (109000, SetTempo(60.0))])
    armed = conductor.transport().armed_sample
    events = drive(conductor, 600000)
    assert starts(events) == [(armed, 1)] and armed == 133084 + 4 * 2 * BEAT


def test_a_moment_that_moves_on_sooner_takes_the_go_along():
    show = make_show([A], [moment("m1", ("a",), 1), moment("m2", ("a",), 1, then="hold"),
                           moment("m3", ("a",), 1, then="hold")], warn_beats=4)
    conductor = live(show)
    events = drive(conductor, 3 * BAR, [(3 * BEAT + 100, Next())])
    assert starts(events) == [(0, 0), (BAR, 1)]  # once, at m1's own end
    conductor = live(show)
    events = drive(conductor, 3 * BAR, [(3 * BEAT + 100, Launch(2))])
    assert starts(events) == [(0, 0), (BAR, 2)]


def test_stop_and_panic_are_not_delayed_by_the_warning():
    conductor = live(WARNED)
    events = drive(conductor, 2 * BAR, [(3 * BEAT + 100, StopCommand(Quantize.BAR))])
    assert events[-1] == Stop(BAR, 2.0, False)


# -- a fresh start, and Reset --------------------------------------------------------------------

def test_a_fresh_start_drops_the_tempo_adjustments_of_the_last_run():
    conductor = live(HOLDING)
    drive(conductor, BAR, [(100, NudgeTempo(-30.0)), (BEAT + 100, NudgeTempo(-30.0))])
    assert conductor.transport().tempo == 60.0
    events = drive(conductor, 3 * BAR, [(BAR + 128, StopCommand()), (BAR + 256, Start(count_in=False))])
    assert conductor.transport().tempo == 120.0
    assert [s for s, _ in beats(events) if s >= BAR + 256][:3] == [BAR + 256, BAR + 256 + BEAT, BAR + 256 + 2 * BEAT]


def test_a_tempo_set_while_stopped_is_for_the_next_start_only():
    conductor = Conductor(HOLDING, RATE)
    events = drive(conductor, 3 * BAR, [(0, SetTempo(60.0)), (128, Start(count_in=False)),
                                        (BAR, StopCommand()), (BAR + 128, Start(count_in=False))])
    assert [s for s, _ in beats(events)][:2] == [128, 128 + 2 * BEAT]  # tapped in at 60
    assert [s for s, _ in beats(events) if s > BAR][:2] == [BAR + 128, BAR + 128 + BEAT]  # and then the file's 120


def test_reset_clears_mutes_and_solos_and_returns_to_the_files_tempo_on_the_next_beat():
    show = make_show([A, section("b", "x", steps_per_beat=1)], [moment("m", ("a", "b"), 1, then="hold")])
    conductor = live(show)
    drive(conductor, BEAT + 128, [(100, Mute(0)), (100, Solo(1)), (100, NudgeTempo(-60.0))])  # 60 bpm from beat 1
    events = drive(conductor, 100000, [(30000, Reset())])  # unmuted at once; 120 bpm from beat 2, at 72000
    assert hits(events, 0) == [72000, 96000]
    t = conductor.transport()
    assert (t.muted, t.soloed, t.tempo) == (frozenset(), frozenset(), 120.0)


def test_reset_resumes_the_written_ramp():
    show = make_show([A], [moment("ramp", ("a",), 2, tempo=60.0, tempo_end=120.0, then="hold")])
    conductor = live(show)
    events = drive(conductor, 12 * RATE, [(100, SetTempo(180.0)), (80000, Reset())])
    # the ramp for beat 0 (8·ln 1.125 s = 45228.7 samples), 180 bpm from beat 1 (16000 samples a beat);
    # Reset after beat 3 lands on beat 4: the ramp's 90 bpm there, on to 120, then held at 120
    tempi = [tempo for _, tempo in beats(events)]
    assert tempi[:10] == [60.0, 180.0, 180.0, 180.0, 90.0, 97.5, 105.0, 112.5, 120.0, 120.0]
    assert hits(events)[:5] == [0, 45229, 61229, 77229, 93229]


def test_reset_crosses_the_engines_wire():
    assert decode_command(*encode_command(Reset())) == Reset()


# -- a held chaos goes on drifting ------------------------------------------------------------

TWO_ALONE = [section("a", "x", steps_per_beat=1), section("b", "x", steps_per_beat=1)]


def _held_chaos(**kw):
    return make_show(TWO_ALONE, [moment("chaos", ("a", "b"), 2, then="hold", mode="chaos")], seed=3, **kw)


def test_a_held_chaos_goes_on_drifting_from_where_its_bars_left_it():
    from rockstar_cx.conductor.timeline import CHAOS_JITTER_LIMIT_S

    events = drive(live(_held_chaos()), 12 * BAR)
    moved_on = make_show(TWO_ALONE, [moment("chaos", ("a", "b"), 2, then="next", mode="chaos")], seed=3)
    in_bars = [e for e in events if type(e) is Hit and e.sample < 2 * BAR]
    assert in_bars == [e for e in drive(live(moved_on), 2 * BAR) if type(e) is Hit]  # its bars: as rendered
    limit = round(CHAOS_JITTER_LIMIT_S * RATE)
    reached = []
    for section_index in (0, 1):
        own = hits(events, section_index)
        held = [s for s in own if s >= 2 * BAR]
        steps = [b - a for a, b in zip(own, own[1:]) if b >= 2 * BAR - BEAT]
        reached.append(sorted(steps)[len(steps) // 2])
        # every step from the end of its bars on is a step of its own tempo: no bar line pulls it back
        assert all(abs(step - reached[-1]) <= 2 * limit for step in steps), (section_index, steps)
        assert len(held) >= 10 * 4 * BEAT // reached[-1] - 1
    assert reached[0] != reached[1] and all(step < BEAT for step in reached)  # each sped up, by its own amount
    a, b = hits(events, 0), hits(events, 1)
    spread = [abs(x - y) for x, y in zip(a, b)]
    assert spread[-1] > spread[len(a) // 4] + 4 * limit  # the sections keep drifting apart through the hold


def test_a_tempo_nudge_in_a_chaos_changes_nobodys_time():
    plain = drive(live(_held_chaos()), 8 * BAR)
    nudged = drive(live(_held_chaos()), 8 * BAR, [(BAR + BEAT, NudgeTempo(+6.0)), (4 * BAR, NudgeTempo(-6.0))])
    assert plain != nudged  # the conducted beats moved…
    for section_index in (0, 1):  # …the sections, playing alone, did not
        assert hits(nudged, section_index) == hits(plain, section_index)
