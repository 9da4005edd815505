"""Shared test setup.

* SDL runs headless (dummy video and audio drivers), set before pygame is imported.
* Settings, resume state and room calibrations go to a folder of the run's own, never the user's.
* ``jack_server``: a private JACK dummy server for real audio/MIDI tests
  (see ``tests/jackserver.py`` -- and its note on re-initialising PortAudio).
* A per-test watchdog: a test that hangs longer than ROCKSTAR_TEST_TIMEOUT
  seconds (default 300) dumps all thread stacks and aborts the run, so CI
  fails instead of hanging.
* Without JACK: ``bus``, this process's in-memory MIDI graph (``--midi-api memory``), left empty
  after every test; ``silent_engine``, real engines that find no audio device and play on their
  silent clock (any engine started in-process while the fixture is in use finds none).
"""

from __future__ import annotations

import atexit
import faulthandler
import os
import shutil
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from pathlib import Path

# No test reads or writes the user's own settings, resume state or room calibration: one folder per run
# (a test may point a variable elsewhere with monkeypatch; the processes it starts inherit them).
_SETTINGS = tempfile.mkdtemp(prefix="rockstar-cx-tests-")
atexit.register(shutil.rmtree, _SETTINGS, ignore_errors=True)
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SETTINGS, "config")
os.environ["XDG_STATE_HOME"] = os.path.join(_SETTINGS, "state")

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest  # noqa: E402

if os.path.dirname(os.path.abspath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jackserver import (  # noqa: E402
    JackServer,
    JackServerError,
    jackd_available,
    release_portaudio,
)
from rockstar_cx.audio.engine import EngineConfig  # noqa: E402
from rockstar_cx.audio.supervisor import AudioEngine  # noqa: E402
from rockstar_cx.midi.memory import MemoryBus, memory_bus  # noqa: E402

_TEST_TIMEOUT = float(os.environ.get("ROCKSTAR_TEST_TIMEOUT", "300"))
# A hung test's threads go here, not to stderr: pytest captures that into a file the watchdog's exit
# throws away; scripts/test prints this one after pytest (a CI run once ended silently, exit 1).
HANG_LOG = Path(__file__).resolve().parents[1] / ".test-hang.log"


@pytest.fixture(autouse=True)
def _hang_watchdog(request):
    log = None
    if _TEST_TIMEOUT > 0:
        log = open(HANG_LOG, "a")
        log.write(f"\n{request.node.nodeid} hung for {_TEST_TIMEOUT:.0f} s; its threads:\n")
        log.flush()
        faulthandler.dump_traceback_later(_TEST_TIMEOUT, exit=True, file=log)
    yield
    faulthandler.cancel_dump_traceback_later()
    if log is not None:
        log.close()
        HANG_LOG.unlink(missing_ok=True)  # it did not hang


# A fixed name: JACK reuses a dead server's registry slot only for the same name.  Two suites run
# side by side on one machine must each set their own (ROCKSTAR_JACK_SERVER).
SERVER_NAME = os.environ.get("ROCKSTAR_JACK_SERVER", "rockstar-cx-test")


def _started(server: JackServer) -> JackServer:
    if not jackd_available():
        pytest.fail("jackd is not installed (Debian/Ubuntu: jackd2): run scripts/setup; see docs/setup.md",
                    pytrace=False)
    try:
        return server.start()
    except JackServerError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def jack_server():
    """A running private ``jackd -d dummy`` (48 kHz), exported as JACK_DEFAULT_SERVER.

    Yields a :class:`jackserver.JackServer` with ``.name``, ``.samplerate``,
    ``.period``, ``.realtime`` and ``.start()/.stop()/.kill()/.restart()``.
    A test that kills it must ``start()`` it again before it returns.
    """
    server = _started(JackServer(name=SERVER_NAME))
    try:
        yield server
    finally:
        # Pa_Terminate aborts the process if PortAudio's jackd is gone (even if
        # restarted since): terminate it only while that server still runs.
        release_portaudio(server_alive=server.is_running() and server.starts == 1)
        server.stop()


@pytest.fixture(scope="module")
def jack_server_4out():
    """A second private JACK dummy server whose device has 4 outputs (``-P 4``), for the cue mix;
    not exported: a test points its engine at it with ``monkeypatch.setenv("JACK_DEFAULT_SERVER", ...)``
    and its clients with the server's name.  The session's ``jack_server`` (2 outputs) is untouched."""
    server = _started(JackServer(name=SERVER_NAME + "-4out", playback=4, export_env=False))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bus() -> Iterator[MemoryBus]:
    """The ``memory`` MIDI API's bus; every port still on it at the end is unplugged (a test's leftovers)."""
    memory = memory_bus()
    assert memory.names(sources=True) == memory.names(sources=False) == [], "a test left ports on the bus"
    yield memory
    for source in (True, False):
        for name in memory.names(sources=source):
            endpoint = memory.find(name, source=source)
            if endpoint is not None:
                memory.remove(endpoint)


@pytest.fixture
def silent_engine(monkeypatch) -> Callable[[EngineConfig], AudioEngine]:
    """Engines that find no audio system and play on their silent clock: the real conductor, no device.

    In this process (``in_process``: the app's probing for a device to come back is a subprocess
    every half second, which these tests do not need), with a PortAudio that lists no output.
    """
    no_audio = types.ModuleType("sounddevice")
    no_audio.query_hostapis = lambda: []
    no_audio.query_devices = lambda: []
    no_audio.PortAudioError = type("PortAudioError", (Exception,), {})
    monkeypatch.setitem(sys.modules, "sounddevice", no_audio)

    def engine(config: EngineConfig) -> AudioEngine:
        started = AudioEngine(config, in_process=True).start()
        assert started.start_state == "silent", started.start_state
        return started
    return engine
