"""A moment's ``reveal``: whether the stage may show the room's numbers in it (with a room microphone)."""

from __future__ import annotations

from pathlib import Path

from rockstar_cx.show import parse_show

from .test_loader import MOMENT, SHOW_SECTION
from .test_waiting import problems


def test_moments_may_reveal_by_default_and_false_keeps_it_off(tmp_path: Path) -> None:
    assert parse_show(SHOW_SECTION + MOMENT, "t.toml", tmp_path).moments[0].reveal is True
    assert parse_show(SHOW_SECTION + MOMENT + "reveal = false\n", "t.toml", tmp_path).moments[0].reveal is False


def test_reveal_must_be_true_or_false(tmp_path: Path) -> None:
    assert problems(SHOW_SECTION + MOMENT + 'reveal = "no"\n', tmp_path) == [
        (13, "'reveal' must be true or false, not a string")]
    assert problems(SHOW_SECTION + MOMENT + "reveal = 1\n", tmp_path) == [(13, "'reveal' must be true or false, not a whole number")]
