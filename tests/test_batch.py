"""copydesk batch, local engine: inputs, candidate functions, the copy path, and agreement
with the store-based ``copydesk analyze``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SEEDS
from copydesk import candidates as C
from copydesk.config import Settings
from copydesk.featurize import minhash
from copydesk.runners.batch import run_batch
from copydesk.runners.inputs import read_local

# -- MinHash tokenising (vectorised) against a plain-Python reference ---------------------------

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _ref_words(text: str) -> list[int]:
    out = []
    for w in re.findall(rb"[a-z0-9\x80-\xff]+", text.lower().encode("utf-8")):
        h = len(w)
        for c in range(0, len(w), 8):
            h = _mix((h * 0x9FB21C651E98DF25 + int.from_bytes(w[c : c + 8], "little")) & _MASK)
        out.append(h)
    return out


def _ref_shingles(words: list[int], k: int) -> list[int]:
    if not words:
        return []
    windows = [words] if len(words) < k else [words[i : i + k] for i in range(len(words) - k + 1)]
    out = []
    for win in windows:
        acc = 0
        for w in win:
            acc = (acc * 0xC2B2AE3D27D4EB4F + w) & _MASK
        out.append(_mix(acc))
    return out


TEXTS = ["", "a", "One two", "one two three four", "Ünïcödé wörds ñ 中文 text here, ok?",
         "abcdefgh abcdefghi abcdefghijklmnopq 12345678 1234567 " + "x" * 40, "  \n ", "naïve café, déjà vu!",
         "The quick brown fox jumps over the lazy dog. The quick brown fox jumps again."]


def test_word_and_shingle_hashes_match_the_reference():
    wh, wo = minhash.word_hashes(TEXTS)
    for k in (1, 3, 5):
        sh, so = minhash.shingle_hashes(wh, wo, k)
        for i, t in enumerate(TEXTS):
            words = _ref_words(t)
            assert [int(x) for x in wh[wo[i] : wo[i + 1]]] == words
            assert [int(x) for x in sh[so[i] : so[i + 1]]] == _ref_shingles(words, k)


def test_a_text_shorter_than_a_shingle_hashes_alone_as_in_a_batch():
    """A text of two or three words, hashed on its own (as tracing hashes one article), gives its one
    shingle of all its words; it crashed when the batch held fewer words than a shingle."""
    for t in TEXTS:
        words = _ref_words(t)
        for k in (3, 5):
            sh, _so = minhash.shingle_hashes(*minhash.word_hashes([t]), k)
            assert [int(x) for x in sh] == _ref_shingles(words, k)
    assert len(minhash.shingle_profile("Fire downtown today.")[0]) == 1


def test_signatures_do_not_depend_on_batch_mates():
    one = minhash.signatures([TEXTS[-1]])
    many = minhash.signatures(TEXTS)
    assert np.array_equal(one[0], many[-1])
    assert np.all(many[0] == np.iinfo(np.uint32).max)  # empty text matches nothing


# -- candidate functions -------------------------------------------------------------------------


def test_bucket_pairs_are_all_pairs_or_a_star():
    assert C.bucket_pairs(["c", "a", "b"], 10) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert C.bucket_pairs(["d", "c", "a", "b"], 3) == [("a", "b"), ("a", "c"), ("a", "d")]
    assert C.posting_pairs(["a", "b", "c"], 2) == []


def _exact(ids, vecs, min_cos, max_n, min_n=0):
    out = set()
    sims = vecs @ vecs.T
    for i in range(len(ids)):
        row = sims[i].copy()
        row[i] = -1
        order = [j for j in np.argsort(-row, kind="stable") if j != i]
        hits = [j for j in order if row[j] >= min_cos][:max_n]
        hits = hits if len(hits) >= min_n else order[:min_n]
        out |= {C.ordered(ids[i], ids[j]) for j in hits}
    return out


def test_an_articles_nearest_texts_are_candidates_below_the_radius():
    """A rewrite that restyles its whole lead can sit below the semantic radius while its source is still
    its nearest text: each article keeps its ``vector_min_neighbours`` nearest at any cosine. The corpus
    search (one bucket and k-means buckets) and the incremental runner's exact search agree on them."""
    from copydesk.candidates import radius_neighbours, semantic_neighbours
    from copydesk.runners.stages import BatchSettings

    x = np.random.default_rng(7).normal(size=(400, 24))  # spread out: hardly a pair at cosine 0.9
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    ids = [f"doc{i:04d}" for i in range(400)]
    s = Settings().with_(vector_min_cosine=0.9, vector_max_neighbours=5, vector_min_neighbours=2)
    exact = _exact(ids, x, 0.9, 5, 2)
    assert len(exact) > len(_exact(ids, x, 0.9, 5)) + 300  # the floor adds most pairs here
    assert semantic_neighbours(ids, x, s, BatchSettings()) == exact
    assert radius_neighbours(ids, x, ids, x, 0.9, 5, 2) == exact
    bucketed = semantic_neighbours(ids, x, s, BatchSettings(semantic_bucket=80, max_semantic_bucket=160))
    assert len(bucketed & exact) / len(exact) >= 0.85
    for i in range(len(ids)):  # every article keeps its two nearest pairs over its probed buckets
        assert sum(1 for p in bucketed if ids[i] in p) >= 2
    assert semantic_neighbours(ids, x, s.with_(vector_min_neighbours=0), BatchSettings()) == _exact(ids, x, 0.9, 5)


