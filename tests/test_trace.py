"""Tests for copydesk.trace: direction, reference, sources, common_source_missing."""

from __future__ import annotations

import numpy as np
import pytest

from copydesk.analyze import analyze_batch
from copydesk.config import Settings
from copydesk.featurize.terms import corpus_stats, cosine
from copydesk.records import Article, Pair, TermStats
from copydesk.score import default_model
from copydesk.trace import (
    STYLE_FEATURES,
    article_profile,
    common_source_missing,
    direction_features,
    direction_prob,
    lexical_vectors,
    trace_story,
)

ORIGINAL = (
    "Rescuers pulled 14 survivors from the collapsed Hotel Meridian in Izmir on Tuesday, "
    "the city's governor Ali Kaya said.\n"
    '"We are still hearing voices under the rubble," Kaya told reporters at 3 p.m.\n'
    "The magnitude-6.1 quake struck at 11:42 a.m., according to the Kandilli Observatory."
)
REWRITE = (
    "Title: Survivors Found After Devastating Quake\n\n"
    "In a remarkable testament to resilience, rescuers have pulled survivors from a collapsed hotel, "
    "highlighting the crucial importance of swift emergency response. Moreover, officials emphasized "
    "that the search is ongoing. Overall, the tragedy underscores the pivotal role of preparedness."
)


def rows_for(*arts: Article):
    return {r.article.id: r for r in analyze_batch(list(arts), Settings(claims=False), embed=False)}


def unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_direction_features_are_antisymmetric() -> None:
    rows = rows_for(Article("o", ORIGINAL), Article("r", REWRITE))
    po, pr = article_profile(rows["o"]), article_profile(rows["r"])
    x = direction_features(po, pr, 0.7, 0.2, rows["o"].features, rows["r"].features)
    y = direction_features(pr, po, 0.2, 0.7, rows["r"].features, rows["o"].features)
    assert x.keys() == y.keys()
    for k in x:
        assert x[k] == pytest.approx(-y[k]), k
    # The fitted model is antisymmetric too (no intercept): P(o before r) = 1 - P(r before o).
    model = default_model()
    assert direction_prob(x, model) == pytest.approx(1.0 - direction_prob(y, model))
    assert direction_prob({k: 0.0 for k in x}, model) == pytest.approx(0.5)
    # Every feature the fitted model uses is one the product computes, and style is marked.
    assert set(model.meta["direction"]["features"]) <= set(x)
    assert not set(model.meta["direction_content"]["features"]) & STYLE_FEATURES


def test_direction_model_prefers_the_original() -> None:
    rows = rows_for(Article("o", ORIGINAL), Article("r", REWRITE))
    x = direction_features(
        article_profile(rows["o"]),
        article_profile(rows["r"]),
        0.3,
        0.3,
        rows["o"].features,
        rows["r"].features,
    )
    assert direction_prob(x, default_model()) > 0.5


@pytest.mark.parametrize(
    ("terse", "spelled_out"),
    [
        (
            "Officials say the Elm Street bridge will close Monday for repairs.",
            "According to officials, the bridge on Elm Street is scheduled to be closed on Monday in order "
            "to carry out a number of necessary repairs.",
        ),
        (
            "Doctors warn the new flu strain spreads faster in schools.",
            "Medical professionals have issued a warning that the new strain of the flu is spreading at a "
            "faster rate within the setting of schools.",
        ),
    ],
)
def test_a_terse_claim_is_upstream_of_its_spelled_out_paraphrase(terse: str, spelled_out: str) -> None:
    # The case the session-9 model got wrong out of source (one-line claims, CoAID): the
    # paraphrase says the same thing in more function words, and has no style word or debris.
    rows = rows_for(Article("o", terse), Article("r", spelled_out))
    po, pr = article_profile(rows["o"]), article_profile(rows["r"])
    assert pr["function"] > po["function"]
    x = direction_features(po, pr, 1.0, 1.0, rows["o"].features, rows["r"].features)
    assert direction_prob(x, default_model()) > 0.5


def test_trace_picks_the_earlier_published_as_reference() -> None:
    # The rewrite-looking text is published first: a known date beats the content model.
    rows = rows_for(
        Article("a-late", ORIGINAL, published="2024-03-02T10:00:00Z"),
        Article("b-early", REWRITE, published="2024-03-01T08:00:00Z"),
        Article("c-latest", ORIGINAL + "\nMore later.", published="2024-03-05"),
    )
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    pairs = {
        ("a-late", "b-early"): Pair("a-late", "b-early", {"p_story": 0.9, "p_family": 0.9}, "rewrite", 0.9),
        ("a-late", "c-latest"): Pair(
            "a-late", "c-latest", {"p_story": 1.0, "p_family": 1.0}, "duplicate", 1.0
        ),
        ("b-early", "c-latest"): Pair(
            "b-early", "c-latest", {"p_story": 0.9, "p_family": 0.9}, "rewrite", 0.9
        ),
    }
    traced = trace_story(list(rows), rows, svecs, pairs, default_model())
    assert traced.story.reference == "b-early"
    by_id = {p.article_id: p for p in traced.placements}
    assert by_id["b-early"].relation == "reference" and by_id["b-early"].source is None
    assert by_id["a-late"].source == "b-early"
    assert by_id["c-latest"].relation == "duplicate" and by_id["c-latest"].source == "a-late"
    # Members order does not matter.
    again = trace_story(list(reversed(list(rows))), rows, svecs, pairs, default_model())
    assert again.story == traced.story and again.placements == traced.placements


