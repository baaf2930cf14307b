"""End to end on the real engines: pages produced to the raw topic of the local Kafka, through
clean, deduplicate, tag and index running as four processes (``python -m pipeline <stage>``),
until each article is searchable in the local Elasticsearch.

The pages are :mod:`benchmarks.pages` (real open-licence text in news-site markup of 20-300 KiB,
every page distinct). In one run, on one prefix of topics and indices:

1. warm-up: a few pages through every stage (models loaded, consumer groups settled);
2. baseline: bare ``trafilatura.extract(html, url=url)`` over the pages of step 3, in this
   process while the stages idle: pages per second on one core;
3. sustained, one process per stage: the pages produced at full speed; articles per second
   from raw to searchable over the middle 80 % of the run (the whole run too), as a ratio to
   the baseline; CPU seconds and milliseconds per article of each stage process;
4. latency at half the sustained rate: pages produced on a steady schedule for
   ``latency_s`` seconds; p50/p95/p99 of produce -> searchable, and CPU per article again (a
   stage's cost per article grows when its batches are small);
5. a second process of the slowest stage (the most CPU per article in step 3), new pages at
   full speed as in 3: the rate as a ratio to step 3's;
6. latency again, one process per stage as in 4, with searchability tuned for it: the articles
   indices refreshed every ``TUNED_REFRESH`` instead of every second, and the sink lingering
   ``TUNED_LINGER_MS`` for more records instead of 200 ms (settings
   ``elasticsearch.refresh_interval`` and ``elasticsearch.linger_ms``).

Peak resident memory of each process, the load average (start, mean, highest, end) and the
machine are reported with the figures. Targets (issue 12): ratio to bare trafilatura >= 0.8,
p95 produce -> searchable at half rate <= 1 s, the second process >= 1.6x.

    python -m benchmarks e2e                    # in make bench
    python -m benchmarks e2e --pages 200 --latency-s 20     # a short run
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import trafilatura

from benchmarks.background import BackgroundLoop
from benchmarks.flow import HopTimes, RawProducer, SearchableWatch, percentiles, steady_rate
from benchmarks.pages import Page, PageGenerator
from benchmarks.processes import MIB, STAGES, PipelineRun
from pipeline.search_setup import articles_alias, client

PAGES = 800
WARMUP_PAGES = 48
LATENCY_S = 45.0
TUNED_REFRESH = "250ms"
TUNED_LINGER_MS = 20
TARGETS = {"ratio_to_trafilatura": 0.8, "p95_latency_s": 1.0, "second_process_speedup": 1.6}


def say(message: str) -> None:
    """Progress, on stderr (stdout carries the result)."""
    print(f"   e2e: {message}", file=sys.stderr, flush=True)


class LoadSampler(BackgroundLoop):
    """The 1-minute load average every few seconds, in a thread."""

    thread_name = "load"

    def __init__(self, every_s: float = 5.0) -> None:
        self.samples: list[float] = [os.getloadavg()[0]]
        self._every_s = every_s
        super().__init__()

    def _loop(self) -> None:
        while not self._stop.wait(self._every_s):
            self.samples.append(os.getloadavg()[0])

    def report(self) -> dict[str, float]:
        self._halt(10)
        self.samples.append(os.getloadavg()[0])
        return {
            "start": round(self.samples[0], 2),
            "mean": round(sum(self.samples) / len(self.samples), 2),
            "max": round(max(self.samples), 2),
            "end": round(self.samples[-1], 2),
        }


@dataclass
class Session:
    run: PipelineRun
    producer: RawProducer
    watch: SearchableWatch
    generator: PageGenerator
    next_page: int = 0

    def pages(self, count: int) -> list[Page]:
        pages = self.generator.pages(self.next_page, count)
        self.next_page += count
        return pages

    def wait(self, ids: Sequence[str]) -> None:
        timeout = max(180.0, len(ids) * 0.5)
        if not self.watch.wait(ids, timeout, check=self.run.check):
            missing = sum(1 for i in ids if i not in self.watch.found)
            raise TimeoutError(f"{missing} of {len(ids)} articles not searchable after {timeout:.0f}s")

    def warm_up(self) -> None:
        self.wait(self.producer.send_all(self.pages(WARMUP_PAGES)))

    def measured(self, send: Any) -> tuple[list[str], dict[str, float], float]:
        """Run ``send()`` (returning the ids sent) until all are searchable; the ids, each
        process's CPU seconds meanwhile and the machine's busy share of its cores."""
        cpu_before, machine_before = self.run.cpu_seconds(), psutil.cpu_times()
        ids = send()
        self.wait(ids)
        cpu_after, machine_after = self.run.cpu_seconds(), psutil.cpu_times()
        used = {name: round(cpu_after[name] - cpu_before.get(name, 0.0), 2) for name in cpu_after}
        idle = machine_after.idle - machine_before.idle
        total = sum(machine_after) - sum(machine_before)
        return ids, used, round(1 - idle / total, 3) if total > 0 else 0.0


def bare_trafilatura(pages: Sequence[Page]) -> tuple[float, float]:
    """Pages per second of bare ``trafilatura.extract`` over ``pages`` in this process, by the
    wall clock and by this process's CPU time (what it would do with a core to itself)."""
    started, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        trafilatura.extract(page.html, url=page.url)
    return len(pages) / (time.perf_counter() - started), len(pages) / (time.process_time() - cpu)