def _vectors(n: int, seed: int = 3) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(8, 16))
    x = centers[rng.integers(0, 8, n)] + 0.35 * rng.normal(size=(n, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return [f"doc{i:04d}" for i in range(n)], x.astype(np.float32)


def test_one_semantic_bucket_is_exact_search():
    from copydesk.candidates import semantic_neighbours
    from copydesk.runners.stages import BatchSettings

    ids, vecs = _vectors(300)
    s = Settings().with_(vector_min_cosine=0.8, vector_max_neighbours=5)
    got = semantic_neighbours(ids, vecs, s, BatchSettings())
    assert got == _exact(ids, vecs, 0.8, 5)


def test_kmeans_buckets_are_deterministic_and_find_close_neighbours():
    from copydesk.candidates import semantic_neighbours
    from copydesk.runners.stages import BatchSettings

    ids, vecs = _vectors(600)
    s = Settings().with_(vector_min_cosine=0.8, vector_max_neighbours=5)
    bs = BatchSettings(semantic_bucket=120, max_semantic_bucket=200)
    got = semantic_neighbours(ids, vecs, s, bs)
    perm = np.random.default_rng(0).permutation(len(ids))
    again = semantic_neighbours([ids[i] for i in perm], vecs[perm], s, bs)
    assert got == again  # input order does not matter
    exact = _exact(ids, vecs, 0.8, 5)
    assert len(got & exact) / len(exact) > 0.9


def test_default_probes_find_neighbours_across_bucket_borders():
    """Without cluster structure (points spread evenly on a sphere) many true neighbours sit on
    either side of a bucket border; with the default probes the bucketed search still returns
    almost every pair exact search does (two probes lose 3.6 % here)."""
    from copydesk.candidates import semantic_neighbours
    from copydesk.runners.stages import BatchSettings

    x = np.random.default_rng(5).normal(size=(2000, 6))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    ids = [f"doc{i:04d}" for i in range(2000)]
    s = Settings().with_(vector_min_cosine=0.9, vector_max_neighbours=5)
    got = semantic_neighbours(ids, x, s, BatchSettings(semantic_bucket=200, max_semantic_bucket=400))
    exact = _exact(ids, x, 0.9, 5)
    assert len(got & exact) / len(exact) >= 0.99


# -- inputs --------------------------------------------------------------------------------------


def test_read_local_jsonl_parquet_and_duplicates(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "x1", "text": "First article text here."}) + "\n"
        + json.dumps({"id": "x2", "text": "Second one.", "title": "T2"}) + "\n"
        + "{not json\n", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    pq.write_table(pa.table({"id": ["p1", "x1", "x2"], "text": ["From parquet.", "First article text here.",
                                                                "Other text, same id."]}), sub / "b.parquet")
    arts, skipped = read_local([str(tmp_path)])
    assert sorted(a.id for a in arts) == ["p1", "x1", "x2"]
    assert next(a for a in arts if a.id == "x2").title == "T2"
    assert len(skipped) == 2  # the broken line and the conflicting x2
    assert any("duplicate id 'x2'" in s for s in skipped)


def test_run_batch_rejects_bad_options(tmp_path):
    with pytest.raises(ValueError, match="engine"):
        run_batch([str(SEEDS)], engine="dask", out_dir=tmp_path / "o")
    with pytest.raises(ValueError, match="engine spark"):
        run_batch(["s3://bucket/x.jsonl"], engine="local", out_dir=tmp_path / "o")
    with pytest.raises(ValueError, match="no file matches"):
        run_batch([str(tmp_path / "*.jsonl")], engine="local", out_dir=tmp_path / "o")
    with pytest.raises(ValueError, match="master"):
        run_batch([str(SEEDS)], engine="spark", out_dir=tmp_path / "o", master="nonsense")
    (tmp_path / "o2" / "articles").mkdir(parents=True)
    (tmp_path / "o2" / "articles" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not table parts"):
        run_batch([str(SEEDS)], engine="local", out_dir=tmp_path / "o2")


def test_cli_batch_error_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "copydesk.cli", "batch", str(tmp_path / "none*.jsonl"),
                           "--engine", "local", "--out", str(tmp_path / "o")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("copydesk: error:") and "Traceback" not in proc.stderr


# -- the local engine against the store path ------------------------------------------------------


def ecb_dev_topics(data_dir: Path, topics: int) -> list[dict]:
    rows = [json.loads(x) for x in (data_dir / "ecbplus" / "documents.jsonl").read_text().splitlines() if x.strip()]
    dev = [r for r in rows if r["split"] == "dev"]
    keep = sorted({r["topic"] for r in dev})[:topics]
    return [{"id": f"ecb_{r['doc_id']}", "text": r["text"]} for r in dev if r["topic"] in keep]


def stories_of(out: Path) -> set[frozenset[str]]:
    import pandas as pd

    st = pd.read_parquet(out / "stories")
    return {frozenset(x) for x in st["articles"]}


def test_batch_local_agrees_with_analyze(tmp_path, data_dir):
    """The store path and the batch engine: same stories, and per article the same family,
    relation and source (both run the same stage functions; vectors depend on their text only)."""
    import pandas as pd

    corpus = tmp_path / "ecb.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ecb_dev_topics(data_dir, 2)), encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([str(SEEDS), str(corpus)], engine="local", out_dir=out)
    assert "articles" in summary
    db, report = tmp_path / "s.db", tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(SEEDS), str(corpus), "--db", str(db),
                           "--json", str(report), "-q", "--no-claims"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(report.read_text())
    assert stories_of(out) == {frozenset(s["articles"]) for s in rep["stories"]}
    seeds = next(s for s in stories_of(out) if any(a.startswith("000") for a in s))
    assert sorted(a[:3] for a in seeds) == ["000", "001", "002", "003", "004"]
    cols = ["family", "relation", "source"]
    want = pd.DataFrame(rep["articles"]).set_index("id").sort_index()[cols].fillna("-")
    got = pd.read_parquet(out / "articles").set_index("id").sort_index()[cols].fillna("-")
    assert got.equals(want)


def test_batch_tables_have_the_documented_columns(tmp_path):
    import pandas as pd

    out = tmp_path / "out"
    run_batch([str(SEEDS)], engine="local", out_dir=out)
    arts = pd.read_parquet(out / "articles")
    assert list(arts.columns) == ["id", "title", "story", "family", "relation", "source", "score", "artifacts"]
    assert list(pd.read_parquet(out / "pairs").columns) == ["a", "b", "relation", "score", "scores"]
    st = pd.read_parquet(out / "stories")
    assert {"id", "title", "articles", "reference", "common_source_missing", "evidence"} <= set(st.columns)
    (story,) = st.itertuples()
    assert story.reference.startswith("000") and story.common_source_missing
    kinds = {a["kind"] for arts_ in arts["artifacts"] for a in arts_}
    assert kinds and kinds <= {"prompt_leak", "duplicated_headline", "duplicated_body", "boilerplate", "markup",
                               "broken_quote"}
    # Re-running into the same folder replaces the tables.
    run_batch([str(SEEDS)], engine="local", out_dir=out)
    assert len(pd.read_parquet(out / "articles")) == 5


def test_local_engine_tables_do_not_depend_on_the_number_of_cores(tmp_path, data_dir):
    """One worker process or one per core: the same tables (every article's story, family,
    relation, source, score; every pair), in the same order."""
    import pandas as pd

    corpus = tmp_path / "ecb.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ecb_dev_topics(data_dir, 2)), encoding="utf-8")
    tables = {}
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        run_batch([str(SEEDS), str(corpus)], engine="local", out_dir=out, settings=Settings(threads=n))
        tables[n] = {t: pd.read_parquet(out / t) for t in ("articles", "pairs")}
    for t in ("articles", "pairs"):
        a, b = tables[1][t], tables[2][t]
        assert len(a) == len(b) > 0
        assert a.astype(str).equals(b.astype(str)), t
    assert tables[2]["articles"]["story"].nunique() > 2


# -- what a user sees on the terminal (issue 22) ----------------------------------------------------


def on_a_terminal(*args: str) -> tuple[int, str]:
    """``copydesk ARGS`` with standard error a terminal (a pseudo-terminal), as a user runs it; the
    exit code and what the terminal showed, escape sequences removed."""
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "copydesk.cli", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    code = proc.wait(timeout=300)
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))


