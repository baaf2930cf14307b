"""Soak: a moderate, steady stream through the four stage processes for a quarter of an hour,
and whether any process's memory keeps growing.

Distinct pages (:mod:`benchmarks.pages`) are produced to the raw topic at ``--rate`` pages per
second for ``--minutes``; clean, deduplicate, tag and index run as processes of their own, as
in :mod:`benchmarks.e2e`. Every ``--sample-s`` seconds each process's resident memory is read
(/proc, through psutil). After the warm-up (the first ``--warmup-minutes``: models, caches and
the boilerplate learner's tables filling, the allocator settling) each process's RSS slope is
the least-squares slope of its samples, in MiB per minute; a flat process stays within a
fraction of a MiB per minute. Also reported: RSS at the end of the warm-up and at the end, the
peak, CPU seconds, how many articles were searchable at the end, and the load average.

    make soak                                          # 15 minutes at 4 pages/s
    python -m benchmarks soak --minutes 3 --rate 4     # a short one
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.background import BackgroundLoop
from benchmarks.e2e import LoadSampler
from benchmarks.flow import RawProducer, SearchableWatch, slope
from benchmarks.pages import PageGenerator
from benchmarks.processes import STAGES, PipelineRun

MINUTES = 15.0
RATE = 4.0
SAMPLE_S = 10.0
FLAT_MIB_PER_MIN = 0.5  # below this a process counts as flat


def say(message: str) -> None:
    print(f"   soak: {message}", file=sys.stderr, flush=True)


def default_warmup(minutes: float) -> float:
    """Half the run, at least one minute and at most eight: on real pages the tag stage's state
    and the sink's bulk buffers fill for about eight minutes (docs/benchmarks.md, Soak)."""
    return min(8.0, max(1.0, minutes / 2))


def rss_slopes(
    samples: list[tuple[float, dict[str, float]]], after_s: float
) -> dict[str, float]:
    """Per process, the slope (MiB per minute) of its RSS samples taken ``after_s`` seconds or
    later into the run; ``samples`` are (seconds into the run, {process: RSS MiB})."""
    names = {name for _, values in samples for name in values}
    return {
        name: round(60 * slope([(t, v[name]) for t, v in samples if t >= after_s and name in v]), 3)
        for name in sorted(names)
    }


class Stream(BackgroundLoop):
    """Distinct pages to the raw topic at a steady rate, in a thread."""

    thread_name = "stream"

    def __init__(self, producer: RawProducer, generator: PageGenerator, rate: float) -> None:
        self.producer, self.generator, self.rate = producer, generator, rate
        self.sent = 0
        self.error: BaseException | None = None
        super().__init__()

    def stop(self) -> None:
        self._halt(30)
        self.producer.flush()

    def _loop(self) -> None:
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                delay = started + self.sent / self.rate - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    break
                self.producer.send(self.generator.page(self.sent))
                self.sent += 1
        except BaseException as exc:  # reported by the main thread
            self.error = exc


def _sample(
    pipeline: PipelineRun, stream: Stream, seconds: float, every_s: float
) -> list[tuple[float, dict[str, float]]]:
    samples: list[tuple[float, dict[str, float]]] = []
    started = time.monotonic()
    next_report = 60.0
    while (elapsed := time.monotonic() - started) < seconds:
        pipeline.check()
        if stream.error is not None:
            raise RuntimeError(f"producing failed: {stream.error!r}")
        samples.append((elapsed, pipeline.rss_mib()))
        if elapsed >= next_report:
            rss = ", ".join(f"{k} {v:.0f}" for k, v in samples[-1][1].items())
            say(f"{elapsed / 60:.0f} min, {stream.sent} pages sent; RSS MiB: {rss}")
            next_report += 60.0
        time.sleep(max(0.0, every_s - (time.monotonic() - started - elapsed)))
    return samples


def run(
    minutes: float = MINUTES, rate: float = RATE, warmup_minutes: float | None = None,
    sample_s: float = SAMPLE_S,
) -> dict[str, Any]:
    warmup = default_warmup(minutes) if warmup_minutes is None else warmup_minutes
    load = LoadSampler(every_s=30.0).start()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as folder, \
            PipelineRun("soak", Path(folder)) as pipeline:
        for stage in STAGES:
            pipeline.start(stage)
        watch = SearchableWatch(pipeline.settings, interval_s=1.0).start()
        producer = RawProducer(pipeline.settings)
        try:
            # Models load before the stream starts, so the warm-up is the stream's own.
            watch.wait(producer.send_all(PageGenerator(1).pages(0, 8)), 300, pipeline.check)
            stream = Stream(producer, PageGenerator(2), rate).start()
            samples = _sample(pipeline, stream, minutes * 60, sample_s)
            stream.stop()
            cpu, peak = pipeline.cpu_seconds(), pipeline.peak_rss_mib()
            searchable = _searchable(watch, list(producer.sent))
        finally:
            watch.close()
            producer.close()
    slopes = rss_slopes(samples, warmup * 60)
    for name, value in slopes.items():
        say(f"{name}: RSS slope after warm-up {value:+.3f} MiB/min")
    return _report(minutes, rate, warmup, stream.sent, searchable, samples, slopes, cpu, peak, load)


def _searchable(watch: SearchableWatch, ids: list[str]) -> int:
    watch.wait(ids, 120.0)
    return sum(1 for i in ids if i in watch.found)


def _report(
    minutes: float, rate: float, warmup: float, sent: int, searchable: int,
    samples: list[tuple[float, dict[str, float]]], slopes: dict[str, float],
    cpu: dict[str, float], peak: dict[str, float], load: LoadSampler,
) -> dict[str, Any]:
    after = [values for t, values in samples if t >= warmup * 60]
    return {
        "benchmark": "soak",
        "minutes": minutes,
        "rate_per_s": rate,
        "warmup_minutes": warmup,
        "pages_sent": sent + 8,
        "searchable_at_end": searchable,
        "samples": len(samples),
        "rss_slope_mib_per_min": slopes,
        "flat": {name: abs(value) < FLAT_MIB_PER_MIN for name, value in slopes.items()},
        "rss_mib_by_minute": _by_minute(samples),
        "rss_mib_after_warmup": {k: round(v, 1) for k, v in (after[0] if after else {}).items()},
        "rss_mib_at_end": {k: round(v, 1) for k, v in (after[-1] if after else {}).items()},
        "peak_rss_mib": peak,
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "load_average": load.report(),
    }


def _by_minute(samples: list[tuple[float, dict[str, float]]]) -> dict[str, list[float]]:
    """Each process's RSS at the first sample of every minute, MiB."""
    firsts: dict[int, dict[str, float]] = {}
    for t, values in samples:
        firsts.setdefault(int(t // 60), values)
    names = sorted({name for values in firsts.values() for name in values})
    return {name: [round(firsts[m].get(name, 0.0), 1) for m in sorted(firsts)] for name in names}


def options(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=MINUTES)
    parser.add_argument("--rate", type=float, default=RATE, help="pages per second")
    parser.add_argument("--warmup-minutes", type=float, default=None,
                        help="samples before this are left out of the slopes (default: half "
                        "the run, 1-8 minutes)")
    parser.add_argument("--sample-s", type=float, default=SAMPLE_S)
    args = parser.parse_args(argv)
    return {"minutes": args.minutes, "rate": args.rate, "warmup_minutes": args.warmup_minutes,
            "sample_s": args.sample_s}
