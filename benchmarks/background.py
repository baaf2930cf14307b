"""A benchmark's helper loop in a daemon thread: started by its owner, stopped with a timeout."""

from __future__ import annotations

import threading
from typing import Self


class BackgroundLoop:
    """Subclasses write `_loop`, which returns once `_stop` is set."""

    thread_name = "background"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def _halt(self, timeout_s: float) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        raise NotImplementedError
