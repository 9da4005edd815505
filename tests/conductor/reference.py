"""An independent statement of the timing rules, in exact arithmetic, for the tests to check against.

Written straight from the show-format spec, not from the conductor's code: moments follow each
other on bar lines, patterns loop from each section's entry, swing delays odd steps of a bar,
ramps integrate 60/tempo, a hit at time t sounds at sample round(t·rate) with halves up (and
within the documented TIE_EPSILON below a half, which float arithmetic cannot tell from one), and
the journey ends with one accent per section of the last moment on the following downbeat.
"""

from __future__ import annotations

import math
from fractions import Fraction

from rockstar_cx.conductor.timeline import TIE_EPSILON
from rockstar_cx.show.model import Show

_TIE = Fraction(1, 2) + Fraction(TIE_EPSILON)


def reference_hits(show: Show, rate: int, *, count_in: bool = False) -> list[tuple[int, int, bool, int]]:
    """(sample, section, accent, moment) of every hit of an offline performance, sorted."""
    meter = show.meter.beats
    time = Fraction(0)
    beat = 0
    tempi = show.moment_tempi()
    if count_in and show.count_in:
        time += Fraction(60) * show.count_in * meter / Fraction(tempi[0][0])
        beat += show.count_in * meter
    hits = []
    entries: dict[str, int] = {}
    for index, moment in enumerate(show.moments):
        tempo, tempo_end = tempi[index]
        beats = moment.render_bars * meter
        entries = {s: entries.get(s, beat) for s in moment.sections}

        def at(x: Fraction, start=time, tempo=tempo, tempo_end=tempo_end, beats=beats) -> Fraction:
            if tempo == tempo_end:
                return start + Fraction(60) * x / Fraction(tempo)
            k = (tempo_end - tempo) / beats
            return start + Fraction(60.0 / k * math.log1p(k * float(x) / tempo))

        for section_id in moment.sections:
            index_s = show.section_index[section_id]
            section = show.sections[index_s]
            per_beat = section.steps_per_beat
            for n in range(beats * per_beat):  # n: step of this moment
                position = beat + Fraction(n, per_beat)
                step = section.pattern[int((position - entries[section_id]) * per_beat) % len(section.pattern)]
                if not step:
                    continue
                x = Fraction(n, per_beat)
                if n % (meter * per_beat) % 2:
                    x += Fraction(show.swing) / per_beat
                hits.append((math.floor(at(x) * rate + _TIE), index_s, step == 2, index))
        time = at(Fraction(beats))
        beat += beats
    end = math.floor(time * rate + Fraction(1, 2))
    last = len(show.moments) - 1
    hits += [(end, show.section_index[s], True, last) for s in show.moments[last].sections]
    return sorted(hits, key=lambda h: (h[0], h[1]))
