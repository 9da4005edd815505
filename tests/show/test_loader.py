"""The show loader: a valid file parses to the exact model; every mistake is located and explained."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from rockstar_cx.errors import ShowError
from rockstar_cx.show import (
    DEFAULT_COLORS,
    Meter,
    Moment,
    Section,
    Show,
    Step,
    builtin_show,
    load_show,
    parse_show,
)
from rockstar_cx.show.sounds import BUILTIN_SOUNDS, DEFAULT_CUSTOM_NOTE, SOUNDS

R, H, A = Step.REST, Step.HIT, Step.ACCENT

VALID_SHOW = """\
# A show using every key, and leaving out every optional one somewhere.
[show]
title = "Test Show"
tempo = 100            # an int where a float is expected
meter = "6/8"
swing = 0.25
count_in = 2
seed = 42

[sounds]
bell = "sounds/bell.wav"

[[sections]]
id = "marketing"
sound = "click"
pattern = "X... x.x. | x... X..."

[[sections]]
id = "sales"
name = "Sales Team"
color = "#abcdef"
sound = "bell"
pattern = "x.x"
steps_per_beat = 3
gain = 1.5
midi_note = 80

[[sections]]
id = "service"
sound = "stomp"
pattern = "..x."
gain = 0

[[moments]]
id = "intro"
title = "Nail the intro"
sections = ["marketing"]
bars = 4

[[moments]]
id = "talk"
title = "Talk"
caption = "Just talking"
sections = []
bars = 0
tempo = 90

