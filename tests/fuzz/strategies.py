"""Hypothesis strategies for fuzzing: show files (byte-level and structure-aware) and controller input.

The tests in this folder draw a few hundred of each (bounded for CI); ``scripts/fuzz.py`` draws
tens of thousands from the same strategies.

* :func:`show_bytes`: random bytes, or the built-in show with a few byte-level mutations;
* :func:`show_documents`: TOML text built from the show format's own keys, with values now right,
  now at the edges of their ranges, now of the wrong type (unknown keys and tables too);
* :func:`midi_messages`: what a controller sends: notes and controllers (the generic profile's GM
  pads on channel 10 often), clock and transport, SysEx, and bytes that are no MIDI at all;
* :func:`targets` and :func:`values`: what any front-end may hand :meth:`Presenter.act`.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from hypothesis import strategies as st

from rockstar_cx.live.intent import Action, Target
from rockstar_cx.show.loader import MOMENT_KEYS, SECTION_KEYS, SHOW_KEYS
from rockstar_cx.show.sounds import BUILTIN_SOUNDS

KEYNOTE = (Path(__file__).resolve().parents[2] / "assets" / "shows" / "keynote.toml").read_bytes()

# -- byte level ---------------------------------------------------------------------------------

#: Tokens a mutation splices in: numbers at the edges, TOML's own punctuation, table headers.
_TOKENS = (b"nan", b"inf", b"-inf", b"-1", b"0", b"1e308", b"99999999999999999999", b"0x7f", b"1_000",
           b"[", b"]", b"{", b"}", b"=", b'"', b"'''", b'"""', b"\\", b"\n", b"#", b".", b",", b"\x00", b"\xff",
           b"\xef\xbb\xbf", b"\n[[moments]]\n", b"\n[[sections]]\n", b"\n[show]\n", b"\n[sounds]\n",
           b'sections = ["marketing"]', b"bars = 0", b"tempo = 300", b'mode = "chaos"', b'then = "next"',
           b"1979-05-27T07:32:00Z", b"true")


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(KEYNOTE)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.integers(0, 4))
        if kind == 0 and data:  # flip a byte
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif kind == 1:  # delete a run
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == 2:  # duplicate a run
            data[at:at] = data[at : at + draw(st.integers(1, 400))]
        elif kind == 3:
            data[at:at] = draw(st.sampled_from(_TOKENS))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


def show_bytes() -> st.SearchStrategy[bytes]:
    """Random bytes, or the built-in show mutated a few times."""
    return st.one_of(st.binary(max_size=2048), _mutated(), _mutated())


# -- structure-aware ----------------------------------------------------------------------------

_IDS = ("a", "b", "c", "marketing", "sales", "x-1", "s_2")
_any_scalar = st.one_of(st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20),
                        st.dates(), st.datetimes())
