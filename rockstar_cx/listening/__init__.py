"""The conductor listens: what the room did, measured from a microphone, offline on numpy arrays.

Cheat-sheet (everything mono float arrays at one sample rate; no devices)::

    from rockstar_cx.listening import (onset_strength, fold, follow, bar_tempo, measure_latency, log_sweep,
                                       take_out_guide, find_start, listen)

    env = onset_strength(audio, 48000)            # band power 1.5-6 kHz (20 ms average), its rise per 1 ms
    spread = fold(env, beat_times)                # circular statistics on the known grid, as read:
    spread.r, spread.raw_sigma_ms, spread.ahead_ms  # R, σ = T/(2π)·√(−2 ln R), mean phase (negative: ahead)
    spread.clapping                               # False for speech, music, silence
    heard_clapping(room_spread, guide_spread)     # and False for what is left of the guide once taken out
    kernel = measure_kernel(path, 48000, period_s)  # the room's smear, as a curve through its response
    sigma_ms, ahead_ms = kernel.correct(spread)   # the room's own; Kernel(σ_k, ahead_k): √(σ² − σ_k²)
    track = follow(env, first_beat_s, period_s, beats)  # the room's own pulse from the conductor's grid
    bar_tempo(track, 4)                           # Tempo(start_bpm, end_bpm, bars): first and last bar
    pulse(pulse_shape(env, track.grid, track.periods), guide_shape)   # "same", "half" or "double"
    path = estimate_path(recording, guide_aligned, 48000)   # the PA -> mic path the guide reveals
    path_heard(path)                              # False: the mic does not hear the guide
    room = take_out_guide(recording, guide_aligned, 48000, path)      # the PA's bleed out
    lat = measure_latency(recording, log_sweep(48000))   # Latency(samples (fractional), polarity, ...)
    start = find_start(recording, rendered_guide, 48000)  # sample where the show's start is heard
    pilot = track_delay(recording, guide, start, 48000)   # the guide as a pilot: delay per window, skew_ppm
    skew_ppm, start = measure_skew(recording, guide, start, 48000)   # the same, in two passes: ±0.5 ppm
    recording = unskew(recording, start, skew_ppm)  # a second device's recording on the show's clock
    result = listen(recording, 48000, show)        # Listening: start_s, kernel, per-moment MomentMeasures
    result.as_dict()["moments"]   # [{id, clapping, spread_ms, ahead_ms, tempo_start_bpm, tempo_end_bpm, ...}]
    draw_report(run_dict, Path("report.png"))      # the journey's tempo and spread (.png, .html, .pdf)

Layer: above show, conductor and audio; below live.  Pure numpy/scipy (matplotlib only in
:mod:`.report`, imported when drawing).
"""

from .align import DelayTrack, find_start, measure_skew, track_delay, unskew
from .bleed import aligned, estimate_path, path_heard, remove_guide, subtract_path, take_out_guide
from .circular import Spread, fold, heard_clapping, sigma_from_r
from .kernel import Kernel, measure_kernel
from ..audio.probe import log_sweep  # the sweep the engine plays: one for playing and for finding it
from .latency import Latency, impulse_response, measure_latency
from .offline import Listening, listen
from .onset import Envelope, onset_strength
from .report import draw_report
from .room import MomentMeasures
from .tempo import PulseShape, Tempo, Track, bar_tempo, follow, pulse, pulse_shape

__all__ = [
    "DelayTrack", "Envelope", "Kernel", "Latency", "Listening", "MomentMeasures", "PulseShape", "Spread", "Tempo",
    "Track", "aligned", "bar_tempo", "draw_report", "estimate_path", "find_start", "fold", "follow", "heard_clapping",
    "impulse_response", "listen", "log_sweep", "measure_kernel", "measure_latency", "measure_skew", "onset_strength",
    "path_heard", "pulse", "pulse_shape", "remove_guide", "sigma_from_r", "subtract_path", "take_out_guide",
    "track_delay", "unskew",
]
