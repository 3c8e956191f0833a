"""The benchmark corpus: real articles, injected near-copies, real LLM rewrites, synthetic fill.

Built at bench time from ``$COPYDESK_DATA`` (default ``../shared/data``); nothing is copied
into the repository. For ``n`` articles (seeded, so a size and seed always give the same
corpus):

- **rewrites** (10 % of n, at most the 1,062 of LLMFake): real GPT-3.5 rewrites
  (paraphrase, rewrite, open-ended generation) placed beside their originals;
- **near-copies** (10 % of n): a copy of another article of the corpus with word edits
  (1-3 % of words replaced, deleted or doubled), about 10 % of its sentences dropped and
  two sentences swapped;
- **real articles**: ECB+ documents, QAGS and AggreFact source documents (CNN/DM, XSum),
  SummEdits documents and the LLMFake originals;
- **synthetic articles** when n exceeds what is real: 6-14 sentences drawn at random from
  the pool of every real sentence (those documents plus MRPC sentences), each sentence
  lightly edited like a copy (2 % of words) so no two synthetic articles share a sentence
  verbatim more than by chance. They are distinct articles about nothing in particular:
  load for the candidate and scoring stages, not part of any recall figure.

``truth`` lists the pairs the recall figures count: (source, copy) and (original, rewrite).
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SENT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]*[A-Z0-9])")


def data_dir() -> Path:
    d = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data"))
    if not d.is_dir():
        raise SystemExit(f"evaluation data not found at {d}: set COPYDESK_DATA to the shared/data folder")
    return d


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sentences(text: str) -> list[str]:
    """A cheap sentence split (lines, then end punctuation): good enough to edit and mix."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.extend(s.strip() for s in _SENT.split(line) if s.strip())
    return out


@dataclass
class Corpus:
    articles: list[dict] = field(default_factory=list)  # {"id", "text"[, "title"]}
    copies: list[tuple[str, str]] = field(default_factory=list)  # (source, copy)
    rewrites: list[tuple[str, str]] = field(default_factory=list)  # (original, rewrite)
    kinds: dict[str, int] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for a in self.articles:
                fh.write(json.dumps(a, ensure_ascii=False) + "\n")
        meta = {"copies": self.copies, "rewrites": self.rewrites, "kinds": self.kinds}
        Path(str(path) + ".truth.json").write_text(json.dumps(meta))

    @classmethod
    def read(cls, path: Path) -> Corpus:
        meta = json.loads(Path(str(path) + ".truth.json").read_text())
        return cls(_jsonl(path), [tuple(x) for x in meta["copies"]], [tuple(x) for x in meta["rewrites"]],
                   meta["kinds"])


def real_articles(d: Path) -> tuple[list[dict], list[dict]]:
    """(real articles, LLMFake pairs as {"orig", "rewrite", "id"}), ids prefixed by source."""
    arts: list[dict] = []
    seen: set[str] = set()

    def add(aid: str, text: str, title: str | None = None) -> None:
        key = text.strip()[:500]
        if len(text.split()) < 40 or key in seen:
            return
        seen.add(key)
        a = {"id": aid, "text": text}
        if title:
            a["title"] = title
        arts.append(a)

    for r in _jsonl(d / "ecbplus" / "documents.jsonl"):
        add(f"ecb-{r['doc_id']}", r["text"])
    for i, r in enumerate(_jsonl(d / "qags" / "qags.jsonl")):
        add(f"qags-{i}", r["doc"])
    for i, r in enumerate(_jsonl(d / "aggrefact_errtypes" / "aggrefact_errtypes.jsonl")):
        add(f"agg-{i}", r["doc"])
    for i, r in enumerate(_jsonl(d / "summedits_news" / "summedits_news.jsonl")):
        add(f"se-{i}", r["doc"])
    origs: dict[str, str] = {}
    pairs = []
    for r in _jsonl(d / "llmfake" / "pairs.jsonl"):
        o = r["original_text"]
        oid = origs.setdefault(o, f"llm-orig-{len(origs)}")
        pairs.append({"orig_id": oid, "orig": o, "id": f"llm-rw-{r['id']}", "rewrite": r["derived_text"]})
    return arts, pairs


