#!/usr/bin/env python3
"""The listening figures of issue 15's *done means*, over a grid of seeds of the room simulator.

Each row is measured on simulated rooms (tests/roomsim.py: a crowd clapping, the PA's guide, a
hall's reverberation, noise) whose truth is known, and says whether the issue's bound is met:

* latency through the air: error in samples and polarity, noise as loud as the probe, RT60 1.5 s;
* a 5 ms change of the round trip, and a second device's 100 ppm clock, followed through the guide;
* spread: |σ − true| ≤ 5 ms or 15 %, ahead/behind within 5 ms — N 30–1,000, σ 10–60 ms, RT60 ≤ 1.5 s,
  the guide 10 dB over the crowd at the microphone and taken out;
* tempo drift over 16 bars within ±0.5 bpm for ramps of ±15 bpm between 70 and 160 bpm, and a room
  that halves or doubles its pulse reported as such;
* no clapping in speech, music and the guide alone.

    .venv/bin/python scripts/bench_listen.py [--seeds 3]

Offline on numpy arrays, faster than real time (the live listener's rows too: it follows a room
ring written as the engine's callback would, tests/roomlive.py); the figures through JACK (a clap
on the console's meter, the listener's cost, the engine's callback with listening on) are
bench_realtime.py's and the tests' (tests/audio/test_room.py).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

RATE = 48000
DELAY_S = 0.05


def latency_rows(seeds: range) -> list[str]:
    import roomsim
    from rockstar_cx.audio.probe import probe
    from rockstar_cx.listening import measure_latency

    sweep, errors, polarities = probe(RATE), [], []
    for seed in seeds:
        for polarity in (1, -1):
            rng = np.random.default_rng(seed)
            delay = 0.0123 + rng.uniform(0, 0.05)
            heard = roomsim.through_room(np.concatenate((sweep, np.zeros(RATE))),
                                         roomsim.room_response(delay, 1.5, rng, polarity=polarity))
            heard += rng.normal(0.0, roomsim.rms(heard), len(heard))  # noise as loud as the probe
            found = measure_latency(heard, sweep)
            errors.append(abs(found.samples - delay * RATE))
            polarities.append(found.polarity == polarity)
    return [_row("latency, noise as loud as the probe, RT60 1.5 s", f"worst error {max(errors):.3f} samples; "
                 f"polarity {sum(polarities)}/{len(polarities)}", max(errors) <= 1.0 and all(polarities))]


def tracking_rows(seeds: range) -> list[str]:
    """The round trip followed through the guide: the live listener's bars after a 5 ms change
    (tests/roomlive.py), and a second device 100 ppm fast over 10 minutes, offline."""
    import roomlive
    import roomsim
    from rockstar_cx.audio.render import render_show
    from rockstar_cx.listening import find_start, measure_skew, track_delay, unskew
    from rockstar_cx.show import builtin_show

    show, late, wrong = roomlive.EIGHT_BARS, [], []
    moved = roomlive.DELAY_S + 0.005
    for seed in seeds:  # the change comes with bar 4: bar 4's measure or bar 5's must tell it
        bars = roomlive.listen_live(*roomlive.moved_room(delay_after_s=moved, seed=seed), show)[0]
        told = [b.bar for b in bars if b.bar >= 4 and abs(b.round_trip_ms - 1000 * moved) <= 1000 / RATE]
        late.append(told[0] - 3 if told else math.inf)
        wrong += [b.bar for b in bars if b.bar < 4 and abs(b.round_trip_ms - 1000 * roomlive.DELAY_S) > 1000 / RATE]
        wrong += [b.bar for b in bars if told and b.bar > told[0] and b.bar not in told]
    rows = [_row("a 5 ms change of the round trip, live", f"told {max(late)} bar(s) after it at worst, over {len(late)} "
                 f"rooms; bars misread {len(wrong)}", max(late) <= 2 and not wrong)]
    guide = render_show(builtin_show(), RATE)[0].astype(np.float64)
    guide = np.tile(guide, math.ceil(600 * RATE / len(guide)))[:600 * RATE]  # ten minutes of the show's guide
    residuals = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        played = np.concatenate((np.zeros(RATE), guide, np.zeros(RATE)))
        heard = roomsim.skew(roomsim.mix(roomsim.through_room(played, roomsim.room_response(DELAY_S, 1.2, rng)), rng,
                                         noise_db=-10), 100.0)
        skew_ppm, start = measure_skew(heard, guide, find_start(heard, guide, RATE), RATE)
        pilot = track_delay(unskew(heard, start, skew_ppm), guide, start, RATE)
        off = np.abs(pilot.delays - np.median(pilot.delays)) / RATE * 1000
        residuals.append((float(np.max(off)), float(np.percentile(off, 95)), skew_ppm))
    worst = max(r[0] for r in residuals)
    return rows + [_row("a second device 100 ppm fast, over 10 minutes", f"skew read {min(r[2] for r in residuals):.2f}"
                        f"-{max(r[2] for r in residuals):.2f} ppm; residual after it worst {worst:.3f} ms, p95 "
                        f"{max(r[1] for r in residuals):.3f} ms", worst <= 0.5)]


def spread_rows(seeds: range) -> list[str]:
    import roomsim
    from rockstar_cx.listening import fold, measure_kernel, onset_strength, take_out_guide

    worst_sigma, worst_ahead, misses, cases = 0.0, 0.0, [], 0
    for clappers, spread, offset, rt60, bpm in ((30, 10, 0, 0.3, 120), (300, 30, -10, 1.2, 120),
                                                 (1000, 60, 15, 1.5, 120), (300, 10, 0, 1.5, 120),
                                                 (100, 20, 5, 1.5, 160), (30, 30, 10, 1.5, 70)):
        for seed in seeds:
            rng = np.random.default_rng(seed)
            times = roomsim.beat_times(1.0, bpm, bpm, 32)
            response = roomsim.room_response(DELAY_S, rt60, rng)
            dry = roomsim.clap_track(roomsim.crowd(times, clappers, spread, offset, rng), times[-1] + 1.0, rng)
            guide = np.zeros(len(dry))
            for t in times:  # the PA's guide: a click on every beat, heard through the same hall
                at = int(t * RATE)
                guide[at:at + 240] += np.hanning(480)[240:] * np.sin(np.arange(240) * 0.9)
            heard_guide = roomsim.through_room(guide, response)
            mic = roomsim.mix(roomsim.through_room(dry, response), rng, guide=heard_guide, guide_db=10.0)
            room = take_out_guide(mic, guide, RATE)
            sigma, ahead = measure_kernel(response, RATE, 60 / bpm).correct(fold(onset_strength(room, RATE),
                                                                                 times + DELAY_S))
            error_sigma, error_ahead = sigma - spread, ahead - offset
            cases += 1
            if abs(error_sigma) > max(5.0, 0.15 * spread) or abs(error_ahead) > 5.0 or not math.isfinite(sigma):
                misses.append(f"N {clappers} σ {spread} RT60 {rt60} seed {seed}: σ {sigma:.1f}, ahead {ahead:+.1f}")
            worst_sigma = max(worst_sigma, abs(error_sigma))
            worst_ahead = max(worst_ahead, abs(error_ahead))
    rows = [_row("spread, guide +10 dB taken out", f"worst |σ error| {worst_sigma:.1f} ms, |ahead error| "
                 f"{worst_ahead:.1f} ms; {cases - len(misses)}/{cases} within bounds", not misses)]
    return rows + [f"      outside: {miss}" for miss in misses]


def tempo_rows(seeds: range) -> list[str]:
    import roomsim
    from rockstar_cx.listening import bar_tempo, follow, onset_strength, pulse, pulse_shape

    worst, cases = 0.0, 0
    for start, end in ((70, 85), (85, 70), (120, 135), (135, 120), (145, 160), (160, 145)):
        for seed in seeds:
            rng = np.random.default_rng(seed)
            times = roomsim.beat_times(1.0, start, end, 64)
            dry = roomsim.clap_track(roomsim.crowd(times, 300, 25, 0, rng), times[-1] + 1.0, rng)
            envelope = onset_strength(roomsim.mix(roomsim.through_room(dry, roomsim.room_response(DELAY_S, 1.2, rng)),
                                                  rng), RATE)
            tempo = bar_tempo(follow(envelope, times[0] + DELAY_S, 60 / start, len(times)), 4)
            truth = roomsim.bar_tempo(times, 15) - roomsim.bar_tempo(times, 0)
            worst = max(worst, abs((tempo.end_bpm - tempo.start_bpm) - truth))
            cases += 1
    told = []
    for every, offbeats, expected in ((2, False, "half"), (1, True, "double")):
        rng = np.random.default_rng(7)
        times = roomsim.beat_times(1.0, 100, 100, 64)
        claps = roomsim.crowd(times, 300, 15, 0, rng, every=every)
        if offbeats:
            claps = roomsim.join(claps, roomsim.crowd((times[:-1] + times[1:]) / 2, 300, 15, 0, rng))
        envelope = onset_strength(roomsim.mix(roomsim.clap_track(claps, times[-1] + 1.0, rng), rng), RATE)
        track = follow(envelope, times[0], 0.6, len(times))
        told.append(pulse(pulse_shape(envelope, track.grid, track.periods)) == expected)
    return [_row("tempo drift over 16 bars, ramps of ±15 bpm at 70-160", f"worst error {worst:.2f} bpm over "
                 f"{cases} rooms", worst <= 0.5),
            _row("a halved and a doubled pulse", f"told {sum(told)}/2", all(told))]


def no_clapping_rows(seeds: range) -> list[str]:
    import roomlive
    import roomsim
    from rockstar_cx.listening import fold, onset_strength

    show, moves = roomlive.EIGHT_BARS, (roomlive.DELAY_S, roomlive.DELAY_S + 0.005)  # a steady path, and one that moves
    bars = [b for seed in seeds for after in moves
            for b in roomlive.listen_live(*roomlive.moved_room(clappers=0, seed=seed, delay_after_s=after), show)[0]]
    rows = [_row("no clapping in the guide alone, its path steady or moved (the live listener)",
                 f"clapping heard in {sum(b.clapping for b in bars)}/{len(bars)} bars", bool(bars) and not any(b.clapping for b in bars))]
    heard = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        times = roomsim.beat_times(1.0, 110, 110, 32)
        for make in (lambda: roomsim.speech_like(times[-1] + 1.0, rng), lambda: roomsim.music_like(times[-1] + 1.0, rng)):
            heard.append(fold(onset_strength(make(), RATE), times).clapping)
    return rows + [_row("no clapping in speech and music", f"clapping heard in {sum(heard)}/{len(heard)}", not any(heard))]


def _row(what: str, figures: str, met: bool) -> str:
    return f"{'met ' if met else 'NOT '} {what}: {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="simulated rooms per case (default 3)")
    args = parser.parse_args()
    seeds = range(2, 2 + args.seeds)
    for part in (latency_rows, tracking_rows, spread_rows, tempo_rows, no_clapping_rows):
        began = time.perf_counter()
        for line in part(seeds):
            print(line, flush=True)
        print(f"      ({time.perf_counter() - began:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
