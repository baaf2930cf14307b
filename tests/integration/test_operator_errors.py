"""What an operator sees when an engine or every feed is wrong, from the real CLI and broker."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.integration.test_backbone import ROOT, env_for

pytestmark = pytest.mark.integration


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_elasticsearch_is_one_line_without_traceback(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    env = env_for(isolated_settings)
    env["ELASTICSEARCH_URL"] = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run([sys.executable, "-m", "pipeline", "setup"], env=env, cwd=ROOT,
                          timeout=120, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and env["ELASTICSEARCH_URL"] in errors[0]
    assert "Connection refused" in errors[0]


def test_feeds_once_fails_when_every_feed_failed(
    kafka_ready: str, isolated_settings: Settings, tmp_path: Path
) -> None:
    port = closed_port()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: http://127.0.0.1:{port}/a.rss\n"
                     f"  - url: http://127.0.0.1:{port}/b.rss\n")
    env = env_for(isolated_settings)
    env["NEWS_FETCH__ALLOW_PRIVATE_ADDRESSES"] = "true"
    done = subprocess.run([sys.executable, "-m", "pipeline", "feeds", "--feeds", str(feeds), "--once"],
                          env=env, cwd=ROOT, timeout=120, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "every feed failed (2 of 2)" in done.stderr
