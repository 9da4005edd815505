#!/usr/bin/env python3
"""Stage app benchmark: frame times per resolution, and the whole app's CPU while performing.

    .venv/bin/python scripts/bench_ui.py [--seconds 20] [--frames 600]

1. Frame time (p50, p99) of the stage view — replay, layout, drawing, window flip — at 1280×720,
   1920×1080 and 3840×2160 with 4 and 8 sections playing 16th notes, under SDL's dummy video
   driver (what is measured is the app's own work, not a GPU driver's).
2. The whole app performing the built-in show at 60 fps at 1920×1080 on a real audio device (a
   private JACK dummy server when jackd is installed): CPU time of the app process and of the
   engine process, as a share of one core, and the engine's report — zero underflows expected.

3. On a real display (issue 14.6): SDL's X11 driver on an X server (Xvfb on display :81, started by
   the script when DISPLAY is unset), and the dummy driver beside it — the app process's CPU while
   the stage stands stopped and static (10 s), and while it plays the built-in show at 1920×1080,
   60 fps: frame time p50/p99 (one ``step``: engine news, input, drawing, flipping), app CPU, engine
   underflows.  Measured for this tree and for ``--baseline REF`` (default: the commit before the
   redraw-only-what-changed work) checked out into a temporary ``git worktree``, run alternately
   in one run, printed side by side with the ratio.

    .venv/bin/python scripts/bench_ui.py --compare-only [--baseline REF] [--rounds 2]

Goals (issue 4): 1080p p99 ≤ 8 ms; whole app ≤ 25 % of one core (dummy driver).
Goals (issue 14.6, X11 on Xvfb): stopped ≤ 3 % of one core; playing 1080p p99 ≤ 12 ms, app ≤ 35 %.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# As the caller set it (the stage app sets a default when imported: each tree measured must choose its own)
CALLER_FB = os.environ.get("SDL_FRAMEBUFFER_ACCELERATION")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
REPO = Path(__file__).resolve().parents[1]
# A worker measures the tree given by --root (this one, or the baseline's worktree)
ROOT = Path(sys.argv[sys.argv.index("--root") + 1]) if "--root" in sys.argv else REPO
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(ROOT))
ENGINE_CAUSED = ("dropped_blocks", "callback_errors", "nonfinite_blocks")
BASELINE = "cd21c3c"  # the commit before issue 14.6's redraw work
XVFB_DISPLAY = ":81"

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


# -- issue 14.6: a real display, this tree against a baseline -------------------------------------

def worker(kind: str, seconds: float) -> dict:
    """In a process of its own (SDL_VIDEODRIVER from the environment): the app stopped and static, or
    playing the built-in show at 1920x1080 on a private JACK server."""
    server = None
    if kind == "playing":
        try:
            from jackserver import JackServer, jackd_available
            if jackd_available():
                server = JackServer(name=f"rockstar-cx-bench-{os.getpid()}").start()
        except Exception as error:
            print(f"(no JACK server: {error}; the engine runs silently)", file=sys.stderr)
    show = builtin_show()
    engine = AudioEngine(EngineConfig(show, device="system" if server else None)).start()
    replay = EngineView.of(engine)
    start = 4 if kind == "playing" else None
    app = StageApp(Presenter(replay, engine.send), StageOptions(size=(1920, 1080), start_moment=start,
                                                                save_settings=False))
    times: list[float] = []
    step = app.step

    def timed() -> None:
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)

    app.step = timed  # type: ignore[method-assign]
    try:
        app.run(3.0)  # count-in, warm caches
        times.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        app.run(seconds)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        state = app.frame.state
    finally:
        app.close()
        replay.close()
        report = engine.close()
        if server is not None:
            server.stop()
    ms = np.array(times or [0.0]) * 1000.0
    return {"cpu": 100 * cpu / wall, "p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99)),
            "steps_per_s": len(times) / wall, "state": state,
            # blocks the engine failed to deliver (the goal's), and the device's own count (a JACK dummy
            # server's xruns are among those: it drops cycles by itself on this VM)
            "underflows": sum(report.get(key, 0) for key in ENGINE_CAUSED) if kind == "playing" else 0,
            "device_underflows": report["underflows_after_warmup"] if kind == "playing" else 0,
            "audio": f"{report['device'] or 'silent'} ({report['audio']})",
            "code": str(Path(sys.modules[StageApp.__module__].__file__).parents[2])}


def _ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        print("(no DISPLAY and no Xvfb: the X11 figures are left out; apt-get install xvfb)")
        return None
    server = subprocess.Popen(["Xvfb", XVFB_DISPLAY, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{XVFB_DISPLAY[1:]}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            print(f"(Xvfb {XVFB_DISPLAY} did not start: the X11 figures are left out)")
            return None
        time.sleep(0.1)
    os.environ["DISPLAY"] = XVFB_DISPLAY
    return server


def _run_worker(root: Path, driver: str, kind: str, seconds: float) -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER=driver, PYTHONPATH=str(root))
    env.pop("SDL_FRAMEBUFFER_ACCELERATION", None)
    if CALLER_FB is not None:
        env["SDL_FRAMEBUFFER_ACCELERATION"] = CALLER_FB
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--root", str(root),
                           "--seconds", str(seconds)], env=env, capture_output=True, text=True, timeout=seconds + 120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"worker {kind} ({driver}, {root}) failed: {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def compare(baseline: str, rounds: int, seconds: float) -> bool:
    """This tree against ``baseline``, alternately, each measurement in a fresh process; True when the
    goals are met."""
    xvfb = _ensure_display()
    drivers = (["x11"] if os.environ.get("DISPLAY") else []) + ["dummy"]
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", baseline], capture_output=True, text=True,
                         check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-baseline-"))
    tree = tmp / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), sha], check=True,
                   capture_output=True)
    results: dict[tuple[str, str, str], list[dict]] = {}
    try:
        trees = [("now", REPO), ("baseline", tree)]
        jobs = [(driver, kind) for driver in drivers for kind in ("stopped", "playing")
                if not (driver == "dummy" and kind == "stopped")]
        for r in range(rounds):
            for driver, kind in jobs:
                for name, root in trees if r % 2 == 0 else trees[::-1]:  # alternate who goes first
                    length = 10.0 if kind == "stopped" else seconds
                    result = _run_worker(root, driver, kind, length)
                    results.setdefault((driver, kind, name), []).append(result)
                    print(f"  round {r + 1}: {driver:<5} {kind:<7} {name:<8} cpu {result['cpu']:6.1f} %  "
                          f"p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  underflows {result['underflows']}  "
                          f"({result['state']})", flush=True)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()

    def mean(driver: str, kind: str, name: str, field: str) -> float:
        values = [r[field] for r in results[(driver, kind, name)]]
        return float(np.median(values)) if "underflows" not in field else float(max(values))

    print(f"\nA real display against the baseline ({rounds} rounds alternately; medians; now = {head} + this tree, "
          f"baseline = {sha}):")
    print(f"  {'driver':<6} {'measure':<34} {'baseline':>9} {'now':>9} {'now/base':>9}   goal")
    ok = True
    rows = []
    for driver in drivers:
        if driver == "x11":
            rows.append((driver, "stopped", "cpu", "stopped, static: app CPU % of a core", 3.0))
        rows += [(driver, "playing", "p50", "playing 1080p: frame p50 ms", None),
                 (driver, "playing", "p99", "playing 1080p: frame p99 ms", 12.0 if driver == "x11" else None),
                 (driver, "playing", "cpu", "playing 1080p: app CPU % of a core", 35.0 if driver == "x11" else None),
                 (driver, "playing", "underflows", "playing 1080p: engine-caused underflows", 0.0),
                 (driver, "playing", "device_underflows", "playing 1080p: the device's underflows", None)]
    for driver, kind, field, label, goal in rows:
        before, after = mean(driver, kind, "baseline", field), mean(driver, kind, "now", field)
        ratio = f"{after / before:9.2f}" if before else f"{'-':>9}"
        met = "" if goal is None else ("≤ %g  %s" % (goal, "met" if after <= goal else "NOT MET"))
        ok = ok and (goal is None or after <= goal)
        print(f"  {driver:<6} {label:<40} {before:9.2f} {after:9.2f} {ratio}   {met}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the whole-app run (default 20)")
    parser.add_argument("--frames", type=int, default=600, help="frames per frame-time measurement (default 600)")
    parser.add_argument("--baseline", default=BASELINE, help=f"git ref to compare with (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the comparison (default 2)")
    parser.add_argument("--compare-only", action="store_true", help="only the real-display comparison")
    parser.add_argument("--worker", choices=("stopped", "playing"), help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seconds)))
        return 0
    if args.compare_only:
        return 0 if compare(args.baseline, args.rounds, min(args.seconds, 15.0)) else 1
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
    print(f"\nOn a real display, this tree against {args.baseline}:")
    ok = compare(args.baseline, args.rounds, min(args.seconds, 15.0))
    return 0 if report["underflows_after_warmup"] == 0 and ok else 1


if __name__ == "__main__":
    sys.exit(main())
