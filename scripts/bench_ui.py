#!/usr/bin/env python3
"""Stage app benchmark: frame times per resolution, and the whole app's CPU while performing.

    .venv/bin/python scripts/bench_ui.py [--seconds 20] [--frames 600]

1. Frame time (p50, p99) of the stage view — replay, layout, drawing, window flip — at 1280×720,
   1920×1080 and 3840×2160 with 4 and 8 sections playing 16th notes, under SDL's dummy video
   driver (what is measured is the app's own work, not a GPU driver's).
2. The whole app performing the built-in show at 60 fps at 1920×1080 on a real audio device (a
   private JACK dummy server when jackd is installed): CPU time of the app process and of the
   engine process, as a share of one core, and the engine's report — zero underflows expected.

Goals (issue 4): 1080p p99 ≤ 8 ms; whole app ≤ 25 % of one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from played import scripted_view  # noqa: E402
from rockstar_cx.audio.engine import EngineConfig  # noqa: E402
from rockstar_cx.audio.supervisor import AudioEngine  # noqa: E402
from rockstar_cx.conductor import Start  # noqa: E402
from rockstar_cx.live.presenter import Presenter  # noqa: E402
from rockstar_cx.live.view import EngineView  # noqa: E402
from rockstar_cx.show import DEFAULT_COLORS, builtin_show  # noqa: E402
from rockstar_cx.show.model import Meter, Moment, Section, Show, parse_pattern  # noqa: E402
from rockstar_cx.ui.app import StageApp  # noqa: E402
from rockstar_cx.ui.cues import CueTrack  # noqa: E402
from rockstar_cx.ui.options import StageOptions  # noqa: E402
from rockstar_cx.ui.stage import StageView  # noqa: E402
from rockstar_cx.ui.text import Text  # noqa: E402

RATE = 48000
SIZES = ((1280, 720), (1920, 1080), (3840, 2160))
SOUNDS = ("click", "clap", "stomp", "snap", "woodblock", "claves", "cowbell", "kick")


def busy_show(count: int) -> Show:
    sections = tuple(Section(f"s{i}", f"Section {i + 1}", DEFAULT_COLORS[i], SOUNDS[i], parse_pattern("xxxx" * 4))
                     for i in range(count))
    moment = Moment("all", "Everyone plays sixteenths", "The busiest the stage gets: every section on every step.",
                    tuple(s.id for s in sections), 0)
    return Show("bench", 120.0, Meter(4, 4), sections, (moment,))


def frame_times(size: tuple[int, int], count: int, frames: int) -> tuple[float, float]:
    show = busy_show(count)
    window = pygame.Window("bench", size)
    replay, script = scripted_view(show, RATE)
    view, track = StageView(show, Text()), CueTrack(replay)
    script.apply(0, Start(count_in=False))
    times = []
    for i in range(frames):
        sample = i * RATE // 60
        started = time.perf_counter()
        script.position = sample + 256  # the engine is a block or two ahead of what is heard
        replay.update()
        view.draw(window.get_surface(), track.frame(sample))
        window.flip()
        times.append(time.perf_counter() - started)
    window.destroy()
    times_ms = np.array(times[30:]) * 1000.0  # after the text cache has warmed up
    return float(np.percentile(times_ms, 50)), float(np.percentile(times_ms, 99))


def _cpu_of(pid: int) -> float:
    """utime + stime of a process, in seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children() -> list[int]:
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def whole_app(seconds: float) -> dict:
    server = None
    try:
        from jackserver import JackServer, jackd_available
        if jackd_available():
            server = JackServer(name="rockstar-cx-bench").start()
    except Exception as error:  # no JACK: measure with the engine's silent clock instead
        print(f"(no JACK server: {error}; the engine runs silently)")
    show = builtin_show()
    engine = AudioEngine(EngineConfig(show, device="system" if server else None)).start()
    replay = EngineView.of(engine)
    app = StageApp(Presenter(replay, engine.send), StageOptions(size=(1920, 1080), start_moment=4, save_settings=False))
    try:
        app.run(3.0)  # count-in, warm caches
        # the engine is the spawned child (not jackd, not multiprocessing's resource tracker)
        engines = [pid for pid in _children() if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        engine_before = {pid: _cpu_of(pid) for pid in engines}
        app_before, wall_before, frames_before = time.process_time(), time.perf_counter(), app._frames
        app.run(seconds)
        wall = time.perf_counter() - wall_before
        app_cpu = time.process_time() - app_before
        engine_cpu = sum(_cpu_of(pid) - before for pid, before in engine_before.items() if Path(f"/proc/{pid}").exists())
        fps = (app._frames - frames_before) / wall
    finally:
        app.close()
        replay.close()
        report = engine.close()
        if server is not None:
            server.stop()
    return {"app": app_cpu / wall, "engine": engine_cpu / wall, "fps": fps, "report": report, "seconds": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the whole-app run (default 20)")
    parser.add_argument("--frames", type=int, default=600, help="frames per frame-time measurement (default 600)")
    args = parser.parse_args()
    pygame.display.init()
    pygame.font.init()
    print("Stage view frame time (replay + draw + flip), SDL dummy driver, every section on every 16th:")
    print(f"  {'resolution':<12} {'sections':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for size in SIZES:
        for count in (4, 8):
            p50, p99 = frame_times(size, count, args.frames)
            print(f"  {size[0]}x{size[1]:<7} {count:>8} {p50:>8.2f} {p99:>8.2f}")
    print(f"\nWhole app performing the built-in show at 1920x1080, 60 fps cap, {args.seconds:.0f} s:")
    result = whole_app(args.seconds)
    report = result["report"]
    total = result["app"] + result["engine"]
    print(f"  frames per second      {result['fps']:.1f}")
    print(f"  app process CPU        {100 * result['app']:.1f} % of one core")
    print(f"  engine process CPU     {100 * result['engine']:.1f} % of one core")
    print(f"  whole app              {100 * total:.1f} % of one core   (goal ≤ 25 %)")
    print(f"  audio                  {report['device'] or 'silent'} ({report['audio']}), {report['callbacks']} callbacks, "
          f"{report['underflows_after_warmup']} underflows after warm-up, "
          f"{report.get('callbacks_missed', 0)} callbacks missed")
    return 0 if report["underflows_after_warmup"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
