"""Small shows built in code, and a hypothesis strategy for random ones."""

from __future__ import annotations

from hypothesis import strategies as st

from rockstar_cx.show.model import Meter, Moment, Section, Show, Step


def section(id: str, pattern: str, steps_per_beat: int = 4, sound: str = "click") -> Section:
    steps = tuple({".": Step.REST, "x": Step.HIT, "X": Step.ACCENT}[c] for c in pattern.replace(" ", ""))
    return Section(id, id.title(), "#FFFFFF", sound, steps, steps_per_beat)


# Shows built here keep the live rules these tests were written for: a moment with bars moves on
# by itself (then="next") and GO arms the next bar line (warn_beats=0).  The file format's defaults
# (then="hold", one bar of warning) are the model's; tests of them say so explicitly.

def moment(id: str, sections: tuple[str, ...], bars: int, *, then: str = "next", **kw) -> Moment:
    return Moment(id, id.title(), "", sections, bars, then=then, **kw)


def make_show(sections, moments, tempo=120.0, meter=(4, 4), swing=0.0, count_in=1, seed=0, warn_beats=0) -> Show:
    return Show("test", float(tempo), Meter(*meter), tuple(sections), tuple(moments), swing, count_in, seed,
                warn_beats=warn_beats)


_steps = st.sampled_from([Step.REST, Step.HIT, Step.ACCENT])
_tempo = st.one_of(st.integers(40, 240).map(float), st.floats(40, 240, allow_nan=False).map(lambda t: round(t, 2)))


@st.composite
def random_shows(draw, *, chaos: bool = False) -> Show:
    """Random valid shows: meters, tempi, ramps, swing, triplets, held moments, overlapping sections."""
    meter = Meter(draw(st.integers(1, 7)), draw(st.sampled_from([2, 4, 8])))
    count = draw(st.integers(1, 4))
    sections = []
    for i in range(count):
        pattern = draw(st.lists(_steps, min_size=1, max_size=16).filter(any))
        sections.append(Section(f"s{i}", f"S{i}", "#FFFFFF", "click", tuple(pattern), draw(st.integers(1, 6)),
                                draw(st.floats(0, 2))))
    ids = [s.id for s in sections]
    moments = []
    for i in range(draw(st.integers(1, 4))):
        chosen = tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=count)))
        bars = draw(st.integers(0, 3))
        tempo = draw(st.none() | _tempo)
        tempo_end = draw(st.none() | _tempo) if bars else None
        mode = draw(st.sampled_from(["conducted", "chaos"])) if chaos else "conducted"
        moments.append(Moment(f"m{i}", f"M{i}", "", chosen, bars, tempo, tempo_end, mode))
    swing = draw(st.sampled_from([0.0, 0.25, 0.5]) | st.floats(0, 0.5))
    return Show("random", draw(_tempo), meter, tuple(sections), tuple(moments), swing, draw(st.integers(0, 2)),
                draw(st.integers(0, 2**31)))
