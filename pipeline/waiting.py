"""Waiting out an outage without leaving the consumer group.

The sink (waiting for Elasticsearch) and the runner (a stage whose state store or broker is
:class:`~pipeline.errors.Unavailable`) wait the same way: jittered exponential backoff, a
:class:`Keepalive` ticked every ``interval_s`` so that the consumer stays in its group (see
:class:`pipeline.messaging.ConsumerKeepalive`), and a cancel event that makes the wait give up
with :class:`~pipeline.errors.RetriableError` (the process then exits without committing).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Protocol

from pipeline.errors import RetriableError


class Keepalive(Protocol):
    def tick(self) -> None:
        """Called every few seconds while waiting."""
        ...

    def release(self) -> None:
        """Called once the wait is over."""
        ...


def backoff_delay(attempt: int, initial_s: float, maximum_s: float) -> float:
    """A jittered delay in [ceiling/2, ceiling], the ceiling doubling per attempt up to the max."""
    ceiling = min(maximum_s, initial_s * 2 ** min(attempt - 1, 30))
    return random.uniform(ceiling / 2, ceiling)


def pause(
    delay: float,
    *,
    cancelled: threading.Event,
    keepalive: Keepalive | None,
    interval_s: float,
    why: str,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Wait ``delay`` seconds, ticking the keepalive; raise RetriableError once cancelled. With
    ``sleep`` (tests) the delay is handed to it whole and the keepalive ticked once."""
    if sleep is not None:
        _check(cancelled, why)
        sleep(delay)
        if keepalive is not None:
            keepalive.tick()
        return
    deadline = time.monotonic() + delay
    while True:
        _check(cancelled, why)
        if keepalive is not None:
            keepalive.tick()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        cancelled.wait(min(left, interval_s))


def _check(cancelled: threading.Event, why: str) -> None:
    if cancelled.is_set():
        raise RetriableError(f"stopped while waiting: {why}")
