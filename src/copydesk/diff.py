"""Diff: what each version of a story changed, sentence by sentence.

Alignment is order-free and one-to-many (each sentence against every sentence of its
source, scored by ``claims.similarity``: MiniLM cosine blended with a lexical TF-IDF cosine
whose IDF is local to the pair); claims are judged against all other versions of the story by
the verifier in ``claims``; facts are grouped across versions for corroboration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import numpy as np

from .claims import (
    ALIGN_MIN,
    STATUSES,
    ClaimInput,
    EvidenceSentence,
    Verifier,
    claim_role,
    default_verifier,
    similarity,
    split_label,
)
from .records import AnalysisRow, Sentence, Unit

VERBATIM_SIM = 0.97  # embedding cosine at which two sentences are the same wording
PARAPHRASE_SIM = ALIGN_MIN  # alignment score (claims.similarity) at which a sentence has a source
FACT_SIM = 0.72
MAX_SOURCES = 3
MIN_CLAIM_WORDS = 4
_NORM = re.compile(r"[\W_]+")


def _norm(s: str) -> str:
    return _NORM.sub(" ", s.lower()).strip()


def sentence_units(row: AnalysisRow) -> list[tuple[Unit, ...]]:
    from .featurize.units import extract_units

    return [tuple(extract_units(s.text, offset=s.start)) for s in row.sentences]


def align(
    sentences: Sequence[Sentence],
    vecs: np.ndarray,
    src_id: str,
    src_sentences: Sequence[Sentence],
    src_vecs: np.ndarray,
) -> tuple[list[dict], list[dict]]:
    """(alignment of each sentence against the source, source sentences left out).

    Scores are ``claims.similarity`` (the scorer ``copydesk eval align`` measures); each sentence
    keeps up to three source sentences above ``PARAPHRASE_SIM``, so a merge shows two sources and a
    split shows one source twice.
    """
    texts = [s.text for s in sentences]
    src_texts = [s.text for s in src_sentences]
    if len(sentences) and len(src_sentences):
        sim = similarity(texts, vecs, src_texts, src_vecs)
        emb = np.asarray(vecs, np.float32) @ np.asarray(src_vecs, np.float32).T
    else:
        sim = emb = np.zeros((len(sentences), len(src_sentences)), np.float32)
    out = []
    for i, s in enumerate(sentences):
        row = sim[i] if sim.shape[1] else np.zeros(0)
        order = np.argsort(-row, kind="stable")[:MAX_SOURCES] if len(row) else []
        matches = [int(j) for j in order if row[j] >= PARAPHRASE_SIM]
        if matches and (
            emb[i, matches[0]] >= VERBATIM_SIM or _norm(s.text) == _norm(src_sentences[matches[0]].text)
        ):
            label = "verbatim"
        elif matches:
            label = "paraphrase"
        else:
            label = "added"
        out.append(
            {
                "sentence": s.text,
                "start": s.start,
                "end": s.end,
                "label": label,
                "source_sentences": [
                    {
                        "article": src_id,
                        "text": src_sentences[j].text,
                        "score": round(float(row[j]), 4),
                        "start": src_sentences[j].start,
                        "end": src_sentences[j].end,
                    }
                    for j in matches
                ],
            }
        )
    dropped = []
    if sim.size:
        best_src = sim.max(axis=0)
        dropped = [
            {
                "article": src_id,
                "text": src_sentences[j].text,
                "start": src_sentences[j].start,
                "end": src_sentences[j].end,
            }
            for j in np.flatnonzero(best_src < PARAPHRASE_SIM)
        ]
    elif len(src_sentences) and not len(sentences):
        dropped = [{"article": src_id, "text": s.text, "start": s.start, "end": s.end} for s in src_sentences]
    return out, dropped


def claim_inputs(
    article: str,
    sentences: Sequence[Sentence],
    units: Sequence[tuple[Unit, ...]],
    vecs: np.ndarray,
) -> list[ClaimInput]:
    """The claims of one text, each with its role (:func:`claims.claim_role`): every sentence of
    ``MIN_CLAIM_WORDS`` words or more, its bullet marker left out; a bullet label ("- Neutrality Clause:
    Russia demands ...") is a claim of its own with the role "label", the rest is judged as a claim."""
    out: list[ClaimInput] = []
    last = len(sentences) - 1
    for i, s in enumerate(sentences):
        prev = sentences[i - 1].text if i else ""
        b, lab = split_label(s.text)
        if lab:
            lab_units = tuple(u for u in units[i] if u.end <= s.start + lab)
            start, end = s.start + b, s.start + lab
            out.append(ClaimInput(article, s.text[b:lab], start, end, lab_units, vecs[i], prev, "label"))
            b = lab + len(s.text[lab:]) - len(s.text[lab:].lstrip())
        text = s.text[b:]
        if len(text.split()) < MIN_CLAIM_WORDS:
            continue  # headline fragments and stray words are not claims
        body_units = tuple(u for u in units[i] if u.start >= s.start + b)
        role = claim_role(text, last=i == last)
        out.append(ClaimInput(article, text, s.start + b, s.end, body_units, vecs[i], prev, role))
    return out


def check_claims(
    article: str,
    sentences: Sequence[Sentence],
    units: Sequence[tuple[Unit, ...]],
    vecs: np.ndarray,
    pool: Sequence[EvidenceSentence],
    pool_vecs: np.ndarray,
    verifier: Verifier | None = None,
) -> list[dict]:
    """Verdict for every claim of one text (:func:`claim_inputs`) against a pool of evidence sentences.

    ``evidence`` lists the sentences compared, the one the verdict rests on first (the closest, or the
    sentence a rule compared the claim with)."""
    verifier = verifier or default_verifier()
    claims = claim_inputs(article, sentences, units, vecs)
    many = getattr(verifier, "judge_many", None)
    verdicts = many(claims, pool, pool_vecs) if many else [verifier.judge(c, pool, pool_vecs) for c in claims]
    return [
        {
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "kind": v.kind,
            "status": v.status,
            "score": round(v.score, 4),
            "reason": v.reason,
            "support": list(v.support),
            "evidence": [{"article": e.article, "text": e.text, "score": e.score} for e in v.evidence],
        }
        for c, v in zip(claims, verdicts, strict=True)
    ]


def reconcile(alignment: list[dict], claims: Sequence[dict], src_id: str) -> None:
    """Make the alignment agree with the claim verdicts, in place: a sentence the alignment calls "added"
    whose claim is supported by a sentence of the source itself (the two scorers take IDF over slightly
    different sentence sets, so they can straddle the threshold) is a paraphrase of that sentence."""
    by_span = {(c["start"], c["end"]): c for c in claims}
    for a in alignment:
        c = by_span.get((a["start"], a["end"]))
        if a["label"] != "added" or c is None or c["status"] != "supported":
            continue
        ev = [e for e in c["evidence"] if e["article"] == src_id and e["score"] >= PARAPHRASE_SIM]
        if not ev and c["evidence"] and c["evidence"][0]["article"] == src_id:
            ev = c["evidence"][:1]  # the sentence stating the same figures ("a fifth" ~ "20%"), however long
        if ev:
            a["label"] = "paraphrase"
            a["source_sentences"] = [{"article": src_id, "text": e["text"], "score": e["score"]} for e in ev]


def evidence_pool(
    ids: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    units: Mapping[str, list],
    svecs: Mapping[str, np.ndarray],
) -> tuple[list[EvidenceSentence], np.ndarray]:
    pool: list[EvidenceSentence] = []
    vecs = []
    for aid in ids:
        sents = rows[aid].sentences
        for i, s in enumerate(sents):
            pool.append(EvidenceSentence(aid, i, s.text, units[aid][i], sents[i - 1].text if i else ""))
        vecs.append(svecs[aid])
    mat = np.vstack(vecs).astype(np.float32) if vecs else np.zeros((0, 384), np.float32)
    return pool, mat


def story_facts(
    members: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    units: Mapping[str, list],
    svecs: Mapping[str, np.ndarray],
    reference: str,
) -> list[dict]:
    """Facts with the articles that state them: unit facts by normalised key, statements by similarity."""
    facts: dict[tuple[str, str], dict] = {}
    for aid in [reference] + [m for m in members if m != reference]:
        for su in units[aid]:
            for u in su:
                if u.kind not in ("number", "date", "quote"):
                    continue
                f = facts.setdefault((u.kind, u.key), {"text": u.text, "kind": u.kind, "support": []})
                if aid not in f["support"]:
                    f["support"].append(aid)
    out = [dict(f, support=sorted(f["support"])) for f in facts.values()]
    # Statement facts: greedy groups of mutually similar sentences, seeded from the reference.
    order = [reference] + [m for m in members if m != reference]
    taken: dict[str, set[int]] = {m: set() for m in members}
    for aid in order:
        va = svecs[aid]
        for i, s in enumerate(rows[aid].sentences):
            if i in taken[aid] or len(s.text.split()) < 6:
                continue
            support = [aid]
            taken[aid].add(i)
            for other in order:
                if other == aid or not len(svecs[other]):
                    continue
                sims = svecs[other] @ va[i]
                j = int(np.argmax(sims))
                if sims[j] >= FACT_SIM and j not in taken[other]:
                    taken[other].add(j)
                    support.append(other)
            out.append({"text": s.text, "kind": "statement", "support": sorted(support)})
    out.sort(key=lambda f: (-len(f["support"]), f["kind"], f["text"]))
    return out


def story_details(
    traced, rows: Mapping[str, AnalysisRow], svecs: Mapping[str, np.ndarray], settings
) -> dict[str, str]:
    """Per-article detail JSON for a traced story; adds ``facts`` to the story payload."""
    members = traced.story["articles"]
    if len(members) < 2:
        return {}
    units = {m: sentence_units(rows[m]) for m in members}
    placement = {p["article_id"]: p for p in traced.placements}
    out: dict[str, str] = {}
    for m in members:
        src = placement[m]["source"]
        sents = rows[m].sentences
        vecs = svecs[m]
        alignment, dropped = ([], [])
        if src is not None:
            alignment, dropped = align(sents, vecs, src, rows[src].sentences, svecs[src])
        others = [o for o in members if o != m]
        pool, pool_vecs = evidence_pool(others, rows, units, svecs)
        claims = check_claims(m, sents, units[m], vecs, pool, pool_vecs)
        if src is not None:
            reconcile(alignment, claims, src)
        heads = {(c["start"], c["end"]) for c in claims if c["status"] == "heading"}
        counts = {
            k: sum(1 for a in alignment if a["label"] == k and (a["start"], a["end"]) not in heads)
            for k in ("verbatim", "paraphrase", "added")
        }
        counts.update({k: sum(1 for c in claims if c["status"] == k) for k in STATUSES})
        out[m] = json.dumps(
            {"alignment": alignment, "claims": claims, "dropped": dropped, "counts": counts},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    traced.story["facts"] = story_facts(members, rows, units, svecs, traced.story["reference"])
    return out


# -- sentence-pair paraphrase decision --------------------------------------------------------------

PARAPHRASE_FEATURES = (
    "emb",
    "lex",
    "jaccard",
    "cover_a",
    "cover_b",
    "cover_min",
    "novel_max",
    "novel_sum",
    "bigram",
    "num_miss",
    "ent_miss",
    "len_ratio",
    "len_diff",
    "neg_flip",
    "emb_lex",
)


def paraphrase_features(
    a: str,
    b: str,
    va: np.ndarray,
    vb: np.ndarray,
    units_a: Sequence[Unit] | None = None,
    units_b: Sequence[Unit] | None = None,
) -> dict[str, float]:
    """Features of a sentence pair for the paraphrase decision: the alignment signals of ``claims``
    (embedding cosine, static-IDF lexical cosine, stemmed content-word cover and novelty, word pairs)
    plus the unit diff (numbers, names) and negation."""
    from .claims import STOP, _sentence_info, negated
    from .featurize.terms import cosine, rarity, term_vector
    from .featurize.units import compatible, extract_units

    ua = list(units_a) if units_a is not None else extract_units(a)
    ub = list(units_b) if units_b is not None else extract_units(b)
    ia, ib = _sentence_info(a), _sentence_info(b)
    ca = {s for w, s in zip(ia[0], ia[1], strict=True) if w not in STOP}
    cb = {s for w, s in zip(ib[0], ib[1], strict=True) if w not in STOP}
    nov_a = sum(
        max(rarity(w), 0.5) for w, s in zip(ia[0], ia[1], strict=True) if w not in STOP and s not in ib[2]
    )
    nov_b = sum(
        max(rarity(w), 0.5) for w, s in zip(ib[0], ib[1], strict=True) if w not in STOP and s not in ia[2]
    )
    na = [u for u in ua if u.kind == "number"]
    nb = [u for u in ub if u.kind == "number"]
    num_miss = sum(1 for u in na if not any(compatible(u, v) for v in nb)) + sum(
        1 for u in nb if not any(compatible(u, v) for v in na)
    )
    ea = {u.key for u in ua if u.kind == "entity"}
    eb = {u.key for u in ub if u.kind == "entity"}
    la, lb = max(len(ia[0]), 1), max(len(ib[0]), 1)
    emb = float(np.dot(va, vb))
    lex = cosine(term_vector(a), term_vector(b))
    x = {
        "emb": emb,
        "lex": lex,
        "jaccard": len(ca & cb) / max(len(ca | cb), 1),
        "cover_a": len(ca & cb) / max(len(ca), 1),
        "cover_b": len(ca & cb) / max(len(cb), 1),
        "novel_max": max(nov_a, nov_b),
        "novel_sum": nov_a + nov_b,
        "bigram": len(ia[3] & ib[3]) / max(min(len(ia[3]), len(ib[3])), 1),
        "num_miss": float(num_miss),
        "ent_miss": float(len(ea ^ eb)),
        "len_ratio": min(la, lb) / max(la, lb),
        "len_diff": float(abs(la - lb)),
        "neg_flip": float(negated(a) != negated(b)),
        "emb_lex": emb * lex,
    }
    x["cover_min"] = min(x["cover_a"], x["cover_b"])
    return x


def paraphrase_model():
    """The fitted sentence-pair paraphrase model (``paraphrase`` in claim_model.json), or None."""
    from .claims import ClaimModel, _model_file

    d = _model_file().get("paraphrase")
    return ClaimModel.from_json(d) if d else None


def paraphrase_probs(xs: Sequence[dict[str, float]]) -> np.ndarray:
    """P(paraphrase) of each feature dict (see :func:`paraphrase_features`)."""
    m = paraphrase_model()
    if m is None:  # unfitted: the embedding cosine alone
        return np.array([x["emb"] for x in xs])
    return m.probs(xs)