def test_single_article_story() -> None:
    rows = rows_for(Article("solo", ORIGINAL))
    traced = trace_story(["solo"], rows, {}, {}, default_model())
    assert traced.story.reference == "solo" and traced.story.common_source_missing is False
    assert traced.placements[0].relation == "unrelated"


def test_common_source_missing_needs_shared_facts_absent_from_the_reference() -> None:
    ref = "Officials in Kherson said the ferry service resumed on Monday.\nPassengers welcomed the news."
    shared1 = "Engineers from Zaporizhzhia repaired 37 pontoons before the Dnipro crossing reopened."
    shared2 = "Volunteers from Mykolaiv delivered 120 generators to the riverside villages."
    d1 = f"The ferry service resumed on Monday, officials said.\n{shared1}\n{shared2}"
    d2 = f"Ferries run again across the river.\n{shared1}\n{shared2}"
    rows = rows_for(Article("ref", ref), Article("d1", d1), Article("d2", d2))
    base = unit_vectors(8, 7)
    svecs = {
        "ref": base[[0, 1]],
        "d1": base[[0, 2, 3]],  # sentence 0 matches the reference; 1-2 are the shared facts
        "d2": base[[4, 2, 3]],
    }
    missing, evidence = common_source_missing("ref", ["d1", "d2"], rows, svecs)
    assert missing is True and len(evidence) >= 2
    assert any("37" in e or "pontoons" in e.lower() for e in evidence)
    # The same facts in the reference: nothing is missing.
    rows2 = rows_for(
        Article("ref", ref + "\n" + shared1 + "\n" + shared2), Article("d1", d1), Article("d2", d2)
    )
    svecs2 = dict(svecs, ref=base[[0, 1, 2, 3]])
    assert common_source_missing("ref", ["d1", "d2"], rows2, svecs2) == (False, [])
    # One derived article alone cannot show a common source.
    assert common_source_missing("ref", ["d1"], rows, svecs) == (False, [])
    # The facts in a member ranked above both (the original, when another text was taken for the
    # reference): their source is in the set. Ranked below them, it is not their source.
    rows3 = {**rows, **rows_for(Article("orig", f"{shared1}\n{shared2}"))}
    svecs3 = dict(svecs, orig=base[[2, 3]])
    assert common_source_missing("ref", ["d1", "d2"], rows3, svecs3, upstream=["ref", "orig", "d1", "d2"]) == (False, [])
    assert common_source_missing("ref", ["d1", "d2"], rows3, svecs3, upstream=["ref", "d1", "d2", "orig"])[0] is True


def test_a_story_larger_than_all_pairs_max_is_traced_over_its_scored_pairs(monkeypatch) -> None:
    """A wire story copied hundreds of times: direction is computed for the scored pairs only
    (not every pair of members), and the sources still form one tree under the reference."""
    import copydesk.trace as trace

    n = trace.ALL_PAIRS_MAX + 50
    originals = [Article(f"w{i:03d}", ORIGINAL + f"\nUpdate {i}: crews reached block {i}.") for i in range(n)]
    rows = rows_for(*originals)
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    ids = sorted(rows)
    # A star around w000 plus a chain: 2n - 3 scored pairs, far fewer than n (n - 1) / 2.
    pairs = {}
    for i in range(1, n):
        pairs[(ids[0], ids[i])] = Pair(ids[0], ids[i], {"p_story": 1.0, "p_family": 0.95}, "duplicate", 0.95)
        if i + 1 < n:
            pairs[(ids[i], ids[i + 1])] = Pair(ids[i], ids[i + 1], {"p_story": 0.9, "p_family": 0.9}, "rewrite", 0.9)
    calls = []
    real = trace.direction_features
    monkeypatch.setattr(trace, "direction_features", lambda *a: calls.append(1) or real(*a))
    traced = trace_story(ids, rows, svecs, pairs, default_model())
    assert len(calls) == len(pairs)
    by_id = {p.article_id: p for p in traced.placements}
    assert sorted(by_id) == ids
    ref = traced.story.reference
    assert by_id[ref].source is None and by_id[ref].relation == "reference"
    for m in ids:  # every source chain ends at the reference without a cycle
        seen, cur = set(), m
        while by_id[cur].source is not None:
            assert cur not in seen
            seen.add(cur)
            src = by_id[cur].source
            assert by_id[src].family == by_id[cur].family or src == ref  # own family, or the reference
            cur = src
        assert cur == ref
    # A small story still compares every pair.
    calls.clear()
    small = ids[:5]
    trace_story(small, rows, svecs, {k: p for k, p in pairs.items() if k[0] in small and k[1] in small}, default_model())
    assert len(calls) == 10


