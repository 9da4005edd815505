"""The room heard live, offline: a simulated room written into a real room ring block by block, as the
engine's callback writes it, behind a scripted engine "playing" the show, with the listener looking every
~20 ms as its threads do.  Shared by tests/test_listener.py and scripts/bench_listen.py.

    bars, listener = listen_live(heard, played, show)            # every bar the listener measured
    heard, played = moved_room(delay_after_s=0.055)              # EIGHT_BARS: the PA heard 50 ms late, then 55 ms
    bars = listen_live(*moved_room(ramp_to=126.0), EIGHT_BARS)[0]  # a room drifting from the conductor
    bars = listen_live(*moved_room(), EIGHT_BARS, calibrated=hall(5))[0]  # the presenter pressed F8 first
"""

from __future__ import annotations

import uuid

import numpy as np

import roomsim
from played import scripted_view
from rockstar_cx.audio.commands import PlayProbe
from rockstar_cx.audio.probe import probe
from rockstar_cx.audio.render import render_show
from rockstar_cx.audio.room import RoomRing
from rockstar_cx.conductor import Start
from rockstar_cx.live.heard import BarHeard
from rockstar_cx.live.listener import RoomListener
from rockstar_cx.show.model import Meter, Moment, Section, Show, parse_pattern

RATE = 48000
DELAY_S = 0.05  # PA → mic, at the back of the hall
BLOCK = 128
LOOK_EVERY = 1024  # samples between the listener's looks: ~20 ms
#: The show moved_room is heard playing: a clap on every beat, 8 bars at 120 bpm (2 s each), no count-in.
EIGHT_BARS = Show("Eight bars", 120.0, Meter(4, 4), (Section("a", "A", "#FFFFFF", "clap", parse_pattern("x..."), 4),),
                  (Moment("m", "M", "", ("a",), 8, then="hold"),), count_in=0, warn_beats=0)


def listen_live(heard: np.ndarray, played: np.ndarray, show: Show,
                calibrated: np.ndarray | None = None) -> tuple[list[BarHeard], RoomListener]:
    """The listener following ``heard`` (the mic) and ``played`` (the main mix) from the show's start:
    (the bars it measured, the listener).  ``calibrated``: a room response the presenter's calibration
    sweep (F8) is heard through first, in a quiet room, while the show is stopped."""
    ring = RoomRing.create(f"rcx-listen-{uuid.uuid4().hex[:8]}", RATE)
    view, script = scripted_view(show, RATE)
    listener = RoomListener(show, RATE, ring, view)
    try:
        begin = 0
        if calibrated is not None:
            assert listener.calibrate()
            sweep = probe(RATE)
            script.apply(BLOCK, PlayProbe())
            played_sweep = np.pad(sweep, (BLOCK, 2 * RATE))
            quiet = np.random.default_rng(0).normal(0.0, 1e-4, len(played_sweep))
            _write(ring, script, listener, roomsim.through_room(played_sweep, calibrated) + quiet, played_sweep, 0)
            begin = len(played_sweep) // BLOCK * BLOCK
        script.apply(begin, Start(count_in=False))
        _write(ring, script, listener, heard, played, begin)
        listener.step()
        return listener.heard_bars(), listener
    finally:
        ring.close()


def _write(ring: RoomRing, script, listener: RoomListener, heard: np.ndarray, played: np.ndarray, at: int) -> None:
    """The engine's callback writing ``heard`` and ``played`` from ring position ``at``, the listener looking."""
    for start in range(0, len(played) - BLOCK, BLOCK):
        ring.write(at + start, heard[start:start + BLOCK].astype(np.float32),
                   played[start:start + BLOCK].astype(np.float32))
        script.position = at + start + BLOCK
        if start % LOOK_EVERY == 0:
            listener.step()


def hall(seed: int) -> np.ndarray:
    """The PA's path to the mic in :func:`moved_room` of ``seed`` (its generator's first draw), before any move."""
    return roomsim.room_response(DELAY_S, 0.8, np.random.default_rng(seed))


def moved_room(*, ramp_to: float = 120.0, delay_after_s: float = DELAY_S, seed: int = 5,
               clappers: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(heard, played) for :data:`EIGHT_BARS`: a crowd of ``clappers`` whose own tempo ramps to ``ramp_to`` over its
    8 bars, and the PA heard ``DELAY_S`` late for 4 bars, then ``delay_after_s`` (the mic or a speaker moved)."""
    rng = np.random.default_rng(seed)
    played = render_show(EIGHT_BARS, RATE)[0].astype(np.float64)
    response = roomsim.room_response(DELAY_S, 0.8, rng)  # hall(seed)
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
