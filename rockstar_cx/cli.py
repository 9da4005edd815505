"""The command line: ``rockstar-cx [COMMAND] [SHOW] [OPTIONS]``.

User mistakes (a bad show file, a bad option, an unknown device) print one clear message and
exit 2; anything unexpected exits 1 and leaves the full story in the log file.  ``play`` exits 3
when the run lost its audio engine at least once (even if it was revived): a rehearsal script can tell.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import ShowError, printable
from .files import check_output, describe, write_atomically
from .paths import log_file
from .room_commands import COMMANDS as ROOM_COMMANDS
from .room_commands import add_commands as add_room_commands
from .room_commands import add_room_options, record_room, room_input

if TYPE_CHECKING:
    from .audio.cue import Routing

EXIT_USER_ERROR = 2
EXIT_BUG = 1
EXIT_ENGINE_LOST = 3  # play: the audio engine died at least once during the run (revived or not)

DESCRIPTION = """\
Musical keynotes: split the audience into sections, teach each a rhythm, layer them moment by
moment — the app conducts, on the projector, through the speakers and over MIDI.

Without a command, rockstar-cx plays (the built-in keynote show unless you name a show file).

examples:
  rockstar-cx                              play the built-in show
  rockstar-cx play my-show.toml --device USB   play a show through a USB interface
  rockstar-cx play --no-ui --duration 60 --report run.json   a headless rehearsal with a health report
  rockstar-cx check my-show.toml           validate a show file and summarise it
  rockstar-cx render -o show.wav           render the built-in show to a WAV file
  rockstar-cx render my-show.toml -o mix.wav --stems stems/
  rockstar-cx export-midi my-show.toml -o show.mid
  rockstar-cx devices                      list audio devices and MIDI ports
  rockstar-cx calibrate-room --room-input 1   the round trip PA -> room -> microphone, kept for the device
  rockstar-cx play --room-input 1 --record-room room.wav   hear the room live, and record it
  rockstar-cx listen room.wav --json room.json   measure the room in a recording of the show
  rockstar-cx report room.json -o room.png  draw the room's tempo and spread across the journey

