"""A second, disposable Kafka broker for tests that must kill the broker: it runs from
services/kafka/run.sh (KRaft, combined broker and controller) on free ports with its own data and
log folders, so the shared broker of `make services` is never touched. The jars are the ones
`make services` resolved into the services cache."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from tests.integration.es_node import free_port

ROOT = Path(__file__).resolve().parents[2]
RUN_SH = ROOT / "services" / "kafka" / "run.sh"


class SpareBroker:
    def __init__(self, folder: Path, heap: str = "384m") -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.controller_port = free_port()
        self.heap = heap
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 120.0) -> None:
        """Start the broker on its data folder (formatted on the first start only) and wait
        until it answers a metadata request."""
        env = dict(os.environ)
        env.update(
            KAFKA_PORT=str(self.port),
            KAFKA_CONTROLLER_PORT=str(self.controller_port),
            KAFKA_HEAP=self.heap,
            KAFKA_DATA_DIR=str(self.folder / "data"),
            KAFKA_LOG_DIR=str(self.folder / "logs"),
        )
        self._log = open(self.folder / "broker.out", "ab")  # noqa: SIM115 - closed in kill()/stop()
        self.process = subprocess.Popen(
            [str(RUN_SH)], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"spare Kafka exited: {self.tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"spare Kafka not ready in {timeout_s}s: {self.tail()}")
            time.sleep(0.5)

    def answers(self) -> bool:
        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000)
        except (KafkaError, OSError, ValueError):
            return False
        try:
            admin.describe_cluster()
            return True
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()

    def kill(self) -> int | None:
        """SIGKILL the JVM (run.sh execs it): no shutdown, no flush beyond what the OS holds.
        Returns the exit status."""
        process, self.process = self.process, None
        status = None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            status = process.wait(timeout=60)
        self._close_log()
        return status

    def stop(self, timeout_s: float = 60.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 30) -> str:
        out = self.folder / "broker.out"
        text = out.read_text(errors="replace") if out.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
