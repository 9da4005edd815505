"""The room heard live, offline: a simulated room written into a real room ring block by block, as the
engine's callback writes it, behind a scripted engine "playing" the show, with the listener looking every
~20 ms as its threads do.  Shared by tests/test_listener.py and scripts/bench_listen.py.

    bars, listener = listen_live(heard, played, show)            # every bar the listener measured
    heard, played = moved_room(delay_after_s=0.055)              # EIGHT_BARS: the PA heard 50 ms late, then 55 ms
    bars = listen_live(*moved_room(ramp_to=126.0), EIGHT_BARS)[0]  # a room drifting from the conductor
"""

from __future__ import annotations

import uuid

import numpy as np

import roomsim
from played import scripted_view
from rockstar_cx.audio.render import render_show
from rockstar_cx.audio.room import RoomRing
from rockstar_cx.conductor import Start
from rockstar_cx.live.listener import BarHeard, RoomListener
from rockstar_cx.show.model import Meter, Moment, Section, Show, parse_pattern

RATE = 48000
DELAY_S = 0.05  # PA → mic, at the back of the hall
BLOCK = 128
LOOK_EVERY = 1024  # samples between the listener's looks: ~20 ms
#: The show moved_room is heard playing: a clap on every beat, 8 bars at 120 bpm (2 s each), no count-in.
EIGHT_BARS = Show("Eight bars", 120.0, Meter(4, 4), (Section("a", "A", "#FFFFFF", "clap", parse_pattern("x..."), 4),),
                  (Moment("m", "M", "", ("a",), 8, then="hold"),), count_in=0, warn_beats=0)


def listen_live(heard: np.ndarray, played: np.ndarray, show: Show) -> tuple[list[BarHeard], RoomListener]:
    """The listener following ``heard`` (the mic) and ``played`` (the main mix) from the show's start:
    (the bars it measured, the listener)."""
    ring = RoomRing.create(f"rcx-listen-{uuid.uuid4().hex[:8]}", RATE)
    view, script = scripted_view(show, RATE)
    script.apply(0, Start(count_in=False))
    listener = RoomListener(show, RATE, ring, view)
    try:
        for start in range(0, len(played) - BLOCK, BLOCK):
            ring.write(start, heard[start:start + BLOCK].astype(np.float32), played[start:start + BLOCK].astype(np.float32))
            script.position = start + BLOCK
            if start % LOOK_EVERY == 0:
                listener.step()
        listener.step()
        return listener.heard_bars(), listener
    finally:
        ring.close()


def moved_room(*, ramp_to: float = 120.0, delay_after_s: float = DELAY_S, seed: int = 5,
               clappers: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(heard, played) for :data:`EIGHT_BARS`: a crowd of ``clappers`` whose own tempo ramps to ``ramp_to`` over its
    8 bars, and the PA heard ``DELAY_S`` late for 4 bars, then ``delay_after_s`` (the mic or a speaker moved)."""
    rng = np.random.default_rng(seed)
    played = render_show(EIGHT_BARS, RATE)[0].astype(np.float64)
    response = roomsim.room_response(DELAY_S, 0.8, rng)
    guide = roomsim.through_room(played, response)
    if delay_after_s != DELAY_S:  # the same hall, the path longer (or shorter) from bar 4 on
        half = 4 * 2 * RATE  # 4 bars of 2 s
        moved = np.roll(np.pad(response, (0, RATE)), round((delay_after_s - DELAY_S) * RATE))
        guide = np.concatenate((guide[:half], roomsim.through_room(played, moved)[half:len(guide)]))
    if not clappers:
        return roomsim.mix(np.zeros(len(played)), rng, guide=guide, guide_db=0.0, noise_db=-30.0), played
    times = roomsim.beat_times(DELAY_S, 120.0, ramp_to, 32)
    crowd = roomsim.through_room(roomsim.clap_track(roomsim.crowd(times, clappers, 15.0, 0.0, rng), len(played) / RATE,
                                                    rng), roomsim.room_response(0.0, 0.8, rng))
    return roomsim.mix(crowd, rng, guide=guide, guide_db=10.0, noise_db=-30.0), played
