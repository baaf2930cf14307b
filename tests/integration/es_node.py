"""A second, disposable Elasticsearch node for tests that must stop the node or change its
limits. It runs from services/elasticsearch/run.sh on free ports with its own data, log and home
folders, so the shared node of `make services` is never touched."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
RUN_SH = ROOT / "services" / "elasticsearch" / "run.sh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SpareNode:
    def __init__(self, folder: Path, settings: tuple[str, ...] = (), heap: str = "512m") -> None:
        self.folder = folder
        self.http_port = free_port()
        self.transport_port = free_port()
        self.settings = settings
        self.heap = heap
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout_s: float = 120.0) -> None:
        env = dict(os.environ)
        env.update(
            ES_HTTP_PORT=str(self.http_port),
            ES_TRANSPORT_PORT=str(self.transport_port),
            ES_HEAP=self.heap,
            ES_DATA_DIR=str(self.folder / "data"),
            ES_LOG_DIR=str(self.folder / "logs"),
            ES_HOME_DIR=str(self.folder / "home"),
            ES_CLUSTER_NAME=f"spare-{self.http_port}",
        )
        self._log = open(self.folder / "node.out", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(RUN_SH), *self.settings],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while not self.healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"spare Elasticsearch exited: {self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"spare Elasticsearch not ready in {timeout_s}s: {self.tail()}")
            time.sleep(0.5)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3
            ) as response:
                return json.load(response).get("status") in ("yellow", "green")
        except OSError:
            return False

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM the JVM (run.sh execs it) and wait for it to exit."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 30) -> str:
        path = self.folder / "node.out"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
