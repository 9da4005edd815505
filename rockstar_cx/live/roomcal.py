"""The room's round trip — PA → room → microphone → input — measured through the air, and kept per device.

A calibration plays the probe sweep (:class:`~rockstar_cx.audio.commands.PlayProbe`): the engine
publishes the show sample it began at, and the room ring (:mod:`rockstar_cx.audio.room`) holds what
the microphone heard at the same positions, so :func:`round_trip` counts the delay from the
probe's first sample played — to a fraction of a sample, with its polarity — and never from what a
driver reports.  :func:`save_round_trip` keeps it per output device in ``room.toml`` beside the
settings (written whole or not at all), with the room's path the sweep measured beside it (the smear
kernel's: a path the guide reveals while the room claps on it carries the claps); :func:`load_round_trip`
gives both back for the next show.

    began = sample of Applied(PlayProbe)                   # from the engine's events
    latency = round_trip(engine.room, began, probe(rate))  # None until the ring holds it all
    save_round_trip("system", 48000, latency)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.room import RoomRing
from ..files import write_atomically
from ..listening import Latency, measure_latency
from ..listening.bleed import PATH_S, path_from_response
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
    response: str = ""  # the file beside room.toml keeping the room's path the sweep measured ("": none)
    #: that path (:func:`~rockstar_cx.listening.bleed.path_from_response`): the smear kernel's, clean of any crowd
    path: np.ndarray | None = dataclasses.field(default=None, repr=False, compare=False)

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
    response, room_path = "", None
    path.parent.mkdir(parents=True, exist_ok=True)
    if latency.response.size:  # the path itself, for the next show's smear kernel: written before it is named
        response = f"room-{hashlib.sha256(device.encode()).hexdigest()[:16]}-{samplerate}.npy"
        room_path = path_from_response(latency.response, samplerate).astype(np.float32)
        data = io.BytesIO()
        np.save(data, room_path, allow_pickle=False)
        write_atomically(path.parent / response, data.getvalue())
    measured = RoundTrip(device, samplerate, round(latency.samples, 3), latency.polarity,
                         time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), response, room_path)
    kept[device] = measured
    lines = ["# The room's round trip per audio device, measured by rockstar-cx calibrate-room (F8).", ""]
    for name, trip in kept.items():
        lines += [f"[devices.{_quoted(name)}]", f"samplerate = {trip.samplerate}", f"samples = {trip.samples!r}",
                  f"polarity = {trip.polarity}", f"measured = {_quoted(trip.measured)}"]
        lines += [f"response = {_quoted(trip.response)}", ""] if trip.response else [""]
    write_atomically(path, "\n".join(lines).encode("utf-8"))
    return measured


def load_round_trip(device: str, samplerate: int, path: Path | None = None) -> RoundTrip | None:
    """``device``'s round trip at ``samplerate``, if measured (an unreadable file counts as none), with the
    room's path when it was kept and reads back whole (else ``path`` None: the guide's path stands in)."""
    path = path or room_file()
    trip = _read(path).get(device)
    if trip is None or trip.samplerate != samplerate:
        return None
    expected = int(-PATH_S[0] * samplerate) + int(PATH_S[1] * samplerate)
    try:
        kept = np.load(path.parent / trip.response, allow_pickle=False) if trip.response else None
    except (OSError, ValueError):
        kept = None
    usable = kept is not None and kept.shape == (expected,) and kept.dtype == np.float32 and np.isfinite(kept).all()
    return dataclasses.replace(trip, path=kept.astype(np.float64) if usable else None)


def _read(path: Path) -> dict[str, RoundTrip]:
    try:
        devices = tomllib.loads(path.read_text(encoding="utf-8")).get("devices", {})
        return {name: RoundTrip(name, int(row["samplerate"]), float(row["samples"]), 1 if row["polarity"] >= 0 else -1,
                                str(row.get("measured", "")), _file_name(row.get("response", "")))
                for name, row in devices.items() if isinstance(row, dict)}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
        return {}


def _quoted(text: str) -> str:
    # a TOML basic string: JSON's escapes are TOML's (control characters as \u00XX), the rest as UTF-8
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _file_name(name: object) -> str:
    """A kept response's file name, only as this module writes it: never a path out of the folder."""
    return name if isinstance(name, str) and name.startswith("room-") and "/" not in name and "\\" not in name else ""
