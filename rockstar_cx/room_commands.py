"""The command line's room: ``calibrate-room``, ``listen``, ``report``, and ``play``'s room options.

    rockstar-cx calibrate-room --room-input 1 [--device NAME]   # the round trip through the air, kept
    rockstar-cx play --room-input 1 [--record-room room.wav]      # the room heard live (and recorded)
    rockstar-cx listen RECORDING.wav [SHOW] --json OUT.json [--start SECONDS]
    rockstar-cx report RUN.json -o report.png        # or .html / .pdf

Only the parsing, the reading and the one-line summaries live here; the analysis is
:mod:`rockstar_cx.listening`, imported when a command runs.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from .errors import ShowError, printable
from .files import check_output, describe, write_atomically

COMMANDS = ("calibrate-room", "listen", "report")
ROOM_INPUT_HELP = ("the room microphone: this input channel of the same device, counted from 1 (duplex: one clock for "
                   "what is played and heard); best at the back of the hall, on the PA's axis")
CALIBRATE_TIMEOUT_S = 10.0
SETTLE_S = 0.5  # a stream just started settles (its first half second's underflows are counted apart) before the probe


def add_room_options(parser: argparse.ArgumentParser) -> None:
    """``play``'s: --room-input, --record-room."""
    parser.add_argument("--room-input", metavar="CHANNEL", help=ROOM_INPUT_HELP)
    parser.add_argument("--record-room", type=Path, metavar="FILE.wav",
                        help="record the room microphone for the whole show (with --room-input), aligned to it: "
                             "FILE.wav.json says where the show starts in it, for `rockstar-cx listen`")


def room_input(text: str | None) -> int | None:
    """--room-input's channel; ShowError for anything but a channel from 1."""
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise ShowError(f"--room-input {printable(text[:20])}: give the microphone's input channel of the "
                        "device, from 1, e.g. 1")
    return int(text)


def record_room(args: argparse.Namespace) -> Path | None:
    """--record-room's path, checked before the show (it needs --room-input)."""
    if args.record_room is None:
        return None
    if args.room_input is None:
        raise ShowError("--record-room needs --room-input: the microphone's channel to record")
    from .show.limits import output_path

    path = output_path(args.record_room)
    check_output(path, (".wav",))
    return path


def add_commands(commands: argparse._SubParsersAction, show_help: str) -> None:
    calibrate = commands.add_parser(
        "calibrate-room", help="measure the round trip PA → room → microphone, and keep it",
        description="Play a one-second sweep from the PA and find it in what the room microphone heard: the round "
                    "trip to a fraction of a sample, and whether the path inverts. Kept per device for every show "
                    "after; the console's listener follows it during the show by the guide it hears.")
    calibrate.add_argument("--room-input", metavar="CHANNEL", required=True, help=ROOM_INPUT_HELP)
    calibrate.add_argument("--device", metavar="NAME", help="the audio device: any part of its name; default: the system's")
    calibrate.add_argument("--samplerate", type=int, default=48000, metavar="HZ", help="default: 48000")
    calibrate.set_defaults(run=run_calibrate)
    listen = commands.add_parser(
        "listen", help="measure the room in a recording of a performance",
        description="Analyse a recording of a performance (the room's mic) offline: per moment, whether the room "
                    "clapped, its spread around the beat, ahead (-) or behind (+) in ms, and its tempo over the "
                    "moment's first and last bars. The recording must follow the show as rendered (held moments "
                    "4 bars, as `play --no-ui` does); where it starts is found by the guide it hears.")
    listen.add_argument("recording", type=Path, help="the recording: WAV, FLAC or AIFF (channels are mixed)")
    listen.add_argument("show", nargs="?", type=Path, help=show_help)
    listen.add_argument("--json", type=Path, required=True, metavar="OUT.json",
                        help="write the measures here, one object per moment under `moments`")
    listen.add_argument("--start", type=float, metavar="SECONDS",
                        help="where the performance's start is heard in the recording, to within 30 ms "
                             "(default: found by the guide)")
    listen.add_argument("--samplerate", type=int, default=48000, metavar="HZ",
                        help="the rate the show was played at (default: 48000); the recording's may differ")
    listen.add_argument("--device", metavar="NAME",
                        help="the audio device the room was calibrated on (calibrate-room or F8): the sweep's path "
                             "gives the room's echo, taken out of the spread (default: the device the recording's "
                             "FILE.wav.json names; without a calibration, the path the guide reveals)")
    listen.set_defaults(run=run_listen)
    report = commands.add_parser(
        "report", help="draw the room's tempo and spread across the journey",
        description="Draw the room's tempo and spread per moment, chaos next to conducted, from the JSON written "
                    "by `rockstar-cx listen`: a picture to share with the audience afterwards.")
    report.add_argument("run_json", type=Path, metavar="RUN.json", help="the measures (from `rockstar-cx listen`)")
    report.add_argument("-o", "--output", type=Path, required=True, help="the picture: .png, .html or .pdf")
    report.set_defaults(run=run_report)


