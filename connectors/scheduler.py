"""The feed connector's loop: poll each owned feed when it is due, a bounded number at a time.

* Due feeds are handed to a pool of ``workers`` threads, earliest first, with at most
  ``per_host_feed_concurrency`` feeds of one host in flight.
* A feed that has never been polled starts at a random point within ``first_poll_spread_s``,
  so a restart with thousands of feeds does not poll them all in the same second.
* Which feeds this process owns comes from :class:`~connectors.publisher.FeedLease` (several
  processes share a feed list) or is "all of them" (a single process, ``--once``, tests).
* Every ``report_every_s`` the counters and the backed-off feeds are logged.

With ``workers=0`` polls run inline: :meth:`FeedScheduler.tick` then drives the scheduler
under a :class:`~connectors.clock.FakeClock`, which is how the simulated-day tests count
requests without waiting.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from connectors.clock import Clock
from connectors.poller import FeedPoller, PollOutcome
from connectors.state import FeedState, StateStore
from connectors.urls import host_of
from pipeline.settings import ConnectorSettings

log = logging.getLogger(__name__)


class FeedScheduler:
    def __init__(
        self,
        feed_urls: Iterable[str],
        poller: FeedPoller,
        store: StateStore,
        settings: ConnectorSettings,
        clock: Clock,
        workers: int | None = None,
        rng: random.Random | None = None,
        on_outcome: Callable[[PollOutcome], None] | None = None,
    ) -> None:
        self.feed_urls = list(dict.fromkeys(feed_urls))
        self.poller = poller
        self.store = store
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_outcome = on_outcome
        self.states: dict[str, FeedState] = {}
        self._in_flight: dict[str, Future[PollOutcome]] = {}
        self._hosts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        count = settings.workers if workers is None else workers
        self._pool = ThreadPoolExecutor(count, thread_name_prefix="feed") if count > 0 else None

    # -- ownership ------------------------------------------------------------------------------

    def adopt(self, urls: Iterable[str]) -> None:
        """Start scheduling ``urls``, from their stored state when there is one."""
        wanted = [u for u in urls if u not in self.states]
        stored = self.store.load(wanted) if wanted else {}
        now = self.clock.now()
        spread = self.settings.schedule.first_poll_spread_s
        with self._lock:
            for url in wanted:
                state = stored.get(url)
                if state is None:
                    offset = self.rng.uniform(0, spread) if spread > 0 else 0.0
                    state = FeedState(url=url, next_poll=now + timedelta(seconds=offset),
                                      next_poll_reason="first-poll")
                self.states[url] = state
        if wanted:
            log.info("scheduling %d feeds (%d with stored state)", len(wanted), len(stored))

    def adopt_all(self) -> None:
        self.adopt(self.feed_urls)

    def release(self, urls: Iterable[str], timeout_s: float = 120.0) -> None:
        """Stop scheduling ``urls``, after their in-flight polls finish (so their state is saved)."""
        dropping = set(urls)
        with self._lock:
            waiting = [f for url, f in self._in_flight.items() if url in dropping]
        for future in waiting:
            try:
                future.result(timeout=timeout_s)
            except Exception as exc:
                log.warning("in-flight poll did not finish cleanly before hand-over: %s", exc)
        self._reap()
        with self._lock:
            for url in dropping:
                self.states.pop(url, None)

    # -- running --------------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def next_due(self) -> datetime | None:
        with self._lock:
            pending = [s.next_poll for u, s in self.states.items()
                       if s.next_poll is not None and u not in self._in_flight]
        return min(pending) if pending else None

    def tick(self, force: bool = False) -> list[PollOutcome]:
        """Start every due feed (``force``: every owned feed) that the host cap allows; with
        no worker pool, run them here and return their outcomes."""
        self._reap()
        now = self.clock.now()
        cap = max(1, self.settings.per_host_feed_concurrency)
        with self._lock:
            due = sorted(
                (s for u, s in self.states.items() if u not in self._in_flight
                 and (force or s.next_poll is None or s.next_poll <= now)),
                key=lambda s: s.next_poll or now,
            )
            started: list[FeedState] = []
            for state in due:
                host = host_of(state.url)
                if self._hosts[host] >= cap:
                    continue
                self._hosts[host] += 1
                started.append(state)
        if self._pool is None:
            outcomes = [self._poll(state) for state in started]
            for outcome in outcomes:
                self._done(outcome)
            return outcomes
        for state in started:
            future = self._pool.submit(self._poll, state)
            with self._lock:
                self._in_flight[state.url] = future
            future.add_done_callback(lambda _f: self._wake.set())
        return []

    def run(
        self,
        before_tick: Callable[[], None] | None = None,
        max_wait_s: float = 1.0,
    ) -> None:
        """Poll until :meth:`stop`; ``before_tick`` runs on this thread each round (the lease
        uses it to keep its group membership)."""
        last_report = self.clock.monotonic()
        while not self._stop.is_set():
            if before_tick is not None:
                before_tick()
            self.tick()
            if self.clock.monotonic() - last_report >= self.settings.report_every_s:
                self.log_report()
                last_report = self.clock.monotonic()
            due = self.next_due()
            wait = max_wait_s
            if due is not None:
                wait = min(wait, max(0.0, (due - self.clock.now()).total_seconds()))
            self._wake.wait(wait)
            self._wake.clear()
        self.drain()

    def run_once(self) -> list[PollOutcome]:
        """Poll every owned feed once, whatever its schedule, and wait for all of them."""
        outcomes: list[PollOutcome] = []
        remaining = set(self.states)
        original = self.on_outcome

        def collect(outcome: PollOutcome) -> None:
            outcomes.append(outcome)
            if original is not None:
                original(outcome)

        self.on_outcome = collect
        try:
            while remaining:
                with self._lock:
                    pending = [s for u, s in self.states.items() if u in remaining]
                    for state in pending:
                        state.next_poll = None  # due now
                self.tick(force=False)
                with self._lock:
                    remaining -= set(self._in_flight)
                remaining -= {o.url for o in outcomes}
                if remaining or self._in_flight:
                    self._wake.wait(0.5)
                    self._wake.clear()
                    self._reap()
            self.drain()
        finally:
            self.on_outcome = original
        return outcomes

    def drain(self) -> None:
        """Wait for in-flight polls and record their outcomes."""
        with self._lock:
            futures = list(self._in_flight.values())
        for future in futures:
            try:
                future.result()
            except Exception as exc:  # a bug in a poll must not take the others down
                log.exception("a feed poll failed unexpectedly: %s", exc)
        self._reap()

    def close(self) -> None:
        self.drain()
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    # -- internals ------------------------------------------------------------------------------

    def _poll(self, state: FeedState) -> PollOutcome:
        return self.poller.poll(state)

    def _reap(self) -> None:
        with self._lock:
            finished = [(u, f) for u, f in self._in_flight.items() if f.done()]
            for url, _ in finished:
                del self._in_flight[url]
        for url, future in finished:
            try:
                outcome = future.result()
            except Exception as exc:
                log.exception("poll of %s failed unexpectedly: %s", url, exc)
                with self._lock:
                    self._hosts[host_of(url)] -= 1
                    state = self.states.get(url)
                    if state is not None:
                        retry = self.settings.schedule.min_interval_s
                        state.next_poll = self.clock.now() + timedelta(seconds=retry)
                continue
            self._done(outcome)

    def _done(self, outcome: PollOutcome) -> None:
        with self._lock:
            self._hosts[host_of(outcome.url)] -= 1
            if outcome.url in self.states:
                self.states[outcome.url] = outcome.state
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def backed_off(self) -> list[str]:
        with self._lock:
            return sorted(u for u, s in self.states.items() if s.backed_off)

    def log_report(self) -> None:
        snapshot = self.poller.reporter.metrics.snapshot()
        backed_off = self.backed_off()
        log.info("feeds owned: %d, in flight: %d; %s", len(self.states), len(self._in_flight), snapshot)
        if backed_off:
            shown = ", ".join(backed_off[:10]) + (" ..." if len(backed_off) > 10 else "")
            log.warning("%d feeds backed off after repeated failures: %s", len(backed_off), shown)
        self.poller.reporter.sink.flush()
