"""Bounded work for any input (issue 16): every file the loader cannot or should not read, and every
text beyond the format's bounds, is one clear ``FILE[:LINE]: message``, found without parsing it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rockstar_cx.errors import ShowError
from rockstar_cx.show import load_show, parse_show
from rockstar_cx.show.limits import (
    MAX_DIGITS,
    MAX_EVENTS,
    MAX_FILE_BYTES,
    MAX_KEY_CHARS,
    MAX_KEY_PARTS,
    MAX_MOMENTS,
    MAX_NESTING,
)
from rockstar_cx.show.checks import MAX_PROBLEMS
from rockstar_cx.show.loader import MAX_SOUNDS

from .bombs import beat_bomb, dotted_key_bomb
from .test_loader import MOMENT, SECTION, SHOW, SHOW_SECTION


def problems_of(text: str, tmp_path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    return [(p.line, p.message) for p in caught.value.problems]


def load_error(path: Path | str) -> str:
    with pytest.raises(ShowError) as caught:
        load_show(path)
    [problem] = caught.value.problems
    return str(problem)


# -- reading the file ---------------------------------------------------------------------------


def test_a_fifo_is_named_and_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "show.toml"
    os.mkfifo(fifo)  # no writer: opening it for reading would wait forever
    assert load_error(fifo) == f"{fifo}: cannot read: it is a named pipe (FIFO), not a show file"


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device or socket"), ("/tmp", "a directory")])
def test_devices_and_directories_are_named(path: str, kind: str) -> None:
    assert load_error(path) == f"{path}: cannot read: it is {kind}, not a show file"


def test_path_problems_are_one_line_each(tmp_path: Path) -> None:
    assert load_error("~nosuchuser/show.toml") == (
        "~nosuchuser/show.toml: cannot read: there is no user 'nosuchuser' (for the '~nosuchuser' in the path)")
    long_name = tmp_path / ("a" * 300 + ".toml")
    assert load_error(long_name) == f"{long_name}: cannot read: File name too long"
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    assert load_error(loop) == f"{loop}: cannot read: Too many levels of symbolic links"


def test_a_file_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert load_error(big) == (f"{big}: cannot read: larger than {MAX_FILE_BYTES >> 10} KB, which no show file "
                               "needs (is this the right file?)")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    show_file = tmp_path / "bom.toml"
    show_file.write_bytes(b"\xef\xbb\xbf" + (SHOW_SECTION + MOMENT).encode())
    assert load_show(show_file).title == "T"


def test_bad_utf8_is_located(tmp_path: Path) -> None:
    show_file = tmp_path / "bad.toml"
    show_file.write_bytes(b'[show]\ntitle = "\xc3\xa9t\xe9"\n')
    assert load_error(show_file) == f"{show_file}:2: not UTF-8 text: invalid continuation byte (column 12); " \
                                    "save the file as UTF-8"


# -- the text, before tomllib ---------------------------------------------------------------------


BEYOND = {
    "a dotted key": (
        SHOW_SECTION + MOMENT + "a" + ".b" * MAX_KEY_PARTS + " = 1\n",
        13, f"a dotted key of more than {MAX_KEY_PARTS} parts: a show file needs at most 2 (like show.tempo)",
    ),
    "a dotted table header": (
        SHOW + "\n[" + ".".join(["a"] * (MAX_KEY_PARTS + 1)) + "]\n",
        5, f"a dotted key of more than {MAX_KEY_PARTS} parts",
    ),
    "a dotted key in an inline table": (
        SHOW + 'x = [{ a = 1, "b" . c . d . e . f . g . h . i . j = 2 }]\n',
        4, f"a dotted key of more than {MAX_KEY_PARTS} parts",
    ),
    "a long key": (
        SHOW + "k" * (MAX_KEY_CHARS + 1) + " = 1\n",
        4, f"a key of {MAX_KEY_CHARS + 1} characters: keys may have at most {MAX_KEY_CHARS}",
    ),
    "a long quoted key": (
        SHOW + 'x = { "' + "k" * (MAX_KEY_CHARS + 1) + '" = 1 }\n',
        4, f"a key of {MAX_KEY_CHARS + 1} characters",
    ),
    "deep nesting": (
        SHOW + "x = [\n" + "[" * MAX_NESTING + "]" * (MAX_NESTING + 1) + "\n",
        5, f"lists or tables nested more than {MAX_NESTING} deep: a show file needs at most 2",
    ),
    "deep inline tables": (
        SHOW + "x = " + "{ a = " * (MAX_NESTING + 1) + "1" + " }" * (MAX_NESTING + 1) + "\n",
        4, f"lists or tables nested more than {MAX_NESTING} deep",
    ),
    "a huge integer": (
        SHOW + "seed = 1_" + "9" * 5000 + "\n",
        4, f"a number of 5001 digits: numbers in a show file have at most {MAX_DIGITS}",
    ),
    "a huge integer in a list, after a multi-line string": (
        SHOW + 'caption = """\n[[[[[[[[[[ 12345678901234567890123456789012345\n"""\nx = [\n  1,\n  '
        + "9" * (MAX_DIGITS + 1) + "]\n",
        9, f"a number of {MAX_DIGITS + 1} digits",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), BEYOND.values(), ids=BEYOND.keys())
def test_text_beyond_the_formats_bounds_is_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    [(found_line, found)] = problems_of(text, tmp_path)
    assert found_line == line and found.startswith(message), (found_line, found)


def test_what_looks_like_a_bound_inside_strings_and_comments_is_not_one(tmp_path: Path) -> None:
    long_words = "a.b.c.d.e.f.g.h.i.j " + "9" * 500 + " [[[[[[[[[[[{{{{{{{{{{"
    text = (SHOW + f"# {long_words}\n" + SECTION + '[[moments]]\nid = "m"\ntitle = "M"\n'
             f'caption = """{long_words}\n{long_words}"""\nsections = ["a"]\nbars = 4\n')
    assert parse_show(text, "ok.toml", tmp_path).moments[0].caption == f"{long_words}\n{long_words}"


def test_the_bombs_of_issue_16_are_refused_at_their_lines(tmp_path: Path) -> None:
    [(line, message)] = problems_of(dotted_key_bomb(), tmp_path)
    assert (line, message[:35]) == (1, "a dotted key of more than 8 parts: ")
    [(line, message)] = problems_of(beat_bomb(), tmp_path)
    assert line == 165  # the moment's [[moments]] header
    assert message.startswith("the show has 8,215,809 hits and beats by the end of this moment: a show may have "
                              f"at most {MAX_EVENTS:,}")


# -- the show's size ------------------------------------------------------------------------------


def test_a_show_longer_than_three_hours_is_located_at_its_moment(tmp_path: Path) -> None:
    moments = "".join(f'[[moments]]\nid = "m{i}"\ntitle = "M"\nsections = ["a"]\nbars = 999\n' for i in range(4))
    [(line, message)] = problems_of('[show]\ntitle = "T"\ntempo = 60\nmeter = "3/4"\n' + SECTION + moments, tmp_path)
    # 999 bars of 3/4 at 60 bpm are 49 min 57 s; the 4th moment ends after 3 h 19 min 48 s (and a count-in bar)
    assert line == 24
    assert message == "the show lasts 3 h 20 min by the end of this moment: a show may last at most 3 hours"


def test_a_three_hour_keynote_at_the_limits_still_loads(tmp_path: Path) -> None:
    # The show MAX_EVENTS is made for: 3 hours at 300 bpm, 8 sections hitting all 32 steps of each 4/4 bar.
    sections = "".join(f'[[sections]]\nid = "s{i}"\nsound = "click"\npattern = "x"\nsteps_per_beat = 8\n'
                       for i in range(8))
    ids = ", ".join(f'"s{i}"' for i in range(8))
    moments = "".join(f'[[moments]]\nid = "m{i}"\ntitle = "M"\nsections = [{ids}]\nbars = 900\n' for i in range(15))
    show = parse_show('[show]\ntitle = "T"\ntempo = 300\ncount_in = 0\n' + sections + moments, "ok.toml", tmp_path)
    assert sum(m.bars for m in show.moments) * 4 / 300 == 180  # minutes


def test_too_many_moments_and_sounds(tmp_path: Path) -> None:
    sounds = "[sounds]\n" + "".join(f'b{i} = "b{i}.wav"\n' for i in range(MAX_SOUNDS + 1))
    moments = MOMENT.replace('id = "m"', 'id = "{}"')
    text = SHOW + sounds + SECTION + "".join(moments.format(f"m{i}") for i in range(MAX_MOMENTS + 1))
    found = problems_of(text, tmp_path)
    assert found[-2] == (5 + MAX_SOUNDS, f"too many sounds: a show can have at most {MAX_SOUNDS}, one per section")
    assert found[-1] == (10 + MAX_SOUNDS + 5 * MAX_MOMENTS,
                         f"too many moments ({MAX_MOMENTS + 1}): a show can have at most {MAX_MOMENTS}")


def test_checking_stops_after_enough_problems(tmp_path: Path) -> None:
    sections = "".join(f'[[sections]]\nid = "s{i}"\nsound = "click"\npattern = "x"\n' for i in range(5000))
    text = SHOW + sections + '[[moments]]\nid = "m"\ntitle = "M"\nbars = 1\nsections = [' + '"zz",' * 20000 + "]\n"
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert str(problems[-1]) == f"bad.toml: stopped after {MAX_PROBLEMS} problems: fix these first"


def test_a_sound_path_with_an_unknown_user(tmp_path: Path) -> None:
    text = SHOW + '[sounds]\nbell = "~nosuchuser/bell.wav"\n' + SECTION + MOMENT
    assert problems_of(text, tmp_path) == [
        (5, "sound 'bell': there is no user 'nosuchuser' (for the '~nosuchuser' in the path)")]
