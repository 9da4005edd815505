"""Exact event lists for the timing rules and every live command (48 kHz unless said otherwise)."""

from __future__ import annotations

from rockstar_cx.conductor import (COUNT_IN, Beat, Conductor, Hit, Launch, LiveHit, MomentStart, Mute, Next,
                                   NudgeTempo, Previous, Quantize, SetTempo, Solo, Start, Stop, StopCommand,
                                   TapTempo, perform)

from .shows import make_show, moment, section

RATE = 48000


def hits(events, section=None):
    return [e.sample for e in events if type(e) is Hit and (section is None or e.section == section)]


def drive(conductor, until, commands=(), block=128):
    """Advance block by block to ``until``; ``commands`` are (sample, command), submitted at that block."""
    pending = sorted(commands, key=lambda c: c[0])
    events = []
    while conductor.position < until:
        while pending and pending[0][0] <= conductor.position:
            conductor.submit(pending.pop(0)[1])
        events += conductor.advance(block)
    return events


def live(show, **kw):
    conductor = Conductor(show, RATE, **kw)
    conductor.submit(Start(count_in=False))
    return conductor


# -- timing rules -----------------------------------------------------------------------------

def test_pattern_steps_accents_and_loop():
    show = make_show([section("a", "x.x. X...")], [moment("m", ("a",), 1)])
    events = perform(show, RATE)
    assert [(e.sample, e.accent) for e in events if type(e) is Hit] == [
        (0, False), (12000, False), (24000, True), (48000, False), (60000, False), (72000, True),
        (96000, True),  # the final downbeat
    ]
    assert [e.sample for e in events if type(e) is Beat] == [0, 24000, 48000, 72000]
    assert events[-1] == Stop(96000, 2.0, True)


def test_swing_delays_odd_steps_of_the_bar():
    show = make_show([section("a", "xxxx")], [moment("m", ("a",), 1)], swing=0.5)
    assert hits(perform(show, RATE))[:6] == [0, 9000, 12000, 21000, 24000, 33000]


def test_triplets_swing_counts_steps_from_the_bar_line():
    show = make_show([section("t", "xxx", steps_per_beat=3)], [moment("m", ("t",), 1)], swing=0.25)
    # 12 steps of 8000 samples per bar; odd steps (1, 3, 5 …) 2000 late, so beat 2 (step 3) is late too
    assert hits(perform(show, RATE))[:6] == [0, 10000, 16000, 26000, 32000, 42000]


def test_six_eight_counts_eighth_note_beats():
    show = make_show([section("a", "x", steps_per_beat=1)], [moment("m", ("a",), 2)], tempo=120, meter=(6, 8))
    events = perform(show, RATE)
    assert hits(events) == [i * 24000 for i in range(13)]
    assert [(e.bar, e.beat) for e in events if type(e) is Beat][5:8] == [(0, 5), (1, 0), (1, 1)]


def test_tempo_ramp_integrates_sixty_over_tempo():
    show = make_show([section("a", "x", steps_per_beat=1)], [moment("m", ("a",), 1, tempo=60.0, tempo_end=120.0)])
    events = perform(show, RATE)
    # t(b) = 4·ln(1 + b/4) s: 42843.56, 77849.30, 107446.23, 133084.26 samples
    assert hits(events) == [0, 42844, 77849, 107446, 133084]
    assert [e.tempo for e in events if type(e) is Beat] == [60.0, 75.0, 90.0, 105.0]


def test_pattern_phase_continues_across_moments_and_restarts_on_reentry():
    show = make_show([section("a", "x.."), section("b", "x")],
                     [moment("m1", ("a",), 1), moment("m2", ("a",), 1), moment("m3", ("b",), 1),
                      moment("m4", ("a",), 1)])
    a = hits(perform(show, RATE), 0)
    steps = [s // 6000 for s in a]
    assert steps[:11] == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]  # m1 and m2: one unbroken loop
    assert steps[11:] == [48, 51, 54, 57, 60, 63, 64]  # m4 starts the loop afresh; 64 = final downbeat


def test_moments_start_on_the_bar_after_the_previous_one():
    show = make_show([section("a", "x")], [moment("m1", ("a",), 2), moment("m2", ("a",), 1, tempo=60.0)])
    starts = [(e.sample, e.moment) for e in perform(show, RATE) if type(e) is MomentStart]
    assert starts == [(0, 0), (192000, 1)]


