"""Story similarity for other outlets' rewrites, on the labelled pairs of eval/stories: the
sketch cosine against the MinHash story layer, and the offline TF-IDF reference."""

from __future__ import annotations

from pipeline.dedup import story_evaluation
from pipeline.dedup.signatures import jaccard, signature
from pipeline.dedup.stories import (
    DEFAULT_SKETCH_COSINE,
    Article,
    StoryIndex,
    assign_stories,
    content_words,
    sketch,
    sketch_cosine,
)

ROWS = story_evaluation.load()
TEXT = {r["id"]: f"{r['title']}\n{r['text']}" for r in ROWS}


def test_rewrites_of_one_story_share_little_wording_but_score_above_other_stories() -> None:
    wire, regional = TEXT["idlib-market-wire"], TEXT["idlib-market-regional"]
    other = TEXT["saraqeb-clinic-wire"]  # another strike in the same province, a day later
    # MinHash over word sets barely sees the rewrite (below the 0.3 story threshold).
    assert jaccard(signature(wire).minhash, signature(regional).minhash) < 0.3
    same = sketch_cosine(sketch(wire), sketch(regional))
    different = sketch_cosine(sketch(wire), sketch(other))
    assert same >= DEFAULT_SKETCH_COSINE > different


def test_rare_words_weigh_more_than_common_ones() -> None:
    index = StoryIndex(["soldiers killed in Borno", "soldiers killed in Idlib", "soldiers killed"])
    assert index.idf("borno") > index.idf("soldiers")
    assert "the" not in content_words("The soldiers")
    borno = sketch(TEXT["borno-village-attack-wire"])
    weights = dict(zip(borno.terms, borno.weights, strict=True))
    assert weights["konduga"] > weights["killed"]  # a place no background article names


def test_the_offline_rule_links_rewrites_and_keeps_a_hard_negative_apart() -> None:
    rows = [r for r in ROWS if r["story"] in ("khartoum-bread-protest", "khartoum-sit-in-raid")]
    articles = story_evaluation._articles(rows)
    index = StoryIndex([*(a.text for a in articles), *story_evaluation.background_texts()])
    story_of = assign_stories(articles, threshold=0.19, index=index)
    bread = {story_of[r["id"]] for r in rows if r["story"] == "khartoum-bread-protest"}
    raid = {story_of[r["id"]] for r in rows if r["story"] == "khartoum-sit-in-raid"}
    assert len(bread) == 1 and len(raid) == 1 and bread != raid


def test_articles_outside_the_window_start_their_own_story() -> None:
    text = TEXT["zamfara-kidnapping-wire"]
    articles = [Article("a", 0.0, text), Article("b", 10 * 86400.0, text)]
    assert assign_stories(articles)["b"] == "b"
    assert assign_stories([articles[0], Article("c", 3600.0, text)])["c"] == "a"


def test_on_the_held_out_split_the_stage_finds_the_stories_the_minhash_layer_misses() -> None:
    report = story_evaluation.evaluate()
    # The stage's default threshold is the one chosen on the tuning split, and only there.
    assert report["stage_threshold"] == DEFAULT_SKETCH_COSINE
    for split in ("tuning", "test"):
        before, now = report[split]["minhash_story_layer"], report[split]["stage_story_layer"]
        assert before["wrong_duplicates"] == now["wrong_duplicates"] == 0
        assert before["recall"] < 0.2  # the gap the issue describes
        assert now["same_pairs"] == before["same_pairs"] == 30
    test = report["test"]["stage_story_layer"]
    assert test["precision"] >= 0.9 and test["recall"] >= 0.7
