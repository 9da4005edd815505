#!/usr/bin/env python3
"""Long fuzzing runs (issue 16.7): the test suite's strategies (tests/fuzz), by the ten thousand.

    scripts/fuzz.py                                   # 10,000 + 10,000 show files, 100,000 MIDI messages
    scripts/fuzz.py --bytes 500 --structured 500 --messages 5000 --out /tmp/fuzz

Work is split into batches, each run by a worker subprocess (``--jobs`` at a time), so a hang or a
crash of the interpreter costs one batch, not the run.  Per case:

* show files (byte-level and structure-aware): loaded, measured and, if small, performed
  (tests/fuzz/cases.py), then ``rockstar-cx check`` run on it in-process; every ``--cli-every``-th
  also in a subprocess.  A crash is any exception but ShowError (or perform ≠ measure); an exit-1
  is ``check`` ending 1 (a bug, by the CLI's contract); a timeout is a case over 2 s.
* controller messages: random MIDI bytes into a generic pad, a Launchpad and a clock input, with
  random presenter targets and engine commands beside them, into one silent engine per batch; a
  callback error is any block the engine failed or silenced as non-finite.

Prints a progress line per batch and the final counts; saves each failing input (and its
traceback) to ``--out``; exits 1 on any failure.

The full default run, seed 16007 (657 s on the 2-core VM, 2 jobs): 10,000 byte-level show files
(0 crashes, 0 exit-1s, 0 timeouts), 10,000 structure-aware (5 crashes: a [sounds] path with a NUL
character, tests/fuzz/test_found_by_fuzzing.py; 0 exit-1s, 0 timeouts), 100,050 controller
messages (0 crashes, 0 timeouts, 0 callback errors).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASE_S = 2.0
KINDS = ("bytes", "structured", "messages")
BATCH = {"bytes": 1000, "structured": 1000, "messages": 10_000}
EXAMPLE_MESSAGES = 40  # the most messages one controller example sends (then the app's thread runs 40 ms)
COUNTS = ("cases", "crashes", "exit_1s", "timeouts", "callback_errors")


# -- the parent: batches of workers -------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bytes", type=int, default=10_000, help="byte-level show files (default 10,000)")
    parser.add_argument("--structured", type=int, default=10_000, help="structure-aware show files (default 10,000)")
    parser.add_argument("--messages", type=int, default=100_000, help="controller messages (default 100,000)")
    parser.add_argument("--jobs", type=int, default=2, help="workers at a time (default 2)")
    parser.add_argument("--cli-every", type=int, default=50, help="every Nth show file also through a `check` process")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="the run's seed (default: the time)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="failing inputs go here")
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.worker:
        totals = WORKERS[args.worker](args.count, args.seed, args.out, args.cli_every)
        (args.out / f"current-{os.getpid()}").unlink(missing_ok=True)  # no case under way: nothing to keep
        print(json.dumps(totals))
        return 0
    return run(args)


def run(args: argparse.Namespace) -> int:
    batches = [(kind, min(BATCH[kind], total - done), args.seed + 7919 * number)
               for kind, total in (("bytes", args.bytes), ("structured", args.structured), ("messages", args.messages))
               for number, done in enumerate(range(0, total, BATCH[kind]))]
    totals = {kind: dict.fromkeys(COUNTS, 0) for kind in KINDS}
    began, running, finished = time.monotonic(), [], 0
    print(f"fuzz: seed {args.seed}, {len(batches)} batches, {args.jobs} at a time; failures to {args.out}", flush=True)
    while batches or running:
        while batches and len(running) < args.jobs:
            kind, count, seed = batches.pop(0)
            running.append((kind, count, seed, _spawn(kind, count, seed, args), time.monotonic()))
        time.sleep(0.2)
        for job in [job for job in running if job[3].poll() is not None or _overdue(job)]:
            running.remove(job)
            _merge(totals[job[0]], _result(job, args.out))
            finished += 1
            print(f"[{finished:>3} batches, {time.monotonic() - began:6.0f} s] " + _line(totals), flush=True)
    print("fuzz: done in %.0f s, seed %d" % (time.monotonic() - began, args.seed))
    for kind in KINDS:
        print(f"  {kind:<10} " + ", ".join(f"{name.replace('_', ' ')} {totals[kind][name]:,}" for name in COUNTS))
    failed = sum(t[name] for t in totals.values() for name in COUNTS[1:])
    print(f"fuzz: {'FAILED: ' + str(failed) + ' failures, inputs in ' + str(args.out) if failed else 'no failures'}")
    return 1 if failed else 0


def _spawn(kind: str, count: int, seed: int, args: argparse.Namespace) -> subprocess.Popen:
    command = [sys.executable, __file__, "--worker", kind, "--count", str(count), "--seed", str(seed),
               "--out", str(args.out), "--cli-every", str(args.cli_every)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _overdue(job) -> bool:
    kind, count, _, _, started = job
    cases = -(-count // (EXAMPLE_MESSAGES // 2)) if kind == "messages" else count
    return time.monotonic() - started > 60 + cases * CASE_S  # every case at its limit, and then some


def _result(job, out: Path) -> dict:
    kind, count, seed, process, _ = job
    if process.poll() is None:  # hung: the case it was on is the one to keep
        process.kill()
        process.wait()
        _keep_current(out, process.pid, "hang")
        return {"cases": 0, "timeouts": 1}
    stdout, stderr = process.communicate()
    try:
        return json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):  # the worker died: the interpreter, not a case
        _keep_current(out, process.pid, "died")
        (out / f"worker-{kind}-{seed}.txt").write_text(f"exit {process.returncode}\n{stderr}")
        return {"crashes": 1}


def _keep_current(out: Path, pid: int, why: str) -> None:
    current = out / f"current-{pid}"
    if current.exists():
        current.rename(out / f"{why}-{_digest(current.read_bytes())}.in")


def _merge(total: dict, result: dict) -> None:
    for name in COUNTS:
        total[name] += result.get(name, 0)


def _line(totals: dict) -> str:
    cases = " · ".join(f"{kind} {totals[kind]['cases']:,}" for kind in KINDS)
    failures = {name: sum(t[name] for t in totals.values()) for name in COUNTS[1:]}
    return cases + " · " + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in failures.items())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


# -- the workers --------------------------------------------------------------------------------


class Recorder:
    """A worker's counts, and the failing inputs it saves: ``current-PID`` holds the case under way."""

    def __init__(self, out: Path, kind: str) -> None:
        self.out, self.kind = out, kind
        self.counts = dict.fromkeys(COUNTS, 0)
        self.current = out / f"current-{os.getpid()}"

    def begin(self, data: bytes, cases: int = 1) -> None:
        self.counts["cases"] += cases
        self.current.write_bytes(data)

    def fail(self, what: str, data: bytes, story: str, suffix: str) -> None:
        self.counts[what] += 1
        self.save(what, data, story, suffix)

    def save(self, what: str, data: bytes, story: str, suffix: str) -> None:
        name = f"{what}-{self.kind}-{_digest(data)}"
        (self.out / (name + suffix)).write_bytes(data)
        (self.out / (name + ".txt")).write_text(story)


