"""The room's round trip — PA → room → microphone → input — measured through the air, and kept per device.

A calibration plays the probe sweep (:class:`~rockstar_cx.audio.commands.PlayProbe`): the engine
publishes the show sample it began at, and the room ring (:mod:`rockstar_cx.audio.room`) holds what
the microphone heard at the same positions, so :func:`round_trip` counts the delay from the
probe's first sample played — to a fraction of a sample, with its polarity — and never from what a
driver reports.  :func:`save_round_trip` keeps it per output device in ``room.toml`` beside the
settings (written whole or not at all); :func:`load_round_trip` gives it back for the next show.

    began = sample of Applied(PlayProbe)                   # from the engine's events
    latency = round_trip(engine.room, began, probe(rate))  # None until the ring holds it all
    save_round_trip("system", 48000, latency)
"""

from __future__ import annotations

import json
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.room import RoomRing
from ..files import write_atomically
from ..listening import Latency, measure_latency
from ..paths import config_dir

#: Heard after the sweep's end: the room's tail and any delay the probe may have (more than a PA
#: at the back of a 100 m hall, 0.3 s, plus an interface's buffers).
LISTEN_AFTER_S = 0.5
#: Weaker than this over the response's floor, a "delay" is noise: the microphone did not hear the probe.
MIN_PEAK_DB = 20.0


@dataclass(frozen=True)
class RoundTrip:
    """A device's measured round trip at its sample rate."""

    device: str
    samplerate: int
    samples: float
    polarity: int
    measured: str  # when, UTC, ISO 8601

    @property
    def ms(self) -> float:
        return 1000.0 * self.samples / self.samplerate

    def words(self) -> str:
        inverted = "; polarity INVERTED (a speaker or the mic wired the other way)" if self.polarity < 0 else ""
        return f"room round trip {self.ms:.2f} ms ({self.samples:.1f} samples){inverted}"


def round_trip(ring: RoomRing, began: int, sweep: np.ndarray, samplerate: int) -> Latency | None:
    """The probe begun at show sample ``began``, found in what the room heard; None until the ring
    holds the sweep and :data:`LISTEN_AFTER_S` after it (or when it holds it no longer)."""
    heard = ring.read(began, began + len(sweep) + int(LISTEN_AFTER_S * samplerate))
    if heard is None:
        return None
    return measure_latency(heard, sweep)


def heard_probe(latency: Latency) -> bool:
    """Whether the microphone heard the probe at all (not a muted input or a mic pointing nowhere)."""
    return latency.peak_to_noise_db >= MIN_PEAK_DB


def room_file() -> Path:
    return config_dir() / "room.toml"


def save_round_trip(device: str, samplerate: int, latency: Latency, path: Path | None = None) -> RoundTrip:
    """Keep ``latency`` as ``device``'s round trip (others' kept as they were); OSError if it cannot be written."""
    path = path or room_file()
    kept = _read(path)
    measured = RoundTrip(device, samplerate, round(latency.samples, 3), latency.polarity,
                         time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    kept[device] = measured
    lines = ["# The room's round trip per audio device, measured by rockstar-cx calibrate-room (F8).", ""]
    for name, trip in kept.items():
        lines += [f"[devices.{_quoted(name)}]", f"samplerate = {trip.samplerate}", f"samples = {trip.samples!r}",
                  f"polarity = {trip.polarity}", f"measured = {_quoted(trip.measured)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, "\n".join(lines).encode("utf-8"))
    return measured


def load_round_trip(device: str, samplerate: int, path: Path | None = None) -> RoundTrip | None:
    """``device``'s round trip at ``samplerate``, if measured (an unreadable file counts as none)."""
    trip = _read(path or room_file()).get(device)
    return trip if trip is not None and trip.samplerate == samplerate else None


def _read(path: Path) -> dict[str, RoundTrip]:
    try:
        devices = tomllib.loads(path.read_text(encoding="utf-8")).get("devices", {})
        return {name: RoundTrip(name, int(row["samplerate"]), float(row["samples"]), 1 if row["polarity"] >= 0 else -1,
                                str(row.get("measured", "")))
                for name, row in devices.items() if isinstance(row, dict)}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return {}


def _quoted(text: str) -> str:
    # a TOML basic string: JSON's escapes are TOML's (control characters as \u00XX), the rest as UTF-8
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
