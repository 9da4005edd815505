"""The command line's ``listen`` and ``report``: what the room did, from a recording, and its picture.

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

COMMANDS = ("listen", "report")


def add_commands(commands: argparse._SubParsersAction, show_help: str) -> None:
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
    listen.set_defaults(run=run_listen)
    report = commands.add_parser(
        "report", help="draw the room's tempo and spread across the journey",
        description="Draw the room's tempo and spread per moment, chaos next to conducted, from the JSON written "
                    "by `rockstar-cx listen`: a picture to share with the audience afterwards.")
    report.add_argument("run_json", type=Path, metavar="RUN.json", help="the measures (from `rockstar-cx listen`)")
    report.add_argument("-o", "--output", type=Path, required=True, help="the picture: .png, .html or .pdf")
    report.set_defaults(run=run_report)


def run_listen(args: argparse.Namespace) -> None:
    from .listening import listen
    from .show import load_show

    if args.start is not None and not (math.isfinite(args.start) and args.start >= 0):
        raise ShowError(f"--start {args.start:g}: give the seconds into the recording (0 or more)")
    if not 8000 <= args.samplerate <= 192000:
        raise ShowError(f"--samplerate {args.samplerate}: give the rate the show was played at, e.g. 48000")
    check_output(args.json, (".json",))
    show = load_show(args.show)
    recording, rate = _read_audio(args.recording)
    result = listen(recording, rate, show, args.start, played_rate=args.samplerate)
    text = json.dumps({"recording": str(args.recording), "show": show.title, **result.as_dict()}, indent=2)
    try:
        write_atomically(args.json, (text + "\n").encode("utf-8"))
    except OSError as error:
        raise ShowError(f"cannot write {args.json}: {describe(error)}") from error
    clapped = sum(1 for moment in result.moments if moment.clapping)
    print(printable(f"Wrote {args.json}: {len(result.moments)} moments, the room clapped in {clapped}; "
                    f"the show starts at {result.start_s:.2f} s"))


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
