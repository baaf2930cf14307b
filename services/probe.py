"""Readiness probes for the local services: exit 0 when the engine answers real requests.

Usage: python probe.py kafka|elasticsearch
Kafka is asked for its cluster metadata through kafka-python's admin client; Elasticsearch for
its cluster health over HTTP. Only the standard library and kafka-python are needed.

A port that refuses connections answers at once: the admin client is only built once something
listens (against a dead port it would retry for some 30 s per probe), and every request is
bounded by ``PROBE_TIMEOUT_S`` (3 s).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request


def _timeout_s() -> float:
    return float(os.environ.get("PROBE_TIMEOUT_S", "3"))


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=_timeout_s()):
            return True
    except OSError:
        return False


def kafka_ready() -> bool:
    port = int(os.environ.get("KAFKA_PORT", "9092"))
    if not listening(port):
        return False
    from kafka import KafkaAdminClient  # imported lazily: the ES probe does not need it

    timeout_ms = int(_timeout_s() * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=f"127.0.0.1:{port}",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except Exception:
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()


def elasticsearch_ready() -> bool:
    port = int(os.environ.get("ES_HTTP_PORT", "9200"))
    if not listening(port):
        return False
    url = f"http://127.0.0.1:{port}/_cluster/health"
    try:
        with urllib.request.urlopen(url, timeout=_timeout_s()) as response:
            health = json.load(response)
    except Exception:
        return False
    return health.get("status") in ("green", "yellow")


def main(argv: list[str]) -> int:
    probes = {"kafka": kafka_ready, "elasticsearch": elasticsearch_ready}
    if len(argv) != 2 or argv[1] not in probes:
        print(f"usage: {argv[0]} {'|'.join(probes)}", file=sys.stderr)
        return 2
    return 0 if probes[argv[1]]() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
