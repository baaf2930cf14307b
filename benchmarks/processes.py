"""The pipeline as it runs in production, for the end-to-end benchmark and the soak: each stage a
process of its own (``python -m pipeline clean|deduplicate|tag|index``), on topics and indices
of a prefix that belongs to one run, with each process's CPU time and memory read from /proc
(through psutil).

:class:`PipelineRun` creates the run's topics and index templates (what ``pipeline setup``
does), starts and stops stage processes, samples them, and deletes what the run created: its
topics, consumer groups, indices and index templates. It never touches anything outside its
prefix.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil
from kafka import KafkaAdminClient

from pipeline.messaging import client_config, ensure_topics
from pipeline.search_setup import client, ensure_templates
from pipeline.settings import Settings, load_settings
from pipeline.topology import STEPS, all_topics

STAGES = tuple(step.name for step in STEPS)  # clean, deduplicate, tag, index
ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident memory (``VmHWM``), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class StageProcess:
    stage: str
    number: int
    popen: subprocess.Popen[bytes]
    log: Path
    handle: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self.handle = psutil.Process(self.popen.pid)

    @property
    def name(self) -> str:
        return f"{self.stage}-{self.number}"

    def cpu_seconds(self) -> float:
        times = self.handle.cpu_times()
        return float(times.user + times.system)

    def rss_bytes(self) -> int:
        return int(self.handle.memory_info().rss)

    def peak_rss_bytes(self) -> int:
        return peak_rss_bytes(self.popen.pid)

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class StageDied(RuntimeError):
    """A stage process exited while the run needed it."""


class PipelineRun:
    """Stage processes on the topics and indices of one prefix (see the module docstring)."""

    def __init__(self, name: str, folder: Path) -> None:
        self.prefix = f"bench{name}{uuid.uuid4().hex[:6]}"
        self.folder = folder
        self.settings: Settings = load_settings()
        self.settings.kafka.topic_prefix = self.prefix
        self.settings.elasticsearch.index_prefix = self.prefix
        self.processes: list[StageProcess] = []
        self._started: dict[str, int] = {}
        # Peak RSS of the processes already stopped, MiB.
        self._stopped_peaks: dict[str, float] = {}

    def __enter__(self) -> PipelineRun:
        self.folder.mkdir(parents=True, exist_ok=True)
        ensure_topics(self.settings.kafka, all_topics(self.settings))
        es = client(self.settings.elasticsearch)
        try:
            ensure_templates(es, self.settings.elasticsearch)
        finally:
            es.close()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()
        self.delete()

    # -- processes -----------------------------------------------------------------------------

    def start(self, stage: str, settings: dict[str, str] | None = None) -> StageProcess:
        """Start a process of ``stage``; ``settings`` are more ``NEWS_*`` variables for it."""
        number = self._started[stage] = self._started.get(stage, 0) + 1
        log = self.folder / f"{stage}-{number}.log"
        env = {
            **os.environ,
            **(settings or {}),
            "NEWS_KAFKA__TOPIC_PREFIX": self.prefix,
            "NEWS_ELASTICSEARCH__INDEX_PREFIX": self.prefix,
            "NEWS_METRICS__PORT": "0",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "pipeline", stage], cwd=ROOT, env=env,
                stdout=out, stderr=subprocess.STDOUT,
            )
        process = StageProcess(stage, number, popen, log)
        self.processes.append(process)
        return process

    def check(self) -> None:
        """Raise :class:`StageDied` with the log's end if a stage process has exited."""
        for process in self.processes:
            if not process.running():
                raise StageDied(
                    f"{process.name} exited with {process.popen.returncode}:\n{process.log_tail()}"
                )

    def stop(self, process: StageProcess, timeout_s: float = 60.0) -> None:
        """SIGTERM: the runner finishes its batch, commits and exits."""
        self._stopped_peaks[process.name] = round(process.peak_rss_bytes() / MIB, 1)
        if process.running():
            process.popen.send_signal(signal.SIGTERM)
            try:
                process.popen.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def wait_for_members(self, stage: str, count: int, timeout_s: float = 120.0) -> None:
        """Until the stage's consumer group has exactly ``count`` members, each with
        partitions."""
        group = f"{self.prefix}.{stage}"
        admin = KafkaAdminClient(**client_config(self.settings.kafka))
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                self.check()
                if _assigned_members(admin, group) == count:
                    return
                time.sleep(0.5)
        finally:
            admin.close()
        raise TimeoutError(f"{group}: not {count} members with partitions")

    # -- measurements --------------------------------------------------------------------------

    def cpu_seconds(self) -> dict[str, float]:
        return {p.name: p.cpu_seconds() for p in self.processes}

    def rss_mib(self) -> dict[str, float]:
        return {p.name: p.rss_bytes() / MIB for p in self.processes}

    def peak_rss_mib(self) -> dict[str, float]:
        """Of every process started, the stopped ones included."""
        running = {p.name: round(p.peak_rss_bytes() / MIB, 1) for p in self.processes}
        return dict(sorted({**self._stopped_peaks, **running}.items()))

    # -- clean-up ------------------------------------------------------------------------------

    def delete(self) -> None:
        """Delete the run's topics, consumer groups, indices and index templates."""
        admin = KafkaAdminClient(**client_config(self.settings.kafka))
        try:
            ours = [t for t in admin.list_topics() if t.startswith(self.prefix + ".")]
            with contextlib.suppress(Exception):
                admin.delete_groups([f"{self.prefix}.{stage}" for stage in STAGES])
            if ours:
                admin.delete_topics(ours)
        finally:
            admin.close()
        es = client(self.settings.elasticsearch)
        try:
            names = list(es.indices.get(index=f"{self.prefix}-*", allow_no_indices=True))
            if names:
                es.indices.delete(index=",".join(names))
            for name in (f"{self.prefix}-articles", f"{self.prefix}-events"):
                es.options(ignore_status=404).indices.delete_index_template(name=name)
        finally:
            es.close()


def _assigned_members(admin: KafkaAdminClient, group: str) -> int:
    """Members of ``group`` that hold partitions; 0 while it rebalances."""
    try:
        described: dict[str, Any] = admin.describe_groups([group])
    except Exception:
        return 0
    info = described.get(group) or {}
    if info.get("group_state") != "Stable":
        return 0
    return sum(
        1 for member in info.get("members") or ()
        if any(a.get("partitions") for a in
               (member.get("member_assignment") or {}).get("assigned_partitions") or ())
    )
