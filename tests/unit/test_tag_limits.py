"""The tag stage's cost stays bounded on oversized input, and its resources come from the
``tag`` settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.settings import load_settings
from pipeline.stages.tag import MAX_TEXT_CHARS, MAX_TITLE_CHARS, TagStage
from pipeline.tagging.actors import catalogue
from pipeline.tagging.fusion import InMemoryIncidentStore
from pipeline.tagging.options import TagOptions
from pipeline.tagging.places import cache_dir

SENTENCE = (
    "Gunmen killed 12 civilians near the border with Iraq in Kabul on Tuesday, according to "
    "the police, who said the attackers fled toward the hills. "
)


def _envelope(title: str, text: str) -> Envelope:
    published = datetime(2015, 3, 6, 9, 0, tzinfo=UTC)
    return Envelope(
        id="huge", url="https://example.org/a/huge", source="test", first_seen=published,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(title=title, text=text, published=published, site_name="Example"),
    )


@pytest.mark.timeout(120)
def test_a_megabyte_title_and_a_long_body_are_tagged_well_formed() -> None:
    title = (SENTENCE.replace(". ", " ") * 8000)[:1_000_000]
    text = (SENTENCE * 2000)[:200_000]
    assert len(title) == 1_000_000
    stage = TagStage(InMemoryIncidentStore())
    (out,) = stage.process(_envelope(title, text))
    assert out.stage == Stage.TAGGED
    tags = out.tags
    assert tags is not None
    assert "Kabul" in {place["name"] for place in tags.places}
    assert tags.incidents and len(tags.incident_ids) == len(set(tags.incident_ids))
    for incident in tags.incidents:
        assert incident["incident_id"] in tags.incident_ids
    assert MAX_TITLE_CHARS < MAX_TEXT_CHARS


@pytest.mark.timeout(120)
def test_a_long_run_on_sentence_is_tagged() -> None:
    # No sentence breaks at all: one 200,000-character "sentence" with many mentions.
    text = (SENTENCE.replace(". ", " ; ") * 2000)[:200_000]
    (out,) = TagStage(InMemoryIncidentStore()).process(_envelope("Attack in Kabul", text))
    assert out.tags is not None and out.tags.incidents


def test_tag_settings_come_from_nested_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NEWS_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("NEWS_TAG__SPACY_MODEL", "none")
    monkeypatch.setenv("NEWS_TAG__ACTORS_EXTRA", f'["{tmp_path / "a.yaml"}"]')
    monkeypatch.setenv("NEWS_TAG__GAZETTEER_MIN_POPULATION", "15000")
    monkeypatch.setenv("NEWS_TAG__GAZETTEER_SMALL_TOWNS", "0")
    monkeypatch.setenv("NEWS_TAG__CACHE_DIR", str(tmp_path))
    settings = load_settings()
    options = TagOptions.from_settings(settings.tag)
    assert options == TagOptions(
        spacy_model="none",
        actors_extra=(str(tmp_path / "a.yaml"),),
        gazetteer_min_population=15000,
        gazetteer_small_towns=0,
        cache_dir=str(tmp_path),
    )
    shown = settings.shown()
    assert "tag:" in shown and "gazetteer_min_population: 15000" in shown


def test_tag_settings_defaults_match_the_stage_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWS_SETTINGS_FILE", "NEWS_TAG__SPACY_MODEL", "NEWS_TAG__ACTORS_EXTRA"):
        monkeypatch.delenv(name, raising=False)
    assert TagOptions.from_settings(load_settings().tag) == TagOptions()
    assert TagStage().tagger.options == TagOptions()


def test_a_misspelt_tag_setting_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("NEWS_TAG__SPACY_MODLE", "none")
    with pytest.raises(ValidationError):
        load_settings()


def test_retired_variables_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("NEWS_TAG_SPACY_MODEL", "none")
    with pytest.raises(ValueError, match="NEWS_TAG__SPACY_MODEL"):
        TagStage.from_settings(load_settings())


def test_extra_actor_files_and_cache_dir_are_passed_explicitly(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "version: t1\nactors:\n  - name: Example Brigade\n    type: rebel\n"
        "    aliases: [the brigade of examples]\n",
        encoding="utf-8",
    )
    merged = catalogue((str(extra),))
    assert merged.lookup("the brigade of examples") is not None
    assert catalogue().lookup("the brigade of examples") is None
    assert cache_dir(str(tmp_path)) == tmp_path
