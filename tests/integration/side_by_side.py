"""Run a few calls at once in threads, as several workers would, and collect their results."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def run_side_by_side(calls: Sequence[Callable[[], T]], timeout_s: float = 60) -> list[T]:
    """Each call in a thread of its own; an exception in any thread fails the test."""
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    assert not errors, errors
    assert all(result is not None for result in results), results
    return [result for result in results if result is not None]
