"""A running stage's /metrics, /healthz and /readyz, scraped over HTTP, against the real broker."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.messaging import ensure_topics
from pipeline.settings import Settings
from pipeline.topology import all_topics
from tests.integration.kafka_helpers import produce_envelopes, produce_raw
from tests.integration.test_backbone import ROOT, env_for, raw_article

pytestmark = pytest.mark.integration

ARTICLES = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def scrape(base: str) -> dict[str, float]:
    """Sample name{labels} -> value, labels sorted, for the stage's samples."""
    _, body = get(base + "/metrics")
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}"] = sample.value
    return found


def wait_for(what: str, check: object, process: subprocess.Popen[bytes], limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    while not check():  # type: ignore[operator]
        if process.poll() is not None:
            raise AssertionError(f"stage exited with {process.returncode} before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {limit_s:.0f}s")
        time.sleep(0.5)


def test_a_running_stage_serves_balanced_metrics_and_health(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    s = isolated_settings
    ensure_topics(s.kafka, all_topics(s))
    produce_envelopes(s, s.kafka.topic("raw"), (raw_article(i) for i in range(ARTICLES)))
    produce_raw(s, s.kafka.topic("raw"), [(b"poison", b"{not an envelope")])
    port = free_port()
    env = env_for(s)
    env.update(NEWS_METRICS__PORT=str(port), NEWS_METRICS__HOST="127.0.0.1", NEWS_LOG__FORMAT="json")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "clean"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    read = "news_records_read_total{stage=clean}"
    try:
        wait_for("the server answers", lambda: _answers(base), process)
        # The batch is counted read first, settled (written or dead-lettered) at its end.
        wait_for("every record read and settled", lambda: _settled(scrape(base)) == ARTICLES + 1,
                 process)
        metrics = scrape(base)
        written = metrics["news_records_written_total{stage=clean}"]
        dropped = metrics["news_records_dropped_total{stage=clean}"]
        dead = sum(v for k, v in metrics.items() if k.startswith("news_records_dead_lettered_total"))
        assert (written, dead, dropped) == (ARTICLES, 1, 0)
        assert metrics[read] == written + dead + dropped == ARTICLES + 1
        assert metrics["news_record_processing_seconds_count{stage=clean}"] == ARTICLES
        assert metrics["news_record_age_seconds_count{stage=clean}"] == ARTICLES
        lag_keys = [k for k in metrics if k.startswith("news_consumer_lag{")]
        assert lag_keys and all(s.kafka.topic("raw") in k for k in lag_keys)

        status, body = get(base + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, body = get(base + "/readyz")
        assert status == 200, body
        assert get(base + "/nothing")[0] == 404
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    dead_line = next(line for line in lines if "dead-lettering" in line["message"])
    assert dead_line["kafka.topic"] == s.kafka.topic("raw") and dead_line["article.id"] == "poison"
    assert dead_line["service.name"] == "news-clean" and dead_line["log.level"] == "warning"


def _settled(metrics: dict[str, float], stage: str = "clean") -> float:
    return sum(
        v for k, v in metrics.items()
        if k.startswith((f"news_records_written_total{{stage={stage}}}",
                         f"news_records_dropped_total{{stage={stage}}}",
                         "news_records_dead_lettered_total"))
    )


def test_the_sink_reports_end_to_end_age_and_bulk_requests(
    kafka_ready: str, es_ready: object, isolated_settings: Settings
) -> None:
    s = isolated_settings
    ensure_topics(s.kafka, all_topics(s))
    produce_envelopes(s, s.kafka.topic("tagged"), (raw_article(i) for i in range(5)))
    port = free_port()
    env = env_for(s)
    env.update(NEWS_METRICS__PORT=str(port), NEWS_METRICS__HOST="127.0.0.1")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "index"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("the server answers", lambda: _answers(base), process)
        wait_for("every record indexed", lambda: _settled(scrape(base), "index") == 5, process)
        metrics = scrape(base)
        assert metrics["news_records_written_total{stage=index}"] == 5
        assert metrics["news_record_age_seconds_count{stage=index}"] == 5
        # first_seen is a fixed past date: every article is older than a day at the sink.
        assert metrics["news_record_age_seconds_bucket{le=86400.0,stage=index}"] == 0
        assert metrics["news_bulk_requests_total{stage=index}"] >= 1
        assert metrics["news_bulk_actions_total{stage=index}"] >= 5
        assert metrics["news_bulk_retried_actions_total{stage=index}"] == 0
        assert get(base + "/readyz")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()[-2000:]


def _answers(base: str) -> bool:
    try:
        return get(base + "/healthz")[0] in (200, 503)
    except OSError:
        return False