def run_calibrate(args: argparse.Namespace) -> None:
    import time

    from .audio.commands import PlayProbe
    from .audio.engine import EngineConfig
    from .audio.health import AudioState
    from .audio.ipc import Applied
    from .audio.probe import probe
    from .audio.supervisor import AudioEngine
    from .live.roomcal import heard_probe, room_file, round_trip, save_round_trip
    from .show import builtin_show

    channel, rate = room_input(args.room_input), args.samplerate
    sweep = probe(rate)  # what the engine plays: found in what the room heard, looked for every 50 ms
    with AudioEngine(EngineConfig(builtin_show(), device=args.device, samplerate=rate, room_channel=channel)) as engine:
        if engine.start_state is not AudioState.OK:
            raise ShowError(f"no audio device to calibrate with: {engine.health().message}")
        device = engine.health().device
        print(printable(f"{device}: playing the probe, a one-second sweep, from the PA…"), flush=True)
        time.sleep(SETTLE_S)
        engine.send(PlayProbe())
        began, latency, deadline = None, None, time.monotonic() + CALIBRATE_TIMEOUT_S
        while latency is None:
            if time.monotonic() > deadline:
                raise ShowError("the probe was not heard back in time: is the device running?")
            time.sleep(0.05)
            if began is None:
                began = next((e.sample for e in engine.events() if type(e) is Applied and type(e.command) is PlayProbe),
                             None)
            else:
                latency = round_trip(engine.room, began, sweep, rate)
    if not heard_probe(latency):
        raise ShowError(f"the microphone on input {channel} did not hear the probe ({latency.peak_to_noise_db:.0f} dB "
                        "over its floor): check the mic, its input channel and the PA's level")
    try:
        kept = save_round_trip(device, rate, latency)
    except OSError as error:
        raise ShowError(f"cannot write {room_file()}: {describe(error)}") from error
    print(printable(f"{device}: {kept.words()}; kept in {room_file()}"))


def run_listen(args: argparse.Namespace) -> None:
    from .listening import listen
    from .live.roomcal import load_round_trip, room_file
    from .show import load_show

    if args.start is not None and not (math.isfinite(args.start) and args.start >= 0):
        raise ShowError(f"--start {args.start:g}: give the seconds into the recording (0 or more)")
    if not 8000 <= args.samplerate <= 192000:
        raise ShowError(f"--samplerate {args.samplerate}: give the rate the show was played at, e.g. 48000")
    check_output(args.json, (".json",))
    show = load_show(args.show)
    recording, rate = _read_audio(args.recording)
    device = args.device if args.device is not None else _recorded_on(args.recording)
    trip = load_round_trip(device, args.samplerate) if device else None
    if args.device is not None and (trip is None or trip.path is None):
        raise ShowError(f"--device {args.device!r}: no calibration kept for it at {args.samplerate} Hz in "
                        f"{room_file()}: run rockstar-cx calibrate-room, or leave --device out")
    room_path = trip.path if trip is not None else None
    result = listen(recording, rate, show, args.start, played_rate=args.samplerate, room_path=room_path)
    text = json.dumps({"recording": str(args.recording), "show": show.title, **result.as_dict()}, indent=2)
    try:
        write_atomically(args.json, (text + "\n").encode("utf-8"))
    except OSError as error:
        raise ShowError(f"cannot write {args.json}: {describe(error)}") from error
    clapped = sum(1 for moment in result.moments if moment.clapping)
    echo = f"the room's echo from {device}'s calibration" if room_path is not None else "the room's echo from the guide"
    print(printable(f"Wrote {args.json}: {len(result.moments)} moments, the room clapped in {clapped}; "
                    f"the show starts at {result.start_s:.2f} s; {echo}"))


def _recorded_on(recording: Path) -> str:
    """The device ``--record-room`` names in the recording's sidecar ("" without one)."""
    try:
        device = json.loads(recording.with_name(recording.name + ".json").read_text(encoding="utf-8")).get("device")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return ""
    return device if isinstance(device, str) else ""


def run_report(args: argparse.Namespace) -> None:
    from .listening.report import FORMATS, draw_report

    check_output(args.output, FORMATS)
    try:
        run = json.loads(args.run_json.read_text(encoding="utf-8"))
    except OSError as error:
        raise ShowError(f"cannot read {args.run_json}: {describe(error)}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ShowError(f"{args.run_json}: not a JSON run ({error})") from error
    if not isinstance(run, dict):
        raise ShowError(f"{args.run_json}: not a run: expected an object with `moments`")
    try:
        draw_report(run, args.output, title=str(run.get("show") or "The room"))
    except OSError as error:
        raise ShowError(f"cannot write {args.output}: {describe(error)}") from error
    print(printable(f"Wrote {args.output}"))


def _read_audio(path: Path):
    import soundfile

    if not path.is_file():
        raise ShowError(f"cannot read {path}: no such file")
    try:
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (OSError, RuntimeError, soundfile.SoundFileError) as error:
        raise ShowError(f"cannot read {path}: not an audio file libsndfile knows ({error})") from error
    if len(data) == 0:
        raise ShowError(f"{path}: the recording is empty")
    return data.mean(axis=1), rate