def _edit_words(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    words = text.split(" ")
    out = []
    for w in words:
        u = rng.random()
        if u < rate / 3:
            out.append(rng.choice(vocab))  # replace
        elif u < 2 * rate / 3:
            continue  # delete
        elif u < rate:
            out.extend([w, w])  # double
        else:
            out.append(w)
    return " ".join(out)


def near_copy(text: str, rng: random.Random, vocab: list[str]) -> str:
    """Word edits, dropped sentences, two sentences swapped (what re-publishers do)."""
    sents = sentences(text)
    keep = [s for s in sents if rng.random() >= 0.1] or sents[:1]
    if len(keep) >= 3:
        i = rng.randrange(len(keep) - 1)
        keep[i], keep[i + 1] = keep[i + 1], keep[i]
    rate = rng.uniform(0.01, 0.03)
    return "\n".join(_edit_words(s, rate, rng, vocab) for s in keep)


def build(n: int, seed: int = 7, d: Path | None = None) -> Corpus:
    d = d or data_dir()
    rng = random.Random(seed)
    real, llm = real_articles(d)
    vocab = sorted({w for a in real[:400] for w in a["text"].split() if w.isalpha() and len(w) > 3})
    corpus = Corpus()

    # Rewrites with their originals.
    n_rw = min(len(llm), round(0.1 * n))
    chosen = rng.sample(llm, n_rw)
    originals: dict[str, str] = {}
    for p in chosen:
        originals.setdefault(p["orig_id"], p["orig"])
    for oid, text in originals.items():
        corpus.articles.append({"id": oid, "text": text})
    for p in chosen:
        corpus.articles.append({"id": p["id"], "text": p["rewrite"]})
        corpus.rewrites.append((p["orig_id"], p["id"]))
    n_copies = round(0.1 * n)
    n_base = max(0, n - len(corpus.articles) - n_copies)

    # Real articles, then synthetic ones.
    base = rng.sample(real, min(n_base, len(real)))
    corpus.articles.extend(base)
    n_syn = n_base - len(base)
    if n_syn > 0:
        pool = [s for a in real for s in sentences(a["text"]) if len(s.split()) >= 6]
        pool += [s for p in llm for s in sentences(p["orig"]) if len(s.split()) >= 6]
        mrpc = d / "mrpc" / "train.jsonl"
        if mrpc.exists():
            for r in _jsonl(mrpc):
                pool.extend((r["sentence1"], r["sentence2"]))
        pool = sorted(set(pool))
        for i in range(n_syn):
            k = rng.randint(6, 14)
            sents = [_edit_words(s, 0.02, rng, vocab) for s in rng.sample(pool, k)]
            corpus.articles.append({"id": f"syn-{i}", "text": "\n".join(sents)})

    # Near-copies of articles already in the corpus (not of rewrites, to keep the truth simple).
    sources = [a for a in corpus.articles if not a["id"].startswith("llm-rw-") and len(a["text"].split()) >= 80]
    for i, src in enumerate(rng.sample(sources, min(n_copies, len(sources)))):
        cid = f"copy-{i}"
        corpus.articles.append({"id": cid, "text": near_copy(src["text"], rng, vocab)})
        corpus.copies.append((src["id"], cid))

    rng.shuffle(corpus.articles)
    kinds: dict[str, int] = {}
    for a in corpus.articles:
        k = a["id"].split("-")[0] if not a["id"].startswith("llm-") else "-".join(a["id"].split("-")[:2])
        kinds[k] = kinds.get(k, 0) + 1
    corpus.kinds = kinds
    return corpus


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Write the benchmark corpus as JSONL (+ .truth.json).")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    c = build(args.n, args.seed)
    c.write(args.out)
    print(f"{len(c.articles)} articles, {len(c.copies)} copy pairs, {len(c.rewrites)} rewrite pairs: {c.kinds}")