exit status: 0 done; 1 unexpected error (see the log); 2 a user mistake; 3 play lost its audio
engine at least once (even if revived: see the report's engine_failures); 130 Ctrl-C or SIGTERM
"""

COMMANDS = ("play", "render", "export-midi", "check", "devices") + ROOM_COMMANDS
SHOW_HELP = "show file (TOML); the built-in keynote show when left out"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rockstar-cx", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"rockstar-cx {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = commands.add_parser("play", help="perform live (the default command)",
                               description="Perform the show live through the audio device. Without a device "
                                           "(or when it is lost) the show goes on silently and the audio comes "
                                           "back by itself when the device does.")
    _add_play_options(play)
    play.set_defaults(run=_play)

    render = commands.add_parser("render", help="render the whole journey to a WAV file",
                                 description="Render the whole journey, every moment in order (held moments "
                                             "get 4 bars), to a 24-bit WAV file, faster than real time.")
    _add_journey_options(render, "the file to write: .wav, .flac or .aiff (24-bit)")
    render.add_argument("--stems", type=Path, metavar="DIR",
                        help="also write DIR/<section id>.wav per section (alone, before the limiter, 32-bit float)")
    _add_rate(render)
    render.set_defaults(run=_render)

    export = commands.add_parser("export-midi", help="write the journey as a MIDI file",
                                 description="Write the same events as `render` as a Standard MIDI File: one "
                                             "track per section on channel 10, with the tempo map and meter.")
    _add_journey_options(export, "the .mid (or .midi) file to write")
    export.set_defaults(run=_export_midi)

    check = commands.add_parser("check", help="validate a show file",
                                description="Validate a show file: exit 0 with a summary, or exit 2 listing every "
                                            "problem as FILE:LINE: message.")
    check.add_argument("show", type=Path, help="show file (TOML)")
    check.set_defaults(run=_check)

    devices = commands.add_parser("devices", help="list audio devices and MIDI ports",
                                  description="List audio output devices and MIDI ports by name (choose them with "
                                              "--device / --midi-in / --midi-out by any part of the name).")
    devices.add_argument("--midi-api", choices=("auto", "alsa", "jack"), default="auto",
                         help="MIDI system on Linux (default: ALSA if there is one, else JACK)")
    devices.set_defaults(run=_devices)
    add_room_commands(commands, SHOW_HELP)  # calibrate-room, listen, report: the room's microphone
    return parser


def _add_play_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("show", nargs="?", type=Path, help=SHOW_HELP)
    parser.add_argument("--device", metavar="NAME",
                        help="audio output: any part of its name (see `rockstar-cx devices`); default: the system's")
    _add_rate(parser)
    parser.add_argument("--blocksize", type=int, default=128, metavar="FRAMES",
                        help="audio block size, 64-2048 (default: 128; raise it if you hear dropouts)")
    parser.add_argument("--latency", default="low", metavar="low|high|SECONDS",
                        help="output latency asked of the device (default: low)")
    parser.add_argument("--main-channels", default="1,2", metavar="1,2",
                        help="the device's channels for the room's mix, counted from 1 (default: 1,2)")
    parser.add_argument("--cue-channels", metavar="3,4",
                        help="the presenter's in-ear cue mix on these channels (a device with 4 or more): the click, "
                             "the count-in and a cue a bar before every moment change; the click then never reaches "
                             "the room (default: none, the click plays in the room's mix)")
    add_room_options(parser)  # --room-input, --record-room
    parser.add_argument("--no-ui", action="store_true",
                        help="no stage window: start the journey at once (held moments play 4 bars)")
    parser.add_argument("--duration", type=float, metavar="SECONDS",
                        help="stop after this long; with the stage, the show starts at once (unattended runs)")
    midi = parser.add_argument_group("MIDI (ports by any part of their name; `virtual` opens a port of our own)")
    midi.add_argument("--midi-in", action="append", default=[], metavar="NAME",
                      help="a controller to play the show from (repeatable)")
    midi.add_argument("--midi-out", action="append", default=[], metavar="NAME",
                      help="send MIDI clock and the sections' notes there (repeatable)")
    midi.add_argument("--clock-in", metavar="NAME", help="follow this external MIDI clock (tempo, start, stop)")
    midi.add_argument("--midi-api", choices=("auto", "alsa", "jack"), default="auto",
                      help="MIDI system on Linux (default: ALSA if there is one, else JACK)")
    midi.add_argument("--midi-offset", type=float, default=0.0, metavar="MS",
                      help="send notes and clock this much earlier (+) or later (-) to meet a device's latency")
    midi.add_argument("--midi-clock-while-stopped", action="store_true",
                      help="keep sending MIDI clock when the show is stopped")
    stage = parser.add_argument_group("the stage app (not with --no-ui)")
    stage.add_argument("--display", type=int, metavar="N",
                       help="the screen for the stage view, counted from 1 (default: the last one, e.g. the projector)")
    stage.add_argument("--fullscreen", action="store_true", help="the stage view fullscreen (F11 toggles)")
    stage.add_argument("--visual-offset", type=float, metavar="MS",
                       help="how late the projector shows a frame, in ms (typically 20-80): cues are drawn that much "
                            "earlier; default: the calibrated value (F9), else 0")
    stage.add_argument("--moment", type=int, metavar="N", help="start performing at once from moment N (from 1)")
    stage.add_argument("--screenshot", type=Path, metavar="OUT.png", help="save the stage view when the run ends")
    stage.add_argument("--presenter-screenshot", type=Path, metavar="OUT.png",
                       help="save the presenter console when the run ends")
    parser.add_argument("--report", type=Path, metavar="FILE.json",
                        help="write the run report (callbacks, underflows, timing, device losses) as JSON")


def _add_journey_options(parser: argparse.ArgumentParser, output_help: str) -> None:
    """What render and export-midi share: the show, the file to write, the count-in."""
    parser.add_argument("show", nargs="?", type=Path, help=SHOW_HELP)
    parser.add_argument("-o", "--output", type=Path, required=True, help=output_help)
    parser.add_argument("--count-in", action="store_true", help="start with the show's count-in bars")


def _add_rate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplerate", type=int, default=48000, metavar="HZ",
                        help="sample rate in Hz (default: 48000)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help", "--version"):
        argv.insert(0, "play")  # `rockstar-cx [SHOW] [options]` plays
    args = parser.parse_args(argv)
    for number in _ENDING_SIGNALS:
        signal.signal(number, _end)
    try:
        return args.run(args) or 0
    except ShowError as error:
        print(error, file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: whatever was being written is left as it was
        return 130
    except BrokenPipeError:  # `rockstar-cx check x.toml | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except Exception:  # a bug: keep the whole story, tell the user where it is
        path = _log_exception()
        print(f"rockstar-cx: unexpected error: {sys.exc_info()[1]!r}\nThe details are in {path}", file=sys.stderr)
        return EXIT_BUG


# SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) end a run like Ctrl-C does.
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _end(number: int, frame: object) -> None:
    for ending in _ENDING_SIGNALS:  # once: a second signal must not cut the closing short
        signal.signal(ending, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(number).name)


def _log_exception() -> str:
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as error:
        return f"(none: the log {path} could not be written: {error}):\n{traceback.format_exc()}"
    logger = logging.getLogger("rockstar_cx")
    logger.addHandler(handler)
    logger.exception("unexpected error")
    logger.removeHandler(handler)
    handler.close()
    return str(path)


def _load(path: Path | None):
    from .show import load_show

    return load_show(path)


def _routing(args: argparse.Namespace) -> Routing:
    """--main-channels and --cue-channels as the engine's Routing (ShowError for a bad list or a shared channel)."""
    from .audio.cue import check_routing, parse_channels

    cue = () if args.cue_channels is None else parse_channels("--cue-channels", args.cue_channels)
    return check_routing(parse_channels("--main-channels", args.main_channels), cue)


def _latency(text: str) -> str | float:
    if text in ("low", "high"):
        return text
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.0 < seconds <= 1.0:
        raise ShowError(f"--latency {text}: use low, high, or seconds such as 0.01")
    return seconds


def _play(args: argparse.Namespace) -> int:
    import json

    from .audio.engine import EngineConfig
    from .midi.session import MidiOptions
    from .performance import Performance, PerformanceConfig
    from .show.limits import output_path
    from .ui.options import StageOptions

    show = _load(args.show)
    _check_rate(args.samplerate)
    if not 64 <= args.blocksize <= 2048:
        raise ShowError(f"--blocksize {args.blocksize}: choose 64 to 2048 frames (128 is a good start)")
    if args.duration is not None and not (math.isfinite(args.duration) and args.duration > 0):
        raise ShowError(f"--duration {args.duration}: give a positive number of seconds")
    _check_stage_options(args, len(show.moments))
    if not -500 <= args.midi_offset <= 500:
        raise ShowError(f"--midi-offset {args.midi_offset:g}: give milliseconds from -500 to 500")
    routing = _routing(args)
    if args.report:
        args.report = output_path(args.report)
        check_output(args.report)  # now, not when the show is over
    if args.midi_in or args.midi_out or args.clock_in:
        _require_midi(args.midi_api)
    stage = None
    if not args.no_ui:
        stage = StageOptions(display=args.display, fullscreen=True if args.fullscreen else None,
                             visual_offset_ms=args.visual_offset,
                             start_moment=args.moment - 1 if args.moment else (0 if args.duration else None))
    config = PerformanceConfig(
        engine=EngineConfig(show, device=args.device, samplerate=args.samplerate, blocksize=args.blocksize,
                            latency=_latency(args.latency), main_channels=routing.main, cue_channels=routing.cue,
                            hold_bars=4 if args.no_ui else None, room_channel=room_input(args.room_input)),
        midi=MidiOptions(inputs=tuple(args.midi_in), outputs=tuple(args.midi_out), api=args.midi_api,
                         clock_in=args.clock_in, offset_ms=args.midi_offset,
                         run_while_stopped=args.midi_clock_while_stopped),
        stage=stage, duration=args.duration, screenshot=args.screenshot, presenter_screenshot=args.presenter_screenshot,
        record_room=record_room(args))
    performance = Performance(config)
    try:
        performance.start()
        for notice in performance.notices:
            print(f"rockstar-cx: {printable(notice)}", file=sys.stderr)
        try:
            performance.run()
        finally:  # however the show ends (Ctrl-C, SIGTERM, SIGHUP too), its report is written
            report = performance.close()
            if args.report:
                try:
                    write_atomically(args.report, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
                except OSError as error:
                    raise ShowError(f"cannot write {args.report}: {describe(error)}") from error
    finally:
        report = performance.close()
    return EXIT_ENGINE_LOST if report.get("engine_failures", 0) > 0 else 0


def _require_midi(api: str) -> None:
    """No MIDI system (no JACK server): say so at once, not after the MIDI-out process gives up."""
    from .midi.ports import PortError, require

    try:
        require(api)
    except PortError as error:
        raise ShowError(f"MIDI: {error}") from error


def _check_stage_options(args: argparse.Namespace, moments: int) -> None:
    stage_options = {"--display": args.display, "--fullscreen": args.fullscreen or None,
                     "--visual-offset": args.visual_offset, "--moment": args.moment, "--screenshot": args.screenshot,
                     "--presenter-screenshot": args.presenter_screenshot}
    given = [name for name, value in stage_options.items() if value is not None]
    if args.no_ui and given:
        raise ShowError(f"{given[0]} needs the stage app: leave out --no-ui")
    if args.display is not None and args.display < 1:
        raise ShowError(f"--display {args.display}: screens are counted from 1")
    if args.visual_offset is not None and not -500 <= args.visual_offset <= 500:
        raise ShowError(f"--visual-offset {args.visual_offset:g}: give milliseconds from -500 to 500 (typically 20-80)")
    if args.moment is not None and not 1 <= args.moment <= moments:
        raise ShowError(f"--moment {args.moment}: the show has moments 1 to {moments}")
    for path in (args.screenshot, args.presenter_screenshot):
        if path is not None and path.suffix.lower() != ".png":
            raise ShowError(f"{path}: screenshots are PNG files (name it .png)")


def _check_rate(rate: int) -> None:
    if not 8000 <= rate <= 192000:
        raise ShowError(f"--samplerate {rate}: choose a rate from 8000 to 192000 Hz (e.g. 48000)")


def _render(args: argparse.Namespace) -> None:
    from .audio.render import render_to_files
    from .progress import ProgressBar
    from .show.limits import output_path

    show = _load(args.show)
    _check_rate(args.samplerate)
    output, stems_dir = output_path(args.output), args.stems and output_path(args.stems)
    bar = ProgressBar("Rendering", unit_rate=args.samplerate)
    result = render_to_files(show, output, sample_rate=args.samplerate, stems_dir=stems_dir,
                             count_in=args.count_in, progress=bar)
    stems = f" and {len(show.sections)} stems in {stems_dir}" if stems_dir else ""
    print(printable(f"Wrote {output} ({result.seconds:.1f} s at {args.samplerate} Hz){stems}"))


def _export_midi(args: argparse.Namespace) -> None:
    from .conductor.perform import perform
    from .midi.export import export_midi
    from .show.limits import output_path

    show = _load(args.show)
    events = perform(show, 48000, count_in=args.count_in)
    output = output_path(args.output)
    export_midi(show, events, output)
    print(printable(f"Wrote {output} ({len(show.sections)} section tracks, {events[-1].time:.1f} s)"))


def _check(args: argparse.Namespace) -> None:
    from .conductor.length import measure

    show = _load(args.show)
    minutes, seconds = divmod(round(measure(show).seconds), 60)  # computed: performing a long show costs minutes
    print(f"{args.show}: OK — \"{show.title}\", {show.tempo:g} bpm in {show.meter}, "
          f"{len(show.sections)} sections, {len(show.moments)} moments, {minutes} min {seconds} s when rendered")
    for section in show.sections:
        print(f"  section {section.id:<12} {section.name:<16} {section.sound:<10} {len(section.pattern)} steps")
    for number, moment in enumerate(show.moments, 1):
        length = f"{moment.bars} bars, then {moment.then}" if moment.bars else "held"
        mode = "  (chaos: no conductor)" if moment.mode == "chaos" else ""
        print(f"  {number:>2}. {moment.title:<32} {length:>19}  {', '.join(moment.sections) or '—'}{mode}")
    from .ui.fonts import glyph_warnings  # needs pygame: only here

    for warning in glyph_warnings(show):
        print(printable(warning), file=sys.stderr)


def _devices(args: argparse.Namespace) -> None:
    from .devices import describe_devices

    print(describe_devices(args.midi_api))


if __name__ == "__main__":
    sys.exit(main())
