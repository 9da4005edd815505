"""Any language (issue 14.2): `[show] language` checked with a FILE:LINE error, and `check` warns about characters
no font can draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from rockstar_cx.cli import main
from rockstar_cx.errors import ShowError
from rockstar_cx.show.loader import parse_show

SHOW = """[show]
title = "{title}"
tempo = 100
language = "{language}"

[[sections]]
id = "a"
name = "営業 🎸 مرحبا नमस्ते"
sound = "clap"
pattern = "x..."

[[moments]]
id = "m"
title = "Los geht's"
sections = ["a"]
bars = 2
"""


def test_the_show_language_is_checked_with_its_line_and_a_did_you_mean():
    show = parse_show(SHOW.format(title="T", language="de"), "show.toml", Path("."))
    assert show.language == "de"
    with pytest.raises(ShowError) as err:
        parse_show(SHOW.format(title="T", language="DE"), "show.toml", Path("."))
    assert "show.toml:4: 'language' must be one of 'en', 'de'" in str(err.value) and "did you mean 'de'" in str(err.value)
    assert parse_show(SHOW.format(title="T", language="en").replace('language = "en"\n', ""), "s", Path(".")).language == "en"


def test_check_warns_about_a_character_no_font_can_draw_and_names_its_line(tmp_path, capsys):
    path = tmp_path / "show.toml"
    path.write_text(SHOW.format(title="Our show \U000f0001", language="en"), encoding="utf-8")
    assert main(["check", str(path)]) in (0, None)
    err = capsys.readouterr().err
    assert f"{path}:2: warning: no font on this machine can draw" in err and "U+F0001" in err
    assert "U+" not in err.replace("U+F0001", "")  # Japanese, emoji, Arabic and Devanagari all have a font
