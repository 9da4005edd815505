"""The picture to share afterwards: the room's tempo and spread across the journey, chaos next to conducted.

Reads a run's ``moments`` (from ``rockstar-cx listen``; or a live run report, ``play --report``,
whose ``room`` rows are joined to its moments by id) and draws two panels over the journey's time:
the room's tempo against the conductor's, and the room's spread per moment, chaos moments in a
warm colour and shaded.  matplotlib (Agg, no display) is imported only here, when a picture is
asked for.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import ShowError
from ..files import write_atomically

FORMATS = (".png", ".html", ".pdf")
CONDUCTED, CHAOS, CONDUCTOR = "#0072B2", "#D55E00", "#777777"  # Okabe & Ito, as the stage's palette
BANDS = ((25.0, "tight"), (50.0, "ok"))  # spread in ms: tight < 25, ok 25-50, loose above


def draw_report(run: Mapping[str, object], path: Path, title: str = "The room") -> Path:
    """Draw ``run["moments"]`` to ``path`` (.png, .html or .pdf), whole or not at all."""
    moments = _with_room(run)
    if not moments:
        raise ShowError("the run holds no moments to draw: give the JSON written by `rockstar-cx listen`")
    if not any("clapping" in moment for moment in moments):
        raise ShowError("the run's moments hold no room measures: give the JSON written by `rockstar-cx listen`")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ShowError(f"{path}: name the picture .png, .html or .pdf")
    figure = _figure(moments, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg" if suffix == ".html" else suffix[1:], dpi=150)
    data = buffer.getvalue()
    if suffix == ".html":
        data = _page(title, data, moments).encode("utf-8")
    return write_atomically(path, data)


def _with_room(run: Mapping[str, object]) -> list[dict]:
    """The run's moments, each with the room's measures: in it already (``listen``), or from a live run
    report's ``room`` rows (per moment id: clapping when any bar was, the median spread and ahead/behind)."""
    moments = run.get("moments")
    if not isinstance(moments, list) or not all(isinstance(m, dict) for m in moments):
        return []
    room = run.get("room")
    if not isinstance(room, list):
        return list(moments)
    heard = {row.get("id"): row for row in room if isinstance(row, dict)}
    joined = []
    for moment in moments:
        row = heard.get(moment.get("id"))
        if row is None:
            joined.append(moment)
            continue
        clapped = isinstance(row.get("clapping_bars"), int) and row["clapping_bars"] > 0
        joined.append({**moment, "clapping": clapped, "spread_ms": row.get("spread_ms"),
                       "ahead_ms": row.get("ahead_ms")})
    return joined


def _spans(moments: Sequence[Mapping[str, object]]) -> list[tuple[float, float]]:
    """(start, end) of each moment in seconds; one unit per moment when the run has no times."""
    spans = []
    for index, moment in enumerate(moments):
        start, seconds = moment.get("start_s"), moment.get("seconds")
        if isinstance(start, (int, float)) and isinstance(seconds, (int, float)):
            spans.append((float(start), float(start) + float(seconds)))
        else:
            spans.append((float(index), float(index + 1)))
    return spans


def _figure(moments: Sequence[Mapping[str, object]], title: str):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 6.5), layout="constrained")
    tempo_axes, spread_axes = figure.subplots(2, 1, sharex=True)
    figure.suptitle(title, fontsize=16, fontweight="bold")
    spans = _spans(moments)
    for moment, (start, end) in zip(moments, spans):
        chaos = moment.get("mode") == "chaos"
        colour = CHAOS if chaos else CONDUCTED
        for axes in (tempo_axes, spread_axes):
            if chaos:
                axes.axvspan(start, end, color=CHAOS, alpha=0.08, linewidth=0)
        conductor = (moment.get("conductor_tempo_start_bpm"), moment.get("conductor_tempo_end_bpm"))
        if all(isinstance(v, (int, float)) for v in conductor):
            tempo_axes.plot((start, end), conductor, color=CONDUCTOR, linestyle="--", linewidth=1.5)
        label = str(moment.get("title") or moment.get("id") or "")
        spread_axes.annotate(label, ((start + end) / 2, 0), xytext=(0, -14), textcoords="offset points",
                             ha="center", va="top", fontsize=8, rotation=20)
        if not moment.get("clapping"):
            spread_axes.annotate("no clapping", ((start + end) / 2, 2), ha="center", fontsize=8, color=CONDUCTOR)
            continue
        room = (moment.get("tempo_start_bpm"), moment.get("tempo_end_bpm"))
        if all(isinstance(v, (int, float)) for v in room):
            tempo_axes.plot((start, end), room, color=colour, linewidth=3, marker="o")
        spread = moment.get("spread_ms")
        if not isinstance(spread, (int, float)):  # clapped, on steps too close together to tell the spread
            spread_axes.annotate("clapping", ((start + end) / 2, 2), ha="center", fontsize=8, color=colour)
        else:
            spread_axes.bar((start + end) / 2, spread, width=0.8 * (end - start), color=colour)
            spread_axes.annotate(f"{spread:.0f} ms", ((start + end) / 2, spread), xytext=(0, 3),
                                 textcoords="offset points", ha="center", fontsize=9)
    for limit, name in BANDS:
        spread_axes.axhline(limit, color=CONDUCTOR, linewidth=0.8, linestyle=":")
        spread_axes.annotate(name, (spans[0][0], limit), xytext=(2, -10), textcoords="offset points", fontsize=8,
                             color=CONDUCTOR)
    tempo_axes.set_ylabel("tempo (bpm)")
    tempo_axes.plot([], [], color=CONDUCTED, linewidth=3, label="the room, conducted")
    tempo_axes.plot([], [], color=CHAOS, linewidth=3, label="the room, no conductor")
    tempo_axes.plot([], [], color=CONDUCTOR, linestyle="--", label="the conductor")
    tempo_axes.legend(loc="upper left", fontsize=9)
    spread_axes.set_ylabel("spread around the beat (ms)")
    spreads = [m["spread_ms"] for m in moments if isinstance(m.get("spread_ms"), (int, float))]
    spread_axes.set_ylim(0, max([BANDS[-1][0], *spreads]) * 1.15)
    spread_axes.set_xticks([])
    return figure


def _page(title: str, svg: bytes, moments: Sequence[Mapping[str, object]]) -> str:
    """A standalone page: the picture and the figures as a table."""
    keys = ("id", "mode", "clapping", "spread_ms", "ahead_ms", "tempo_start_bpm", "tempo_end_bpm")
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(m.get(k, '')))}</td>" for k in keys) + "</tr>"
                   for m in moments)
    image = base64.b64encode(svg).decode("ascii")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<img alt='{html.escape(title)}' src='data:image/svg+xml;base64,{image}' style='max-width:100%'>"
            f"<table><tr>{''.join(f'<th>{k}</th>' for k in keys)}</tr>{rows}</table></body></html>")