# A gossip corpus: every article names the star again and again, so a rewrite shares the name with
# every candidate; only the story's own specifics tell its source apart.
STAR_ORIGINAL = (
    "Kim Kardashian and Kanye West bought a ranch in Wyoming for $14 million, a Cody realtor said.\n"
    "Kardashian plans to spend summers at the ranch with her four children, the realtor added."
)
STAR_OTHER = (
    "Kim Kardashian wore vintage Versace to the Met Gala. Kardashian, Kardashian, Kardashian: "
    "photographers shouted the Kardashian name as Kim Kardashian and Kanye West posed on the steps."
)
STAR_REWRITE = (
    "For a reported $14 million, Kim Kardashian and Kanye West have acquired a sprawling Wyoming "
    "ranch near Cody, where Kardashian intends to spend her summers with the four children."
)


def test_corpus_tfidf_counts_a_name_every_article_repeats_for_little() -> None:
    """With the corpus's document frequencies the rewrite is nearer its original than the other
    story on the same star; with every term counted as rare (no corpus), the other story, which
    repeats the star's name five times, is nearer the name alone."""
    rows = rows_for(Article("a-orig", STAR_ORIGINAL), Article("b-other", STAR_OTHER), Article("c-rw", STAR_REWRITE))
    stats = TermStats(1000, {w: 600 for w in ("kim", "kardashian", "kanye", "west")})
    lex = lexical_vectors(list(rows), rows, stats)
    assert cosine(lex["c-rw"], lex["a-orig"]) > cosine(lex["c-rw"], lex["b-other"]) + 0.1
    flat = lexical_vectors(list(rows), rows, TermStats(1000, {}))
    assert flat["b-other"]["kardashian"] > flat["a-orig"]["kardashian"]
    assert lex["b-other"]["kardashian"] < flat["b-other"]["kardashian"]
    # Without corpus statistics a story's own members are its corpus.
    own = lexical_vectors(list(rows), rows, None)
    assert own == lexical_vectors(list(rows), rows, corpus_stats(r.clean.text for r in rows.values()))


def test_sources_follow_corpus_tfidf_when_the_pair_scores_disagree() -> None:
    """With the derived text ranked last (published last), its source among two earlier candidates
    is the one closest by corpus TF-IDF even though its pair with the other scores higher."""
    rows = rows_for(
        Article("a-orig", STAR_ORIGINAL, published="2024-01-01"),
        Article("b-other", STAR_OTHER, published="2024-01-02"),
        Article("c-rw", STAR_REWRITE, published="2024-01-03"),
    )
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    pairs = {
        ("a-orig", "b-other"): Pair("a-orig", "b-other", {"p_story": 0.9, "p_family": 0.9}, "rewrite", 0.9),
        ("a-orig", "c-rw"): Pair("a-orig", "c-rw", {"p_story": 0.97, "p_family": 0.95}, "rewrite", 0.95),
        ("b-other", "c-rw"): Pair("b-other", "c-rw", {"p_story": 0.99, "p_family": 0.99}, "rewrite", 0.99),
    }
    stats = TermStats(1000, {w: 600 for w in ("kim", "kardashian", "kanye", "west")})
    traced = trace_story(list(rows), rows, svecs, pairs, default_model(), stats)
    by_id = {p.article_id: p for p in traced.placements}
    assert traced.story.reference == "a-orig"
    assert by_id["c-rw"].source == "a-orig" and by_id["c-rw"].relation == "rewrite"
    assert by_id["c-rw"].score == pytest.approx(0.95)  # the relation's score is still that pair's


COPY_SOURCE = [
    "The city council voted 7 to 2 on Monday to close the Elm Street library branch at the end of June.",
    "Council member Dana Ruiz, who opposed the closure, said the branch serves about 400 visitors a week.",
    "The library system faces a budget gap of $3.2 million this year, according to its director, Paul Ng.",
    "Staff at the branch will be moved to the central library and two other branches, officials said.",
    "It was not clear what would happen to the building, which the city has owned since 1962.",
    "Residents who spoke at the meeting asked the council to look for other ways to save money.",
    "Several of them said that the branch was the only quiet place in the neighbourhood to study.",
    "The council is expected to take up the rest of the library budget at its meeting next month.",
]


def _near_copy(drop: tuple[int, ...]) -> str:
    """What a re-publisher does: drops sentences, edits a few words."""
    kept = [s for i, s in enumerate(COPY_SOURCE) if i not in drop]
    kept[0] = kept[0].replace("on Monday", "Monday")
    kept[2] = kept[2].replace("this year", "in 2024")
    return "\n".join(kept)


def _profiles(*texts: str):
    from copydesk.featurize.minhash import shingle_profile

    return [shingle_profile(t) for t in texts]


def test_a_near_copy_that_dropped_sentences_is_placed_downstream_of_the_full_text(monkeypatch) -> None:
    import copydesk.trace as trace

    source, copy = "\n".join(COPY_SOURCE), _near_copy(drop=(4, 6))
    # The copy sorts first by id and carries no date: only its content says it is downstream.
    rows = rows_for(Article("a-copy", copy), Article("b-source", source))
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    scores = {"p_story": 1.0, "p_family": 1.0}
    pairs = {("a-copy", "b-source"): Pair("a-copy", "b-source", scores, "duplicate", 1.0)}
    traced = trace_story(list(rows), rows, svecs, pairs, default_model())
    by_id = {p.article_id: p for p in traced.placements}
    assert traced.story.reference == "b-source"
    assert by_id["a-copy"].source == "b-source" and by_id["a-copy"].relation == "duplicate"
    # The same call, either way round, from the texts alone.
    a, b = _profiles(copy, source)
    assert trace.copy_order(a, b) == 0.0 and trace.copy_order(b, a) == 1.0
    # Without the near-copy rule the style model alone decides, and here it gets it wrong.
    monkeypatch.setattr(trace, "copy_order", lambda a, b: None)
    assert trace_story(list(rows), rows, svecs, pairs, default_model()).story.reference == "a-copy"


def test_the_near_copy_rule_abstains_where_containment_cannot_tell() -> None:
    from copydesk.trace import copy_order

    source = "\n".join(COPY_SOURCE)
    # Only a word edited on each side: neither holds clearly more of the other.
    assert copy_order(*_profiles(source, _near_copy(drop=()))) is None
    # A verbatim prefix: a truncation or an earlier version later extended, either way round.
    head = source[: len(source) // 2]
    assert copy_order(*_profiles(source, head)) is None and copy_order(*_profiles(head, source)) is None
    # An expansion that quotes two sentences of its source: not a near-copy (the style model decides).
    expansion = (
        "In a striking development for local readers, a neighbourhood institution is set to disappear. "
        + " ".join(COPY_SOURCE[:2])
        + " Observers note that the decision reflects broader pressures on municipal services nationwide, "
        "and advocates warn that the move could set a precedent for further cuts across the region."
    )
    assert copy_order(*_profiles(source, expansion)) is None
    # Unrelated texts.
    assert copy_order(*_profiles(source, ORIGINAL)) is None


# Another outlet's report of the same vote, in its own words, with the same figures.
OTHER_REPORT = (
    "Elm Street's library branch will shut at the end of June after councillors backed the closure 7 to 2.\n"
    "Dana Ruiz, one of the two who voted against it, said some 400 people use the branch every week.\n"
    "The library system's director, Paul Ng, pointed to a shortfall of $3.2 million."
)


def _bend(text: str) -> str:
    """A rewrite that bends two figures and a name of ``text`` and keeps the rest."""
    return text.replace("7 to 2", "5 to 4").replace("about 400", "about 900").replace("Dana Ruiz", "Maria Lopez")


def test_a_bent_copy_is_placed_downstream_of_the_text_whose_figures_the_story_confirms(monkeypatch) -> None:
    import copydesk.trace as trace

    base = "\n".join(COPY_SOURCE)
    # The bend sorts first by id and carries no date: only the third report says which values are older.
    rows = rows_for(Article("a-bent", _bend(base)), Article("b-base", base), Article("c-other", OTHER_REPORT))
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    members = sorted(rows)
    cache = trace.PairCache()
    assert trace.bend_between("b-base", "a-bent", rows, cache, members) == 1.0
    assert trace.bend_between("a-bent", "b-base", rows, cache, members) == 0.0
    own = trace.bent_values(cache.sentence_specifics(rows["b-base"]), cache.sentence_specifics(rows["a-bent"]))
    assert {"400", "ruiz"} <= own[0] and {"900", "lopez"} <= own[1]
    # Without the third report nothing says which values came first: the rule abstains.
    assert trace.bend_between("b-base", "a-bent", rows, cache, ["a-bent", "b-base"]) is None
    pairs = {
        ("a-bent", "b-base"): Pair("a-bent", "b-base", {"p_story": 1.0, "p_family": 0.95}, "rewrite", 0.95),
        ("a-bent", "c-other"): Pair("a-bent", "c-other", {"p_story": 0.9, "p_family": 0.2}, "same_story", 0.9),
        ("b-base", "c-other"): Pair("b-base", "c-other", {"p_story": 0.9, "p_family": 0.2}, "same_story", 0.9),
    }
    # The style model orders the pair by a coin flip: two texts in one register.
    p = trace.pair_upstream("b-base", "a-bent", rows, svecs, trace.PairCache(), default_model(), members)
    assert abs(p - 0.5) < 0.15
    # Even where it leans the wrong way (here made to call the bend upstream of everything), the
    # bend is placed below its base, and its source is the base.
    real = trace.pair_upstream

    def leaning(a, b, *args):
        return 0.9 if a == "a-bent" else 0.1 if b == "a-bent" else real(a, b, *args)

    monkeypatch.setattr(trace, "pair_upstream", leaning)
    traced = trace_story(members, rows, svecs, pairs, default_model())
    by_id = {p.article_id: p for p in traced.placements}
    assert traced.story.reference != "a-bent"
    assert by_id["a-bent"].source == "b-base" and by_id["b-base"].source != "a-bent"
    monkeypatch.setattr(trace, "bend_order", lambda a, b, elsewhere: None)  # without the rule
    assert trace_story(members, rows, svecs, pairs, default_model()).story.reference == "a-bent"


def test_the_bend_rule_abstains_on_a_pure_drop_or_addition_and_when_both_are_confirmed() -> None:
    from copydesk.trace import PairCache, bend_order, bent_values

    base, bent, other = {"7", "2", "ruiz", "400"}, {"5", "4", "lopez", "900"}, {"7", "2", "ruiz", "400"}
    assert bend_order(base, bent, other) == 1.0 and bend_order(bent, base, other) == 0.0
    assert bend_order(base, bent, other | bent) is None  # each side's values stated by someone
    assert bend_order(base, bent, {"unrelated"}) is None  # neither
    # A dropped or an added sentence is not a bend: it gives neither side values of its own.
    source = "\n".join(COPY_SOURCE)
    rows = rows_for(
        Article("full", source), Article("dropped", _near_copy(drop=(1, 2))), Article("added", source + "\n" + OTHER_REPORT)
    )
    cache = PairCache()
    sent = {k: cache.sentence_specifics(r) for k, r in rows.items()}
    assert bent_values(sent["full"], sent["dropped"]) == (set(), set())
    assert bent_values(sent["added"], sent["full"]) == (set(), set())
    assert bend_order(*bent_values(sent["full"], sent["dropped"]), other) is None


INNOV_ORIGINAL = (
    "The city council voted 7 to 2 on Monday to close the Elm Street library branch at the end of June. "
    "Council member Dana Ruiz, who opposed the closure, said the branch serves about 400 visitors a week. "
    "The library system faces a budget gap of $3.2 million this year, according to its director, Paul Ng."
)
# A paraphrase with words of its own (rare ones: its innovations) besides the original's facts.
INNOV_PARAPHRASE = (
    "In a contentious decision that reverberated through the neighbourhood, the city council voted 7 to 2 on "
    "Monday to shutter the beloved Elm Street library branch at the end of June. Council member Dana Ruiz, an "
    "outspoken opponent of the closure, lamented that the branch welcomes roughly 400 visitors every week. "
    "The library system is grappling with a daunting budget shortfall of $3.2 million this year, its director "
    "Paul Ng said."
)
# Another rewrite of the original: much of the paraphrase's everyday wording, none of its rare words.
INNOV_SIBLING = (
    "The city council voted 7 to 2 on Monday to close the Elm Street library branch at the end of June, a "
    "decision that went through the neighbourhood. Council member Dana Ruiz, an opponent of the closure, said "
    "the branch has roughly 400 visitors every week. The library system has a budget gap of $3.2 million this "
    "year, its director Paul Ng said."
)


def test_a_text_descends_from_a_sibling_only_if_it_carries_the_siblings_innovations(monkeypatch) -> None:
    """Of two candidate sources above a rewrite, the closer by TF-IDF is its source only if the rewrite carries
    that candidate's innovations (rare words the family's head lacks): a copy of the paraphrase that bends a
    figure descends from the paraphrase; another rewrite of the original, close to the paraphrase in everyday
    wording but with none of its rare words, descends from the original. Without the test the sibling is the
    source."""
    import copydesk.trace as trace_mod

    chain = INNOV_PARAPHRASE.replace("$3.2 million", "$4.5 million")
    rows = rows_for(
        Article("a-orig", INNOV_ORIGINAL, published="2024-01-01"),
        Article("b-para", INNOV_PARAPHRASE, published="2024-01-02"),
        Article("c-sib", INNOV_SIBLING, published="2024-01-03"),
        Article("d-chain", chain, published="2024-01-04"),
    )
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    lex = lexical_vectors(list(rows), rows, None)
    assert cosine(lex["c-sib"], lex["b-para"]) > cosine(lex["c-sib"], lex["a-orig"])  # the sibling looks closer

    ids = sorted(rows)
    pairs = {
        (a, b): Pair(a, b, {"p_story": 0.95, "p_family": 0.9}, "rewrite", 0.9)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    }

    def sources() -> dict[str, str | None]:
        traced = trace_story(ids, rows, svecs, pairs, default_model())
        assert traced.story.reference == "a-orig"
        return {p.article_id: p.source for p in traced.placements}

    got = sources()
    assert got["c-sib"] == "a-orig" and got["d-chain"] == "b-para" and got["b-para"] == "a-orig"
    monkeypatch.setattr(trace_mod, "INHERITED_MIN", 0.0)
    assert sources()["c-sib"] == "b-para"
    assert trace_mod.inherits({"x"}, {"a", "b"}, set())  # too few innovations to tell: any candidate may be


def original_and_bent_copies(base_id: str) -> tuple[dict, dict, list[str]]:
    """Rows, sentence vectors and sorted ids of a story: "o-orig" (the other report), the text ``base_id``
    and three copies of it ("{base_id}-bent0".."2"), each with its one figure changed (400 -> 500, 600, 700)."""
    base = "\n".join(COPY_SOURCE)
    bends = [base.replace("about 400", f"about {n}") for n in (500, 600, 700)]
    arts = [Article("o-orig", OTHER_REPORT), Article(base_id, base)]
    arts += [Article(f"{base_id}-bent{i}", t) for i, t in enumerate(bends)]
    rows = rows_for(*arts)
    svecs = {k: unit_vectors(len(r.sentences), i) for i, (k, r) in enumerate(sorted(rows.items()))}
    return rows, svecs, sorted(rows)


def test_a_group_of_edited_copies_counts_as_one_opponent_of_the_original(monkeypatch) -> None:
    """A rewrite with three edited copies of itself in the story collects three sure "upstream" calls from
    them; summed member by member, that lifts it over the original it rewrote although every direction
    call between the original and that text family favours the original. Near-copies are one opponent:
    the original stays the reference, and the copies still rank below the text they copy."""
    import copydesk.trace as trace

    rows, svecs, members = original_and_bent_copies("p-rewrite")
    cache = trace.PairCache()
    assert cache.near_copies(rows["p-rewrite"], rows["p-rewrite-bent0"])
    assert not cache.near_copies(rows["o-orig"], rows["p-rewrite"])

    def calls(a, b, *args):  # the original over the rewrite and over each copy; the rewrite over its copies
        if "o-orig" in (a, b):
            return 0.7 if a == "o-orig" else 0.3
        if "p-rewrite" in (a, b):
            return 1.0 if a == "p-rewrite" else 0.0
        return 0.5  # two copies

    monkeypatch.setattr(trace, "pair_upstream", calls)
    rank = trace._upstream_rank(members, [], rows, svecs, default_model())
    assert rank[0] == "o-orig" and rank[1] == "p-rewrite", rank
    # Counted member by member, the rewrite's copies outvote the original.
    monkeypatch.setattr(trace, "_copy_groups", lambda ms, copies: {m: m for m in ms})
    assert trace._upstream_rank(members, [], rows, svecs, default_model())[0] == "p-rewrite"


def test_edited_copies_of_a_paraphrase_do_not_split_it_from_its_original() -> None:
    """A paraphrase of an original and three copies of it, each with one figure changed: the copies score a
    lower P(rewrite) with the original than the paraphrase does (their figures disagree with it). Averaged
    in, they pulled the paraphrase out of its original's family, so the editor saw "independent report" for
    a paraphrase. A group of close copies is one text to the family question: all five are one family.
    Texts that are not close copies of one another keep the average."""
    rows, svecs, members = original_and_bent_copies("p-para")
    copy_ids = [m for m in members if m.startswith("p-para")]

    def pairs_with(close: float) -> dict:
        out = {("o-orig", "p-para"): Pair("o-orig", "p-para", {"p_story": 0.95, "p_family": 0.6}, "rewrite", 0.6)}
        for b in copy_ids[1:]:
            out[("o-orig", b)] = Pair("o-orig", b, {"p_story": 0.9, "p_family": 0.1}, "same_story", 0.9)
        for i, a in enumerate(copy_ids):
            for b in copy_ids[i + 1 :]:
                out[(a, b)] = Pair(a, b, {"p_story": 1.0, "p_family": 0.95, "close_min": close}, "rewrite", 0.95)
        return out

    model = default_model()
    assert (0.6 + 3 * 0.1) / 4 < model.family_threshold < 0.6  # the mean splits, the paraphrase alone joins
    families = trace_story(members, rows, svecs, pairs_with(close=1.0), model).story.families
    assert sorted(map(sorted, families)) == [members], families
    # Not close copies (sentences only loosely paraphrased): the mean decides, and the original stands apart.
    families = trace_story(members, rows, svecs, pairs_with(close=0.5), model).story.families
    assert sorted(map(sorted, families)) == [["o-orig"], copy_ids], families


def sentence_vectors(rows: dict) -> dict:
    """Per article, one unit vector per sentence, the same for the same sentence text in any article
    (another sentence: a near-orthogonal vector)."""
    import zlib

    def vec(text: str) -> np.ndarray:
        return unit_vectors(1, zlib.crc32(text.encode()))[0]

    return {k: np.stack([vec(s.text) for s in r.sentences]) for k, r in rows.items()}


FABRICATED = (
    "Documents seen by this outlet show that Paul Ng had warned the council about the closure in a "
    "letter sent two years ago, which was never made public."
)


def test_the_original_is_the_medoid_of_its_edited_copies(monkeypatch) -> None:
    """An original with three copies of itself, each edited its own way (a fabricated paragraph, a
    figure, a name), and another report of the event. Each copy differs from the original by one edit
    and from the others by two, so the original is the version the group agrees with: it is the
    reference even where the direction calls favour the copy holding the most material (the
    fabricated one, which a copy that dropped a paragraph would look like from the pair alone)."""
    import copydesk.trace as trace

    base = COPY_SOURCE
    arts = [
        Article("a-fab", "\n".join([base[0], FABRICATED, *base[1:]])),
        Article("b-figure", "\n".join(base).replace("about 400", "about 900")),
        Article("c-name", "\n".join(base).replace("Paul Ng", "Peter Wong")),
        Article("d-orig", "\n".join(base)),
        Article("e-other", OTHER_REPORT),
    ]
    rows = rows_for(*arts)
    svecs = sentence_vectors(rows)
    members = sorted(rows)
    cache = trace.PairCache()
    assert all(cache.near_copies(rows["d-orig"], rows[m]) for m in ("a-fab", "b-figure", "c-name"))
    real = trace.pair_upstream

    def leaning(a, b, *args):  # the copies over the other report; the fabricated one over everything
        if "e-other" in (a, b):
            return 0.2 if a == "e-other" else 0.8
        return 0.9 if a == "a-fab" else 0.1 if b == "a-fab" else real(a, b, *args)

    monkeypatch.setattr(trace, "pair_upstream", leaning)
    rank = trace._upstream_rank(members, [], rows, svecs, default_model())
    assert rank[0] == "d-orig", rank
    assert rank.index("e-other") > max(rank.index(m) for m in ("a-fab", "b-figure", "c-name", "d-orig"))
    # Ranked by each member's own calls inside the group, the fabricated copy came first.
    monkeypatch.setattr(trace, "_group_spread", lambda *args: {})
    assert trace._upstream_rank(members, [], rows, svecs, default_model())[0] == "a-fab"
    # Only a close paraphrase of the added sentence outside the group would say the original dropped it;
    # a sentence on its topic (cosine 0.7) says nothing.
    fab = svecs["a-fab"][1]
    other = unit_vectors(1, 99)[0]
    other -= (other @ fab) * fab
    other /= np.linalg.norm(other)
    for cos, stated in ((0.7, False), (0.9, True)):
        svecs["e-other"][0] = cos * fab + np.sqrt(1 - cos**2) * other
        assert trace._stated_elsewhere("a-fab", "d-orig", svecs, ["e-other"]) is stated


def test_a_text_cut_twice_in_a_chain_stays_above_its_cuts(monkeypatch) -> None:
    """A text, a copy that dropped a sentence and a copy of that copy that dropped another: the middle
    one is the group's medoid, but another report states what the first cut dropped, so that sentence
    was dropped, not added: the full text stays first, then the first cut, then the second."""
    import copydesk.trace as trace

    full = COPY_SOURCE
    cut1 = [s for i, s in enumerate(full) if i != 1]
    cut2 = [s for i, s in enumerate(cut1) if i != 2]
    arts = [
        Article("a-cut2", "\n".join(cut2)),
        Article("b-cut1", "\n".join(cut1)),
        Article("c-full", "\n".join(full)),
        Article("d-other", OTHER_REPORT + "\n" + full[1]),
    ]
    rows = rows_for(*arts)
    svecs = sentence_vectors(rows)
    members = sorted(rows)
    cache = trace.PairCache()
    group = {m: "g" for m in ("a-cut2", "b-cut1", "c-full")} | {"d-other": "d-other"}
    spread = trace._group_spread(members, group, rows, cache)
    assert min(spread, key=lambda m: spread[m]) == "b-cut1"  # the medoid alone would put the first cut first
    rank = [m for m in trace._upstream_rank(members, [], rows, svecs, default_model()) if m != "d-other"]
    assert rank == ["c-full", "b-cut1", "a-cut2"], rank
    # Without the other report stating the dropped sentence, a drop and an addition look alike, and the
    # medoid decides.
    monkeypatch.setattr(trace, "_stated_elsewhere", lambda *args: False)
    assert trace._upstream_rank(members, [], rows, svecs, default_model())[0] == "b-cut1"


def test_a_cut_text_and_its_full_copy_are_one_version_to_the_medoid(monkeypatch) -> None:
    """A text cut mid-sentence (a scrape that stopped at a length limit), its full copy, and a copy of the
    full one with a figure changed: within the span the cut text covers, it and the full copy differ only
    by the cut word, so they are one version, and a group of two versions has no medoid. The full copy is
    not ranked over the cut original as if the two bends of it agreed on it; the direction calls decide."""
    import copydesk.trace as trace

    full = "\n".join(COPY_SOURCE)
    cut = "\n".join(COPY_SOURCE[:6]) + "\n" + COPY_SOURCE[6][:33]
    rows = rows_for(
        Article("a-full", full),
        Article("b-bent", full.replace("about 400", "about 900")),
        Article("c-cut", cut),
        Article("d-other", OTHER_REPORT),
    )
    svecs = sentence_vectors(rows)
    members = sorted(rows)
    cache = trace.PairCache()
    sh = {m: cache.shingle(rows[m]) for m in members}

    assert 0 < trace.copy_difference(sh["c-cut"], sh["a-full"]) < trace.VERSION_MAX_DIFFERENCE
    assert trace.copy_difference(sh["a-full"], sh["b-bent"]) >= trace.VERSION_MAX_DIFFERENCE
    group = {m: "g" for m in ("a-full", "b-bent", "c-cut")} | {"d-other": "d-other"}
    assert trace._group_spread(members, group, rows, cache) == {}

    def calls(a, b, *args):  # the cut text over the others, as the direction model may say
        if "c-cut" in (a, b):
            return 0.7 if a == "c-cut" else 0.3
        return 0.5

    monkeypatch.setattr(trace, "pair_upstream", calls)
    assert trace._upstream_rank(members, [], rows, svecs, default_model())[0] == "c-cut"
    # Counted as three versions, the full copy would be the medoid of the group and come first.
    monkeypatch.setattr(trace, "VERSION_MAX_DIFFERENCE", 0)
    assert trace._upstream_rank(members, [], rows, svecs, default_model())[0] == "a-full"


def test_a_version_is_as_near_to_the_others_as_its_nearest_member(monkeypatch) -> None:
    """The cut text, its full copy and a copy whose one edit lies past the cut are one version (the cut text
    differs from each by less than a word). Two more copies each bend a figure inside the cut's span. The
    version holding the cut text and the full copy is the medoid: measured from its best member, not from
    the copy whose edit the other versions lack."""
    import copydesk.trace as trace

    full = "\n".join(COPY_SOURCE)
    cut = "\n".join(COPY_SOURCE[:6]) + "\n" + COPY_SOURCE[6][:33]
    rows = rows_for(
        Article("a-late", full.replace("at its meeting next month", "at a special session in two weeks")),
        Article("b-full", full),
        Article("c-figure", full.replace("about 400", "about 900")),
        Article("d-cut", cut),
        Article("e-gap", full.replace("$3.2 million", "$4.7 million")),
        Article("f-other", OTHER_REPORT),
    )
    svecs = sentence_vectors(rows)
    members = sorted(rows)
    cache = trace.PairCache()
    group = {m: "g" for m in members if m != "f-other"} | {"f-other": "f-other"}
    spread = trace._group_spread(members, group, rows, cache)
    assert spread["a-late"] == spread["b-full"] == spread["d-cut"] < min(spread["c-figure"], spread["e-gap"])

    def calls(a, b, *args):  # the late-edited copy over everything, then the cut text over the rest
        for first in ("a-late", "d-cut"):
            if first in (a, b):
                return 0.8 if a == first else 0.2
        return 0.5

    monkeypatch.setattr(trace, "pair_upstream", calls)
    rank = trace._upstream_rank(members, [], rows, svecs, default_model())
    assert set(rank[:3]) == {"a-late", "b-full", "d-cut"} and rank[0] == "a-late", rank


def test_dated_copies_are_ordered_by_their_dates_not_by_the_medoid() -> None:
    """Six copies of one text, each edited its own way, dated one day apart: the original (the group's
    medoid) was published last, and an edited copy first. Dates are the surer evidence: the earliest is the
    reference and the group runs in date order."""
    from dataclasses import replace

    import copydesk.trace as trace

    base = "\n".join(COPY_SOURCE)
    edits = [
        ("7 to 2", "6 to 3"),
        ("about 400", "about 900"),
        ("$3.2 million", "$4.7 million"),
        ("since 1962", "since 1971"),
        ("Paul Ng", "Peter Wong"),
    ]
    texts = [base.replace(a, b) for a, b in edits] + [base]
    ids = [f"{chr(ord('a') + i)}-copy" for i in range(len(texts))]
    dates = [f"2024-05-0{k + 1}" for k in range(len(texts))]
    arts = [replace(Article(i, t), published=d) for i, t, d in zip(ids, texts, dates, strict=True)]
    rows = rows_for(*arts, Article("z-other", OTHER_REPORT))
    svecs = sentence_vectors(rows)
    members = sorted(rows)
    rank = [m for m in trace._upstream_rank(members, [], rows, svecs, default_model()) if m != "z-other"]
    assert rank == ids, rank