def test_count_in_beats_precede_the_first_moment():
    show = make_show([section("a", "x")], [moment("m", ("a",), 1)], count_in=1)
    events = perform(show, RATE, count_in=True)
    beats = [(e.sample, e.moment, e.beat) for e in events if type(e) is Beat]
    assert beats[:5] == [(0, COUNT_IN, 0), (24000, COUNT_IN, 1), (48000, COUNT_IN, 2), (72000, COUNT_IN, 3),
                         (96000, 0, 0)]
    assert hits(events)[0] == 96000


def test_held_moment_renders_four_bars_and_loops_live():
    show = make_show([section("a", "x", steps_per_beat=1)], [moment("hold", ("a",), 0), moment("m", ("a",), 1)])
    assert [e.sample for e in perform(show, RATE) if type(e) is MomentStart] == [0, 16 * 24000]
    conductor = live(show)
    events = drive(conductor, 40 * 24000)
    assert [e for e in events if type(e) is MomentStart] == [MomentStart(0, 0.0, 0)]
    assert hits(events) == [i * 24000 for i in range(40)]


# -- live commands ------------------------------------------------------------------------------

HOLD_SHOW = make_show([section("a", "x", steps_per_beat=1), section("b", "x.", steps_per_beat=2)],
                      [moment("talk", ("a",), 0), moment("layer", ("a", "b"), 2), moment("last", ("b",), 1)])


def test_next_enters_on_the_next_bar_line():
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 6 * 96000, [(150000, Next())])
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(0, 0), (192000, 1), (384000, 2)]
    transport = conductor.transport()
    assert (transport.moment, transport.playing, transport.finished) == (0, False, True)
    assert events[-1] == Stop(480000, 10.0, True)


def test_armed_moment_and_its_entry_sample_are_in_the_transport():
    conductor = live(HOLD_SHOW)
    drive(conductor, 150144, [(150016, Next())])
    transport = conductor.transport()
    assert (transport.armed, transport.armed_sample, transport.moment) == (1, 192000, 0)


def test_second_go_arms_the_moment_after_and_previous_disarms():
    conductor = live(HOLD_SHOW)
    drive(conductor, 100352, [(100096, Next()), (100224, Next())])
    assert conductor.transport().armed == 2
    drive(conductor, 110336, [(110080, Previous()), (110208, Previous())])
    assert conductor.transport().armed is None


def test_back_from_the_end_armed_by_go_disarms_it_and_the_last_moment_plays_on():
    # the last moment holds after its bar; GO there arms the end, and back before it comes disarms
    # it: no Stop, and no moment entered again (a Previous from the end once armed the one before)
    show = make_show([section("a", "x", steps_per_beat=1)],
                     [moment("first", ("a",), 1, then="hold"), moment("last", ("a",), 1, then="hold")])
    conductor = live(show)
    events = drive(conductor, 260096, [(120064, Next()), (250048, Next())])  # bars of 96000 samples
    assert (conductor.transport().moment, conductor.transport().armed) == (1, -1)
    events += drive(conductor, 8 * 96000, [(260096, Previous())])
    transport = conductor.transport()
    assert (transport.armed, transport.moment, transport.playing) == (None, 1, True)
    assert not [e for e in events if type(e) is Stop]
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(0, 0), (192000, 1)]


def test_quantize_to_beat_and_to_the_end_of_the_moment():
    show = make_show([section("a", "x", steps_per_beat=1)], [moment("m1", ("a",), 4), moment("m2", ("a",), 1),
                                                              moment("m3", ("a",), 1)])
    conductor = live(show)
    events = drive(conductor, 8 * 24000, [(30000, Launch(2, Quantize.BEAT))])
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(0, 0), (48000, 2)]
    conductor = live(show)
    events = drive(conductor, 20 * 24000, [(30000, Launch(2, Quantize.MOMENT))])
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(0, 0), (384000, 2)]


def test_stop_at_once_and_at_the_bar():
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 200000, [(50048, StopCommand())])
    assert events[-1] == Stop(50048, 50048 / RATE, False)
    assert max(hits(events)) == 48000
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 200000, [(50048, StopCommand(Quantize.BAR))])
    assert events[-1] == Stop(96000, 2.0, False) and max(hits(events)) == 72000


def test_start_again_after_stop_resumes_the_chosen_moment():
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 300000, [(1024, StopCommand()), (2048, Launch(1)), (4096, Start(count_in=False))])
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(0, 0), (4096, 1), (196096, 2)]


def test_next_during_count_in_chooses_what_follows_it():
    conductor = Conductor(HOLD_SHOW, RATE)
    conductor.submit(Start(count_in=True))
    events = drive(conductor, 200000, [(1024, Next())])
    assert [(e.sample, e.moment) for e in events if type(e) is MomentStart] == [(96000, 1)]
    assert conductor.transport().counting_in is False