[[moments]]
id = "all"
title = "Everyone"
sections = ["marketing", "sales", "service"]
bars = 8
tempo_end = 120.5
mode = "chaos"
"""


# Building blocks for small show files: SHOW is lines 1-3, SECTION 4 lines, MOMENT 5 lines,
# so a line appended to SHOW + SECTION + MOMENT is line 13.
SHOW = '[show]\ntitle = "T"\ntempo = 96\n'
SECTION = '[[sections]]\nid = "a"\nsound = "click"\npattern = "x..."\n'
MOMENT = '[[moments]]\nid = "m"\ntitle = "M"\nsections = ["a"]\nbars = 4\n'
MOMENT_HEAD = '[[moments]]\nid = "m"\ntitle = "M"\n'  # lines 8-10 after SHOW + SECTION
SECTION_HEAD = '[[sections]]\nid = "a"\n'  # lines 4-5 after SHOW
SHOW_SECTION = SHOW + SECTION  # lines 1-7
KIT = "click, clap, stomp, snap, woodblock, claves, cowbell, kick, hihat, count, count_accent"


def write_sample(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.zeros(441, dtype=np.float32), 44100)


def test_valid_show_parses_to_the_exact_model(tmp_path: Path) -> None:
    write_sample(tmp_path / "sounds" / "bell.wav")
    show_file = tmp_path / "show.toml"
    show_file.write_text(VALID_SHOW, encoding="utf-8")

    show = load_show(show_file)

    assert show == Show(
        title="Test Show",
        tempo=100.0,
        meter=Meter(6, 8),
        sections=(
            Section(
                id="marketing", name="Marketing", color=DEFAULT_COLORS[0], sound="click",
                pattern=(A, R, R, R, H, R, H, R, H, R, R, R, A, R, R, R),
                steps_per_beat=4, gain=1.0, midi_note=SOUNDS["click"].gm_note,
            ),
            Section(
                id="sales", name="Sales Team", color="#ABCDEF", sound="bell",
                pattern=(H, R, H), steps_per_beat=3, gain=1.5, midi_note=80,
            ),
            Section(
                id="service", name="Service", color=DEFAULT_COLORS[2], sound="stomp",
                pattern=(R, R, H, R), steps_per_beat=4, gain=0.0, midi_note=SOUNDS["stomp"].gm_note,
            ),
        ),
        moments=(
            Moment(id="intro", title="Nail the intro", caption="", sections=("marketing",), bars=4),
            Moment(id="talk", title="Talk", caption="Just talking", sections=(), bars=0, tempo=90.0),
            Moment(
                id="all", title="Everyone", caption="", sections=("marketing", "sales", "service"),
                bars=8, tempo_end=120.5, mode="chaos",
            ),
        ),
        swing=0.25,
        count_in=2,
        seed=42,
        sounds=(("bell", tmp_path / "sounds" / "bell.wav"),),
        source=str(show_file),
    )
    assert show.sounds[0][1].is_absolute()
    assert all(isinstance(value, float) for value in (show.tempo, show.sections[2].gain, show.moments[1].tempo))


def test_custom_sound_defaults_to_the_custom_midi_note(tmp_path: Path) -> None:
    write_sample(tmp_path / "bell.flac")
    text = SHOW + '[sounds]\nbell = "bell.flac"\n[[sections]]\nid = "a"\nsound = "bell"\npattern = "x"\n' + MOMENT
    show = parse_show(text, "t.toml", tmp_path)
    assert show.sections[0].midi_note == DEFAULT_CUSTOM_NOTE
    assert (show.meter, show.swing, show.count_in, show.seed) == (Meter(4, 4), 0.0, 1, 0)


def test_builtin_show_loads_and_tells_the_story() -> None:
    show = builtin_show()
    assert show == load_show(None)
    assert show.source == "built-in show"
    assert len(show.sections) >= 4
    assert {s.sound for s in show.sections} >= {"click", "clap", "stomp", "snap"}
    assert all(s.sound in BUILTIN_SOUNDS for s in show.sections) and show.sounds == ()
    assert any(m.mode == "chaos" for m in show.moments)
    assert show.moments[-1].mode == "conducted"
    assert len(show.moment_sections) == len(show.moments)  # every moment's sections exist


def test_builtin_sections_never_hit_the_same_step() -> None:
    patterns = [s.pattern for s in builtin_show().sections]
    for step in range(max(len(p) for p in patterns)):
        assert sum(bool(p[step % len(p)]) for p in patterns) <= 1, f"step {step}"


MALFORMED = {
    "syntax error, reported alone": (
        '[show]\ntitle = 5\ntempo = \n[[moments]]\nid = "X"\n',
        [(3, "TOML syntax error: Invalid value (column 9)")],
    ),
    "syntax error at the end": (
        '[show]\ntitle = "T"\ntitle = "U"',
        [(3, "TOML syntax error: Cannot overwrite a value (at the end of the file)")],
    ),
    "unknown key, close match": (
        SHOW + "tempi = 90\n" + SECTION + MOMENT,
        [(4, "unknown key 'tempi' in [show] (did you mean 'tempo'?)")],
    ),
    "unknown key, no match": (
        SHOW_SECTION + "volume = 3\n" + MOMENT,
        [(8, "unknown key 'volume' in section 'a' (valid keys: id, name, color, sound, pattern, "
             "steps_per_beat, gain, midi_note)")],
    ),
    "unknown key in a moment": (
        SHOW_SECTION + MOMENT + 'captions = "hi"\n',
        [(13, "unknown key 'captions' in moment 'm' (did you mean 'caption'?)")],
    ),
    "unknown table": (
        SHOW_SECTION + MOMENT + '[sound]\nbell = "bell.wav"\n',
        [(13, "unknown table 'sound' (did you mean 'sounds'?)")],
    ),
    "show key above [show]": (
        "seed = 3\n" + SHOW + SECTION + MOMENT,
        [(1, "'seed' is outside any table: move it below the [show] header")],
    ),
    "string for a whole number": (
        SHOW_SECTION + MOMENT_HEAD + 'sections = ["a"]\nbars = "4"\n',
        [(12, "'bars' must be a whole number, not a string")],
    ),
    "bool for a number": (
        SHOW + "swing = true\n" + SECTION + MOMENT,
        [(4, "'swing' must be a number, not true/false")],
    ),
    "decimal for a whole number": (
        SHOW + "count_in = 1.5\n" + SECTION + MOMENT,
        [(4, "'count_in' must be a whole number, not a decimal number")],
    ),
    "wrong type for a string": (
        SHOW_SECTION + MOMENT + "caption = 7\n",
        [(13, "'caption' must be a string, not a whole number")],
    ),
    "tempo out of range": (
        '[show]\ntitle = "T"\ntempo = 500\n' + SECTION + MOMENT,
        [(3, "'tempo' must be between 20 and 300 beats per minute, not 500")],
    ),
    "count-in out of range": (
        SHOW + "count_in = 9\n" + SECTION + MOMENT,
        [(4, "'count_in' must be between 0 and 8 bars, not 9")],
    ),
    "gain and midi note out of range": (
        SHOW_SECTION + "gain = 2.5\nmidi_note = 128\n" + MOMENT,
        [(8, "'gain' must be between 0.0 and 2.0, not 2.5"), (9, "'midi_note' must be between 0 and 127, not 128")],
    ),
    "steps per beat out of range": (
        SHOW_SECTION + "steps_per_beat = 0\n" + MOMENT,
        [(8, "'steps_per_beat' must be between 1 and 8, not 0")],
    ),
    "moment bars and tempi out of range": (
        SHOW_SECTION + MOMENT_HEAD + 'sections = ["a"]\nbars = 1000\ntempo = 10\ntempo_end = 301\n',
        [
            (12, "'bars' must be between 0 and 999, not 1000"),
            (13, "'tempo' must be between 20 and 300 beats per minute, not 10"),
            (14, "'tempo_end' must be between 20 and 300 beats per minute, not 301"),
        ],
    ),
    "bad meter": (
        SHOW + 'meter = "4-4"\n' + SECTION + MOMENT,
        [(4, "'meter' must look like \"4/4\" (beats per bar / beat unit), not \"4-4\"")],
    ),
    "meter with a bad unit": (
        SHOW + 'meter = "4/3"\n' + SECTION + MOMENT,
        [(4, "'meter' beat unit must be 1, 2, 4, 8, 16 or 32, not 3")],
    ),
    "meter with too many beats": (
        SHOW + 'meter = "33/4"\n' + SECTION + MOMENT,
        [(4, "'meter' must have 1 to 32 beats per bar, not 33")],
    ),
    "bad colour": (
        SHOW_SECTION + 'color = "red"\n' + MOMENT,
        [(8, "'color' must be a hex colour like \"#E4572E\", not \"red\"")],
    ),
    "unknown sound": (
        SHOW + SECTION_HEAD + 'sound = "clapp"\npattern = "x"\n' + MOMENT,
        [(6, f"unknown sound 'clapp' (built-in: {KIT}; or add it under [sounds])")],
    ),
    "unknown section in a multi-line list": (
        SHOW_SECTION + MOMENT_HEAD + 'sections = [\n  "a",\n  "sales",\n]\nbars = 4\n',
        [(13, "unknown section 'sales' in 'sections' (valid sections: a)")],
    ),
    "misspelt section": (
        SHOW + '[[sections]]\nid = "sales"\nsound = "clap"\npattern = "x"\n'
        + MOMENT_HEAD + 'sections = ["sale"]\nbars = 4\n',
        [(11, "unknown section 'sale' in 'sections' (did you mean 'sales'?)")],
    ),
    "section listed twice": (
        SHOW_SECTION + MOMENT_HEAD + 'sections = ["a", "a"]\nbars = 4\n',
        [(11, "'sections' lists 'a' twice: list each section once")],
    ),
    "empty pattern": (
        SHOW + SECTION_HEAD + 'sound = "click"\npattern = " | "\n' + MOMENT,
        [(7, "'pattern' is empty: write one character per step, like \"x... x.x.\" (X accent, x hit, . rest)")],
    ),
    "pattern without hits": (
        SHOW + SECTION_HEAD + 'sound = "click"\npattern = "...."\n' + MOMENT,
        [(7, "'pattern' has no hits, so the section would never play: add at least one x or X")],
    ),
    "bad pattern character": (
        SHOW + SECTION_HEAD + 'sound = "click"\npattern = "x..o"\n' + MOMENT,
        [(7, "'pattern' has an unexpected character 'o' (use X accent, x hit, . rest)")],
    ),
    "duplicate section id": (
        SHOW_SECTION + SECTION + MOMENT,
        [(9, "duplicate section id 'a' (first used on line 5): ids must be unique")],
    ),
    "duplicate moment id": (
        SHOW_SECTION + MOMENT + MOMENT,
        [(14, "duplicate moment id 'm' (first used on line 9): ids must be unique")],
    ),
    "bad id": (
        SHOW + '[[sections]]\nid = "Sales Team"\nsound = "clap"\npattern = "x"\n'
        + MOMENT_HEAD + 'sections = ["Sales Team"]\nbars = 4\n',
        [(5, "'id' must use only lowercase letters, digits, _ and - (like \"sales\"), not \"Sales Team\"")],
    ),
    "missing keys are reported at the table header": (
        SHOW + SECTION_HEAD + 'pattern = "x"\n' + '[[moments]]\nid = "m"\nsections = []\n',
        [(4, "missing required key 'sound' in section 'a'"),
         (7, "missing required key 'title' in moment 'm'"), (7, "missing required key 'bars' in moment 'm'")],
    ),
    "missing key in [show], and a moment without an id": (
        '[show]\ntempo = 96\n' + SECTION + '[[moments]]\ntitle = "M"\nsections = []\nbars = 1\n',
        [(1, "missing required key 'title' in [show]"), (7, "missing required key 'id' in [[moments]] #1")],
    ),
    "ramp on a held moment": (
        SHOW_SECTION + MOMENT_HEAD + 'sections = ["a"]\nbars = 0\ntempo_end = 120\n',
        [(13, "'tempo_end' needs 'bars' above 0: a held moment (bars = 0) has no length to ramp over")],
    ),
    "bad mode": (
        SHOW_SECTION + MOMENT + 'mode = "free"\n',
        [(13, "'mode' must be \"conducted\" or \"chaos\", not \"free\"")],
    ),
    "missing tables": (
        "# nothing here\n",
        [(1, "missing [show] table: a show needs at least a title and a tempo"),
         (1, "missing [[sections]]: a show needs at least one section"),
         (1, "missing [[moments]]: a show needs at least one moment")],
    ),
    "single brackets for sections": (
        SHOW + '[sections]\nid = "a"\n' + MOMENT,
        [(4, "'sections' must be a list of tables, each headed [[sections]] (double brackets), not a table")],
    ),
    "too many sections": (
        SHOW + "".join(f'[[sections]]\nid = "s{i}"\nsound = "click"\npattern = "x"\n' for i in range(33))
        + '[[moments]]\nid = "m"\ntitle = "M"\nsections = []\nbars = 1\n',
        [(132, "too many sections (33): a show can have at most 32")],
    ),
    "bad [sounds] entries": (
        SHOW + '[sounds]\nclap = "clap.wav"\n"Big Bell" = 3\n' + SECTION + MOMENT,
        [(5, "sound 'clap' is already a built-in sound: give your sample another name"),
         (5, "clap.wav: file not found"),
         (6, "sound name 'Big Bell' must use only lowercase letters, digits, _ and -"),
         (6, "sound 'Big Bell' must be a file path in quotes, not a whole number")],
    ),
    "inline tables and dotted keys": (
        'show.title = "T"\nshow.tempo = 960\n'
        'sections = [\n'
        '  { id = "a", sound = "click", pattern = "x" },\n'
        '  { id = "b", sound = "kik", pattern = "x" },\n'
        ']\n'
        'moments = [{ id = "m", title = "M", sections = ["a"], bars = 4, mode = "loud" }]\n',
        [(2, "'tempo' must be between 20 and 300 beats per minute, not 960"),
         (5, f"unknown sound 'kik' (built-in: {KIT}; or add it under [sounds])"),
         (7, "'mode' must be \"conducted\" or \"chaos\", not \"loud\"")],
    ),
    "multi-line strings and comments do not shift lines": (
        SHOW_SECTION + MOMENT + 'caption = """\nbars = 5  # not a key\n"""  # tempo = 1\n# mode = 2\nmode = 3\n',
        [(17, "'mode' must be a string, not a whole number")],
    ),
}


