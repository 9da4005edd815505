#!/usr/bin/env python3
"""The README's room picture: the built-in keynote heard by a simulated room, measured and drawn.

The show is rendered (held moments 4 bars, as ``play --no-ui`` plays it); a crowd of 300 claps
every step the sections play, 20 ms apart from each other, with the conductor; in the chaos it
claps one pulse of its own, 60 ms apart and speeding up by 12 % (groups clapping alone speed up)
— through a hall with RT60 1.2 s, the PA's guide 10 dB over the crowd at the microphone.  The hall is
calibrated first (the sweep heard through it, kept as ``calibrate-room`` keeps it), ``rockstar-cx
listen`` measures the show and ``rockstar-cx report`` draws it, as a presenter would after a show.

    .venv/bin/python scripts/room_picture.py [--out docs/screenshots/room-report.png]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

CLAPPERS = 300
SPREAD_MS = {"conducted": 20.0, "chaos": 60.0}
CHAOS_SPEEDUP = 1.12  # over the chaos, the room's own pulse speeds up by this much (groups alone speed up)
LEAD_S = 1.0  # silence before the show in the recording
#: The mic at the back on the PA's axis: a clap made with the guide as its clapper heard it reaches
#: the mic as late as the guide itself does (README: where to put the microphone).
DELAY_S = 0.03


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "room-report.png")
    args = parser.parse_args()

    import roomsim
    from rockstar_cx.audio.probe import probe
    from rockstar_cx.audio.render import render_show
    from rockstar_cx.cli import main as cli
    from rockstar_cx.conductor.events import Beat, Hit
    from rockstar_cx.listening import measure_latency
    from rockstar_cx.live.roomcal import save_round_trip
    from rockstar_cx.show import builtin_show

    show, rate, rng = builtin_show(), roomsim.RATE, np.random.default_rng(2026)
    guide, _, events = render_show(show, rate)
    hits = [e for e in events if type(e) is Hit and show.moments[e.moment].sections]
    conducted = np.unique([h.time for h in hits if show.moments[h.moment].mode != "chaos"]) + LEAD_S
    groups = [roomsim.crowd(conducted, CLAPPERS, SPREAD_MS["conducted"], 0.0, rng)]
    for index, moment in enumerate(show.moments):  # without a conductor the room claps one pulse, speeding up
        beats = [e for e in events if type(e) is Beat and e.moment == index]
        if moment.mode == "chaos" and beats:
            pulse = roomsim.beat_times(beats[0].time + LEAD_S, beats[0].tempo, beats[0].tempo * CHAOS_SPEEDUP,
                                       len(beats))
            groups.append(roomsim.crowd(pulse, CLAPPERS, SPREAD_MS["chaos"], 0.0, rng))
    seconds = LEAD_S + len(guide) / rate + 1.0
    crowd = roomsim.through_room(roomsim.clap_track(roomsim.join(*groups), seconds, rng),
                                 roomsim.room_response(DELAY_S, 1.2, rng))
    heard_guide = np.zeros(len(crowd))
    heard_guide[int(LEAD_S * rate):int(LEAD_S * rate) + len(guide)] = guide
    hall = roomsim.room_response(DELAY_S, 1.2, rng)  # the PA -> mic path: the guide's, and the sweep's before the show
    mic = roomsim.mix(crowd, rng, guide=roomsim.through_room(heard_guide, hall), guide_db=10.0, noise_db=-30.0)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # the calibration kept there, not in your own settings
        sweep = probe(rate)  # calibrate-room in the quiet hall before the show
        heard_sweep = roomsim.through_room(np.pad(sweep.astype(np.float64), (0, rate)), hall)
        save_round_trip("hall", rate, measure_latency(heard_sweep + rng.normal(0.0, 1e-4, len(heard_sweep)), sweep))
        recording, measured = Path(folder) / "room.wav", Path(folder) / "room.json"
        soundfile.write(recording, (mic / np.max(np.abs(mic)) * 0.5).astype(np.float32), rate, subtype="FLOAT")
        for command in (["listen", str(recording), "--json", str(measured), "--device", "hall"],
                        ["report", str(measured), "-o", str(args.out)]):
            if cli(command) != 0:
                raise SystemExit(f"rockstar-cx {command[0]} failed")


if __name__ == "__main__":
    main()
