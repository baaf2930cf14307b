"""The fault-suite rows that fit the CI time, run by `make test` too: the hostile feeds and
pages row (feed connector against the local scenario server, then every stage)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.suite import FAILED_PAGES, hostile_feeds

pytestmark = pytest.mark.integration


@pytest.mark.timeout(600)  # a hang guard: the slow pages are cut by the fetch deadline
def test_hostile_feeds_end_indexed_or_dead_lettered_once(kafka_ready: str, es_ready: Any) -> None:
    row = hostile_feeds()
    assert row.ok, row
    assert row.accepted == row.indexed + row.dead_letters > FAILED_PAGES
    assert row.duplicates == 0
