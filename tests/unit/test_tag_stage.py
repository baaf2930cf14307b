"""The tag stage end to end: entities, incidents, fusion and the stage contract.

Sources (Voice of America, US federal government works in the public domain):
  [VOA-2669057] https://www.voanews.com/a/reu-fourty-five-killed-boko-haram-nigeria-/2669057.html
  [VOA-202109]  https://allafrica.com/stories/202109150056.html (VOA, Harun Maruf, 2021-09-14)
The first test uses the wire-story pattern quoted in the project's requirement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipeline.envelope import CleanedContent, Envelope, FeedEntry, Stage
from pipeline.stages.tag import TagStage
from pipeline.tagging.fusion import InMemoryIncidentStore
from pipeline.tagging.tagger import Tagger

WIRE = (
    "Islamic State fighters seized two districts of a border town near Deir el-Zour from a rival "
    "faction on Thursday; at least 40 fighters died, up from an earlier estimate of some 25. "
    "On Tuesday a car bomb in Raqqa killed 12."
)

NJABA = (
    "Suspected Boko Haram militants have attacked a village in northeastern Nigeria, killing at "
    "least 68 people.\n\nWitnesses tell a VOA reporter that the militants attacked the community "
    "of Njaba in Borno state before dawn Tuesday.\n\nBecause of the remoteness of the area, word "
    "of the attack took two days to reach the state capital, Maiduguri, about 100 kilometers "
    "away.\n\nOn Tuesday, Chad said its forces had liberated the Borno state town of Dikwa. "
    "Chad's President Idriss Deby called on Boko Haram's chief Abubakar Shekau to surrender or be "
    "killed, saying his forces know Shekau's location."
)

TEASHOP = (
    "An explosion from suicide bombing has killed at least 11 people Tuesday in the Somali "
    "capital, witnesses and officials said.\n\nWitnesses said a suicide bomber walked into a "
    "teashop made of corrugated tin and detonated an explosive vest.\n\nThe attack occurred near "
    "a checkpoint manned by Somali government security forces in Wadajir district, which is next "
    "to both Mogadishu's airport and the headquarters of the Africa Union forces known as AMISOM."
)


def _envelope(text: str, published: datetime, url: str, title: str | None = None) -> Envelope:
    return Envelope(
        id=url.rsplit("/", 1)[-1],
        url=url,
        source="test",
        first_seen=published,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(title=title, text=text, published=published, site_name="Example"),
    )


def _mogadishu_reports() -> tuple[Envelope, Envelope]:
    """The first report of a car bombing and a later one that revises its toll."""
    first = _envelope(
        "A car bomb killed 9 people in Mogadishu on Wednesday, police said.",
        datetime(2022, 1, 12, 12, tzinfo=UTC),
        "https://example.org/a/first",
    )
    later = _envelope(
        "The death toll from Wednesday's car bomb in Mogadishu has risen to 14, officials said.",
        datetime(2022, 1, 13, 8, tzinfo=UTC),
        "https://example.org/a/later",
    )
    return first, later


def test_wire_story_gives_two_incidents_with_dates_and_tolls() -> None:
    stage = TagStage(InMemoryIncidentStore())
    published = datetime(2015, 3, 6, 9, 0, tzinfo=UTC)  # a Friday
    out = stage.process(_envelope(WIRE, published, "https://example.org/a/1"))
    assert len(out) == 1 and out[0].stage == Stage.TAGGED
    tags = out[0].tags
    assert tags is not None
    incidents = tags.incidents
    assert len(incidents) == 2
    battle, bomb = incidents
    assert battle["event_type"] == "Battles"
    assert battle["date"] == "2015-03-05" and battle["date_precision"] == "day"
    assert battle["fatalities"] == 40 and battle["fatalities_history"] == [25, 40]
    assert "Islamic State" in battle["actors"]
    assert battle["location"]["country"] == "Syria"
    assert bomb["event_type"] == "Explosions/Remote violence"
    assert bomb["sub_event_type"] == "Remote explosive/landmine/IED"
    assert bomb["date"] == "2015-03-03" and bomb["fatalities"] == 12
    assert bomb["location"]["name"] == "Raqqa"
    assert all(i["article_ids"] == ["1"] for i in incidents)
    assert all(i["sources"] == ["Example"] for i in incidents)
    assert "earlier estimate of some 25" in battle["evidence"][0]
    assert list(tags.incident_ids) == [i["incident_id"] for i in incidents]
    assert "Islamic State" in tags.actors


def test_real_article_entities_and_incidents() -> None:
    # [VOA-2669057], published Thursday 2015-03-05.
    result = Tagger().tag("Boko Haram Kills 68 in Nigerian Town", NJABA, date(2015, 3, 5), "njaba")
    assert {"Idriss Deby", "Abubakar Shekau"} <= set(result.persons)
    assert "Shekau" not in result.persons  # surname linked to the full name
    assert "Boko Haram" in result.organizations
    names = {p["name"] for p in result.places}
    assert {"Maiduguri", "Dikwa", "Borno"} <= names
    first = result.incidents[0]
    assert first.event_type == "Violence against civilians"
    assert first.fatalities == 68 and first.date == date(2015, 3, 3)
    assert "Boko Haram" in first.actors
    dikwa = [i for i in result.incidents if i.location and i.location["name"] == "Dikwa"]
    assert dikwa and dikwa[0].sub_event_type == "Government regains territory"


def test_neighbourhood_incident_maps_to_city() -> None:
    # [VOA-202109], 2021-09-14.
    result = Tagger().tag(None, TEASHOP, date(2021, 9, 14), "teashop")
    assert len(result.incidents) == 1
    incident = result.incidents[0]
    assert incident.sub_event_type == "Suicide bomb" and incident.fatalities == 11
    assert incident.location is not None and incident.location["name"] == "Mogadishu"
    assert incident.location["precision"] == "neighbourhood"


def test_fusion_across_articles_and_replay() -> None:
    store = InMemoryIncidentStore()
    stage = TagStage(store)
    first, later = _mogadishu_reports()
    one = stage.process(first)[0].tags
    assert one is not None
    assert store.staged and not store.durable  # nothing durable before the batch is written
    stage.after_batch_written()
    assert store.durable and not store.staged
    two = stage.process(later)[0].tags
    assert two is not None
    assert two.incident_ids == one.incident_ids
    fused = two.incidents[0]
    assert fused["article_ids"] == ["first", "later"]
    assert fused["fatalities"] == 14 and fused["fatalities_history"] == [9, 14]
    # Replaying the first article neither adds an incident nor reverts the later toll.
    again = stage.process(first)[0].tags
    assert again is not None and again.incident_ids == one.incident_ids
    stage.after_batch_written()
    assert len(store.all()) == 1
    assert store.all()[0].fatalities == 14


def test_distant_reports_are_not_fused() -> None:
    store = InMemoryIncidentStore()
    tagger = Tagger(store)
    a = tagger.tag(None, "A car bomb killed 9 people in Mogadishu on Wednesday.", date(2022, 1, 12), "a")
    b = tagger.tag(None, "A car bomb killed 4 people in Kismayo on Wednesday.", date(2022, 1, 12), "b")
    assert a.incident_ids != b.incident_ids
    assert len(store.all()) == 2


def test_empty_text_gives_empty_tags_and_feed_fallback() -> None:
    stage = TagStage(InMemoryIncidentStore())
    now = datetime(2024, 5, 1, tzinfo=UTC)
    empty = Envelope(
        id="e", url="https://example.org/e", source="t", first_seen=now, cleaned=CleanedContent(text="")
    )
    tags = stage.process(empty)[0].tags
    assert tags is not None and tags.incidents == () and tags.persons == ()
    feed_only = Envelope(
        id="f",
        url="https://www.example.org/f",
        source="t",
        first_seen=now,
        feed=FeedEntry(
            feed_url="https://example.org/rss",
            entry_id="x",
            title="Suicide bomber kills 5 in Kabul",
            summary="A suicide bomber killed five people in Kabul on Tuesday.",
            published=now,
        ),
    )
    tagged = stage.process(feed_only)[0].tags
    assert tagged is not None and len(tagged.incidents) == 1
    assert tagged.incidents[0]["sources"] == ["example.org"]
    assert tagged.incidents[0]["date"] == "2024-04-30"


def test_dead_lettered_articles_are_withdrawn_from_the_staged_incidents() -> None:
    store = InMemoryIncidentStore()
    stage = TagStage(store)
    first, later = _mogadishu_reports()
    lone = _envelope(
        "A roadside bomb killed 3 soldiers near Kismayo on Thursday.",
        datetime(2022, 1, 13, 9, tzinfo=UTC),
        "https://example.org/a/lone",
    )
    # One batch: the first report is written downstream, the update and the lone report are not.
    for envelope in (first, later, lone):
        stage.process(envelope)
    assert {i.fatalities for i in store.staged.values()} == {14, 3}
    stage.discard_staged(["later", "lone"])
    stage.after_batch_written()
    (incident,) = store.all()
    assert incident.article_ids == ["first"]
    assert incident.fatalities == 9 and incident.fatalities_history == [9]
    assert [r["article_id"] for r in incident.reports] == ["first"]

    # Next batch: the update arrives again (replayed from the dead-letter topic) and is written.
    stage.process(later)
    stage.discard_staged(["first"])  # durable since the last batch and not re-staged: untouched
    stage.after_batch_written()
    (incident,) = store.all()
    assert incident.article_ids == ["first", "later"] and incident.fatalities == 14