@pytest.mark.parametrize(("text", "expected"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_show_reports_every_problem_with_its_line(
    tmp_path: Path, text: str, expected: list[tuple[int, str]]
) -> None:
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    problems = caught.value.problems
    assert [p.file for p in problems] == ["bad.toml"] * len(problems)
    found = [(p.line, p.message) for p in problems]
    assert len(found) == len(expected), found
    for (line, message), (expected_line, expected_text) in zip(found, expected):
        assert line == expected_line and expected_text in message, (line, message)


def test_several_mistakes_are_all_reported_in_line_order(tmp_path: Path) -> None:
    text = """\
[[moments]]
id = "intro"
title = "Intro"
sections = ["marketing", "salse"]
bars = -1

[show]
title = "T"
tempo = "fast"
swing = 0.6

[[sections]]
id = "marketing"
sound = "clik"
pattern = "x.y."
"""
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (4, "unknown section 'salse' in 'sections' (valid sections: marketing)"),
        (5, "'bars' must be between 0 and 999, not -1"),
        (9, "'tempo' must be a number, not a string"),
        (10, "'swing' must be between 0.0 and 0.5, not 0.6"),
        (14, f"unknown sound 'clik' (built-in: {KIT}; or add it under [sounds])"),
        (15, "'pattern' has an unexpected character 'y' (use X accent, x hit, . rest)"),
    ]
    first_line = str(caught.value).splitlines()[0]
    assert first_line == "bad.toml:4: unknown section 'salse' in 'sections' (valid sections: marketing)"


def test_unreadable_sample_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "bell.wav").write_text("not audio at all", encoding="utf-8")
    text = SHOW + '[sounds]\n\n# my bell\nbell = "bell.wav"\n' + SECTION + MOMENT
    with pytest.raises(ShowError) as caught:
        parse_show(text, "bad.toml", tmp_path)
    [problem] = caught.value.problems
    assert problem.line == 7
    assert problem.message.startswith(f"sound 'bell': {tmp_path / 'bell.wav'}: cannot be read: ")
    assert problem.message.endswith("Use a WAV, FLAC or OGG file.")


def test_missing_show_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ShowError) as caught:
        load_show(missing)
    assert str(caught.value) == f"{missing}: cannot read: No such file or directory"
    assert caught.value.problems[0].line == 0


def test_show_file_that_is_not_utf8(tmp_path: Path) -> None:
    show_file = tmp_path / "latin1.toml"
    show_file.write_bytes('[show]\ntitle = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ShowError) as caught:
        load_show(show_file)
    assert str(caught.value) == f"{show_file}:2: not UTF-8 text: invalid continuation byte (column 13); save the file as UTF-8"
