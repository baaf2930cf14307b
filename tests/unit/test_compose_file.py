"""docker-compose.yml cannot be run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def dotenv(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def interpolate(text: str, values: dict[str, str] | None = None) -> str:
    """Compose's ``${NAME:-default}`` and ``${NAME}``, from ``values`` or the default."""
    given = values or {}

    def one(match: re.Match[str]) -> str:
        return given.get(match.group(1)) or (match.group(2) or "")

    return re.sub(r"\$\{([A-Z_]+)(?::-([^}]*))?\}", one, text)


def cli_commands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    return set(actions[0].choices)  # type: ignore[arg-type]


def test_every_pipeline_service_runs_an_existing_subcommand() -> None:
    services = compose()["services"]
    commands = cli_commands()
    pipeline_services = {
        name: spec for name, spec in services.items() if spec.get("image", "").startswith("news-")
    }
    assert {"feeds", "clean", "deduplicate", "tag", "index", "setup", "kibana-setup"} <= set(
        pipeline_services
    )
    for name, spec in pipeline_services.items():
        command = spec["command"]
        assert command[0] in commands, f"{name} runs unknown subcommand {command[0]}"
        assert spec["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        if name not in ("setup", "kibana-setup"):
            assert spec["depends_on"]["setup"]["condition"] == "service_completed_successfully"
            assert spec["environment"]["NEWS_METRICS__PORT"] == "9100"
            assert "/healthz" in " ".join(spec["healthcheck"]["test"])
            assert spec["restart"] == "unless-stopped"


def test_engine_images_are_pinned_and_match_the_local_node() -> None:
    services = compose()["services"]
    pom = (ROOT / "services/elasticsearch/pom.xml").read_text()
    es_version = re.search(r"<es.version>([^<]+)</es.version>", pom)
    assert es_version is not None
    for name in ("elasticsearch", "kibana", "certs", "elasticsearch-secure", "kibana-secure"):
        assert services[name]["image"].endswith(":${STACK_VERSION:-" + es_version.group(1) + "}")
    kafka_pom = (ROOT / "services/kafka/pom.xml").read_text()
    kafka_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", kafka_pom)
    assert kafka_version is not None
    assert services["kafka"]["image"] == "apache/kafka:" + kafka_version.group(1)
    example = dotenv(ROOT / ".env.example")
    assert example["STACK_VERSION"] == es_version.group(1)
    assert {"ELASTIC_PASSWORD", "KIBANA_PASSWORD"} <= set(example)


def test_engines_restart_have_memory_limits_and_healthchecks() -> None:
    services = compose()["services"]
    for name in ("kafka", "elasticsearch", "kibana", "elasticsearch-secure", "kibana-secure"):
        spec = services[name]
        assert spec["restart"] == "unless-stopped", name
        assert re.fullmatch(r"\d+[mg]", spec["mem_limit"]), name
        assert "healthcheck" in spec, name


def test_ingestion_waits_for_kafka_and_elasticsearch_only() -> None:
    services = compose()["services"]
    depends = services["setup"]["depends_on"]
    required = {k: v["condition"] for k, v in depends.items() if v.get("required", True)}
    assert required == {"kafka": "service_healthy", "elasticsearch": "service_healthy"}
    kibana = services["kibana-setup"]
    assert kibana["command"][0] == "kibana-import"
    assert kibana["depends_on"]["kibana"]["condition"] == "service_healthy"
    assert not any("kibana" in name for name in depends)
    assert all("kibana-setup" not in spec.get("depends_on", {}) for spec in services.values())


def shell_healthchecks() -> list[tuple[str, str]]:
    checks = []
    for name, spec in compose()["services"].items():
        test = spec.get("healthcheck", {}).get("test")
        if test and test[0] == "CMD-SHELL":
            checks.append((name, interpolate(test[1])))
    return checks


def test_every_shell_healthcheck_parses_and_runs_nothing_in_the_background() -> None:
    checks = shell_healthchecks()
    assert {"kafka", "elasticsearch", "kibana"} <= {name for name, _ in checks}
    for name, command in checks:
        parsed = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True)
        assert parsed.returncode == 0, f"{name}: {parsed.stderr}"
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        operators = [token for token in lexer if set(token) <= set("&|;<>()")]
        assert "&" not in operators and ";" not in operators, f"{name}: {operators}"
    elasticsearch = dict(checks)["elasticsearch"]
    words = shlex.split(elasticsearch)
    url = next(word for word in words if word.startswith("http://"))
    assert url.endswith("wait_for_status=yellow&timeout=5s")


def test_exec_healthchecks_and_the_image_check_compile() -> None:
    for name, spec in compose()["services"].items():
        test = spec.get("healthcheck", {}).get("test")
        if test and test[0] == "CMD":
            assert test[1:3] == ["python", "-c"], name
            compile(test[3], name, "exec")
    dockerfile = (ROOT / "Dockerfile").read_text()
    line = next(x for x in dockerfile.splitlines() if x.strip().startswith("CMD [\"python\", \"-c\""))
    code = json.loads(line.strip()[len("CMD "):])[2]
    compile(code, "Dockerfile", "exec")
    assert "/healthz" in code


def test_the_certificate_script_parses() -> None:
    script = compose()["services"]["certs"]["command"]
    assert script[:2] == ["bash", "-c"]
    parsed = subprocess.run(["bash", "-n", "-c", interpolate(script[2])], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    assert "elasticsearch-certutil ca" in script[2] and "kibana_system/_password" in script[2]


@pytest.mark.parametrize("env_file", [None, ".env.example"])
def test_every_service_setting_is_a_real_setting(
    monkeypatch: pytest.MonkeyPatch, env_file: str | None
) -> None:
    from pipeline.settings import load_settings, unknown_variables

    values = dotenv(ROOT / env_file) if env_file else {}
    for name, spec in compose()["services"].items():
        if not spec.get("image", "").startswith("news-"):
            continue
        environment = {k: interpolate(str(v), values) for k, v in spec["environment"].items()}
        for key in [k for k in os.environ if k.startswith("NEWS_")]:
            monkeypatch.delenv(key)
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        settings = load_settings()  # raises on a typo inside a section or a bad value
        assert unknown_variables() == [], name
        assert settings.metrics.port == 9100
        if env_file:
            assert settings.elasticsearch.url.startswith("https://")
            assert settings.elasticsearch.ca_certs == "/certs/ca/ca.crt"


def test_the_image_installs_dependencies_before_the_code_and_ignores_local_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?$", dockerfile, re.M)
    assert dockerfile.index("pip install -c constraints.txt .") < dockerfile.index("COPY pipeline")
    assert "HEALTHCHECK" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "tests"} <= set(ignored)


def test_mounted_feeds_file_exists_and_is_valid() -> None:
    from connectors.feedlist import load_feeds_file

    feeds = load_feeds_file(ROOT / "feeds.yaml")
    assert feeds.feeds and all(f.url.startswith("https://") for f in feeds.feeds)
