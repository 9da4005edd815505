"""A private JACK server for tests: a real audio + MIDI device on a headless box.

``JackServer`` runs ``jackd`` with the *dummy* backend under a private server
name, so tests exercise the real PortAudio / JACK / rtmidi code paths without a
sound card and without disturbing any JACK server the developer may be running.

Usage (the ``jack_server`` fixture in ``conftest.py`` does this)::

    server = JackServer(name="rockstar-cx-test-1234").start()
    ...                     # os.environ["JACK_DEFAULT_SERVER"] == server.name
    server.kill()           # abrupt device loss (SIGKILL), e.g. mid-performance
    server.start()          # the "device" comes back under the same name
    server.stop()           # graceful: SIGTERM, wait, SIGKILL if needed

How clients find it
    ``start()`` exports ``JACK_DEFAULT_SERVER=<name>`` in ``os.environ``, so every
    JACK client opened afterwards -- JACK-Client (``jack.Client``), PortAudio's
    JACK host API (``sounddevice``), python-rtmidi with ``API_UNIX_JACK`` -- in
    this process *and in child processes* talks to this server. It also sets
    ``JACK_NO_START_SERVER=1`` (unless already set) so that no client silently
    auto-starts some other jackd when ours is down (e.g. during a device-loss
    test): a dead server must look dead.

PortAudio caveat (sounddevice)
    PortAudio enumerates devices only in ``Pa_Initialize()``, and ``sounddevice``
    calls it when it is *imported*. If ``sounddevice`` was imported before the
    server was up (or the server was restarted since), PortAudio does not see
    the JACK device / holds a dead connection. Either import ``sounddevice``
    only after ``start()``, or re-initialise PortAudio::

        import sounddevice as sd
        sd._terminate()
        sd._initialize()

    (close all streams first). Do the same after ``restart()``/``kill()``+``start()``.

PortAudio abort hazard (Debian's libportaudio2 19.6, built with assertions)
    ``Pa_Terminate()`` -- i.e. ``sd._terminate()``, and sounddevice's own atexit
    handler -- *aborts the whole process* (``pa_jack.c: Terminate: Assertion
    `err == 0' failed``) if the JACK server PortAudio connected to at
    ``Pa_Initialize()`` has gone away, even if a new server with the same name
    is up again. Hence:

    * before stopping the server for good, call :func:`release_portaudio`
      (the ``jack_server`` fixture does this at session end: it terminates
      PortAudio if the server never went down, else it unregisters
      sounddevice's atexit handler so the interpreter can exit cleanly);
    * a device-loss test (``kill()`` while PortAudio is initialised) must not
      call ``sd._terminate()`` in the pytest process afterwards -- run that
      scenario in a child process (it inherits ``JACK_DEFAULT_SERVER``) and
      check its exit status / output.

Realtime
    ``start()`` first tries ``jackd -R -P 70 -d dummy -r 48000 -p 128``. If the
    server does not come up, or comes up but reports that realtime scheduling
    was refused, it falls back to ``jackd --no-realtime -d dummy -r 48000 -p 256``.
    ``.realtime`` and ``.period`` tell which one is running. ``playback=4`` gives
    the dummy device 4 output ports (``-P 4``; default 2). Set
    ``ROCKSTAR_JACK_REALTIME=0`` in the environment to skip the realtime attempt.

The jackd output goes to ``.log_path``; ``log_tail()`` returns its end for
error messages. The log is deleted at interpreter exit unless
``ROCKSTAR_KEEP_JACK_LOG=1``.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

__all__ = ["JackServer", "JackServerError", "jackd_available", "release_portaudio"]

# Lines jackd2 prints when it is started with -R but may not use RT scheduling.
_RT_REFUSED_MARKERS = (
    "Cannot use real-time scheduling",
    "AcquireSelfRealTime error",
    "cannot use real-time scheduling",
)


class JackServerError(RuntimeError):
    """jackd is missing or could not be started."""


def jackd_available() -> bool:
    return shutil.which("jackd") is not None


def release_portaudio(server_alive: bool = True) -> None:
    """Let sounddevice's PortAudio go without aborting the process.

    ``server_alive=True`` (jackd is the very server PortAudio initialised
    against): ``Pa_Terminate()`` now, fully, so sounddevice's atexit handler has
    nothing left to do once the server is gone.

    ``server_alive=False`` (that server died): ``Pa_Terminate()`` would abort,
    so instead unregister sounddevice's atexit handler and let PortAudio die
    with the process.

    No-op if sounddevice was never imported. See the module docstring.
    """
    sd = sys.modules.get("sounddevice")
    if sd is None:
        return
    if server_alive:
        try:
            while getattr(sd, "_initialized", 0) > 0:
                sd._terminate()
            return
        except Exception:  # PortAudioError: fall through, never loop
            pass
    handler = getattr(sd, "_exit_handler", None)
    if handler is not None:
        atexit.unregister(handler)


@dataclass(frozen=True)
class _Mode:
    realtime: bool
    period: int
    playback: int | None = None  # the dummy device's output ports (None: the backend's default, 2)

    def args(self, samplerate: int) -> list[str]:
        rt = ["-R", "-P", "70"] if self.realtime else ["--no-realtime"]
        ports = [] if self.playback is None else ["-P", str(self.playback)]
        return [*rt, "-d", "dummy", "-r", str(samplerate), "-p", str(self.period), *ports]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """preexec_fn: SIGTERM jackd if the test process dies without teardown."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


