"""Shows: the user's document, read from TOML and validated.

Cheat-sheet::

    from rockstar_cx.show import load_show, parse_show, builtin_show

    show = load_show("my-show.toml")   # or load_show(None) / builtin_show() for the built-in keynote
    show = parse_show(text, "my-show.toml", base_dir)   # from text; [sounds] paths relative to base_dir
    show.sections[0].pattern          # (Step.ACCENT, Step.REST, ...)
    show.moment_tempi()               # per moment, (start, end) tempo

Any mistake in the file raises :class:`rockstar_cx.errors.ShowError`, carrying every located
problem at once.  The format is documented by example in ``assets/shows/keynote.toml``.
"""

from rockstar_cx.show.loader import builtin_show, load_show, parse_show
from rockstar_cx.show.model import (
    DEFAULT_COLORS,
    Meter,
    Moment,
    Section,
    Show,
    Step,
    format_pattern,
    parse_pattern,
)

__all__ = [
    "DEFAULT_COLORS",
    "Meter",
    "Moment",
    "Section",
    "Show",
    "Step",
    "builtin_show",
    "format_pattern",
    "load_show",
    "parse_pattern",
    "parse_show",
]
