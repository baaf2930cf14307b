"""The readiness probes of `local-services.sh up`: a port that refuses connections is "not
ready" at once (no admin client retrying against it for 30 s), and the admin client built once
something listens has every wait bounded."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services"))
import probe


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


class RecordingAdmin:
    built: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **config: Any) -> None:
        RecordingAdmin.built.append(config)
        raise RuntimeError("no broker here")


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> type[RecordingAdmin]:
    import kafka

    RecordingAdmin.built = []
    monkeypatch.setattr(kafka, "KafkaAdminClient", RecordingAdmin)
    return RecordingAdmin


def test_a_refused_kafka_port_is_not_ready_without_building_a_client(
    monkeypatch: pytest.MonkeyPatch, admin: type[RecordingAdmin]
) -> None:
    monkeypatch.setenv("KAFKA_PORT", str(closed_port()))
    assert probe.kafka_ready() is False
    assert admin.built == []


def test_the_admin_client_waits_are_bounded(
    monkeypatch: pytest.MonkeyPatch, admin: type[RecordingAdmin], listener: int
) -> None:
    monkeypatch.setenv("KAFKA_PORT", str(listener))
    monkeypatch.setenv("PROBE_TIMEOUT_S", "2")
    assert probe.kafka_ready() is False
    (config,) = admin.built
    assert config["bootstrap_timeout_ms"] == 2000 and config["request_timeout_ms"] == 2000


def test_a_refused_elasticsearch_port_is_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ES_HTTP_PORT", str(closed_port()))
    assert probe.elasticsearch_ready() is False


def test_every_probe_of_the_script_has_a_deadline() -> None:
    script = (Path(probe.__file__).parent / "local-services.sh").read_text()
    (line,) = [line for line in script.splitlines() if line.startswith("ready()")]
    assert "timeout " in line
