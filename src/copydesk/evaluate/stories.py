"""`copydesk eval stories`: story clustering on ECB+ documents (gold ``story_id``).

Every document goes through the product's own path — ``Pipeline.ingest`` then
``Pipeline.place`` against a temporary SQLite store, as ``copydesk analyze`` runs them —
and the story of each document is read back from the store's placements. Claim checking
is switched off (it does not change the grouping). Metrics: B-cubed precision, recall
and F1, and the adjusted Rand index, against the gold stories.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ..records import Article
from . import iter_jsonl
from .metrics import ari, bcubed


def _document(n: int, d: dict) -> dict:
    """One ECB+ line; a line without a usable ``text`` (null, not a string, empty) is an error naming
    the line (``ValueError``), not skipped: a metric over a silently shortened set would mislead."""
    text = d["text"]
    if not isinstance(text, str) or not text.strip():
        got = "null" if text is None else type(text).__name__ if not isinstance(text, str) else "empty"
        raise ValueError(f"field 'text' must be a non-empty string, got {got}")
    return {"id": str(d["doc_id"]), "text": text, "story": str(d["story_id"])}


def load(path: Path, limit: int | None = None) -> list[dict]:
    """Documents of an ECB+-format JSONL file (``doc_id``, ``text``, ``story_id``), first ``limit``."""
    docs = [d for _, d in iter_jsonl(path, limit, "an ECB+ document line", _document)]
    if not docs:
        raise ValueError(f"{path}: no documents")
    return docs


def cluster_documents(docs: list[dict], settings=None) -> dict[str, str]:
    """Story id of each document, from a fresh store through the analyze pipeline."""
    from ..config import Settings
    from ..runners.incremental import Pipeline
    from ..store import open_store

    settings = settings or Settings(claims=False)
    with tempfile.TemporaryDirectory(prefix="copydesk-eval-") as tmp:
        store = open_store(str(Path(tmp) / "eval.db"))
        try:
            pipe = Pipeline(store, settings)
            pipe.ingest(Article(d["id"], d["text"]) for d in docs)
            pipe.place()
            placed = store.placements()
        finally:
            store.close()
    return {d["id"]: placed[d["id"]]["story"] if d["id"] in placed else f"unplaced:{d['id']}" for d in docs}


def run(path: Path, limit: int | None = None) -> dict:
    docs = load(path, limit)
    t0 = time.perf_counter()
    pred = cluster_documents(docs)
    dt = time.perf_counter() - t0
    gold = [d["story"] for d in docs]
    guess = [pred[d["id"]] for d in docs]
    p, r, f = bcubed(gold, guess)
    return {
        "n": len(docs),
        "items_per_s": round(len(docs) / dt, 2) if dt > 0 else 0.0,
        "b3_precision": round(p, 4),
        "b3_recall": round(r, 4),
        "b3_f1": round(f, 4),
        "ari": round(ari(gold, guess), 4),
        "n_gold_stories": len(set(gold)),
        "n_pred_stories": len(set(guess)),
    }
