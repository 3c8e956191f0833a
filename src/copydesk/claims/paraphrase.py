"""The sentence-pair paraphrase decision: features of a pair (the alignment signals plus the unit diff and
negation) and the fitted model over them (``paraphrase`` in claim_model.json)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..featurize.terms import STOP, cosine, rarity, sentence_info, term_vector
from ..records import Unit
from .checks import negated
from .model import ClaimModel, model_file

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
    """Features of a sentence pair for the paraphrase decision: the alignment signals of the verifier
    (embedding cosine, static-IDF lexical cosine, stemmed content-word cover and novelty, word pairs)
    plus the unit diff (numbers, names) and negation."""
    from ..featurize.units import compatible, extract_units

    ua = list(units_a) if units_a is not None else extract_units(a)
    ub = list(units_b) if units_b is not None else extract_units(b)
    ia, ib = sentence_info(a), sentence_info(b)
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
    d = model_file().get("paraphrase")
    return ClaimModel.from_json(d) if d else None


def paraphrase_probs(xs: Sequence[dict[str, float]]) -> np.ndarray:
    """P(paraphrase) of each feature dict (see :func:`paraphrase_features`)."""
    m = paraphrase_model()
    if m is None:  # unfitted: the embedding cosine alone
        return np.array([x["emb"] for x in xs])
    return m.probs(xs)
