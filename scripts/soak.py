#!/usr/bin/env python3
"""A soak: perform a show for N minutes as a presenter would, and watch memory, the engine and MIDI.

    .venv/bin/python scripts/soak.py                      # 30 minutes of the built-in show
    .venv/bin/python scripts/soak.py --minutes 2 --show my-show.toml --size 1280x720

It starts (and stops, whatever happens) its own X server (``Xvfb :71``, the stage through SDL's
x11 driver, fullscreen at ``--size``) and its own JACK server (``jackd -n soak -R -P 70 -d dummy
-r 48000 -p 128``; ``--no-realtime -p 256`` where realtime is refused: tests/jackserver.py), then
``rockstar-cx play SHOW --fullscreen --midi-out virtual --midi-api jack --report …`` as a presenter
runs it (no ``--duration``: the show waits for F5, moments hold until GO).  It presses F5 to start,
GO (→) every ``--go-every`` seconds (8 s in a moment without sections), so the soak walks the whole
journey, and F5 again whenever the show has finished, read from the app's resume state file (a
private ``$XDG_STATE_HOME``).  At the end the app gets SIGTERM, which ends a show like Ctrl-C and
writes the run report.

Measured:

* every ``--sample-every`` seconds (10): the resident memory (VmRSS) of the app and of each child —
  the audio engine (the process with PortAudio mapped), MIDI out (rtmidi), multiprocessing's
  resource tracker — their CPU, and the machine's load average;
* a JACK client (tests/jackcapture.py's JackCapture, adapted to keep only what a long run needs)
  connected to ``PortAudio:out_0`` and the app's MIDI port: the frame of every sound start (a
  nonzero sample after 64 exact zeros, found cycle by cycle) and of every MIDI clock tick, note-on
  and transport message, all on one frame timeline, and JACK's own xruns;
* the engine's health counters, every sample live from the app's shared memory (what its console
  shows), and at the end from the run report.

Summary, and the verdict against issue 16's *done means*:

* **RSS slope** per process, MB (10^6 bytes) per 10 minutes, least squares over the samples
  after the warm-up: at most 1 MB per 10 min for each process (their total is shown too).  The
  warm-up lasts until the second show has finished (``--warmup`` minutes if given): the stage's
  caches fill as each screen is first drawn, so the first pass through the journey grows by
  design, up to their bounds; and where its lines outgrow the line cache's bound (the built-in
  show's do at 1080p), the second pass renders and frees them again until the C heap holding
  them settles (a stage-only run of the built-in show, as rockstar_cx.ui.heap tells, grew until
  its 12th minute and not after, over Python objects that did not grow);
* **engine-caused underflows** — ``dropped_blocks + callback_errors + nonfinite_blocks`` (blocks
  the engine failed to deliver): 0.  The device's underflows, late and missed callbacks and JACK's
  xruns are shown apart: on this kind of VM the dummy JACK server drops cycles by itself;
* **MIDI clock vs audio**: each sound start's MIDI clock message against the sound, in frames
  (MIDI over JACK is written on its sample's frame: offset 0 when exact), as
  tests/midi/test_clock_out.py measures drift: the largest offset in periods and the slope in
  samples per minute.  Every hit of a conducted moment falls on a MIDI clock tick (16ths are 6
  ticks) or, for a show's final hit, on its Stop.  Not measured: sounds within 0.1 s before to
  1 s after a JACK xrun (MIDI may sit a period off for up to 0.45 s after one; timing.py), those of
  a chaos moment (off the grid by design; ±2 s), and the first count-in beat after each start
  (known late by design: its MIDI follows the Start command).  All sounds clear of chaos are shown
  as well.  Within one period: PASS.

Exit status 0 on PASS, 1 on FAIL, 2 if the soak could not run.  ``--json FILE`` writes every
sample and figure, ``--raw FILE.npz`` the recorded frames.  ``--snapshot HEAD`` soaks a commit
(``git archive``) rather than a shared working tree that may change during the run (an engine or
MIDI-out process restarted mid-run imports the files as they are then).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from jackcapture import PORTAUDIO_OUT, JackCapture  # noqa: E402
from jackserver import JackServer, JackServerError, release_portaudio  # noqa: E402
from timing import CLOCK_UNSETTLED_S, CLOCK_XRUN_NOTICE_S  # noqa: E402

MIDI_PORT = "rockstar-cx:"  # the app's virtual MIDI out port (its JACK client is rockstar-cx)
WINDOW_CLASS = "rockstar-cx"
CHAOS_MARGIN_S = 2.0  # the chaos moment's sounds, and its neighbours' this close to it, are not held to the clock
RSS_LIMIT_MB_PER_10MIN = 1.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Failed(Exception):
    """The soak could not run (exit 2)."""


def _die_with_parent() -> None:  # preexec_fn: SIGTERM the child if the soak dies without cleaning up
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# ------------------------------------------------------------------------------- recording


class OnsetCapture(JackCapture):
    """JackCapture for a long run: instead of the whole audio buffer, the frame of every sound
    start, found cycle by cycle (a nonzero sample after at least ``silence`` exact zeros, as
    :meth:`JackCapture.onsets`), and the MIDI port's clock ticks, note-ons and transport messages."""

    def __init__(self, silence: int = 64) -> None:
        self.silence = silence
        self.zeros = 1 << 40  # exact zeros at the end of what was captured
        self.onset_frames = array("q")
        self.tick_frames = array("q")  # 0xF8
        self.note_frames = array("q")  # note-ons, velocity > 0
        self.transport: list[tuple[int, int]] = []  # (frame, 0xFA start / 0xFB continue / 0xFC stop)
        self.peak = 0.0
        self.errors = 0  # exceptions in the process callback (then that cycle is lost to the record)
        super().__init__(0.0, name="soak-capture", midi=("midi",))

    def _process(self, frames: int) -> None:
        try:
            if self.first_frame is None:
                self.first_frame = self.client.last_frame_time
            now = self.first_frame + self.processed
            for offset, data in self.midi_ports[0].incoming_midi_events():
                message = bytes(data)
                status = message[0]
                if status == 0xF8:
                    self.tick_frames.append(now + offset)
                elif status & 0xF0 == 0x90 and len(message) >= 3 and message[2]:
                    self.note_frames.append(now + offset)
                elif status in (0xFA, 0xFB, 0xFC):
                    self.transport.append((now + offset, status))
            audio = self.port.get_array()
            loud = np.flatnonzero(audio)
            if len(loud):
                gaps = np.diff(loud, prepend=-self.zeros - 1)
                for start in loud[gaps > self.silence]:
                    self.onset_frames.append(now + int(start))
                self.zeros = frames - 1 - int(loud[-1])
                self.peak = max(self.peak, float(np.abs(audio).max()))
            else:
                self.zeros += frames
        except Exception:
            self.errors += 1
        self.processed += frames

    @property
    def position(self) -> int:
        """The frame being captured about now."""
        return (self.first_frame or 0) + self.processed

    def ensure_connected(self) -> int:
        """(Re)connect the inputs whose source exists (a recovered engine registers its ports
        anew); returns how many connections were made."""
        made = 0
        for source, port in ((PORTAUDIO_OUT, self.port), (MIDI_PORT, self.midi_ports[0])):
            if self.client.get_all_connections(port):
                continue
            found = self.client.get_ports(source, is_midi=port is self.midi_ports[0])
            if found:
                try:
                    self.client.connect(found[0], port)
                    made += 1
                except jack_error():
                    pass
        return made


