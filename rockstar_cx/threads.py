"""The app's background threads: one shape to start and stop them, one way to ask for real-time priority.

    class Poller(Worker):                       # a subclass runs _run ...
        def _run(self) -> None:
            while not self.stopping.wait(0.01):
                ...
    clock = Worker("silent-clock", loop)       # ... or a worker runs a function of its owner's
    clock.start(); clock.stop(); clock.start()  # stop() sets `stopping` and joins; it may start again

Real-time (SCHED_FIFO) priority, where the system grants it (Linux as root, or with an rtprio
limit), keeps a busy machine from delaying a thread by a scheduler time slice.  The priorities,
in one table (the audio server's own threads run at about 70, the audio callback just below):

* :data:`RENDER_PRIORITY` — the engine's renderer (:mod:`rockstar_cx.audio.ahead`): above every
  ordinary thread, below the audio callback's;
* :data:`MIDI_OUT_PRIORITY` — every thread of the MIDI-out process (:mod:`rockstar_cx.midi.outproc`):
  below JACK's own threads and audio clients; none can be descheduled holding the GIL the sender
  (or, over JACK, our client's process callback) needs.  All sleep between messages and requests,
  so they never starve the machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Self

RENDER_PRIORITY = 1
MIDI_OUT_PRIORITY = 20


def realtime(priority: int = MIDI_OUT_PRIORITY) -> bool:
    """Give the calling thread SCHED_FIFO ``priority`` if permitted; False where it is not (an
    ordinary thread still works).  The default is MIDI out's, whose threads call it bare."""
    try:
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_FIFO, os.sched_param(priority))
    except (AttributeError, OSError):  # not Linux, or no permission: normal scheduling
        return False
    return True


class Worker:
    """A daemon thread that runs from :meth:`start` until :meth:`stop`, and may be started again.

    What it runs: ``target()`` if given, else :meth:`_run` (a subclass's).  Either waits on
    :attr:`stopping` between rounds (``while not self.stopping.wait(interval)``), so :meth:`stop`
    ends it promptly.  Threading contract: start and stop from one thread (the owner's).
    """

    def __init__(self, name: str, target: Callable[[], None] | None = None) -> None:
        self.name = name
        self.stopping = threading.Event()
        self._target = target
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Start the thread (a no-op while it runs)."""
        if self._thread is None:
            self.stopping.clear()
            self._thread = threading.Thread(target=self._target or self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to end and wait until it has (a no-op when it does not run)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self.stopping.set()
            thread.join()

    def _run(self) -> None:
        raise NotImplementedError