def test_set_tempo_applies_from_the_next_beat():
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 120000, [(30000, SetTempo(60.0))])
    assert hits(events, 0) == [0, 24000, 48000, 96000]
    assert conductor.transport().tempo == 60.0


def test_nudge_and_tap_tempo():
    conductor = live(HOLD_SHOW)
    drive(conductor, 30000, [(10000, NudgeTempo(-30.0))])
    assert conductor.transport().tempo == 90.0
    conductor = live(HOLD_SHOW)
    drive(conductor, 30000, [(10112, NudgeTempo(1.0)), (10240, NudgeTempo(1.0))])  # two presses, one beat
    assert conductor.transport().tempo == 122.0
    conductor = live(HOLD_SHOW)
    taps = [(s, TapTempo()) for s in (0, 19200, 38400, 57600)]  # 0.4 s apart: 150 bpm from beat 2 on
    events = drive(conductor, 200000, taps, block=64)
    assert conductor.transport().tempo == 150.0
    assert hits(events, 0)[-3:] == [144000, 163200, 182400]
    conductor = live(HOLD_SHOW)  # taps that reach one block together are one tap (they divided by zero)
    drive(conductor, 30000, [(10000, TapTempo()), (10000, TapTempo()), (10000, TapTempo())])
    assert conductor.transport().tempo == 120.0


def test_mute_solo_and_live_hit():
    conductor = live(HOLD_SHOW)
    conductor.submit(Launch(1, Quantize.NOW))
    events = drive(conductor, 48000, [(0, Mute(0)), (23936, Mute(0))])
    assert hits(events, 0) == [24000]  # muted for the first beat, then unmuted
    conductor = live(HOLD_SHOW)
    conductor.submit(Launch(1, Quantize.NOW))
    events = drive(conductor, 48000, [(0, Solo(1))])
    assert hits(events) == [0, 24000] and set(e.section for e in events if type(e) is Hit) == {1}
    assert conductor.transport().soloed == frozenset({1})
    events = drive(conductor, 48128, [(48000, LiveHit(0, accent=True))])
    assert events[0] == Hit(48000, 1.0, 0, True, 1, live=True)


def test_next_past_the_last_moment_ends_the_show_on_the_downbeat():
    conductor = live(HOLD_SHOW)
    events = drive(conductor, 200000, [(1000, Launch(2, Quantize.NOW)), (2000, Next())])
    assert events[-1] == Stop(97024, 97024 / RATE, True)
    assert [e for e in events if type(e) is Hit][-1] == Hit(97024, 97024 / RATE, 1, True, 2)


# -- following the engine ---------------------------------------------------------------------

def test_follower_replays_the_engine_exactly_and_previews_what_comes():
    from rockstar_cx.conductor.follower import Follower

    commands = [(0, Start(count_in=False)), (40064, Mute(0)), (100096, Next()), (130048, SetTempo(90.0))]
    engine = Conductor(HOLD_SHOW, RATE)
    played = drive(engine, 600000, commands, block=128)
    follower = Follower(HOLD_SHOW, RATE)
    replayed, previewed = [], []
    for sample, command in commands:
        if not previewed and sample > 0:
            previewed = follower.preview()
        replayed += follower.apply(sample, command)
    replayed += follower.advance_to(600064)
    assert replayed == played
    # the preview made after the first command, before the mute, foresaw the hit at 48000 correctly
    assert [e for e in previewed if e.sample < 40064] == [e for e in played if e.sample < 40064]
    assert Hit(48000, 1.0, 0, False, 0) in previewed


def test_a_pickled_or_forked_conductor_carries_on_exactly():
    import pickle

    show = make_show([section("a", "x.x."), section("b", "..x", steps_per_beat=3)],
                     [moment("m1", ("a", "b"), 2, tempo_end=140.0), moment("chaos", ("a", "b"), 2, mode="chaos")])
    original = live(show)
    drive(original, 150016, [(100096, Mute(1))])  # mid-span, with state worth carrying
    twins = [pickle.loads(pickle.dumps(original)), original.fork()]
    expected = drive(original, 600064, [(300032, Next())])
    for twin in twins:
        assert drive(twin, 600064, [(300032, Next())]) == expected


def test_panic_stops_on_the_next_bar_line_and_does_nothing_when_stopped():
    from rockstar_cx.conductor import Panic

    conductor = live(HOLD_SHOW)
    events = drive(conductor, 200000, [(50048, Panic())])
    assert events[-1] == Stop(96000, 2.0, False) and max(hits(events)) == 72000
    conductor = Conductor(HOLD_SHOW, RATE)
    assert drive(conductor, 1024, [(0, Panic())]) == [] and not conductor.playing
