"""Shared test setup.

* SDL runs headless (dummy video and audio drivers), set before pygame is imported.
* ``jack_server``: a private JACK dummy server for real audio/MIDI tests
  (see ``tests/jackserver.py`` -- and its note on re-initialising PortAudio).
* A per-test watchdog: a test that hangs longer than ROCKSTAR_TEST_TIMEOUT
  seconds (default 300) dumps all thread stacks and aborts the run, so CI
  fails instead of hanging.
"""

from __future__ import annotations

import faulthandler
import os
import sys

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

_TEST_TIMEOUT = float(os.environ.get("ROCKSTAR_TEST_TIMEOUT", "300"))


@pytest.fixture(autouse=True)
def _hang_watchdog():
    if _TEST_TIMEOUT > 0:
        faulthandler.dump_traceback_later(_TEST_TIMEOUT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="session")
def jack_server():
    """A running private ``jackd -d dummy`` (48 kHz), exported as JACK_DEFAULT_SERVER.

    Yields a :class:`jackserver.JackServer` with ``.name``, ``.samplerate``,
    ``.period``, ``.realtime`` and ``.start()/.stop()/.kill()/.restart()``.
    A test that kills it must ``start()`` it again before it returns.
    """
    if not jackd_available():
        pytest.fail("jackd is not installed (Debian/Ubuntu: jackd2): run scripts/setup; "
                    "see docs/setup.md", pytrace=False)
    server = JackServer(name="rockstar-cx-test")  # a fixed name: JACK reuses a dead server's registry slot only for the same name
    try:
        server.start()
    except JackServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server
    finally:
        # Pa_Terminate aborts the process if PortAudio's jackd is gone (even if
        # restarted since): terminate it only while that server still runs.
        release_portaudio(server_alive=server.is_running() and server.starts == 1)
        server.stop()
