"""Site boilerplate learned across articles, for extracted and plain text alike."""

from __future__ import annotations

from pipeline.cleaning.boilerplate import BoilerplateLearner
from pipeline.cleaning.normalise import normalise_text
from tests.fixtures.news import NAMES, body

NEWSLETTER = "Get the Morning Briefing: the day's top stories in your inbox every weekday."
FOOTER = "The Harbour Gazette is an independent, reader-funded newsroom since 1921."


def with_site_boilerplate(text: str) -> str:
    return f"Skip to main content\n{text}\n{NEWSLETTER}\nShare | Tweet | Email\n{FOOTER}"


def test_repeated_lines_are_learned_and_removed() -> None:
    learner = BoilerplateLearner(min_documents=3, min_share=0.2)
    results = [learner.clean("gazette.example", with_site_boilerplate(body(n))) for n in NAMES]
    # generic phrases go from the first document on
    assert "Skip to main content" not in results[0].text
    assert "Share | Tweet | Email" not in results[0].text
    # the site's own lines go once they have recurred in three documents
    assert NEWSLETTER in results[1].text
    for result, name in zip(results[2:], NAMES[2:], strict=True):
        assert NEWSLETTER not in result.text and FOOTER not in result.text
        assert result.text == body(name)
        assert result.removed == 4


def test_article_paragraphs_are_kept() -> None:
    learner = BoilerplateLearner(min_documents=3)
    for name in NAMES:
        learner.clean("gazette.example", with_site_boilerplate(body(name)))
    again = learner.clean("gazette.example", body("adams-arrest"))
    assert again.text == body("adams-arrest")
    assert again.removed == 0


def test_sites_are_learned_separately() -> None:
    learner = BoilerplateLearner(min_documents=3)
    for name in NAMES:
        learner.clean("gazette.example", with_site_boilerplate(body(name)))
    other = learner.clean("other.example", f"{body('india-train')}\n{FOOTER}")
    assert FOOTER in other.text


def test_memory_is_bounded() -> None:
    learner = BoilerplateLearner(max_sites=10, max_lines_per_site=50)
    for site in range(30):
        for document in range(5):
            text = "\n".join(f"line {site} {document} {n} with enough characters" for n in range(40))
            learner.clean(f"site{site}.example", text)
    assert learner.known_sites() == 10
    assert all(len(counts.lines) <= 50 for counts in learner._sites.values())


def test_normalise_text_unicode() -> None:
    raw = "Sinn Fe\u0301in\u00a0leader\u200b  said:\r\n\n\n\nthe \ufb01nal word\u00ad."
    assert normalise_text(raw) == "Sinn Féin leader said:\n\nthe final word."


PAYWALL = (
    "Subscribe to continue reading.\n"
    "This article is only available to subscribers. Subscribe now from $1 a week.\n"
    "Already a subscriber? Log in\n"
    "You have reached your limit of free articles this month.\n"
    "To continue reading, please log in or subscribe.\n"
    "Get unlimited digital access for 99p a week"
)


def test_paywall_prompts_go_from_the_first_document_and_sentences_about_subscribers_stay() -> None:
    learner = BoilerplateLearner()
    story = "The company said its subscribers rose to 4 million last year.\nMembers voted on Tuesday."
    result = learner.clean("paper.example", f"{story}\n{PAYWALL}")
    assert result.text == story
    assert result.removed == 6


def test_two_stories_behind_one_paywall_are_not_linked() -> None:
    from pipeline.dedup.deduplicator import Deduplicator
    from pipeline.dedup.state import MemoryState

    # The teaser of two different stories, each followed by the site's paywall prompts.
    teasers = [f"{body(name)[:200]}\n{PAYWALL}" for name in ("adams-arrest", "india-train")]
    raw = Deduplicator(MemoryState())
    raw.check("first", 1_700_000_000.0, teasers[0])
    assert raw.check("second", 1_700_000_060.0, teasers[1]).story_id == "first"  # the prompts alone

    learner = BoilerplateLearner()
    cleaned = [learner.clean("paper.example", normalise_text(t)).text for t in teasers]
    dedup = Deduplicator(MemoryState())
    dedup.check("first", 1_700_000_000.0, cleaned[0])
    decision = dedup.check("second", 1_700_000_060.0, cleaned[1])
    assert decision.duplicate_of is None and decision.story_id == "second"
