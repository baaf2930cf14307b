"""One settings object for every command, read from the environment and an optional YAML file.

Precedence, highest first: environment variables, the file named by ``NEWS_SETTINGS_FILE``,
defaults. Variables use the prefix ``NEWS_`` and ``__`` for nesting
(``NEWS_KAFKA__BATCH_SIZE=200``); the conventional ``KAFKA_BOOTSTRAP_SERVERS`` and
``ELASTICSEARCH_URL`` are honoured too. Secrets are ``SecretStr`` and show as ``**********``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


class KafkaSettings(BaseModel):
    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field("news", description="topics are <prefix>.raw, <prefix>.cleaned, ...")
    partitions: int = 3
    replication_factor: int = 1
    batch_size: int = Field(100, description="records a runner polls and processes at once")
    poll_timeout_ms: int = 500
    max_record_bytes: int = Field(1_000_000, description="larger records are dead-lettered")
    compression_type: str = "lz4"
    linger_ms: int = 20
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}.{name}"


class ElasticsearchSettings(BaseModel):
    url: str = "http://127.0.0.1:9200"
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    index_prefix: str = Field("news", description="indices <prefix>-articles-YYYY.MM, aliases ...")
    replicas: int = Field(0, description="replicas per index; 0 suits a single node")
    bulk_max_docs: int = 500
    bulk_max_bytes: int = 8 * 1024 * 1024
    request_timeout_s: float = 30.0


class RunnerSettings(BaseModel):
    dlq_breaker: int = Field(
        50, description="consecutive dead letters that stop a stage (0 disables the breaker)"
    )
    retry_attempts: int = 5
    retry_initial_backoff_s: float = 0.5
    retry_max_backoff_s: float = 30.0


class FetchSettings(BaseModel):
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWS_", env_nested_delimiter="__", extra="forbid", populate_by_name=True
    )

    kafka: KafkaSettings = KafkaSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    runner: RunnerSettings = RunnerSettings()
    fetch: FetchSettings = FetchSettings()
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
