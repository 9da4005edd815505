"""A show's own samples: whatever could reach the speakers unsafely is refused at its line by
``check``; and show/ stays below the layers that play the show (no audio/, no soundfile for built-ins)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

import rockstar_cx
from rockstar_cx.cli import main
from rockstar_cx.errors import ShowError
from rockstar_cx.show import parse_show
from rockstar_cx.show.samples import MAX_SAMPLE_S

# [sounds] is line 4, the sample line 5
SHOW = '[show]\ntitle = "T"\ntempo = 96\n[sounds]\nbell = "bell.wav"\n'
SECTION_MOMENT = ('[[sections]]\nid = "a"\nsound = "bell"\npattern = "x..."\n'
                  '[[moments]]\nid = "m"\ntitle = "M"\nsections = ["a"]\nbars = 4\n')
PACKAGE = Path(rockstar_cx.__file__).parent


def poisoned(value: float) -> tuple[np.ndarray, int]:
    data = np.full((4800, 2), 0.25, np.float32)
    data[1200, 0] = value
    return data, 48000


BAD_SAMPLES = {
    "NaN": (lambda: poisoned(np.nan), "FLOAT", "holds a NaN or infinite value (the first at 0.025 s)"),
    "infinity": (lambda: poisoned(np.inf), "FLOAT", "holds a NaN or infinite value (the first at 0.025 s)"),
    "a 1 Hz header": (lambda: (np.zeros(10, np.float32), 1), "FLOAT",
                      "claims a sample rate of 1 Hz: a sound file must be 8000 to 384000 Hz"),
    "too long": (lambda: (np.zeros(round((MAX_SAMPLE_S + 1) * 8000), np.int16), 8000), "PCM_16",
                 f"lasts {MAX_SAMPLE_S + 1:.1f} s: a sound may last at most {MAX_SAMPLE_S:g} s"),
}


@pytest.mark.parametrize(("make", "subtype", "expected"), BAD_SAMPLES.values(), ids=BAD_SAMPLES.keys())
def test_check_refuses_an_unsafe_sample_at_its_line(tmp_path, capsys, make, subtype, expected):
    data, rate = make()
    soundfile.write(tmp_path / "bell.wav", data, rate, subtype=subtype)
    show = tmp_path / "show.toml"
    show.write_text(SHOW + SECTION_MOMENT)
    assert main(["check", str(show)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"{show}:5: sound 'bell': {tmp_path / 'bell.wav'}: {expected}")
    assert err.count("\n") == 1, "one problem, on one line"


def test_too_many_channels_are_refused(tmp_path):
    soundfile.write(tmp_path / "bell.wav", np.zeros((100, 9), np.float32), 48000, subtype="FLOAT")
    with pytest.raises(ShowError, match="has 9 channels: a sound may have at most 8"):
        parse_show(SHOW + SECTION_MOMENT, "show.toml", tmp_path)


@pytest.mark.parametrize(("make", "expected"), [
    (lambda path: path.mkdir(), "is a directory, not a sound file"),
    (lambda path: os.mkfifo(path), "is a named pipe (FIFO), not a sound file"),  # opening it would wait forever
])
def test_a_sample_that_is_no_file_says_what_it_is(tmp_path, make, expected):
    make(tmp_path / "bell.wav")
    with pytest.raises(ShowError) as caught:
        parse_show(SHOW + SECTION_MOMENT, "show.toml", tmp_path)
    [problem] = caught.value.problems
    assert (problem.line, problem.message) == (5, f"sound 'bell': {tmp_path / 'bell.wav'}: {expected}")


def soundfile_imported_by_check(show: Path) -> bool:
    script = ("import sys; from rockstar_cx.cli import main; "
              f"assert main(['check', {str(show)!r}]) == 0; print('soundfile' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.splitlines()[-1] == "True"


def test_check_imports_soundfile_only_for_a_show_with_samples(tmp_path):
    assert not soundfile_imported_by_check(PACKAGE.parent / "assets" / "shows" / "keynote.toml")
    soundfile.write(tmp_path / "bell.wav", np.full(480, 0.5, np.float32), 48000)
    (tmp_path / "show.toml").write_text(SHOW + SECTION_MOMENT)
    assert soundfile_imported_by_check(tmp_path / "show.toml")


ABOVE_SHOW = ("audio", "conductor", "ui", "midi")


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved (show/x.py is rockstar_cx.show.x)."""
    package = ["rockstar_cx", "show"]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from rockstar_cx import audio` imports a module too
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_show_imports_nothing_above_it():
    files = sorted((PACKAGE / "show").glob("*.py"))
    assert files
    def above(name: str) -> bool:
        return any(name == f"rockstar_cx.{layer}" or name.startswith(f"rockstar_cx.{layer}.") for layer in ABOVE_SHOW)

    # soundfile only where samples are read (and there only when a show has some)
    wrong = [(path.name, name) for path in files for name in imported_modules(path)
             if above(name) or (name == "soundfile" and path.name != "samples.py")]
    assert wrong == []
