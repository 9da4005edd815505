"""The show-file keys for waiting on the presenter: a moment's ``then``, ``[show] warn_beats``."""

from __future__ import annotations

from pathlib import Path

import pytest

from rockstar_cx.errors import ShowError
from rockstar_cx.show import parse_show

from .test_loader import MOMENT, SECTION, SHOW, SHOW_SECTION


def problems(text: str, tmp_path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    return [(p.line, p.message) for p in caught.value.problems]


def test_moments_hold_and_warn_one_bar_by_default(tmp_path: Path) -> None:
    show = parse_show(SHOW.replace("tempo = 96", 'tempo = 96\nmeter = "3/4"') + SECTION + MOMENT, "t.toml", tmp_path)
    assert (show.moments[0].then, show.warn_beats, show.warning_beats) == ("hold", None, 3)


def test_then_and_warn_beats_are_read(tmp_path: Path) -> None:
    text = SHOW + "warn_beats = 2\n" + SECTION + MOMENT + 'then = "next"\n'
    show = parse_show(text, "t.toml", tmp_path)
    assert (show.moments[0].then, show.warn_beats, show.warning_beats) == ("next", 2, 2)
    assert parse_show(SHOW + "warn_beats = 0\n" + SECTION + MOMENT, "t.toml", tmp_path).warning_beats == 0


@pytest.mark.parametrize(("text", "expected"), [
    (SHOW_SECTION + MOMENT + 'then = "nxt"\n',
     [(13, "'then' must be \"hold\" (wait for the presenter) or \"next\" (move on by itself), not \"nxt\" "
           "(did you mean 'next'?)")]),
    (SHOW_SECTION + MOMENT + "then = true\n", [(13, "'then' must be a string, not true/false")]),
    (SHOW_SECTION + MOMENT.replace("bars = 4", "bars = 0") + 'then = "next"\n',
     [(13, "'then = \"next\"' needs 'bars' above 0: a moment with bars = 0 waits for the presenter from its start")]),
    (SHOW + "warn_beats = 17\n" + SECTION + MOMENT,
     [(4, "'warn_beats' must be between 0 and 16 beats (4 bars of 4), not 17")]),
    (SHOW + 'meter = "6/8"\nwarn_beats = -1\n' + SECTION + MOMENT,
     [(5, "'warn_beats' must be between 0 and 24 beats (4 bars of 6), not -1")]),
    (SHOW + "warn_beats = 1.5\n" + SECTION + MOMENT, [(4, "'warn_beats' must be a whole number, not a decimal number")]),
    (SHOW + "warn_beat = 4\n" + SECTION + MOMENT, [(4, "unknown key 'warn_beat' in [show] (did you mean 'warn_beats'?)")]),
], ids=["unknown then", "then not a string", "next without bars", "warn too far", "warn negative", "warn not whole",
        "misspelt key"])
def test_mistakes_are_located_and_explained(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    assert problems(text, tmp_path) == expected
