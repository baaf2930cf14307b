"""Connector commands (`feeds`, `backfill`) and `publish_feeds_once`, used by `run --once`.

    python -m pipeline feeds --feeds FILE            long-running scheduler (shares feeds with
                                                     other processes via the state topic's group)
    python -m pipeline feeds --feeds FILE --once     poll every feed once and exit
    python -m pipeline backfill urls FILE            fetch listed pages into the raw topic
    python -m pipeline backfill sitemap URL          ... every page of a sitemap (or index)
    python -m pipeline backfill page URL             ... every link of a seed page
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from connectors.clock import SystemClock
from connectors.feedlist import FeedSpec, load_feeds_file
from connectors.fetch import Fetcher
from connectors.pages import PageFetcher
from connectors.poller import FeedPoller, PollOutcome
from connectors.publisher import (
    FeedLease,
    KafkaErrorSink,
    KafkaStateStore,
    RawPublisher,
    ensure_connector_topics,
)
from connectors.reporting import Metrics, Reporter
from connectors.scheduler import FeedScheduler
from connectors.web import Backfill, Target, read_url_list
from pipeline import observability
from pipeline.messaging import wait_for_broker
from pipeline.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ConnectorReport:
    feeds: int = 0
    entries: int = 0
    published: int = 0
    publish_failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    updated: int = 0
    failed_feeds: int = 0
    backed_off: list[str] = field(default_factory=list)

    def add(self, outcome: PollOutcome) -> None:
        self.feeds += 1
        self.entries += outcome.new + outcome.updated
        self.updated += outcome.updated
        self.published += outcome.published
        self.publish_failed += outcome.publish_failed
        self.not_modified += outcome.status == "not-modified"
        self.failed_feeds += outcome.status == "failed"
        if outcome.state.backed_off:
            self.backed_off.append(outcome.url)

    @property
    def all_failed(self) -> bool:
        """Every feed polled failed: a network, proxy or feeds-file problem, not one feed's."""
        return self.feeds > 0 and self.failed_feeds == self.feeds


@dataclass
class Connector:
    """The wired-up parts of a feed connector process."""

    settings: Settings
    publisher: RawPublisher
    store: KafkaStateStore
    sink: KafkaErrorSink
    reporter: Reporter
    pages: PageFetcher
    poller: FeedPoller


@contextmanager
def connector(settings: Settings) -> Iterator[Connector]:
    clock = SystemClock()
    ensure_connector_topics(settings.kafka, settings.connectors)
    fetcher = Fetcher(settings.fetch)
    publisher = RawPublisher(settings.kafka)
    store = KafkaStateStore(settings.kafka, settings.connectors)
    sink = KafkaErrorSink(settings.kafka, settings.connectors)
    reporter = Reporter(Metrics(), sink)
    pages = PageFetcher(fetcher, settings.fetch, clock)
    poller = FeedPoller(fetcher, pages, publisher, store, reporter, settings.connectors, clock,
                        settings.kafka.max_record_bytes)
    try:
        yield Connector(settings, publisher, store, sink, reporter, pages, poller)
    finally:
        sink.close()
        store.close()
        publisher.close()


def publish_feeds_once(specs: list[FeedSpec], settings: Settings) -> ConnectorReport:
    """Poll every feed once (new and updated entries only, pages fetched), publish to the raw
    topic, and save each feed's state."""
    report = ConnectorReport()
    with connector(settings) as parts:
        scheduler = FeedScheduler([s.url for s in specs], parts.poller, parts.store,
                                  settings.connectors, SystemClock(), on_outcome=report.add)
        try:
            scheduler.adopt_all()
            scheduler.run_once()
        finally:
            scheduler.close()
        parts.sink.flush()
        report.errors = parts.reporter.metrics.snapshot()["failures"]
    return report


def _shared_lease(
    specs: list[FeedSpec], parts: Connector, scheduler: FeedScheduler, settings: Settings
) -> FeedLease:
    """Join the group that shares the feeds: each process schedules the feeds of the state
    partitions it is assigned."""
    by_partition: dict[int, list[str]] = {}
    for spec in specs:
        by_partition.setdefault(parts.store.partition_for(spec.url), []).append(spec.url)

    def assigned(partitions: set[int]) -> None:
        urls = [u for p in partitions for u in by_partition.get(p, [])]
        log.info("state partitions assigned %s: %d feeds", sorted(partitions), len(urls))
        scheduler.adopt(urls)

    def revoked(partitions: set[int]) -> None:
        urls = [u for p in partitions for u in by_partition.get(p, [])]
        log.info("state partitions revoked %s: handing over %d feeds", sorted(partitions), len(urls))
        scheduler.release(urls)

    group = settings.connectors.group_id or f"{settings.kafka.topic_prefix}.connector-feeds"
    return FeedLease(settings.kafka, parts.store.topic, group, assigned, revoked)


