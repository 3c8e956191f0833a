"""`copydesk eval paraphrase`: sentence-pair paraphrase decisions on MRPC-format files.

Each line has two sentences (``sentence1``/``sentence2``; also ``text_a``/``text_b`` or
``#1 String``/``#2 String``) and a binary ``label`` (1 = paraphrase). MRPC's ``<QUOTE>`` tokens stand
for a double quote and are put back; PTB tokenisation is undone (``evaluate.claims.detokenise``).

The decision is copydesk's own alignment code: ``claims.paraphrase_features`` (the MiniLM cosine,
the static-IDF lexical cosine, stemmed content-word cover and novelty, word pairs, the unit diff of
numbers and names, negation) and the small logistic model stored under ``paraphrase`` in
``copydesk/data/claim_model.json`` (fitted by ``scripts/fit_claim_model.py --paraphrase`` on MRPC
train by 5-fold cross-validation, threshold chosen on the out-of-fold predictions for F1).

Metrics: ``f1`` and ``accuracy`` of the paraphrase class, ``roc_auc``, ``n``, ``items_per_s``
(embedding and features, model loaded).
"""

from __future__ import annotations

import time
from pathlib import Path

from . import iter_jsonl
from .claims import detokenise
from .metrics import f1_accuracy, roc_auc

_FIELDS = (("sentence1", "sentence2"), ("text_a", "text_b"), ("#1 String", "#2 String"), ("s1", "s2"))
_BAD_LINE = (ValueError, KeyError, TypeError, StopIteration)  # StopIteration: none of _FIELDS


def clean(s: str) -> str:
    return detokenise(s.replace("<QUOTE>", '"').replace("  ", " ").strip())


def _pair(n: int, d: dict) -> tuple[str, str, int]:
    """One sentence pair; a sentence that is null or not a string is an error naming the line
    (``ValueError``), not skipped, like every other malformed line."""
    x, y = next((x, y) for x, y in _FIELDS if x in d and y in d)
    for key in (x, y):
        if not isinstance(d[key], str):
            got = "null" if d[key] is None else type(d[key]).__name__
            raise ValueError(f"field {key!r} must be a string, got {got}")
    return clean(d[x]), clean(d[y]), int(d.get("label", d.get("Quality")))  # type: ignore[arg-type]


def _detail(e: BaseException) -> str:
    """Why a line is not a pair: a ValueError's message, else the exception's repr (``KeyError('label')``)."""
    return str(e) if type(e) is ValueError else repr(e)


def load(path: Path, limit: int | None = None) -> list[tuple[str, str, int]]:
    lines = iter_jsonl(path, limit, "a sentence-pair line with a label", _pair, errors=_BAD_LINE, detail=_detail)
    out = [p for _, p in lines]
    if not out:
        raise ValueError(f"{path}: no pairs")
    return out


def features(pairs, settings=None) -> list[dict[str, float]]:
    """Feature dicts of (a, b, label) pairs: one batched embedding call, units per sentence."""
    from ..claims import paraphrase_features
    from ..config import Settings
    from ..featurize.embed import get_embedder
    from ..featurize.units import extract_units

    settings = settings or Settings()
    texts = sorted({t for a, b, _ in pairs for t in (a, b)})
    vecs = get_embedder().encode(texts, max_tokens=settings.sentence_max_tokens)
    vec = dict(zip(texts, vecs, strict=True))
    units = {t: extract_units(t) for t in texts}
    return [paraphrase_features(a, b, vec[a], vec[b], units[a], units[b]) for a, b, _ in pairs]


def run(path: Path, limit: int | None = None) -> dict:
    from ..claims import paraphrase_model, paraphrase_probs
    from ..featurize.embed import get_embedder

    pairs = load(path, limit)
    get_embedder()
    model = paraphrase_model()
    t0 = time.perf_counter()
    p = paraphrase_probs(features(pairs))
    dt = time.perf_counter() - t0
    threshold = model.threshold if model is not None else 0.8
    y = [lab for _, _, lab in pairs]
    pred = [int(v >= threshold) for v in p]
    f1, acc = f1_accuracy(y, pred)
    auc = roc_auc(y, list(map(float, p)))
    return {
        "n": len(pairs),
        "f1": round(f1, 4),
        "accuracy": round(acc, 4),
        "roc_auc": round(auc, 4) if auc is not None else None,
        "threshold": threshold,
        "items_per_s": round(len(pairs) / dt, 2) if dt > 0 else None,
    }