def jack_error():
    import jack
    return jack.JackError


# ------------------------------------------------------------------------------- processes


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(found))


def role(pid: int) -> str:
    """engine (PortAudio mapped), midi-out (rtmidi), tracker (multiprocessing's) or child."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        maps = Path(f"/proc/{pid}/maps").read_text(errors="replace")
    except OSError:
        return "child"
    if "resource_tracker" in cmdline:
        return "tracker"
    if "portaudio" in maps:
        return "engine"
    if "rtmidi" in maps:
        return "midi-out"
    return "child"


@dataclass
class Sample:
    minute: float  # since the show's first start
    rss_mb: dict[str, float]  # per role (app, engine, midi-out, tracker, child)
    cpu: dict[str, float]  # % of one CPU since the last sample, per role
    load: tuple[float, float, float]
    xruns: int
    onsets: int
    ticks: int
    moment: int | None
    playing: bool
    pids: dict[str, list[int]] = field(default_factory=dict)
    health: dict[str, float] = field(default_factory=dict)  # the engine's counters, read live


class HealthReader:
    """The engine's health counters, live, from the app's shared memory (read-only, seqlocked: the
    record the app's console reads), so the summary can say *when* the engine failed a block."""

    def __init__(self, app_pid: int) -> None:
        self.app_pid = app_pid
        self.state = None

    def _attach(self) -> None:
        from multiprocessing import resource_tracker, shared_memory

        from rockstar_cx.audio.ipc import SharedState
        try:
            maps = Path(f"/proc/{self.app_pid}/maps").read_text(errors="replace")
        except OSError:
            return
        names = sorted({line.split("/dev/shm/")[1].split()[0] for line in maps.splitlines() if "/dev/shm/psm_" in line})
        for name in names:
            try:
                memory = shared_memory.SharedMemory(name=name)
            except OSError:
                continue
            if sys.version_info < (3, 13):  # borrowed, not ours: our resource tracker must never unlink it
                resource_tracker.unregister(memory._name, "shared_memory")
            if memory.size >= SharedState.size():
                self.state = SharedState(memory, owner=False)
                return
            memory.close()

    def read(self) -> dict[str, float]:
        if self.state is None:
            self._attach()
        if self.state is None:
            return {}
        try:
            return dict(self.state.read_health().counters.values())
        except Exception:
            return {}

    def close(self) -> None:
        if self.state is not None:
            try:
                self.state.close()
            except Exception:  # a view still held: the process's end releases it
                pass
            self.state = None


def engine_caused(health: dict) -> int:
    return int(sum(health.get(k, 0) for k in ("dropped_blocks", "callback_errors", "nonfinite_blocks")))


class Watcher:
    """Samples the app's process tree."""

    ROLES = ("app", "engine", "midi-out", "tracker", "child")

    def __init__(self, app_pid: int) -> None:
        self.app_pid = app_pid
        self.roles: dict[int, str] = {}
        self.last: tuple[float, dict[int, int]] | None = None
        self.seen: dict[str, set[int]] = {}

    def sample(self) -> tuple[dict[str, float], dict[str, float], dict[str, list[int]]]:
        now = time.monotonic()
        pids = [self.app_pid] + children(self.app_pid)
        rss: dict[str, float] = {}
        ticks: dict[int, int] = {}
        by_role: dict[str, list[int]] = {}
        for pid in pids:
            name = "app" if pid == self.app_pid else self.roles.setdefault(pid, role(pid))
            kb = rss_kb(pid)
            if kb is None:
                continue
            rss[name] = rss.get(name, 0.0) + kb * 1024 / 1e6
            by_role.setdefault(name, []).append(pid)
            self.seen.setdefault(name, set()).add(pid)
            t = cpu_ticks(pid)
            if t is not None:
                ticks[pid] = t
        cpu: dict[str, float] = {}
        if self.last is not None:
            then, before = self.last
            for pid, t in ticks.items():
                if pid in before:
                    name = "app" if pid == self.app_pid else self.roles[pid]
                    cpu[name] = cpu.get(name, 0.0) + (t - before[pid]) / CLK_TCK / (now - then) * 100
        self.last = (now, ticks)
        return rss, cpu, by_role


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


class Xvfb:
    def __init__(self, display: str, size: str) -> None:
        number = display.lstrip(":")
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            raise Failed(f"display {display} is in use (/tmp/.X{number}-lock): choose another with --display")
        if shutil.which("Xvfb") is None or shutil.which("xdotool") is None:
            raise Failed("Xvfb and xdotool are needed (Debian/Ubuntu: apt-get install xvfb xdotool)")
        self.display = display
        self.process = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"Xvfb {display} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class App:
    """``rockstar-cx play`` on the X display, with its own state and settings folders."""

    def __init__(self, show: str | None, display: str, work: Path, blocksize: int, tree: Path | None) -> None:
        self.report = work / "report.json"
        self.env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", XDG_STATE_HOME=str(work / "state"),
                        XDG_CONFIG_HOME=str(work / "config"), PYGAME_HIDE_SUPPORT_PROMPT="1")
        self.env.pop("SDL_AUDIODRIVER", None)
        if tree is not None:  # the snapshot's package before the editable install's
            self.env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [os.environ.get("PYTHONPATH")])])
        # the entry point, as a presenter starts it: SDL names the window's class after the program
        # (``python -m rockstar_cx`` would make it "__main__.py")
        entry = Path(sys.executable).parent / "rockstar-cx"
        program = [str(entry)] if entry.exists() else [sys.executable, "-m", "rockstar_cx"]
        command = [*program, "play", *([show] if show else []), "--fullscreen",
                   "--midi-out", "virtual", "--midi-api", "jack", "--blocksize", str(blocksize),
                   "--report", str(self.report)]
        self.out = open(work / "app.out", "w")
        self.err_path = work / "app.err"
        self.err = open(self.err_path, "w")
        self.process = subprocess.Popen(command, cwd=tree or REPO, env=self.env, stdout=self.out, stderr=self.err,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.window: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def xdotool(self, *args: str, timeout: float = 10) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, check=True,
                              timeout=timeout).stdout

    def wait_window(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"the app ended before its window appeared:\n{self.stderr_tail()}")
            try:
                found = self.xdotool("search", "--onlyvisible", "--class", WINDOW_CLASS, timeout=5).split()
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                found = []
            if found:
                self.window = found[0]
                return
            time.sleep(0.5)
        raise Failed("the stage window did not appear")

    def key(self, key: str) -> None:
        """Press ``key`` in the stage window, focused first (no window manager here: nobody else
        gives it the focus).  The window is looked up anew: SDL may replace it (fullscreen)."""
        found = self.xdotool("search", "--onlyvisible", "--class", WINDOW_CLASS, timeout=5).split()
        self.window = found[-1] if found else self.window
        self.xdotool("windowfocus", "--sync", self.window)
        self.xdotool("key", key)

    def state(self) -> dict | None:
        """The resume state the app keeps (moment, playing …); None: none (not started, or finished)."""
        for path in (Path(self.env["XDG_STATE_HOME"]) / "rockstar-cx").glob("resume-*.json"):
            try:
                return json.loads(path.read_text())
            except (OSError, ValueError):
                return None  # being replaced just now: the next poll reads it
        return None

    def stderr_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.err_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def end(self) -> dict | None:
        """SIGTERM (ends a show like Ctrl-C and writes the report); the report, or None."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        self.out.close()
        self.err.close()
        try:
            return json.loads(self.report.read_text())
        except (OSError, ValueError):
            return None


# ------------------------------------------------------------------------------- the run


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # capture frame of each F5 that started the show
    gos: int = 0
    chaos: list[list[int | None]] = field(default_factory=list)  # capture frames [from, to] in a chaos moment
    journeys: int = 0  # shows finished
    reconnects: int = 0
    moments_seen: list[tuple[float, int | None, bool]] = field(default_factory=list)  # (minute, moment, playing)
    end: int | None = None  # capture frame when the soak's time was up
    journey_ends: list[float] = field(default_factory=list)  # minutes when a show finished


def snapshot(rev: str, work: Path) -> Path:
    """``git archive REV`` of this repository under ``work``: the code soaked stays the same for the
    whole run, whatever happens to the working tree meanwhile (a child process spawned later —
    an engine recovery — imports the files as they are then)."""
    tree = work / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=False)
    if archive.returncode:
        raise Failed(f"git archive {rev}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def soak(args: argparse.Namespace, work: Path, tree: Path | None) -> tuple[Record, dict | None, OnsetCapture, JackServer, dict]:
    from rockstar_cx.show import load_show
    show = load_show(args.show)
    chaos_moments = {i for i, m in enumerate(show.moments) if m.mode == "chaos"}
    silent_moments = {i for i, m in enumerate(show.moments) if not m.sections}
    record = Record()
    xvfb = server = capture = app = None
    report = None
    info: dict = {}
    try:
        xvfb = Xvfb(args.display, args.size)
        server = JackServer(name=args.server)
        try:
            server.start()
        except JackServerError as error:
            raise Failed(str(error)) from error
        info["jack"] = {"name": server.name, "realtime": server.realtime, "period": server.period}
        capture = OnsetCapture()
        app = App(args.show, args.display, work, server.period, tree)
        app.wait_window()
        capture.connect(PORTAUDIO_OUT, timeout=60)
        capture.connect(MIDI_PORT, capture.midi_ports[0], timeout=60)
        watcher = Watcher(app.pid)
        health = HealthReader(app.pid)
        code = "the working tree" if tree is None else f"the tree {tree}" if args.tree else subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", args.snapshot], capture_output=True, text=True).stdout.strip()
        info["code"] = code
        print(f"soak: {code}; {args.minutes:g} min of {show.title!r} ({show.source}); stage {args.size} on {args.display} "
              f"(x11, fullscreen); JACK {server.name!r} {'-R' if server.realtime else '--no-realtime'} "
              f"-p {server.period} @ {server.samplerate} Hz; app pid {app.pid}; {os.cpu_count()} CPUs", flush=True)
        print(f"{'min':>5} {'app MB':>7} {'engine':>7} {'midi':>7} {'other':>6} | {'app%':>5} {'eng%':>5} "
              f"{'midi%':>5} | {'load1':>5} | {'engine':>6} {'undfl':>5} {'xruns':>5} | {'onsets':>7} {'ticks':>7} | moment",
              flush=True)
        time.sleep(2.0)  # the window's first frames
        started = time.monotonic()
        end = started + args.minutes * 60
        last_key = last_go = last_start = -1e9
        moment_since = started
        state_before: tuple[int | None, bool] = (None, False)
        next_sample = float("inf")  # from the show's start
        in_chaos = ever_played = False
        while True:
            now = time.monotonic()
            if app.process.poll() is not None:
                raise Failed(f"the app ended mid-soak (status {app.process.returncode}):\n{app.stderr_tail()}")
            state = app.state()
            moment = state.get("moment") if state else None
            playing = bool(state and state.get("playing"))
            if playing:
                ever_played = True
            elif not ever_played and record.starts and now - started > 60:
                raise Failed(f"the show did not start: F5 pressed {len(record.starts)} times; the app's state: {state}")
            if (moment, playing) != state_before:
                if moment != state_before[0]:
                    moment_since = now
                if state_before[1] and not playing:
                    record.journeys += 1
                    record.journey_ends.append(round((now - started) / 60, 3))
                record.moments_seen.append((round((now - started) / 60, 3), moment, playing))
                state_before = (moment, playing)
            chaos_now = playing and moment in chaos_moments
            if chaos_now and not in_chaos:
                record.chaos.append([capture.position, None])
            elif in_chaos and not chaos_now:
                record.chaos[-1][1] = capture.position
            in_chaos = chaos_now
            if now >= next_sample:
                rss, cpu, pids = watcher.sample()
                counters = health.read()
                record.reconnects += capture.ensure_connected()
                sample = Sample(round((now - started) / 60, 3), rss, cpu, load_average(), capture.xruns,
                                len(capture.onset_frames), len(capture.tick_frames), moment, playing, pids, counters)
                record.samples.append(sample)
                other = sum(v for k, v in rss.items() if k not in ("app", "engine", "midi-out"))
                where = ("—" if moment is None else f"{moment + 1} {show.moments[min(moment, len(show.moments) - 1)].id}"
                         ) + ("" if playing else " (stopped)")
                print(f"{sample.minute:5.1f} {rss.get('app', 0):7.1f} {rss.get('engine', 0):7.1f} "
                      f"{rss.get('midi-out', 0):7.1f} {other:6.1f} | {cpu.get('app', 0):5.1f} "
                      f"{cpu.get('engine', 0):5.1f} {cpu.get('midi-out', 0):5.1f} | {sample.load[0]:5.2f} | "
                      f"{engine_caused(counters) if counters else '?':>6} {int(counters.get('underflows', 0)):5d} "
                      f"{sample.xruns:5d} | {sample.onsets:7d} {sample.ticks:7d} | {where}", flush=True)
                next_sample += args.sample_every
                if now >= end:
                    break
            if now - last_key >= 1.0:
                try:
                    if not playing:
                        if now - last_start >= 6.0:  # not started yet, or finished: start (again)
                            at = capture.position  # before: the count-in may begin before xdotool returns
                            app.key("F5")
                            last_key = last_start = now
                            record.starts.append(at)
                            if record.starts and len(record.starts) == 1:
                                started = now  # the soak's clock starts with the show
                                end = started + args.minutes * 60
                                next_sample = started
                    elif now - last_go >= args.go_every and now - last_start >= args.go_every or (
                            moment in silent_moments and min(now - moment_since, now - last_go) >= 8.0):
                        # (never sooner: a GO while one is armed arms the moment after, a bar later)
                        app.key("Right")  # GO
                        last_key = last_go = now
                        record.gos += 1
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                    print(f"soak: xdotool failed: {error}", file=sys.stderr, flush=True)
                    last_key = now
            time.sleep(0.25)
        if in_chaos:
            record.chaos[-1][1] = capture.position
        record.end = capture.position  # what follows is the app ending (SIGTERM stops the show at once)
        health.close()
        report = app.end()
        info["app_status"] = app.process.returncode
        info["app_stderr"] = app.stderr_tail(10)
        app = None
        time.sleep(0.5)
        return record, report, capture, server, info
    finally:
        if app is not None:
            app.end()
        if capture is not None:
            capture.close()
        if server is not None:
            info["jackd_xrun_lines"] = _log_xruns(server)
            release_portaudio(server_alive=True)
            server.stop()
        if xvfb is not None:
            xvfb.stop()


def _log_xruns(server: JackServer) -> int:
    try:
        return Path(server.log_path).read_text(errors="replace").count("XRun")
    except OSError:
        return 0


# ------------------------------------------------------------------------------- figures


def slope_per_10min(minutes: list[float], values: list[float]) -> float | None:
    if len(minutes) < 3 or max(minutes) - min(minutes) < 0.5:
        return None
    return float(np.polyfit(minutes, values, 1)[0]) * 10


def rss_figures(samples: list[Sample], warmup: float) -> dict:
    after = [s for s in samples if s.minute >= warmup]
    roles = [r for r in Watcher.ROLES if any(r in s.rss_mb for s in samples)]
    figures: dict = {}
    for name in roles + ["total"]:
        def value(s: Sample) -> float:
            return sum(s.rss_mb.values()) if name == "total" else s.rss_mb.get(name, 0.0)
        series = [value(s) for s in after]
        half = [s for s in after if s.minute >= (after[0].minute + after[-1].minute) / 2] if after else []
        figures[name] = {
            "start_mb": round(value(samples[0]), 1) if samples else None,
            "after_warmup_mb": round(series[0], 1) if series else None,
            "end_mb": round(series[-1], 1) if series else None,
            "max_mb": round(max(value(s) for s in samples), 1) if samples else None,
            "slope_mb_per_10min": _round(slope_per_10min([s.minute for s in after], series)),
            "slope_second_half": _round(slope_per_10min([s.minute for s in half], [value(s) for s in half])),
        }
    return figures


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def clock_figures(capture: OnsetCapture, record: Record, show, rate: int, period: int) -> dict:
    onsets = np.array(capture.onset_frames, np.int64)
    if record.end is not None:
        onsets = onsets[onsets < record.end]
    clock = np.sort(np.concatenate([np.array(capture.tick_frames, np.int64),
                                    np.array([f for f, s in capture.transport if s == 0xFC], np.int64)]))
    notes = np.array(capture.note_frames, np.int64)
    figures: dict = {"onsets": int(len(onsets)), "ticks": len(capture.tick_frames), "notes": int(len(notes)),
                     "transport": len(capture.transport), "period": period}
    if not len(onsets) or not len(clock) or capture.first_frame is None:
        figures["error"] = "no sounds or no MIDI clock recorded"
        return figures

    def nearest(frames: np.ndarray, to: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(frames, to), 1, len(frames) - 1)
        left, right = frames[i - 1], frames[i]
        return np.where(np.abs(left - to) <= np.abs(right - to), left, right) if len(frames) > 1 else frames[:1]

    residual = nearest(clock, onsets) - onsets
    # what is not held to the clock
    chaos = np.zeros(len(onsets), bool)
    for start, stop in record.chaos:
        chaos |= (onsets >= start - CHAOS_MARGIN_S * rate) & (onsets <= (stop or onsets[-1]) + CHAOS_MARGIN_S * rate)
    first_beats = np.zeros(len(onsets), bool)
    for start in record.starts:
        after = np.flatnonzero(onsets >= start)
        if len(after):
            first_beats[after[0]] = True
    unsettled = np.zeros(len(onsets), bool)
    for xrun in capture.xrun_frames:
        unsettled |= (onsets >= xrun - CLOCK_XRUN_NOTICE_S * rate) & (onsets <= xrun + CLOCK_UNSETTLED_S * rate)
    on_grid = np.ones(len(onsets), bool)
    exact = show.swing == 0 and show.meter.unit == 4 and all(24 % s.steps_per_beat == 0 for s in show.sections)
    if not exact:  # swung or odd subdivisions: only the sounds on a tick are measured
        on_grid = np.abs(residual) <= 4 * period
    held = ~chaos & ~first_beats & on_grid
    settled = held & ~unsettled

    def spread(mask: np.ndarray) -> dict:
        if not mask.any():
            return {"n": 0}
        values, counts = np.unique(residual[mask], return_counts=True)
        minutes = (onsets[mask] - onsets[0]) / rate / 60
        slope = float(np.polyfit(minutes, residual[mask], 1)[0]) if mask.sum() >= 4 and np.ptp(minutes) > 0 else None
        return {"n": int(mask.sum()), "max_abs_frames": int(np.abs(residual[mask]).max()),
                "max_abs_periods": round(float(np.abs(residual[mask]).max()) / period, 3),
                "mean_frames": round(float(residual[mask].mean()), 3),
                "slope_samples_per_min": _round(slope, 4),
                "offsets": {int(v): int(c) for v, c in zip(values, counts)} if len(values) <= 12 else
                {int(v): int(c) for v, c in sorted(zip(values, counts), key=lambda vc: -vc[1])[:12]}}

    figures.update(settled=spread(settled), clear_of_chaos=spread(held), exact_grid=exact,
                   excluded={"chaos": int(chaos.sum()), "first_count_in_beat": int(first_beats.sum()),
                             "near_xrun": int((held & unsettled).sum()), "off_grid": int((~on_grid).sum())})
    # per 5 minutes of the show, settled: how the offset moves over the run — on the sound's frame,
    # off by up to a period, off by more (up to 4 periods), or matched to a neighbouring tick
    # (beyond 4 periods: its own tick was skipped as too late to send, or never came)
    windows = []
    minutes = (onsets - (record.starts[0] if record.starts else onsets[0])) / rate / 60
    for w in range(int(max(0.0, minutes[-1]) // 5) + 1):
        mask = settled & (minutes >= 5 * w) & (minutes < 5 * (w + 1))
        if mask.any():
            r = residual[mask]
            windows.append({"from_min": 5 * w, "n": int(mask.sum()), "exact": int((r == 0).sum()),
                            "within_1": int(((r != 0) & (np.abs(r) <= period)).sum()),
                            "within_4": int(((np.abs(r) <= 4 * period) & (np.abs(r) > period)).sum()),
                            "beyond_4": int((np.abs(r) > 4 * period).sum()),
                            "mean_frames": round(float(r.mean()), 2), "max_abs_frames": int(np.abs(r).max())})
    figures["per_5min"] = windows
    if len(notes):  # the sections' notes against their sounds (the count-in and the click have none)
        note_residual = nearest(notes, onsets) - onsets
        with_note = settled & (np.abs(note_residual) <= 4 * period)
        figures["notes_vs_audio"] = {"n": int(with_note.sum()), "without_note": int((settled & ~with_note).sum()),
                            "max_abs_frames": int(np.abs(note_residual[with_note]).max()) if with_note.any() else None}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to perform (default 30)")
    parser.add_argument("--show", default=None, help="show file (default: the built-in keynote show)")
    parser.add_argument("--size", default="1920x1080", help="the X screen, the stage fullscreen on it (default 1920x1080)")
    parser.add_argument("--display", default=":71", help="the X display to start (default :71)")
    parser.add_argument("--server", default="soak", help="the JACK server's name to start (default soak)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="minutes before the RSS slope is measured (default: when the second show has finished)")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between samples (default 10)")
    parser.add_argument("--go-every", type=float, default=60.0, help="seconds between GO presses (default 60)")
    parser.add_argument("--json", type=Path, default=None, help="write every sample and figure here")
    parser.add_argument("--raw", type=Path, default=None,
                        help="write the recorded frames (sounds, ticks, notes, transport, xruns, starts) as .npz")
    parser.add_argument("--snapshot", metavar="REV", default=None,
                        help="soak this commit (git archive REV, e.g. HEAD), not the working tree as it is")
    parser.add_argument("--tree", type=Path, default=None,
                        help="soak the package in this folder instead (e.g. a patched copy of a snapshot, for an A/B)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the app's report, logs and state here (default: a temporary folder, removed)")
    args = parser.parse_args(argv)

    def terminate(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="rockstar-cx-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    loads_before = load_average()
    tree = args.tree.resolve() if args.tree else None
    try:
        if args.snapshot and not tree:
            tree = snapshot(args.snapshot, work)
        if tree:
            sys.path.insert(0, str(tree))  # the show read as the app reads it
        record, report, capture, server, info = soak(args, work, tree)
    except Failed as error:
        print(f"soak: {error}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    from rockstar_cx.show import load_show
    show = load_show(args.show)
    rate, period = server.samplerate, server.period
    # warmed up when every screen of the show has been drawn twice: the stage's caches, and the heap under them, have settled
    ends = record.journey_ends
    warmup = args.warmup if args.warmup is not None else ends[1] if len(ends) > 1 else ends[0] if ends else 2.0
    rss = rss_figures(record.samples, warmup)
    clock = clock_figures(capture, record, show, rate, period)
    report = report or {}
    faults = {k: report.get(k) for k in ("dropped_blocks", "callback_errors", "nonfinite_blocks")}
    engine_total = sum(v for v in faults.values() if v is not None) if report else None
    loads = [s.load[0] for s in record.samples]

    print()
    minutes = record.samples[-1].minute if record.samples else 0.0
    print(f"== soak summary: {minutes:.1f} min, {record.journeys} shows finished, {len(record.starts)} starts, "
          f"{record.gos} GO; JACK {'-R' if info['jack']['realtime'] else '--no-realtime'} -p {period}")
    print(f"load average (1 min) during the run: mean {np.mean(loads):.2f}, max {max(loads):.2f} "
          f"(before {loads_before[0]:.2f}; {os.cpu_count()} CPUs)" if loads else "load average: no samples")
    print(f"RSS, MB (10^6 B): slope per 10 min after the warm-up, {warmup:.1f} min (least squares); over the "
          "second half of that")

    def signed(value: float | None) -> str:
        return "    n/a" if value is None else f"{value:+7.3f}"
    for name, f in rss.items():
        print(f"  {name:9s} start {f['start_mb']:7.1f}  after warm-up {f['after_warmup_mb'] or 0:7.1f}  end "
              f"{f['end_mb'] or 0:7.1f}  max {f['max_mb']:7.1f}  slope {signed(f['slope_mb_per_10min'])}  "
              f"{signed(f['slope_second_half'])}")
    counters = ("underflows", "underflows_after_warmup", "late_callbacks", "callbacks_missed", "callback_renders",
                "callbacks", "device_losses", "recoveries", "refused_commands")
    print(f"engine-caused underflows: {engine_total} ({', '.join(f'{k} {v}' for k, v in faults.items())})")
    rises, before = [], 0
    for sample in record.samples:
        if sample.health:
            now_faults = engine_caused(sample.health)
            if now_faults > before:
                rises.append(f"+{now_faults - before} by min {sample.minute:.1f} ({sample.load[0]:.2f} load)")
            before = now_faults
    if rises:
        print(f"  when (sampled live): {', '.join(rises)}")
    print("  not the engine's: " + ", ".join(f"{k} {report.get(k)}" for k in counters) +
          f"; JACK xruns {capture.xruns} (jackd's log: {info.get('jackd_xrun_lines')})")
    midi = (report.get("midi") or {}).get("out") or {}
    if midi:
        print("  MIDI out: " + ", ".join(f"{k} {midi.get(k) if not isinstance(midi.get(k), float) else round(midi[k], 3)}"
                                         for k in ("sent", "lost", "skipped_ticks", "late_over_1ms", "late_ms_max", "cycle_overruns",
                                                   "cycle_end_ms_max", "cycle_errors", "frame_map_moves")))
    settled = clock.get("settled", {})
    print(f"MIDI clock vs audio ({clock['onsets']} sounds, {clock['ticks']} ticks, {clock['notes']} notes; "
          f"period {period} frames):")
    if "error" in clock:
        print(f"  {clock['error']}")
    else:
        for label, f in (("settled", settled), ("clear of chaos", clock["clear_of_chaos"])):
            if f.get("n"):
                print(f"  {label:15s} n {f['n']:6d}  max |offset| {f['max_abs_frames']} frames = "
                      f"{f['max_abs_periods']:.2f} periods  mean {f['mean_frames']:+.2f}  slope "
                      f"{f['slope_samples_per_min'] if f['slope_samples_per_min'] is not None else 'n/a'} samples/min  "
                      f"offsets {f['offsets']}")
        print("  settled, per 5 min of the show: on its frame / off ≤1 period / off ≤4 / beyond 4 periods (a "
              "neighbouring tick: its own skipped or missing)")
        for w in clock["per_5min"]:
            print(f"    {w['from_min']:3d}-{w['from_min'] + 5:<3d} n {w['n']:5d}: {w['exact']:5d} / {w['within_1']:4d} / "
                  f"{w['within_4']:4d} / {w['beyond_4']:4d}   mean {w['mean_frames']:+.1f} frames")
        notes = clock.get("notes_vs_audio") or {}
        print(f"  not held: {clock['excluded']}")
        print(f"  MIDI notes vs audio, settled: {notes.get('n')} sounds with a note within 4 periods, max |offset| "
              f"{notes.get('max_abs_frames')} frames; {notes.get('without_note')} without (count-in, click)")
    if record.reconnects:
        print(f"  the capture reconnected {record.reconnects} times (ports registered anew)")
    if capture.errors:
        print(f"  capture callback errors: {capture.errors}")

    verdicts = []
    slopes = [f["slope_mb_per_10min"] for name, f in rss.items() if name != "total"]
    if all(s is None for s in slopes):
        verdicts.append(("RSS slope ≤ 1 MB / 10 min", None, "too short a run"))
    else:
        worst = max(s for s in slopes if s is not None)
        total = rss["total"]["slope_mb_per_10min"]
        verdicts.append(("RSS slope ≤ 1 MB / 10 min after warm-up (each process)", worst <= RSS_LIMIT_MB_PER_10MIN,
                         f"largest {worst:+.3f} (all together {total:+.3f})"))
    verdicts.append(("0 engine-caused underflows", engine_total == 0 if report else False,
                     f"{engine_total}" if report else "no run report"))
    if settled.get("n"):
        verdicts.append(("MIDI clock vs audio within one period", settled["max_abs_frames"] <= period,
                         f"max {settled['max_abs_periods']:.2f} periods over {settled['n']} sounds"))
    else:
        verdicts.append(("MIDI clock vs audio within one period", False, "nothing measured"))
    for name, ok, why in verdicts:
        print(f"{'PASS' if ok else 'n/a ' if ok is None else 'FAIL'}  {name}: {why}")
    passed = all(ok is not False for _, ok, _ in verdicts)
    print("PASS" if passed else "FAIL", flush=True)

    if args.raw:
        np.savez(args.raw, first_frame=capture.first_frame or 0, period=period, rate=rate,
                 onsets=np.array(capture.onset_frames, np.int64), ticks=np.array(capture.tick_frames, np.int64),
                 notes=np.array(capture.note_frames, np.int64), transport=np.array(capture.transport, np.int64).reshape(-1, 2),
                 xruns=np.array(capture.xrun_frames, np.int64), starts=np.array(record.starts, np.int64),
                 chaos=np.array([[a, b if b is not None else -1] for a, b in record.chaos], np.int64).reshape(-1, 2))
    if args.json:
        payload = {"args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                   "load_before": loads_before, "jack": info.get("jack"), "record": {
                       "starts": len(record.starts), "gos": record.gos, "journeys": record.journeys,
                       "journey_ends_min": record.journey_ends,
                       "chaos_windows": record.chaos, "moments_seen": record.moments_seen},
                   "rss": rss, "clock": clock, "engine_caused": faults, "report": report,
                   "jack_xruns": capture.xruns, "jackd_xrun_lines": info.get("jackd_xrun_lines"),
                   "samples": [vars(s) for s in record.samples],
                   "verdicts": [{"check": n, "pass": ok, "figure": w} for n, ok, w in verdicts], "pass": passed}
        args.json.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