_anything = st.recursive(_any_scalar, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _value(right: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly a value of the right kind (edges included), sometimes anything at all."""
    return st.one_of(right, right, right, _anything)


_tempo = st.one_of(st.integers(-10, 1000), st.floats(0, 400), st.sampled_from([19.99, 20, 300, 300.01, 1e-300]))
_whole = st.integers(-3, 70)
_VALUES = {
    "title": st.text(max_size=40), "name": st.text(max_size=40), "caption": st.text(max_size=80),
    "tempo": _tempo, "tempo_end": _tempo,
    "meter": st.sampled_from(["4/4", "3/4", "7/8", "6/8", "1/1", "0/4", "4/0", "4/3", "99/4", "4/64", "4 / 4"])
    | st.from_regex(r"[0-9]{1,3}/[0-9]{1,3}", fullmatch=True),
    "swing": st.floats(-1, 2), "count_in": st.integers(-2, 10), "seed": st.integers(-(2**64), 2**64),
    "warn_beats": st.integers(-2, 40),
    "id": st.sampled_from(_IDS) | st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True) | st.text(max_size=12),
    "color": st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True) | st.text(max_size=8),
    "sound": st.sampled_from([*BUILTIN_SOUNDS, "bell", "nosuch", ""]),
    "pattern": st.text(alphabet="xX. |", max_size=48) | st.text(max_size=12),
    "steps_per_beat": st.integers(-1, 10), "gain": st.floats(-1, 3), "midi_note": st.integers(-1, 130),
    "sections": st.lists(st.sampled_from(_IDS), max_size=5),
    "bars": st.one_of(st.integers(-1, 16), st.integers(-1, 16), st.integers(0, 10**6)),
    "mode": st.sampled_from(["conducted", "chaos", "other"]), "then": st.sampled_from(["hold", "next", "wait"]),
}


#: Values within the format's ranges: a document of these alone is often a show that loads.
_VALID = {
    "title": st.text(min_size=1, max_size=40), "name": st.text(min_size=1, max_size=20), "caption": st.text(max_size=40),
    "tempo": st.floats(20, 300) | st.integers(20, 300), "tempo_end": st.floats(20, 300) | st.integers(20, 300),
    "meter": st.sampled_from(["4/4", "3/4", "7/8", "6/8", "5/4", "2/2", "12/16"]), "swing": st.floats(0, 0.5),
    "count_in": st.integers(0, 8), "seed": st.integers(0, 2**31), "warn_beats": st.integers(0, 4),
    "id": st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
    "color": st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True), "sound": st.sampled_from(sorted(BUILTIN_SOUNDS)),
    "pattern": st.text(alphabet="xX.", min_size=1, max_size=32), "steps_per_beat": st.integers(1, 8),
    "gain": st.floats(0, 2), "midi_note": st.integers(0, 127), "bars": st.integers(0, 16),
    "mode": st.sampled_from(["conducted", "chaos"]), "then": st.sampled_from(["hold", "next"]),
}


@st.composite
def _table(draw: st.DrawFn, keys: tuple[str, ...], required: tuple[str, ...], wild: bool,
           ids: list[str] | None = None) -> dict:
    """A table of some of ``keys`` (``required`` always); a tame moment's sections are among ``ids``."""
    values = {key: _value(_VALUES.get(key, _any_scalar)) for key in keys} if wild else {
        key: _VALID[key] for key in keys if key in _VALID}  # a key the format has since gained: in wild ones
    if ids is not None:
        values["sections"] = st.lists(st.sampled_from(ids), unique=True)
    chosen = list(required) + draw(st.lists(st.sampled_from(sorted(values)), unique=True, max_size=len(values)))
    table = {key: draw(values[key]) for key in dict.fromkeys(chosen)}
    if wild and draw(st.integers(0, 9)) == 0:  # a misspelt or unknown key
        table[draw(st.sampled_from(["tempoo", "bar", "colour", "Sections", "x"]))] = draw(_any_scalar)
    return table


@st.composite
def _document(draw: st.DrawFn) -> dict:
    """Wild (any value, any key) or within the format's ranges, moments naming the sections there are."""
    wild = draw(st.booleans())
    doc: dict = {}
    if not wild or draw(st.integers(0, 9)):
        doc["show"] = draw(_table(SHOW_KEYS, () if wild else ("title", "tempo"), wild))
    if wild and draw(st.integers(0, 4)) == 0:
        doc["sounds"] = draw(st.dictionaries(st.sampled_from(["bell", "kick", "x"]),
                                             st.sampled_from(["bell.wav", "", ".", "/dev/null", "../x.flac"])
                                             | st.text(max_size=10), max_size=2))
    doc["sections"] = draw(st.lists(_table(SECTION_KEYS, ("id", "sound", "pattern"), wild), min_size=1 - wild,
                                    max_size=6))
    ids = None if wild else list(dict.fromkeys(table["id"] for table in doc["sections"]))
    doc["moments"] = draw(st.lists(_table(MOMENT_KEYS, ("id", "title", "sections", "bars"), wild, ids), min_size=1 - wild,
                                   max_size=6))
    if wild and draw(st.integers(0, 9)) == 0:  # a table of the wrong type, or one the format lacks
        doc[draw(st.sampled_from(["show", "sections", "moments", "extra"]))] = draw(_any_scalar)
    return doc


def show_documents() -> st.SearchStrategy[str]:
    """Show files as TOML text, built from the format's keys with values of every kind."""
    return _document().map(to_toml)


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def to_toml(doc: dict) -> str:
    """A TOML document: tables of scalars as [headers], lists of tables as [[headers]]."""
    lines = []
    for key, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]", *(f"{_key(k)} = {_toml(v)}" for k, v in value.items())]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for table in value:
                lines += ["", f"[[{_key(key)}]]", *(f"{_key(k)} = {_toml(v)}" for k, v in table.items())]
        else:
            lines.insert(0, f"{_key(key)} = {_toml(value)}")  # before any header: a top-level key
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML wants DEL escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return value.isoformat()  # dates and datetimes


# -- controller input ---------------------------------------------------------------------------

_channel = st.integers(0, 15)
_data = st.integers(0, 127)
_notes = st.one_of(
    st.tuples(st.just(0x99), st.integers(36, 43), _data),  # the generic profile's pads 1-8 (5-8 beyond 4 sections)
    st.tuples(st.integers(0x80, 0x9F), _data, _data),  # notes on and off, any channel
    st.tuples(st.integers(0xB0, 0xBF), st.sampled_from([7, 64, *range(0, 72), *range(91, 99)]), _data),
    st.tuples(st.just(0x90), st.sampled_from([*range(11, 19), *range(21, 29), *range(41, 49), *range(51, 89)]),
              _data),  # a Launchpad's grid: hits, mutes, solos, teaches, launches
)
_system = st.one_of(st.sampled_from([[0xF8], [0xFA], [0xFB], [0xFC], [0xFE], [0xFF], [0xF6]]),
                    st.tuples(st.just(0xF2), _data, _data).map(list),
                    st.lists(_data, max_size=8).map(lambda body: [0xF0, *body, 0xF7]))
_garbage = st.lists(st.integers(0, 255), min_size=1, max_size=6)


def midi_messages() -> st.SearchStrategy[list[int]]:
    """One message as a controller's driver delivers it: bytes, valid or not."""
    return st.one_of(_notes.map(list), _notes.map(list), _system, _garbage)


def targets() -> st.SearchStrategy[Target]:
    """Any action, with any index a caller might pass (sections and moments far beyond the show)."""
    return st.builds(Target, st.sampled_from(list(Action)), st.none() | st.integers(-5, 70))


def values() -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(-10, 300)