def _given(strategy, count: int, seed: int):
    """Run the decorated function on ``count`` examples of ``strategy``: generation only (no shrinking,
    no database); the function records failures itself."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    def decorate(function):
        return with_seed(seed)(settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
                                        suppress_health_check=list(HealthCheck))(given(strategy)(function)))
    return decorate


def show_worker(kind: str):
    def work(count: int, seed: int, out: Path, cli_every: int) -> dict:
        from rockstar_cx.cli import main as cli
        from tests.fuzz.cases import check_show_file
        from tests.fuzz.strategies import show_bytes, show_documents

        recorder = Recorder(out, kind)
        folder = Path(tempfile.mkdtemp(prefix="rockstar-fuzz-"))
        os.environ["XDG_STATE_HOME"] = str(folder)  # where an exit 1 logs
        strategy = show_bytes() if kind == "bytes" else show_documents().map(lambda t: t.encode("utf-8", "surrogatepass"))

        @_given(strategy, count, seed)
        def case(data: bytes) -> None:
            recorder.begin(data)
            began = time.perf_counter()
            try:
                check_show_file(data, folder)
            except Exception:
                return recorder.fail("crashes", data, traceback.format_exc(), ".toml")
            path = folder / "fuzz.toml"
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
                status = cli(["check", str(path)])
            if status == 1:
                return recorder.fail("exit_1s", data, err.getvalue(), ".toml")
            if time.perf_counter() - began > CASE_S:
                return recorder.fail("timeouts", data, f"{time.perf_counter() - began:.2f} s", ".toml")
            if cli_every and recorder.counts["cases"] % cli_every == 0:
                _check_process(path, data, recorder)

        case()
        return recorder.counts
    return work


def _check_process(path: Path, data: bytes, recorder: Recorder) -> None:
    began = time.perf_counter()
    try:
        result = subprocess.run([sys.executable, "-m", "rockstar_cx", "check", str(path)], capture_output=True,
                                text=True, timeout=10 * CASE_S, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return recorder.fail("timeouts", data, "check process: over 20 s", ".toml")
    if result.returncode not in (0, 2):
        return recorder.fail("exit_1s", data, f"exit {result.returncode}\n{result.stderr}", ".toml")
    if time.perf_counter() - began > CASE_S:
        recorder.fail("timeouts", data, f"check process: {time.perf_counter() - began:.2f} s", ".toml")


def message_worker(count: int, seed: int, out: Path, cli_every: int) -> dict:
    from hypothesis import strategies as st

    from rockstar_cx.midi.memory import memory_bus
    from tests.fuzz.cases import CLOCK, LAUNCHPAD, PAD, Rig, without_audio_devices
    from tests.fuzz.strategies import midi_messages, targets, values
    from tests.fuzz.test_controllers import COMMANDS

    without_audio_devices()
    recorder = Recorder(out, "messages")  # a case is a message: the examples send up to 40
    folder = Path(tempfile.mkdtemp(prefix="rockstar-fuzz-"))
    rig = Rig(memory_bus(), folder / "midi.toml")
    example = st.tuples(st.lists(st.tuples(st.sampled_from([PAD, PAD, LAUNCHPAD, CLOCK]), midi_messages()),
                                 min_size=1, max_size=EXAMPLE_MESSAGES),
                        st.lists(st.tuples(targets(), values()), max_size=3), st.lists(COMMANDS, max_size=2))

    @_given(example, 10 * count // EXAMPLE_MESSAGES + 100, seed)
    def case(drawn) -> None:
        messages, actions, commands = drawn
        if recorder.counts["cases"] >= count:
            return
        data = repr(drawn).encode()
        recorder.begin(data, len(messages))
        before, began = rig.errors(), time.perf_counter()
        try:
            for device, message in messages:
                rig.feed(device, message)
            for target, value in actions:
                rig.act(target, value)
            for command in commands:
                rig.engine.send(command)
            rig.pump(len(messages) / 1000.0)  # the controllers' rate limit: 1,000 messages a second
        except Exception:
            return recorder.fail("crashes", data, traceback.format_exc(), ".in")
        errors = rig.errors()
        if errors != before:  # counted from the engine's report below
            recorder.save("callback_errors", data, f"{before} -> {errors}", ".in")
        if time.perf_counter() - began > CASE_S + len(messages) / 1000.0:
            recorder.fail("timeouts", data, f"{time.perf_counter() - began:.2f} s", ".in")

    case()
    if not rig.advancing():
        recorder.fail("crashes", b"", "the engine stopped advancing", ".in")
    report = rig.close()
    recorder.counts["callback_errors"] = report["callback_errors"] + report["nonfinite_blocks"]
    return recorder.counts


WORKERS = {"bytes": show_worker("bytes"), "structured": show_worker("structured"), "messages": message_worker}

if __name__ == "__main__":
    sys.exit(main())