def test_batch_on_a_terminal_shows_a_bar_per_stage_in_articles_and_q_silences_it(tmp_path):
    code, shown = on_a_terminal("batch", str(SEEDS), "--engine", "local", "--out", str(tmp_path / "o"))
    assert code == 0, shown
    finals = {}
    for line in shown.replace("\r", "\n").splitlines():
        m = re.match(r"(\w+)\s+━+\s+(\d+)/(\d+) articles · .*left .* took", line)
        if m:
            finals[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    # every stage has its bar, in articles with a total, ending at the total when the stage ends
    assert finals == {stage: (5, 5) for stage in ("read", "analyze", "score", "encode", "place")}, shown
    assert "5 articles (0 skipped)" in shown and "1 story (1 with several articles)" in shown
    code, shown = on_a_terminal("batch", str(SEEDS), "--engine", "local", "--out", str(tmp_path / "q"), "-q")
    assert code == 0 and "━" not in shown and "articles ·" not in shown
    assert shown.strip().startswith("5 articles (0 skipped)"), shown


def test_batch_piped_shows_no_progress(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "copydesk.cli", "batch", str(SEEDS), "--engine", "local", "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "━" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr


def test_local_engine_reports_each_stage_in_articles():
    """``run_local``'s progress: each stage starts at 0 of its articles and ends at its total; the
    place stage counts articles placed (not components)."""
    from copydesk.runners.local import run_local
    from copydesk.runners.stages import batch_settings

    arts, _ = read_local([str(SEEDS)])
    calls: list[tuple[str, int, int]] = []
    run_local(arts, batch_settings(), progress=lambda *c: calls.append(c))
    stages = list(dict.fromkeys(c[0] for c in calls))
    assert stages == ["analyze", "score", "encode", "place"]
    for stage in stages:
        mine = [c for c in calls if c[0] == stage]
        assert mine[0][1] == 0 and mine[-1][1] == mine[-1][2] == 5, mine
        assert [c[1] for c in mine] == sorted(c[1] for c in mine)


def test_batch_ids_read_with_id_field_or_refused_in_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = (SEEDS / "000_dc2d94248d973954.txt").read_text(encoding="utf-8")
    docs = tmp_path / "documents.jsonl"
    docs.write_text("".join(json.dumps({"doc_id": f"d{i}", "text": text}) + "\n" for i in range(4)))
    run = [sys.executable, "-m", "copydesk.cli", "batch", "--engine", "local"]
    proc = subprocess.run([*run, str(docs), "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if "doc_id" in ln]
    assert len(lines) == 1 and "no field 'id' but a field 'doc_id'" in lines[0] and "--id-field doc_id" in lines[0]
    assert "4 records" in lines[0], proc.stderr
    proc = subprocess.run([*run, str(docs), "--id-field", "doc_id", "--out", str(tmp_path / "o")], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    assert sorted(pd.read_parquet(tmp_path / "o" / "articles")["id"]) == ["d0", "d1", "d2", "d3"]
    # a Parquet file: an id-like column is refused in one line; no id at all is numbered, with one warning
    pq.write_table(pa.Table.from_pylist([{"doc_id": "p1", "text": text}]), tmp_path / "p.parquet")
    pq.write_table(pa.Table.from_pylist([{"text": text}, {"text": text + " More."}]), tmp_path / "bare.parquet")
    proc = subprocess.run([*run, str(tmp_path / "p.parquet"), str(tmp_path / "bare.parquet"), "--out",
                           str(tmp_path / "o2")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.splitlines()
    assert [ln for ln in err if "doc_id" in ln] == [
        f"skipped {tmp_path / 'p.parquet'}: no column 'id' but a column 'doc_id'; to use it as the id, give --id-field doc_id"]
    warnings = [ln for ln in err if ln.startswith("warning")]
    assert len(warnings) == 1 and "2 rows without 'id' got row-number ids" in warnings[0], proc.stderr
    assert sorted(pd.read_parquet(tmp_path / "o2" / "articles")["id"]) == ["bare-1", "bare-2"]