class JackServer:
    """A private ``jackd -d dummy`` server. See the module docstring."""

    def __init__(
        self,
        name: str | None = None,
        samplerate: int = 48000,
        period: int = 128,
        fallback_period: int = 256,
        try_realtime: bool | None = None,
        timeout: float = 10.0,
        export_env: bool = True,
        playback: int | None = None,
    ) -> None:
        self.name = name or f"rockstar-cx-test-{os.getpid()}"
        self.samplerate = samplerate
        if try_realtime is None:
            try_realtime = os.environ.get("ROCKSTAR_JACK_REALTIME", "1") != "0"
        modes = [_Mode(True, period, playback)] if try_realtime else []
        modes.append(_Mode(False, fallback_period, playback))
        self._modes = modes
        self._mode: _Mode = modes[0]
        self.timeout = timeout
        self.export_env = export_env
        self.proc: subprocess.Popen | None = None
        #: successful start() calls; > 1 means clients may hold a dead connection
        self.starts = 0
        self._log_dir = tempfile.mkdtemp(prefix="rockstar-cx-jackd-")
        self.log_path = os.path.join(self._log_dir, "jackd.log")
        self._log_file = None
        atexit.register(self._at_exit)

    # ------------------------------------------------------------ properties
    @property
    def period(self) -> int:
        """Frames per JACK cycle of the running (or last tried) mode."""
        return self._mode.period

    @property
    def realtime(self) -> bool:
        """True if jackd runs with -R and did not report RT being refused."""
        return self._mode.realtime

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def env(self) -> dict[str, str]:
        """Environment variables a client (or child process) needs."""
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    def __repr__(self) -> str:
        state = f"pid={self.pid}" if self.is_running() else "stopped"
        return (f"JackServer(name={self.name!r}, samplerate={self.samplerate}, "
                f"period={self.period}, realtime={self.realtime}, {state})")

    # -------------------------------------------------------------- control
    def start(self) -> "JackServer":
        """Start jackd (no-op if already running) and wait until it serves clients."""
        if self.is_running():
            return self
        jackd = shutil.which("jackd")
        if jackd is None:
            raise JackServerError(
                "jackd is not installed: run scripts/setup (Debian/Ubuntu package "
                "'jackd2'); see docs/setup.md")
        if self.export_env:
            os.environ["JACK_DEFAULT_SERVER"] = self.name
            os.environ.setdefault("JACK_NO_START_SERVER", "1")

        failures = []
        for mode in self._modes:
            self._mode = mode
            ok, why = self._try_start(jackd, mode)
            if ok:
                # Later (re)starts keep this mode: same period, no slow RT retry.
                self._modes = self._modes[self._modes.index(mode):]
                self.starts += 1
                return self
            failures.append(f"  {' '.join(mode.args(self.samplerate))}: {why}")
            self._terminate()
        raise JackServerError(
            f"could not start jackd server {self.name!r}:\n" + "\n".join(failures)
            + f"\n--- {self.log_path} (tail) ---\n{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Abruptly kill jackd (default SIGKILL): simulates losing the audio device.

        Returns once the process is gone. Call ``start()`` to bring it back.
        """
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._close_log()

    def stop(self) -> None:
        """Graceful shutdown: SIGTERM, wait, SIGKILL if it does not exit."""
        self._terminate()

    def restart(self, *, abrupt: bool = False) -> "JackServer":
        """Stop (or, with ``abrupt=True``, SIGKILL) and start again, same name/mode."""
        if abrupt:
            self.kill()
        else:
            self.stop()
        return self.start()

    def ensure_running(self) -> "JackServer":
        """Start the server again if a previous test left it dead."""
        return self.start()

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "JackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ internals
    def _try_start(self, jackd: str, mode: _Mode) -> tuple[bool, str]:
        self._close_log()
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(
            f"\n=== {time.strftime('%H:%M:%S')} jackd -n {self.name} "
            f"{' '.join(mode.args(self.samplerate))}\n".encode())
        self._log_file.flush()
        log_start = self._log_file.tell()
        env = dict(os.environ, **self.env())
        try:
            self.proc = subprocess.Popen(
                [jackd, "-n", self.name, *mode.args(self.samplerate)],
                stdin=subprocess.DEVNULL, stdout=self._log_file,
                stderr=subprocess.STDOUT, env=env,
                # PDEATHSIG fires when the *thread* that forked exits, so only
                # use it when started from the main thread.
                preexec_fn=(_die_with_parent if os.name == "posix"
                            and threading.current_thread() is threading.main_thread()
                            else None),
            )
        except OSError as e:
            return False, f"cannot execute: {e}"

        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                return False, f"jackd exited with code {self.proc.returncode}"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False, f"not ready after {self.timeout:.0f} s"
            if self._probe(min(1.0, remaining), env):
                break

        if mode.realtime:
            # jackd2 keeps running when RT is refused; it only says so in its log.
            time.sleep(0.1)
            if self._rt_refused(log_start):
                return False, "realtime scheduling refused"
        return True, "ok"

    def _probe(self, wait: float, env: dict[str, str]) -> bool:
        """True once the server accepts clients (``jack_lsp`` succeeds).

        ``jack_lsp`` answers at once; ``jack_wait -w`` would sleep a whole
        second between its attempts.
        """
        tool = shutil.which("jack_lsp")
        if tool:
            cmd = [tool, "-s", self.name]
        else:  # pragma: no cover - jack_lsp ships with jackd2
            cmd = ["jack_wait", "-s", self.name, "-w", "-t", str(max(1, round(wait)))]
        try:
            r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=wait + 5)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if r.returncode != 0:
            time.sleep(0.05)
        return r.returncode == 0

    def _rt_refused(self, offset: int) -> bool:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
        except OSError:
            return False
        return any(m in text for m in _RT_REFUSED_MARKERS)

    def _at_exit(self) -> None:
        self.stop()
        if os.environ.get("ROCKSTAR_KEEP_JACK_LOG") != "1":
            shutil.rmtree(self._log_dir, ignore_errors=True)

    def _terminate(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                proc.terminate()
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            except ProcessLookupError:
                pass
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            try:
                self._log_file.close()
            except OSError:
                pass
            self._log_file = None
