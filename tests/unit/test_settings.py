from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import load_settings


def test_defaults_point_at_the_local_services(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "ELASTICSEARCH_URL", "NEWS_SETTINGS_FILE"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.kafka.bootstrap_servers == "127.0.0.1:9092"
    assert s.elasticsearch.url == "http://127.0.0.1:9200"
    assert s.kafka.topic("raw") == "news.raw"


def test_conventional_variables_and_nested_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "b1:9092,b2:9092")
    monkeypatch.setenv("ELASTICSEARCH_URL", "https://es.example:9200")
    monkeypatch.setenv("NEWS_KAFKA__BATCH_SIZE", "250")
    s = load_settings()
    assert s.kafka.bootstrap_servers == "b1:9092,b2:9092"
    assert s.elasticsearch.url == "https://es.example:9200"
    assert s.kafka.batch_size == 250


def test_settings_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("kafka:\n  topic_prefix: prod\n  batch_size: 10\nrunner:\n  dlq_breaker: 7\n")
    monkeypatch.setenv("NEWS_SETTINGS_FILE", str(path))
    monkeypatch.setenv("NEWS_KAFKA__BATCH_SIZE", "20")
    s = load_settings()
    assert s.kafka.topic_prefix == "prod"
    assert s.kafka.batch_size == 20
    assert s.runner.dlq_breaker == 7


def test_missing_settings_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SETTINGS_FILE", "/nonexistent/settings.yaml")
    with pytest.raises(FileNotFoundError):
        load_settings()


def test_secrets_are_masked_when_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ELASTICSEARCH__PASSWORD", "hunter2")
    monkeypatch.setenv("NEWS_KAFKA__SASL_PASSWORD", "s3cret")
    s = load_settings()
    shown = s.shown()
    assert "hunter2" not in shown and "s3cret" not in shown
    assert shown.count("**********") == 2
    assert s.elasticsearch.password is not None
    assert s.elasticsearch.password.get_secret_value() == "hunter2"


def test_unknown_keys_fail_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("kafka:\n  batch_sise: 10\n")
    monkeypatch.setenv("NEWS_SETTINGS_FILE", str(path))
    with pytest.raises(ValueError, match="batch_sise"):
        load_settings()


def test_an_elasticsearch_url_without_a_scheme_fails_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from pipeline.settings import describe_errors

    monkeypatch.setenv("ELASTICSEARCH_URL", "127.0.0.1:9200")
    with pytest.raises(ValidationError) as caught:
        load_settings()
    lines = describe_errors(caught.value)
    assert len(lines) == 1
    assert lines[0].startswith("ELASTICSEARCH_URL: ") and "http:// or https://" in lines[0]
    monkeypatch.setenv("ELASTICSEARCH_URL", "https://es.example:92x0")
    with pytest.raises(ValidationError, match="invalid port"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWS_KAFKA__SECURITY_PROTOCOL", "SSLL"),
        ("NEWS_KAFKA__SASL_MECHANISM", "SCRAM-SHA-1"),
        ("NEWS_KAFKA__COMPRESSION_TYPE", "brotli"),
        ("NEWS_LOG__FORMAT", "jsonl"),
        ("NEWS_METRICS__PORT", "70000"),
    ],
)
def test_enumerated_settings_reject_typos(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable.split("__")[1].lower()):
        load_settings()


def test_secure_client_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.messaging import client_config

    monkeypatch.setenv("NEWS_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWS_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("NEWS_KAFKA__SSL_CAFILE", "/certs/kafka-ca.crt")
    monkeypatch.setenv("NEWS_ELASTICSEARCH__CA_CERTS", "")
    s = load_settings()
    config = client_config(s.kafka)
    assert config["security_protocol"] == "SASL_SSL"
    assert config["ssl_cafile"] == "/certs/kafka-ca.crt"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert s.elasticsearch.ca_certs is None  # an empty variable (compose default) means none


def test_unknown_top_level_variables_are_listed() -> None:
    from pipeline.settings import unknown_variables

    environ = {
        "NEWS_KAFKAA__BATCH_SIZE": "1",
        "NEWS_TAG_SPACY_MODEL": "none",
        "NEWS_KAFKA__BATCH_SIZE": "1",
        "NEWS_SETTINGS_FILE": "x",
        "NEWS_METRICS__PORT": "9100",
        "PATH": "/bin",
    }
    assert unknown_variables(environ) == ["NEWS_KAFKAA__BATCH_SIZE", "NEWS_TAG_SPACY_MODEL"]
