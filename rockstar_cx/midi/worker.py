"""A background thread with a stop flag: the shape of every MIDI poller."""

from __future__ import annotations

import threading
from typing import Self


class Worker:
    """Runs :meth:`_run` on a daemon thread from :meth:`start` until :meth:`close`.

    ``_run`` loops on ``while not self._stop.wait(interval)`` so that close() ends it promptly.
    Subclasses call ``super().__init__(thread name)`` once their own state is set up.
    """

    def __init__(self, thread_name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError
