"""`copydesk eval rewrites`: LLM rewrites of real news (LLMFake ``pairs.jsonl``).

All distinct originals and all derived texts of the file are analysed together through
the product's own path (``Pipeline.ingest`` + ``Pipeline.place`` on a temporary SQLite
store, as ``copydesk analyze --no-claims`` runs them). Then:

- ``recall_at_1``: for each derived text, the distinct originals it has a stored (scored) pair
  with, ranked as the product ranks a member's candidate sources (``trace._place_members``:
  corpus TF-IDF cosine, the document frequencies over every text of the file as the store
  counts them); a hit when the top one is its own original. A derived text the candidate
  generator paired with no original is a miss. Only originals are ranked: the several rewrites
  of one original are rewrites of each other too. ``recall_at_1_pair_score`` ranks the same
  pairs by the relation model's ``p_story + p_family`` (the ranking before session 13).
  ``unpaired_rate``: the share of derived texts the candidate generator never paired with their
  own original (each one a recall@1 miss that no ranking can mend).
- ``direction_accuracy``: the product's direction of the pair (``trace.pair_upstream``: an earlier
  ``published`` date, the near-copy rule ``trace.copy_order``, else the direction model
  ``trace.direction_prob`` on ``trace.direction_features``) puts the original upstream (P > 0.5).
  ``direction_accuracy_content`` does the same with the content-only direction model
  (``meta.direction_content``: containment asymmetry, novelty of entities/numbers/terms, density
  of specifics, quotes, length — none of ``trace.STYLE_FEATURES``).
- ``auc_manipulated``: ROC AUC of telling ``rewrite_generation`` / ``open_ended_generation``
  from ``paraphrase_generation`` by :func:`~copydesk.claims.manipulation_score` (``VerifyReport.score``) of the
  derived text's claims that copydesk's claim checker (``claims.judge_claims`` against the
  original, exactly as ``verify`` runs it) flags as unsupported or contradicted: the flags over
  the square root of the claims checked. ``auc_manipulated_by_share`` ranks by the share flagged
  (the score until session 20).
- ``bent_span_flagged_rate_{kind}`` (bent rewrites only): of the bent texts holding a claim their base
  paraphrase lacks (the edited sentence), the share where the checker flags such a claim: the gate
  on the bent span itself, free of the base paraphrase's own flags (``bent_span_texts_{kind}``:
  how many; a dropped qualifier leaves no new claim).
- ``reference_accuracy``: in the stories the pipeline built, the share of stories holding
  an original whose reference is an original; ``csm_false_positive_rate``: the share of
  stories holding an original (and two or more other articles) flagged
  ``common_source_missing`` — a false positive, since the source is in the set.

- ``tfidf_recall_at_1``: the named baseline, plain TF-IDF cosine (IDF over every text of the
  file, sublinear tf, the product's tokenizer) ranking the same distinct originals.
- Per kind (``_{method}`` suffix; bent kinds from ``scripts/build_bent_rewrites.py`` too):
  ``same_story_rate`` / ``same_family_rate``: the derived text lands in its original's story /
  family in the pipeline's output (a factual edit must not split it off);
  ``same_family_as_base_rate_{method}``: a bent rewrite lands in the family of the text it bends
  (``base_id``; the factual edit alone must not split it off);
  ``reference_accuracy_{method}`` and ``csm_false_positive_rate_{method}``: ``trace.trace_story``
  on the small story {original, its faithful paraphrases, its derived texts of that kind} (the
  stored pairs, the product's model): the original is the reference; "common source missing" is
  claimed although the original is there (stories of three or more); ``source_accuracy_{method}``:
  in the same small stories, the share of that kind's derived texts whose ``source`` is their true
  source (the original; for a bent rewrite, the paraphrase it bends: a chain).
- ``csm_fire_rate_original_removed``: with the original REMOVED from its gold story (its three
  or more derived texts traced alone), the share flagged ``common_source_missing``: the rewrites
  do share facts through a source no longer in the set, so here firing is right.
  ``csm_fire_rate_original_removed_shared_specifics``: the same over the stories where it is
  demonstrably right (:func:`shares_original_specifics`: two or more of the original's
  specifics that the traced reference lacks are each stated by two or more other versions);
  ``stories_original_removed_shared_specifics`` counts them. In the other original-removed
  stories the derived texts may carry every fact of the original through the reference (a
  faithful paraphrase), and firing there is no merit.
- ``direction_accuracy_src_{dataset}``, ``reference_accuracy_src_{dataset}``: direction and the
  built stories' reference accuracy per ``source_dataset`` (out-of-source figures
  of the fitted model come from ``scripts/fit_relation_model.py``, which refits per source).

Per-method breakdowns are suffixed with the method name (``recall_at_1_open_ended_generation``).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..claims import manipulation_score
from ..featurize.terms import corpus_stats
from ..records import Article
from . import iter_jsonl
from .metrics import roc_auc

FAITHFUL = "paraphrase_generation"


def _pair(n: int, d: dict) -> dict:
    return {
        "original": d["original_text"],
        "derived": d["derived_text"],
        "method": str(d["method"]),
        "id": str(d.get("id", n)),
        "source": str(d.get("source_dataset", "")),
        "base": str(d.get("base_id") or ""),  # a bent rewrite: the id of the text it bends
    }


def load(path: Path, limit: int | None = None) -> list[dict]:
    """Pairs of an LLMFake-format JSONL file (``original_text``, ``derived_text``, ``method``)."""
    pairs = [p for _, p in iter_jsonl(path, limit, "an LLMFake pair line", _pair)]
    if not pairs:
        raise ValueError(f"{path}: no pairs")
    return pairs


def articles_for(pairs: list[dict]) -> tuple[list[Article], list[str], list[str]]:
    """(articles, original id per pair, derived id per pair); originals deduplicated by text."""
    orig_ids: dict[str, str] = {}
    for p in pairs:
        orig_ids.setdefault(p["original"], f"orig-{len(orig_ids):05d}")
    arts = [Article(i, t) for t, i in orig_ids.items()]
    d_ids = []
    for k, p in enumerate(pairs):
        did = f"drv-{k:05d}"
        d_ids.append(did)
        arts.append(Article(did, p["derived"]))
    return arts, [orig_ids[p["original"]] for p in pairs], d_ids


def rank_score(scores: dict[str, float]) -> float:
    """How strongly a stored pair says 'b came from a' (0 for pairs never scored)."""
    return float(scores.get("p_story", 0.0)) + float(scores.get("p_family", 0.0))


def tfidf_top1(originals: dict[str, str], derived: list[str], texts_for_idf: list[str]) -> list[list[str]]:
    """For each derived text, the originals tied for the highest plain TF-IDF cosine."""
    from collections import Counter

    from ..featurize.terms import tokens

    def tf(t: str) -> Counter:
        return Counter(w for w in tokens(t) if w.isalnum())

    df: Counter = Counter()
    for t in texts_for_idf:
        df.update(set(tf(t)))
    n = len(texts_for_idf)
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}

    def vec(t: str) -> dict[str, float]:
        v = {w: (1.0 + math.log(c)) * idf.get(w, 1.0) for w, c in tf(t).items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    ovecs = {k: vec(t) for k, t in originals.items()}
    out = []
    for t in derived:
        dv = vec(t)
        sims = {k: sum(x * ov.get(w, 0.0) for w, x in dv.items()) for k, ov in ovecs.items()}
        best = max(sims.values(), default=0.0)
        out.append([k for k, v in sims.items() if v >= best - 1e-12])
    return out


def _checked_claims(rows, svecs, orig: str, drv: str) -> dict[str, bool]:
    """{claim text: flagged (unsupported or contradicted)} of the derived text's claims checked against the
    original (headings, questions and labels are no claims)."""
    from ..claims import claim_json, evidence_pool, judge_claims, sentence_units

    units = {orig: sentence_units(rows[orig]), drv: sentence_units(rows[drv])}
    pool, pool_vecs = evidence_pool([orig], rows, units, svecs)
    claims = [
        claim_json(c, v)
        for c, v in judge_claims(drv, rows[drv].sentences, units[drv], svecs[drv], pool, pool_vecs)
    ]
    out: dict[str, bool] = {}
    for c in claims:
        if c["status"] != "heading":
            out[c["text"]] = out.get(c["text"], False) or c["status"] in ("unsupported", "contradicted")
    return out


def _bent_caught(pairs: list[dict], checked: list[dict[str, bool]]) -> dict:
    """Per bent kind, the gate on the bent span itself: of the bent texts with a claim their base paraphrase
    lacks (the edited sentence; a dropped qualifier leaves none), the share where such a claim is flagged."""
    by_id = {p["id"]: k for k, p in enumerate(pairs)}
    caught: dict[str, list[bool]] = defaultdict(list)
    for p, ck in zip(pairs, checked, strict=True):
        if not p["base"] or p["base"] not in by_id:
            continue
        base = checked[by_id[p["base"]]]
        new = [flag for text, flag in ck.items() if text not in base]
        if new:
            caught[p["method"]].append(any(new))
    return {f"bent_span_flagged_rate_{m}": round(float(np.mean(v)), 4) for m, v in sorted(caught.items())} | {
        f"bent_span_texts_{m}": len(v) for m, v in sorted(caught.items())
    }


def run(path: Path, limit: int | None = None, claims: bool = True) -> dict:
    """The rewrites figures: the product pipeline over originals and derived texts (:func:`analyse`),
    then recall@1 of the original and the direction (:func:`_pair_checks`), the claim flags, the
    stories (:func:`_story_checks`), the TF-IDF baseline and the per-kind figures (:func:`_per_kind`)."""
    from ..score import default_model

    pairs = load(path, limit)
    arts, o_ids, d_ids = articles_for(pairs)
    originals = sorted(set(o_ids))
    model = default_model()
    t0 = time.perf_counter()
    stored, rows, svecs, stories, placed = analyse(arts, model)
    t_pipe = time.perf_counter() - t0
    terms = corpus_stats(r.clean.text for r in rows.values())  # what the store counted
    hits, hits_pair, dir_ok, dir_ok_c, unpaired = _pair_checks(
        stored, rows, svecs, originals, o_ids, d_ids, model, terms
    )
    flag_score: list[float] = []
    flag_share: list[float] = []
    t_claims = time.perf_counter()
    if claims:
        checked = [_checked_claims(rows, svecs, o, d) for o, d in zip(o_ids, d_ids, strict=True)]
        counts = [(sum(ck.values()), len(ck)) for ck in checked]
        flag_score = [float(manipulation_score(f, n)) for f, n in counts]  # as ``verify``'s report.score
        flag_share = [f / n if n else 0.0 for f, n in counts]
    t_claims = time.perf_counter() - t_claims
    dt = time.perf_counter() - t0

    methods = [p["method"] for p in pairs]
    out: dict = {
        "n": len(pairs),
        "n_originals": len(originals),
        "items_per_s": round(len(pairs) / dt, 2),
        "analyze_articles_per_s": round(len(arts) / t_pipe, 2),
    }
    out["recall_at_1"] = round(float(np.mean(hits)), 4)
    out["recall_at_1_pair_score"] = round(float(np.mean(hits_pair)), 4)
    out["unpaired_rate"] = round(float(np.mean(unpaired)), 4)
    out["direction_accuracy"] = round(float(np.mean(dir_ok)), 4)
    out["direction_accuracy_content"] = round(float(np.mean(dir_ok_c)), 4)
    if claims:
        labels = [int(m != FAITHFUL) for m in methods]
        auc = roc_auc(labels, flag_score)
        out["auc_manipulated"] = None if auc is None else round(auc, 4)
        auc = roc_auc(labels, flag_share)
        out["auc_manipulated_by_share"] = None if auc is None else round(auc, 4)  # the score before session 20
        out |= _bent_caught(pairs, checked)
        out["claims_pairs_per_s"] = round(len(pairs) / t_claims, 2) if t_claims > 0 else 0.0
    for m in sorted(set(methods)):
        idx = [i for i, x in enumerate(methods) if x == m]
        out[f"recall_at_1_{m}"] = round(float(np.mean([hits[i] for i in idx])), 4)
        out[f"unpaired_rate_{m}"] = round(float(np.mean([unpaired[i] for i in idx])), 4)
        out[f"direction_accuracy_{m}"] = round(float(np.mean([dir_ok[i] for i in idx])), 4)
        if claims and m != FAITHFUL:
            sub = [i for i, x in enumerate(methods) if x in (m, FAITHFUL)]
            auc = roc_auc([int(methods[i] == m) for i in sub], [flag_score[i] for i in sub])
            if auc is not None:
                out[f"auc_manipulated_{m}"] = round(auc, 4)
    complete = {
        o
        for o, d, m in zip(o_ids, d_ids, methods, strict=True)
        if m == FAITHFUL and len(rows[d].clean.text.split()) <= len(rows[o].clean.text.split())
    }
    source_of = {o: p["source"] for o, p in zip(o_ids, pairs, strict=True)}
    out.update(_story_checks(stories, set(originals), complete, source_of))

    # The named baseline: plain TF-IDF cosine over the same distinct originals.
    texts = {a.id: a.text for a in arts}
    top = tfidf_top1({o: texts[o] for o in originals}, [texts[d] for d in d_ids], list(texts.values()))
    tf_hits = [t == [o] for t, o in zip(top, o_ids, strict=True)]
    out["tfidf_recall_at_1"] = round(float(np.mean(tf_hits)), 4)
    out.update(
        _per_kind(pairs, originals, o_ids, d_ids, tf_hits, dir_ok, stored, rows, svecs, placed, model, terms)
    )
    return out


def analyse(arts: list[Article], model) -> tuple:
    """(scored pairs, analyses, sentence vectors, stories, placements) of the articles, through the
    product pipeline (claims off) in a throwaway store."""
    from ..config import Settings
    from ..runners.incremental import Pipeline
    from ..store import open_store

    with tempfile.TemporaryDirectory(prefix="copydesk-eval-") as tmp:
        store = open_store(str(Path(tmp) / "eval.db"))
        try:
            pipe = Pipeline(store, Settings(claims=False), model=model)
            pipe.ingest(arts)
            pipe.place()
            ids = [a.id for a in arts]
            stored = store.pairs_among(ids)
            rows = store.load_analyses(ids)
            svecs = pipe.sentence_vectors_for(ids)
            stories = store.stories()
            placed = store.placements(ids)
        finally:
            store.close()
    return stored, rows, svecs, stories, placed


def _top_is(sc: dict[str, float], o: str) -> bool:
    """``o`` alone has the highest score (ties, and an empty list, break against it)."""
    best = max(sc.values(), default=0.0)
    return bool(sc) and best > 0 and [k for k, v in sc.items() if v >= best] == [o]


def _pair_checks(
    stored, rows, svecs, originals, o_ids, d_ids, model, terms
) -> tuple[list, list, list, list, list]:
    """Per pair: is its original the derived text's single closest stored candidate (recall@1 among
    the distinct originals, by corpus TF-IDF as the product ranks sources; and by the pair score),
    is the direction right (full and content-only direction model), and was the pair never
    proposed by the candidate generator."""
    from ..featurize.terms import cosine
    from ..trace import (
        PairCache,
        coverage,
        direction_features,
        direction_prob,
        lexical_vectors,
        pair_upstream,
    )

    content_model = model.with_direction(model.meta.get("direction_content"))
    cand: dict[str, dict[str, float]] = defaultdict(dict)
    orig_set = set(originals)
    for (a, b), p in stored.items():
        if a in orig_set and b.startswith("drv-"):
            cand[b][a] = rank_score(p.scores)
        elif b in orig_set and a.startswith("drv-"):
            cand[a][b] = rank_score(p.scores)
    lexical = lexical_vectors(sorted(rows), rows, terms)
    cache = PairCache()
    hits, hits_pair, dir_ok, dir_ok_c, unpaired = [], [], [], [], []
    for o, d in zip(o_ids, d_ids, strict=True):
        sc = cand.get(d, {})
        unpaired.append(o not in sc)
        hits.append(_top_is({k: cosine(lexical[k], lexical[d]) for k in sc}, o))
        hits_pair.append(_top_is(sc, o))
        po, pd = cache.profile(rows[o]), cache.profile(rows[d])
        vo, vd = svecs[o], svecs[d]
        x = direction_features(po, pd, coverage(vo, vd), coverage(vd, vo), rows[o].features, rows[d].features)
        dir_ok.append(pair_upstream(o, d, rows, svecs, cache, model) > 0.5)
        dir_ok_c.append(direction_prob(x, content_model) > 0.5)
    return hits, hits_pair, dir_ok, dir_ok_c, unpaired


def _per_kind(
    pairs, originals, o_ids, d_ids, tf_hits, dir_ok, stored, rows, svecs, placed, model, terms
) -> dict:
    """Per kind of rewrite: TF-IDF recall, same story and family as its original, the reference of small
    gold stories traced by the product and their common_source_missing; then stories with the original
    removed, and the direction per source."""
    from ..trace import TracedStory, trace_story

    out: dict = {}
    methods = [p["method"] for p in pairs]
    derived_of: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for o, d, m in zip(o_ids, d_ids, methods, strict=True):
        derived_of[o][m].append(d)

    def traced(members: list[str]) -> TracedStory:
        mset = set(members)
        sub = {k: p for k, p in stored.items() if k[0] in mset and k[1] in mset}
        return trace_story(members, rows, svecs, sub, model, terms)

    drv_of_id = {p["id"]: d for p, d in zip(pairs, d_ids, strict=True)}
    for m in sorted(set(methods)):
        idx = [i for i, x in enumerate(methods) if x == m]
        out[f"tfidf_recall_at_1_{m}"] = round(float(np.mean([tf_hits[i] for i in idx])), 4)
        same_story = [placed[d_ids[i]]["story"] == placed[o_ids[i]]["story"] for i in idx]
        same_fam = [placed[d_ids[i]]["family"] == placed[o_ids[i]]["family"] for i in idx]
        out[f"same_story_rate_{m}"] = round(float(np.mean(same_story)), 4)
        out[f"same_family_rate_{m}"] = round(float(np.mean(same_fam)), 4)
        bent_of = [
            (d_ids[i], drv_of_id.get(pairs[i]["base"])) for i in idx if pairs[i]["base"] != pairs[i]["id"]
        ]
        as_base = [placed[d]["family"] == placed[b]["family"] for d, b in bent_of if b is not None]
        if as_base:
            out[f"same_family_as_base_rate_{m}"] = round(float(np.mean(as_base)), 4)
        # A derived text's true source: its original; a bent text's, the paraphrase it bends.
        true_source = {d_ids[i]: o_ids[i] for i in idx} | {d: b for d, b in bent_of if b is not None}
        ref_ok, csm, src_ok = [], [], []
        for o in sorted({o_ids[i] for i in idx}):
            members = sorted({o, *derived_of[o][m], *derived_of[o].get(FAITHFUL, [])})
            tr = traced(members)
            st = tr.story
            ref_ok.append(st.reference == o)
            src_ok += [pl.source == true_source[pl.article_id] for pl in tr.placements if pl.article_id in true_source]
            if len(members) >= 3:
                csm.append(st.common_source_missing)
        out[f"reference_accuracy_{m}"] = round(float(np.mean(ref_ok)), 4)
        out[f"source_accuracy_{m}"] = round(float(np.mean(src_ok)), 4)
        if csm:
            out[f"csm_false_positive_rate_{m}"] = round(float(np.mean(csm)), 4)
    fired, fired_due = [], []
    for o in originals:
        rest = sorted({d for ds in derived_of[o].values() for d in ds})
        if len(rest) >= 3:
            st = traced(rest).story
            fired.append(st.common_source_missing)
            others = [rows[d].clean.text for d in rest if d != st.reference]
            if shares_original_specifics(rows[o].clean.text, rows[st.reference].clean.text, others):
                fired_due.append(fired[-1])
    if fired:
        out["stories_original_removed"] = len(fired)
        out["csm_fire_rate_original_removed"] = round(float(np.mean(fired)), 4)
    if fired_due:
        out["stories_original_removed_shared_specifics"] = len(fired_due)
        out["csm_fire_rate_original_removed_shared_specifics"] = round(float(np.mean(fired_due)), 4)
    for src in sorted({p["source"] for p in pairs} - {""}):
        idx = [i for i, p in enumerate(pairs) if p["source"] == src]
        out[f"direction_accuracy_src_{src}"] = round(float(np.mean([dir_ok[i] for i in idx])), 4)
    return out


def shares_original_specifics(original: str, reference: str, others: list[str], min_shared: int = 2) -> bool:
    """Whether ``min_shared`` or more of the original's specifics (``trace.specifics``: numbers,
    names, very rare words) that the ``reference`` text never uses are each stated by two or more
    of the ``others``: then those versions share facts through a source that is not the reference,
    and with the original gone a common source is missing."""
    from ..featurize.terms import tokens
    from ..trace import specifics

    def stem_set(text: str) -> set[str]:
        return {w if w.isdigit() else w[:6] for w in tokens(text)}

    wanted = specifics(original) - stem_set(reference)
    counts = dict.fromkeys(wanted, 0)
    for text in others:
        for w in wanted & stem_set(text):
            counts[w] += 1
    return sum(c >= 2 for c in counts.values()) >= min_shared


def _story_checks(
    stories: list[dict], orig_set: set[str], complete: set[str], source_of: dict[str, str] | None = None
) -> dict:
    """Reference accuracy and common_source_missing false positives over the built stories
    (reference accuracy also per ``source_of`` its smallest original id, when given).

    ``complete``: originals that look whole (their faithful paraphrase is not longer than they
    are). Many LLMFake originals are truncated scrapes while the generator saw the full article,
    so derived texts share facts the stored original lacks: there the common source really is
    missing. ``csm_false_positive_rate_complete`` counts only stories of whole-looking originals.
    """
    with_orig = [s for s in stories if len(s["articles"]) > 1 and orig_set & set(s["articles"])]
    if not with_orig:
        return {}
    ref_ok = [s["reference"] in orig_set for s in with_orig]
    out = {"stories_with_original": len(with_orig), "reference_accuracy": round(float(np.mean(ref_ok)), 4)}
    by_src: dict[str, list[bool]] = defaultdict(list)
    for s, ok in zip(with_orig, ref_ok, strict=True):
        src = (source_of or {}).get(min(orig_set & set(s["articles"])), "")
        if src:
            by_src[src].append(ok)
    for src, oks in sorted(by_src.items()):
        out[f"reference_accuracy_src_{src}"] = round(float(np.mean(oks)), 4)
    can_flag = [s for s in with_orig if len(s["articles"]) >= 3]
    if can_flag:
        out["csm_false_positive_rate"] = round(
            float(np.mean([bool(s["common_source_missing"]) for s in can_flag])), 4
        )
        whole = [s for s in can_flag if complete & set(s["articles"])]
        if whole:
            out["csm_false_positive_rate_complete"] = round(
                float(np.mean([bool(s["common_source_missing"]) for s in whole])), 4
            )
    return out