def per_stage(cpu: dict[str, float], articles: int) -> dict[str, dict[str, float]]:
    """CPU seconds and milliseconds per article of each stage, its processes summed."""
    out: dict[str, dict[str, float]] = {}
    for stage in STAGES:
        seconds = sum(v for name, v in cpu.items() if name.rsplit("-", 1)[0] == stage)
        out[stage] = {"cpu_s": round(seconds, 2), "cpu_ms_per_article": round(1000 * seconds / articles, 1)}
    return out


def sustained(session: Session, pages: Sequence[Page]) -> dict[str, Any]:
    ids, cpu, busy = session.measured(lambda: session.producer.send_all(pages))
    sent = [session.producer.sent[i] for i in ids]
    rate = steady_rate(sent, [session.watch.found[i] for i in ids])
    return {
        "articles": len(ids),
        "articles_per_s": rate["steady"],
        "articles_per_s_whole_run": rate["whole"],
        "stages": per_stage(cpu, len(ids)),
        "cpu_s_by_process": cpu,
        "machine_cpu_busy": busy,
    }


def latency(session: Session, rate: float, seconds: float) -> dict[str, Any]:
    pages = session.pages(max(20, int(rate * seconds)))
    hops = HopTimes(session.run.settings, ["cleaned", "deduplicated", "tagged"]).start()
    try:
        ids, cpu, busy = session.measured(lambda: session.producer.send_at_rate(pages, rate))
        time.sleep(1.0)  # the last records' timestamps
    finally:
        hops.close()
    found, sent = session.watch.found, session.producer.sent
    delays = [found[i] - sent[i] for i in ids]
    return {
        "rate_per_s": round(rate, 2),
        "articles": len(ids),
        "produce_to_searchable_s": {
            **percentiles(delays), "max": round(max(delays), 3),
            "resolution_s": session.watch.interval_s,
        },
        "hops_s": hops.hops(ids, sent, found),
        "stages": per_stage(cpu, len(ids)),
        "machine_cpu_busy": busy,
    }


def tuned_latency(session: Session, rate: float, seconds: float) -> dict[str, Any]:
    """Step 6: the sink restarted with the tuned settings, the articles indices' refresh
    interval changed in place."""
    run = session.run
    (sink,) = [p for p in run.processes if p.stage == "index"]
    run.stop(sink)
    es = client(run.settings.elasticsearch)
    try:
        es.indices.put_settings(
            index=articles_alias(run.settings.elasticsearch),
            settings={"index": {"refresh_interval": TUNED_REFRESH}},
        )
    finally:
        es.close()
    run.start("index", {
        "NEWS_ELASTICSEARCH__REFRESH_INTERVAL": TUNED_REFRESH,
        "NEWS_ELASTICSEARCH__LINGER_MS": str(TUNED_LINGER_MS),
    })
    run.wait_for_members("index", 1)
    session.warm_up()
    return {
        "settings": {"refresh_interval": TUNED_REFRESH, "sink_linger_ms": TUNED_LINGER_MS},
        **latency(session, rate, seconds),
    }


