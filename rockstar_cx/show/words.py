"""The words the stage says, in every language a show can choose with ``[show] language``.

One table: a language code (ISO 639-1) -> every stage word.  To add a language, copy the ``"en"``
entry under its code and translate the right-hand sides, keeping the ``{placeholders}``; the
show loader accepts every code in :data:`WORDS`, and the tests check each entry has every key.
Cue words (what the stage flashes for a sound) are the ``sound.*`` keys: short and in capitals.
"""

from __future__ import annotations

from .sounds import SOUND_WORDS

DEFAULT_LANGUAGE = "en"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "thank_you": "THANK YOU",
        "you_were_the_band": "You were the band.",
        "no_conductor": "NO CONDUCTOR",
        "bar": "BAR {bar}",
        "beat": "BEAT {beat}",
        "count_in": "COUNT-IN",
        "listen": "LISTEN…",
        "your_turn": "YOUR TURN, {name}!",
        "learn": "Learn your part: {name}",
        "up_next": "Up next: {title}",
        "muted": "MUTED",
        "solo": "SOLO",
        "out_in": "OUT IN {n}",
        "enter_in_badge": "ENTER IN {n}",
        "enter_in": "{names} ENTER IN",
        "stop_in": "{names} STOP IN",
        "last_hit_in": "LAST HIT IN",
        "moment_in": "{title} IN",
        "next_bar": "THE NEXT BAR",
        "spread": "SPREAD",
        "ms": "{ms} ms",
        "together": "TOGETHER",
        "reveal_without": "WITHOUT: {spread} ms apart, {drift} bpm",
        "reveal_with": "WITH: {spread} ms apart, {drift} bpm",
        **{f"sound.{name}": word for name, word in SOUND_WORDS.items()},
    },
    "de": {
        "thank_you": "DANKE",
        "you_were_the_band": "Ihr wart die Band.",
        "no_conductor": "KEIN DIRIGENT",
        "bar": "TAKT {bar}",
        "beat": "SCHLAG {beat}",
        "count_in": "EINZÄHLEN",
        "listen": "ZUHÖREN…",
        "your_turn": "JETZT IHR, {name}!",
        "learn": "Lernt euren Part: {name}",
        "up_next": "Gleich: {title}",
        "muted": "STUMM",
        "solo": "SOLO",
        "out_in": "RAUS IN {n}",
        "enter_in_badge": "EINSATZ IN {n}",
        "enter_in": "{names}: EINSATZ IN",
        "stop_in": "{names}: SCHLUSS IN",
        "last_hit_in": "LETZTER SCHLAG IN",
        "moment_in": "{title} IN",
        "next_bar": "NÄCHSTER TAKT",
        "spread": "STREUUNG",
        "ms": "{ms} ms",
        "together": "ZUSAMMEN",
        "reveal_without": "OHNE: {spread} ms auseinander, {drift} bpm",
        "reveal_with": "MIT: {spread} ms auseinander, {drift} bpm",
        "sound.click": "KLICK", "sound.clap": "KLATSCH", "sound.stomp": "STAMPF", "sound.snap": "SCHNIPP",
        "sound.woodblock": "KLOPF", "sound.claves": "KLACK", "sound.cowbell": "DING", "sound.kick": "BUMM",
        "sound.hihat": "TSS", "sound.count": "ZÄHLEN", "sound.count_accent": "ZÄHLEN",
    },
}
LANGUAGES: tuple[str, ...] = tuple(WORDS)


def say(language: str, key: str, **values: object) -> str:
    """The stage word ``key`` in ``language`` (English where a language lacks it), placeholders filled."""
    table = WORDS.get(language, WORDS[DEFAULT_LANGUAGE])
    return table.get(key, WORDS[DEFAULT_LANGUAGE][key]).format(**values)


def cue_word(language: str, sound: str) -> str:
    """What the stage flashes for ``sound``: its word, or a custom sample's name in capitals."""
    table = WORDS.get(language, WORDS[DEFAULT_LANGUAGE])
    return table.get(f"sound.{sound}") or SOUND_WORDS.get(sound, sound.upper())


def language_problem(language: str) -> str | None:
    """The show loader's check of ``[show] language`` (None: fine)."""
    if language in WORDS:
        return None
    import difflib

    close = difflib.get_close_matches(language.lower(), LANGUAGES, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (f"'language' must be one of {', '.join(repr(code) for code in LANGUAGES)} (the stage's words; "
            f"rockstar_cx/show/words.py tells how to add one), not \"{language}\"{hint}")
