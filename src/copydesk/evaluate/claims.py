"""`copydesk eval claims`: claim checking against a source document, on factual-consistency sets.

Formats are detected from the fields of the first line:

- SummEdits (``doc``, ``summary``, ``label`` 1 consistent / 0 not),
- QAGS claims (``doc``, ``claim``, ``label``),
- AggreFact error types (``doc``, ``summary``, ``label3`` in supported / contradicted / unsupported
  (also ``contradicted+unsupported``, ``error_other``), and ``label``).

Texts that carry PTB-style tokenisation (QAGS, part of AggreFact: "3, 800 km", "2 - 0") are
detokenised first (:func:`detokenise`), as a reader of those files must; other text is untouched.

Each item runs through the product's own path, exactly as ``copydesk verify`` runs a pair: the
document is the source (``ingest.article_from_text`` -> ``pipeline.analyze_batch`` ->
``pipeline.sentence_vectors`` -> ``claims.evidence_pool``) and every sentence of the summary is a
claim judged by ``claims.judge_claims`` against the document's sentences. An item is predicted
inconsistent when any of its claims is flagged (unsupported or contradicted); its continuous score is
the largest claim score (the verifier's P(not supported)).

Metrics (positive class = inconsistent): ``balanced_accuracy``, ``roc_auc``; for the three-way file
also ``macro_f1`` over supported / contradicted / unsupported (items whose gold ``label3`` is one of
the three; predicted ``contradicted`` if any claim is contradicted, else ``unsupported`` if any is
unsupported, else ``supported``). ``items_per_s`` counts everything after the model is loaded.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import iter_jsonl
from .metrics import balanced_accuracy, macro_f1, roc_auc

THREE = ("supported", "contradicted", "unsupported")

_TOKENISED = re.compile(r"\w \.(?:\s|$)|\w , \w| n't\b| 's\b")
# Figures and compounds split by the tokeniser: joined in any text (a sentence with no other sign of
# tokenisation, "The 74 - year - old has ruled since 1989.", still carries them).
_DETOK_FIGURES = (
    (re.compile(r"(?<=[£$€]) (?=\d)"), ""),  # "£ 50" -> "£50"
    (re.compile(r"(?<=\d) (?=(?:m|bn|k)\b)"), ""),  # "50 m" -> "50m"
    (re.compile(r"(?<=\d) ?- (?=\w)"), "-"),  # "2 - 0", "21 - year", "17- year" -> "2-0", "21-year"
    (re.compile(r"(?<=\w) - (?=(?:old|year|day|week|month|time|based|led|born)\b)"), "-"),
)
_DETOK = (
    (re.compile(r"(?<=\d), (?=\d{3}\b)"), ","),  # "3, 800" -> "3,800"
    (re.compile(r"(?<=\d)\. (?=\d)"), "."),  # "98. 7" -> "98.7"
    (re.compile(r" (?=[,.;:!?%)](?:\s|$))"), ""),  # "word ," -> "word,"
    (re.compile(r" (?=n't\b|'s\b|'re\b|'ll\b|'ve\b|'d\b|'m\b)"), ""),
    (re.compile(r"(?<=\() "), ""),
)


def detokenise(text: str) -> str:
    """Undo PTB-style tokenisation ("3, 800 km", "2 - 0", "word ,") that some of these data sets carry.
    Split figures and compounds ("£ 50 m", "21 - year - old") are joined in any text; the rest only in
    text that looks tokenised."""
    for rx, rep in _DETOK_FIGURES:
        text = rx.sub(rep, text)
    if not _TOKENISED.search(text):
        return text
    for rx, rep in _DETOK:
        text = rx.sub(rep, text)
    return text


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    doc: str
    summary: str
    consistent: int  # 1 consistent, 0 not
    label3: str | None = None
    group: str = ""  # items sharing a document share a group (grouped cross-validation)
    dataset: str = ""


def detect(first: dict) -> str:
    if "doc" not in first:
        raise ValueError("not a claims file: no 'doc' field (expected SummEdits, QAGS or AggreFact lines)")
    if "label3" in first and "summary" in first:
        return "aggrefact"
    if "claim" in first:
        return "qags"
    if "summary" in first and "label" in first:
        return "summedits"
    raise ValueError("not a claims file: need 'summary'+'label', 'claim'+'label' or 'summary'+'label3'")


def _item(n: int, d: dict, fmt: str) -> Item:
    text = d["claim"] if fmt == "qags" else d["summary"]
    label3 = d.get("label3") if fmt == "aggrefact" else None
    if "label" in d:
        lab = int(d["label"])
    elif label3 is not None:
        lab = int(label3 == "supported")
    else:
        raise KeyError("label")
    group = str(d.get("doc_id") or hashlib.sha1(d["doc"].encode()).hexdigest()[:12])
    return Item(
        str(d.get("id", n)), detokenise(d["doc"]), detokenise(text), lab, label3, f"{fmt}:{group}", fmt
    )


def load(path: Path, limit: int | None = None) -> list[Item]:
    fmt: str | None = None

    def parse(n: int, d: dict) -> Item:
        nonlocal fmt
        fmt = fmt or detect(d)  # the format of the first line holds for the file
        return _item(n, d, fmt)

    items = [it for _, it in iter_jsonl(path, limit, "a claims line", parse)]
    if not items:
        raise ValueError(f"{path}: no items")
    return items


class Checker:
    """Runs items through the product path with the document side cached (documents repeat)."""

    def __init__(self, settings=None, verifier=None) -> None:
        from ..config import Settings

        self.settings = settings or Settings()
        self.verifier = verifier
        self._docs: dict[str, tuple] = {}

    def _analyse(self, aid: str, text: str):
        from ..analyze import analyze_batch, sentence_vectors
        from ..claims import sentence_units
        from ..ingest import article_from_text

        art = article_from_text(aid, text, self.settings.limits)
        (row,) = analyze_batch([art], self.settings, embed=False)
        svecs = sentence_vectors([row], self.settings)
        return row, sentence_units(row), svecs[aid]

    def source(self, doc: str):
        key = hashlib.sha1(doc.encode()).hexdigest()
        if key not in self._docs:
            from ..claims import evidence_pool

            row, units, vecs = self._analyse("source", doc)
            pool, pool_vecs = evidence_pool(["source"], {"source": row}, {"source": units}, {"source": vecs})
            if len(self._docs) > 256:
                self._docs.pop(next(iter(self._docs)))
            self._docs[key] = (pool, pool_vecs)
        return self._docs[key]

    def claims(self, doc: str, summary: str) -> list[dict]:
        from ..claims import claim_json, judge_claims

        pool, pool_vecs = self.source(doc)
        row, units, vecs = self._analyse("rewrite", summary)
        judged = judge_claims("rewrite", row.sentences, units, vecs, pool, pool_vecs, self.verifier)
        return [claim_json(c, v) for c, v in judged]

    def inputs(self, doc: str, summary: str):
        """(claim inputs, pool, pool vectors) for one item, as judge_claims builds them (for fitting)."""
        from ..claims import claim_inputs

        pool, pool_vecs = self.source(doc)
        row, units, vecs = self._analyse("rewrite", summary)
        return claim_inputs("rewrite", row.sentences, units, vecs), pool, pool_vecs


def predict(claims: Sequence[dict]) -> tuple[int, float, str]:
    """(inconsistent 0/1, score, three-way label) of one item from its claims."""
    if not claims:
        return 0, 0.0, "supported"
    statuses = {c["status"] for c in claims}
    three = (
        "contradicted"
        if "contradicted" in statuses
        else "unsupported"
        if "unsupported" in statuses
        else "supported"
    )
    return int(three != "supported"), max(float(c["score"]) for c in claims), three


def iter_predictions(
    items: Sequence[Item], checker: Checker | None = None
) -> Iterator[tuple[Item, int, float, str]]:
    checker = checker or Checker()
    for it in items:
        yield (it, *predict(checker.claims(it.doc, it.summary)))


def metrics(rows: Sequence[tuple[Item, int, float, str]]) -> dict:
    y = [1 - it.consistent for it, *_ in rows]
    pred = [p for _, p, _, _ in rows]
    score = [s for _, _, s, _ in rows]
    out: dict = {"n": len(rows), "balanced_accuracy": round(balanced_accuracy(y, pred), 4)}
    auc = roc_auc(y, score)
    out["roc_auc"] = round(auc, 4) if auc is not None else None
    out["flagged_share"] = round(sum(pred) / max(len(pred), 1), 4)
    three = [(it.label3, t) for it, _, _, t in rows if it.label3 in THREE]
    if three:
        out["macro_f1"] = round(macro_f1([g for g, _ in three], [p for _, p in three]), 4)
        out["n_three_way"] = len(three)
        out["binary_balanced_accuracy"] = out["balanced_accuracy"]
    return out


def run(path: Path, limit: int | None = None) -> dict:
    from ..claims import default_verifier
    from ..featurize.embed import get_embedder

    items = load(path, limit)
    get_embedder()
    default_verifier()
    checker = Checker()
    t0 = time.perf_counter()
    rows = list(iter_predictions(items, checker))
    dt = time.perf_counter() - t0
    out = metrics(rows)
    out["items_per_s"] = round(len(rows) / dt, 2) if dt > 0 else None
    out["format"] = items[0].dataset
    return out
