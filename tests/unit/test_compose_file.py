"""docker-compose.yml cannot be run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pipeline.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


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
    assert {"feeds", "clean", "deduplicate", "tag", "index", "setup"} <= set(pipeline_services)
    for name, spec in pipeline_services.items():
        command = spec["command"]
        if name == "setup":
            invoked = re.findall(r"python -m pipeline ([a-z-]+)", command[0])
            assert invoked and set(invoked) <= commands, invoked
        else:
            assert command[0] in commands, f"{name} runs unknown subcommand {command[0]}"
            assert spec["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
            assert spec["depends_on"]["setup"]["condition"] == "service_completed_successfully"


def test_engine_images_are_pinned_and_match_the_local_node() -> None:
    services = compose()["services"]
    pom = (ROOT / "services/elasticsearch/pom.xml").read_text()
    es_version = re.search(r"<es.version>([^<]+)</es.version>", pom)
    assert es_version is not None
    assert services["elasticsearch"]["image"].endswith(":" + es_version.group(1))
    assert services["kibana"]["image"].endswith(":" + es_version.group(1))
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", services["kafka"]["image"])
    for name in ("kafka", "elasticsearch", "kibana"):
        assert "healthcheck" in services[name], name


def test_setup_waits_for_healthy_engines() -> None:
    depends = compose()["services"]["setup"]["depends_on"]
    assert {k: v["condition"] for k, v in depends.items()} == {
        "kafka": "service_healthy",
        "elasticsearch": "service_healthy",
        "kibana": "service_healthy",
    }


def test_mounted_feeds_file_exists_and_is_valid() -> None:
    from connectors.feedlist import load_feeds_file

    feeds = load_feeds_file(ROOT / "feeds.yaml")
    assert feeds.feeds and all(f.url.startswith("https://") for f in feeds.feeds)
