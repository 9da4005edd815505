"""A recorded performance, analysed offline: where it starts, the guide taken out, every moment measured.

    result = listen(recording, 48000, show)            # finds the start by the guide it hears
    result = listen(recording, 48000, show, start_s=12.5)
    result.as_dict()                                   # {"start_s": ..., "moments": [{id, clapping, ...}]}

The recording must follow the show as rendered (every moment its bars, held ones
``HOLD_RENDER_BARS``), as an unattended ``play --no-ui`` run or a render played in the room does.
A recording on a second device's clock is put back on the show's by the guide heard as a pilot
(:func:`.align.measure_skew`).  The smear kernel is measured through the path from the PA to the
mic as the guide reveals it (:func:`.bleed.estimate_path`): the same path the claps take when the
mic is on the PA's axis; a mic that does not hear the guide gets no kernel (``kernel_ms`` 0: the
spread then includes the room's smear).  A room clapping on the guide is partly in that estimate
(its smear then read as the room's: spreads read low); a calibration sweep's path, played in a
quiet room, is not, and is the kernel's when given (``room_path``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from ..audio.render import render_show
from ..errors import ShowError
from ..show.model import Show
from .align import find_start, measure_skew, refine_start, unskew
from .bleed import aligned, estimate_path, path_heard, take_out_guide
from .kernel import Kernel, measure_kernel
from .onset import onset_strength
from .room import MomentMeasures, measure_moment

SKEW_MIN_PPM = 5.0  # below this the clocks are one (5 ppm: 0.5 ms over a 100 s show)


@dataclass(frozen=True)
class Listening:
    start_s: float  # where the performance's start is heard in the recording
    sample_rate: int
    skew_ppm: float  # how much faster the recording's clock ran than the show's (0: one clock)
    kernel: Kernel
    moments: tuple[MomentMeasures, ...]

    def as_dict(self) -> dict[str, object]:
        return {"start_s": round(self.start_s, 4), "sample_rate": self.sample_rate, "skew_ppm": round(self.skew_ppm, 1),
                "kernel_ms": round(self.kernel.sigma_ms, 2),
                "moments": [moment.as_dict() for moment in self.moments]}


def listen(recording: np.ndarray, rate: int, show: Show, start_s: float | None = None,
           played_rate: int = 48000, room_path: np.ndarray | None = None) -> Listening:
    """Measure every moment of ``show`` in ``recording`` (mono, at ``rate``), played at ``played_rate``;
    ``room_path``: the path a calibration sweep measured (at ``played_rate``, :func:`.bleed.path_from_response`),
    the smear kernel's instead of the one the guide reveals (which carries a room clapping on it).
    ShowError when the recording cannot hold the show (too short, or the guide is nowhere in it)."""
    recording = np.asarray(recording, dtype=np.float64)
    if rate != played_rate:  # the kit's noises differ sample by sample between rates: hear it at the played one
        common = math.gcd(rate, played_rate)
        recording = signal.resample_poly(recording, played_rate // common, rate // common)
        rate = played_rate
    guide, _, events = render_show(show, rate)
    start = find_start(recording, guide, rate) if start_s is None else refine_start(recording, guide, rate,
                                                                                     round(start_s * rate))
    skew_ppm, skew_start = measure_skew(recording, guide, start, rate)
    if abs(skew_ppm) < SKEW_MIN_PPM:
        skew_ppm = 0.0
    else:  # a second device's clock: the start where the pilot's line begins, then the show's clock
        start = skew_start
        recording = unskew(recording, start, skew_ppm)
    if start + len(guide) > len(recording) + rate or start < -rate:
        raise ShowError(f"the recording ({len(recording) / rate:.1f} s) does not hold the show's "
                        f"{len(guide) / rate:.1f} s from {start / rate:.2f} s on: check --start or the show file")
    placed = aligned(guide.astype(np.float64), start, len(recording))
    path = estimate_path(recording, placed, rate)
    heard = path_heard(path)  # not: the mic does not hear the guide, and nothing is to be taken out
    room = take_out_guide(recording, placed, rate, path) if heard else recording
    heard_guide = onset_strength(recording - room, rate) if heard else None
    kernels: dict[int, Kernel] = {}

    def kernel_for(period_s: float) -> Kernel:  # the reverberation's share depends on the grid's period
        key = round(period_s * 1000)
        if key not in kernels:
            smear = room_path if room_path is not None else path if heard else None
            kernels[key] = measure_kernel(smear, rate, key / 1000) if smear is not None else Kernel.none()
        return kernels[key]

    envelope = onset_strength(room, rate)
    moments = tuple(measure_moment(show, index, events, envelope, heard_guide, start / rate, kernel_for)
                    for index in range(len(show.moments)))
    return Listening(start / rate, rate, skew_ppm, kernel_for(60.0 / show.tempo), moments)