def _cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    specs = load_feeds_file(Path(args.feeds)).feeds
    wait_for_broker(settings.kafka)
    if args.once:
        report = publish_feeds_once(specs, settings)
        log.info("feeds polled once: %s", report)
        if report.all_failed:
            log.error("every feed failed (%d of %d): %s", report.failed_feeds, report.feeds,
                      ", ".join(f"{k}={v}" for k, v in sorted(report.errors.items())))
            return 1
        return 0
    telemetry = observability.start(settings.metrics, service="news-feeds")
    with connector(settings) as parts:
        clock = SystemClock()
        scheduler = FeedScheduler(
            [s.url for s in specs], parts.poller, parts.store, settings.connectors, clock,
            on_outcome=lambda outcome: telemetry.feed_polls.labels(outcome.status).inc(),
        )
        telemetry.watch(observability.ConnectorCollector(
            parts.reporter.metrics.snapshot, lambda: len(scheduler.backed_off())
        ))
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal %d: finishing in-flight polls, then stopping", signum)
            stop.set()
            scheduler.stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        lease: FeedLease | None = None
        try:
            if args.standalone:
                scheduler.adopt_all()
                scheduler.run(before_tick=telemetry.health.connected)
            else:
                lease = _shared_lease(specs, parts, scheduler, settings)

                def turn(current: FeedLease = lease) -> None:
                    current.poll()
                    telemetry.health.connected()

                scheduler.run(before_tick=turn)
        finally:
            scheduler.close()
            if lease is not None:
                lease.close()
            scheduler.log_report()
    return 0


def _cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    wait_for_broker(settings.kafka)
    rate = args.rate if args.rate is not None else settings.connectors.backfill_rate_per_s
    with connector(settings) as parts:
        backfill = Backfill(parts.pages, parts.publisher, parts.reporter, SystemClock(), rate,
                            settings.kafka.max_record_bytes, workers=args.workers)
        targets: list[Target]
        if args.backfill_command == "urls":
            targets = read_url_list(Path(args.file))
            source = f"backfill:{Path(args.file).name}"
        elif args.backfill_command == "sitemap":
            targets = backfill.sitemap_targets(args.url)
            source = f"sitemap:{args.url}"
        else:
            targets = backfill.seed_targets(args.url, any_host=args.any_host)
            source = f"page:{args.url}"
        if args.limit is not None:
            targets = targets[: args.limit]
        report = backfill.run(targets, source, progress=not args.no_progress)
    print(
        f"listed {report.listed}, fetched {report.fetched}, published {report.published}, "
        f"publish failures {report.publish_failed}"
    )
    if report.errors:
        print("problems: " + ", ".join(f"{k}={v}" for k, v in sorted(report.errors.items())))
    return 0 if report.publish_failed == 0 else 1


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feeds = commands.add_parser("feeds", help="feed connector: poll feeds into the raw topic")
    feeds.add_argument("--feeds", required=True, help="feeds YAML file")
    feeds.add_argument("--once", action="store_true", help="poll each feed once and exit")
    feeds.add_argument(
        "--standalone", action="store_true",
        help="own every feed in the file instead of sharing them with other connector processes",
    )
    feeds.set_defaults(handler=_cmd_feeds)

    backfill = commands.add_parser("backfill", help="fetch pages from a URL list, sitemap or seed page")
    backfill.add_argument("--rate", type=float, default=None,
                          help="requests per second at most (default: connectors.backfill_rate_per_s)")
    backfill.add_argument("--workers", type=int, default=4, help="pages fetched at once")
    backfill.add_argument("--limit", type=int, default=None, help="at most N pages")
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar")
    sources = backfill.add_subparsers(dest="backfill_command", required=True)
    urls = sources.add_parser("urls", help="a file with one URL per line")
    urls.add_argument("file")
    sitemap = sources.add_parser("sitemap", help="a sitemap, sitemap index or Google News sitemap")
    sitemap.add_argument("url")
    page = sources.add_parser("page", help="the links of a seed page")
    page.add_argument("url")
    page.add_argument("--any-host", action="store_true", help="follow links to other hosts too")
    backfill.set_defaults(handler=_cmd_backfill)
