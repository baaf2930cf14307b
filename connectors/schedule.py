"""When a feed is polled next: pure functions of its state, the last response and the clock.

After a successful poll (200 or 304) the interval is the feed's posting interval — the time
span of its recent entries divided by their number, over at most ``frequency_window_s`` and at
least ``min_frequency_window_s`` — lengthened to the feed's ``<ttl>`` and to the response's
``Cache-Control: max-age`` / ``Expires`` when those are longer, then clamped to
``[min_interval_s, max_interval_s]``. A feed with nothing recent is polled every
``max_interval_s``.

After a failure the wait doubles from ``min_interval_s`` with each consecutive failure, and is
at least the server's ``Retry-After``. After ``backoff_after_failures`` failures in a row (or
at once on 410 Gone) the feed is *backed off*: polled only every ``failure_backoff_max_s``, and
reported, until it answers again.

Every wait is scaled by a random factor in ``1 ± jitter`` so feeds drift apart instead of
polling in lockstep.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from connectors.state import FeedState, SeenEntry
from pipeline.settings import FeedSchedule

_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    next_poll: datetime
    interval_s: float
    reason: str


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def retry_after_s(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds asked for by ``Retry-After`` (delta-seconds or an HTTP date), if any."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return max(0.0, (when - now).total_seconds()) if when else None


def cache_lifetime_s(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response says it stays fresh (``max-age``, else ``Expires``)."""
    control = headers.get("cache-control") or ""
    if "no-store" in control.lower() or "no-cache" in control.lower():
        return None
    ages = [int(m.group(2)) for m in _MAX_AGE.finditer(control)]
    if ages:
        return float(max(ages))
    expires = headers.get("expires")
    if expires:
        when = _http_date(expires)
        base = _http_date(headers.get("date", "")) or now
        if when is not None:
            return max(0.0, (when - base).total_seconds())
    return None


def posting_interval_s(entries: Iterable[SeenEntry], now: datetime, cfg: FeedSchedule) -> float:
    window_start = now - timedelta(seconds=cfg.frequency_window_s)
    recent = [min(e.posted, now) for e in entries if e.posted > window_start]
    if not recent:
        return cfg.max_interval_s
    span = (now - min(recent)).total_seconds()
    span = min(max(span, cfg.min_frequency_window_s), cfg.frequency_window_s)
    return span / len(recent)


def _jittered(seconds: float, cfg: FeedSchedule, rng: random.Random) -> float:
    return seconds * (1.0 + rng.uniform(-cfg.jitter, cfg.jitter))


def plan_success(
    state: FeedState,
    headers: Mapping[str, str],
    now: datetime,
    cfg: FeedSchedule,
    rng: random.Random,
) -> Plan:
    interval = posting_interval_s(state.entries.values(), now, cfg)
    reason = "posting-frequency"
    if state.ttl_s is not None and state.ttl_s > interval:
        interval, reason = state.ttl_s, "ttl"
    lifetime = cache_lifetime_s(headers, now)
    if lifetime is not None and lifetime > interval:
        interval, reason = lifetime, "cache-control"
    if interval < cfg.min_interval_s:
        interval, reason = cfg.min_interval_s, f"{reason}, min-interval"
    elif interval > cfg.max_interval_s:
        interval, reason = cfg.max_interval_s, f"{reason}, max-interval"
    wait = _jittered(interval, cfg, rng)
    return Plan(now + timedelta(seconds=wait), interval, reason)


def plan_failure(
    state: FeedState,
    headers: Mapping[str, str],
    now: datetime,
    cfg: FeedSchedule,
    rng: random.Random,
) -> Plan:
    """Plan after ``state.failures`` consecutive failures (already counted)."""
    if state.backed_off:
        interval, reason = cfg.failure_backoff_max_s, "backed-off"
    else:
        exponent = min(max(state.failures - 1, 0), 30)
        interval = min(cfg.min_interval_s * 2.0**exponent, cfg.failure_backoff_max_s)
        reason = f"failure-backoff x{state.failures}"
    asked = retry_after_s(headers, now)
    if asked is not None and asked > interval:
        interval, reason = min(asked, cfg.retry_after_max_s), "retry-after"
    wait = _jittered(interval, cfg, rng)
    if asked is not None:
        wait = max(wait, min(asked, cfg.retry_after_max_s))
    return Plan(now + timedelta(seconds=wait), interval, reason)
