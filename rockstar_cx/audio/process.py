"""An engine process: its entry point, its message loop with the app, and how it leaves.

The app's :class:`~.supervisor.AudioEngine` spawns :func:`engine_main` (or runs it in a thread
for benchmarks); the :class:`~.engine.Engine` it builds does the playing.
"""

from __future__ import annotations

import gc
import os
import sys

from ..conductor.conductor import Conductor
from ..errors import ShowError
from .engine import HEALTH_S, SUPERVISE_S, Engine, EngineConfig
from .health import AudioState
from .ipc import SharedState
from .revival import Revival, take_revival


def engine_main(config: EngineConfig, shm_name: str, conn, standby: bool, in_process: bool = False,
                revival: Revival | None = None) -> None:
    """Entry point of an engine process (or thread, for ``in_process`` benchmarks).

    Messages from the app: ``("handover",)`` → replies ``("state", bytes)`` and waits for
    ``("exit",)``; ``("take", bytes)``; ``("note", message)`` (the health's message, while this
    engine writes it); ``("quit",)`` → replies ``("bye",)``.  To the app:
    ``("ready", state, message)`` once started (``("failed", message)`` for a standby engine
    that found no device, for any engine whose device has too few channels for the routing, and
    for one that could not start at all: a sample it cannot load), ``("lost", message)`` when the device goes.
    A ``revival`` engine (see :mod:`.revival`) takes a dead engine's conductor as soon as it is
    ready, from its device or silently.  An engine process
    always ends in ``os._exit``: PortAudio's exit handler can abort after an audio server died.
    """
    if not in_process:
        gc.disable()  # the engine makes no reference cycles worth a pause in the callback
        sys.setswitchinterval(0.0005)  # hand the GIL to a waiting callback within half a millisecond
    shared = SharedState.attach(shm_name)
    engine = None
    try:
        try:
            conductor = None if standby or revival else Conductor(config.show, config.samplerate,
                                                                  hold_bars=config.hold_bars)
            engine = Engine(config, shared, conductor)
        except Exception as error:  # the app says why at once, in the engine's own words
            conn.send(("failed", str(error) if isinstance(error, ShowError) else
                       f"the audio engine could not start: {type(error).__name__}: {error}"))
            return
        _serve(engine, conn, standby, revival)
    except (EOFError, BrokenPipeError):  # the app is gone: nothing left to play for
        pass
    except Exception as error:  # a starting app hears why at once; a running one sees the engine end
        conn.send(("failed", f"the audio engine stopped: {type(error).__name__}: {error}"))
    finally:
        _leave(engine, shared, in_process)


def _serve(engine: Engine, conn, standby: bool, revival: Revival | None) -> None:
    if engine.renderer.conductor is not None:
        engine.publish_transport()  # before any driver runs: the transport has one writer at a time
        engine.renderer.prime()
    if revival is not None and revival.silent or not engine.open_stream():
        if standby or engine.unfit:  # a device without the channels asked: the app says so and stops
            conn.send(("failed", engine.message))
            return
        engine.start_silent(AudioState.SILENT)
    if revival is not None:
        take_revival(engine, revival)
    engine.publish_health()
    engine.renderer.start(engine.publish_health, HEALTH_S)  # from here on, the renderer publishes the health
    conn.send(("ready", engine.state, engine.message))
    while True:
        if engine.supervise():
            conn.send(("lost", engine.message))
        if not conn.poll(SUPERVISE_S):
            continue
        message = conn.recv()
        if message[0] == "handover":
            conn.send(("state", engine.handover_state()))
            conn.recv()  # ("exit",)
            return
        if message[0] == "take":
            engine.take_over(message[1])
        elif message[0] == "note":
            engine.message = message[1]
        elif message[0] == "quit":
            engine.shutdown()
            engine.publish_health()  # the last word, now that nothing plays
            conn.send(("bye",))
            return


def _leave(engine: Engine | None, shared: SharedState, in_process: bool) -> None:
    if engine is not None and in_process:
        engine.shutdown()  # in the app's process: nothing may play into the memory once it is closed
    elif engine is not None:
        engine.stop_silent()
        engine.renderer.stop()
    if in_process and engine is not None and engine.room is not None:
        engine.room.close()  # (an engine process leaves it to os._exit: a callback may still be writing)
    shared.close()  # (left to the garbage collector, closing can fail on views still alive)
    if in_process:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip PortAudio's exit handler: it aborts if the server it first knew has died