def _slowest(figures: dict[str, Any]) -> str:
    stages: dict[str, dict[str, float]] = figures["stages"]
    return max(stages, key=lambda name: stages[name]["cpu_ms_per_article"])


def _phases(session: Session, pages: int, latency_s: float) -> dict[str, Any]:
    run = session.run
    session.warm_up()
    first = session.pages(pages)
    baseline, baseline_cpu = bare_trafilatura(first)
    say(f"stages warm; bare trafilatura {baseline:.1f} pages/s ({baseline_cpu:.1f} by CPU time)")
    one = sustained(session, first)
    say(f"one process per stage: {one['articles_per_s']} articles/s")
    half = latency(session, one["articles_per_s"] / 2, latency_s)
    say(f"half rate: p95 {half['produce_to_searchable_s']['p95']} s")
    slowest = _slowest(one)
    run.start(slowest)
    run.wait_for_members(slowest, 2)
    session.warm_up()
    two = sustained(session, session.pages(pages))
    say(f"two {slowest} processes: {two['articles_per_s']} articles/s")
    run.stop([p for p in run.processes if p.stage == slowest][-1])
    run.wait_for_members(slowest, 1)
    tuned = tuned_latency(session, half["rate_per_s"], latency_s)
    say(f"half rate, tuned: p95 {tuned['produce_to_searchable_s']['p95']} s")
    html_kib = sum(len(p.html.encode("utf-8")) for p in first) / len(first) / 1024
    return {
        "pages": pages,
        "html_kib_per_page": round(html_kib, 1),
        "bare_trafilatura_pages_per_s": round(baseline, 2),
        "bare_trafilatura_pages_per_cpu_s": round(baseline_cpu, 2),
        "one_process_per_stage": one,
        "ratio_to_trafilatura": round(one["articles_per_s"] / baseline, 3),
        "half_rate_latency": half,
        "half_rate_latency_tuned": tuned,
        "slowest_stage": slowest,
        f"two_{slowest}_processes": two,
        "second_process_speedup": round(two["articles_per_s"] / one["articles_per_s"], 3),
        "ratio_to_trafilatura_with_two": round(two["articles_per_s"] / baseline, 3),
        "peak_rss_mib": run.peak_rss_mib(),
    }


def run(pages: int = PAGES, latency_s: float = LATENCY_S, seed: int | None = None) -> dict[str, Any]:
    load = LoadSampler().start()
    started = time.monotonic()
    generator = PageGenerator(seed if seed is not None else random.randrange(10**6))
    bench = psutil.Process()
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as folder, \
            PipelineRun("e2e", Path(folder)) as pipeline:
        for stage in STAGES:
            pipeline.start(stage)
        watch = SearchableWatch(pipeline.settings).start()
        producer = RawProducer(pipeline.settings, watch)
        try:
            figures = _phases(Session(pipeline, producer, watch, generator), pages, latency_s)
        finally:
            watch.close()
            producer.close()
    times = bench.cpu_times()
    return {
        "benchmark": "e2e",
        **figures,
        "targets": TARGETS,
        "met": {
            "ratio_to_trafilatura": figures["ratio_to_trafilatura"] >= TARGETS["ratio_to_trafilatura"],
            "p95_latency_s": figures["half_rate_latency"]["produce_to_searchable_s"]["p95"]
            <= TARGETS["p95_latency_s"],
            "p95_latency_s_tuned": figures["half_rate_latency_tuned"]["produce_to_searchable_s"]["p95"]
            <= TARGETS["p95_latency_s"],
            "second_process_speedup": figures["second_process_speedup"]
            >= TARGETS["second_process_speedup"],
        },
        "bench_process": {"cpu_s": round(times.user + times.system, 1),
                          "rss_mib": round(bench.memory_info().rss / MIB, 1)},
        "load_average": load.report(),
        "wall_s": round(time.monotonic() - started, 1),
    }


def options(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks e2e", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=PAGES, help="pages per full-speed phase")
    parser.add_argument("--latency-s", type=float, default=LATENCY_S, help="length of the half-rate phase")
    parser.add_argument("--seed", type=int, default=None, help="page generator seed (default: random)")
    args = parser.parse_args(argv)
    return {"pages": args.pages, "latency_s": args.latency_s, "seed": args.seed}
