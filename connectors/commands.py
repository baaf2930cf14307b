"""Connector entry points used by the CLI and by `run --once`."""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from connectors.feedlist import FeedSpec, load_feeds_file
from connectors.feeds import poll_feed
from connectors.fetch import Fetcher
from connectors.publisher import RawPublisher
from pipeline.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ConnectorReport:
    feeds: int = 0
    entries: int = 0
    published: int = 0
    publish_failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def publish_feeds_once(specs: list[FeedSpec], settings: Settings) -> ConnectorReport:
    """Poll every feed once, fetch new entries' pages, publish them to the raw topic."""
    report = ConnectorReport()
    fetcher = Fetcher(settings.fetch)
    publisher = RawPublisher(settings.kafka)
    try:
        for spec in specs:
            result = poll_feed(fetcher, spec.url)
            report.feeds += 1
            report.entries += len(result.envelopes)
            for reason, count in result.errors.items():
                report.errors[reason] = report.errors.get(reason, 0) + count
            written = publisher.publish(result.envelopes)
            failed = len(written.permanent) + len(written.retriable)
            report.publish_failed += failed
            report.published += len(result.envelopes) - failed
    finally:
        publisher.close()
    return report


def _cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    specs = load_feeds_file(Path(args.feeds)).feeds
    while True:
        report = publish_feeds_once(specs, settings)
        log.info("feeds polled: %s", report)
        if args.once:
            return 0
        time.sleep(args.interval)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    feeds = commands.add_parser("feeds", help="feed connector: poll feeds into the raw topic")
    feeds.add_argument("--feeds", required=True, help="feeds YAML file")
    feeds.add_argument("--interval", type=float, default=300.0, help="seconds between polls")
    feeds.add_argument("--once", action="store_true", help="poll each feed once and exit")
    feeds.set_defaults(handler=_cmd_feeds)
