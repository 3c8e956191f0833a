"""copydesk batch on Spark (local mode) gives the local engine's results, article for article.

Corpus: the five seeds, ECB+ dev documents of two topics (two events of one kind each) and
20 LLMFake originals with their GPT-3.5 rewrites, read from ``$COPYDESK_DATA`` into a
temporary folder (never into the repository).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import SEEDS
from test_batch import ecb_dev_topics

pytestmark = pytest.mark.spark

if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java (17) on PATH or JAVA_HOME", allow_module_level=True)
pytest.importorskip("pyspark")


def llmfake_sample(data_dir: Path, originals: int = 20) -> list[dict]:
    rows = [json.loads(x) for x in (data_dir / "llmfake" / "pairs.jsonl").read_text().splitlines() if x.strip()]
    ids: dict[str, str] = {}
    out: list[dict] = []
    for r in sorted(rows, key=lambda r: r["id"]):
        o = r["original_text"]
        if o not in ids:
            if len(ids) >= originals or not 300 <= len(o) <= 3000:
                continue
            ids[o] = f"llm_orig_{len(ids):02d}"
            out.append({"id": ids[o], "text": o})
        out.append({"id": f"{ids[o]}_{r['method'].split('_')[0]}", "text": r["derived_text"]})
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, data_dir) -> Path:
    d = tmp_path_factory.mktemp("spark-corpus")
    rows = ecb_dev_topics(data_dir, 2) + llmfake_sample(data_dir)
    path = d / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_cli(engine: str, out: Path, *inputs: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "copydesk.cli", "batch", *map(str, inputs), "--engine", engine, "--out", str(out),
           "--master", "local[2]"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def both(corpus, tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("spark-out")
    outs = []
    for engine in ("local", "spark"):
        out = d / engine
        proc = run_cli(engine, out, SEEDS, corpus)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert f"[{engine}," in proc.stderr
        outs.append(out)
    return outs[0], outs[1]


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.read_parquet(out / "articles").set_index("id").sort_index(),
            pd.read_parquet(out / "pairs").set_index(["a", "b"]).sort_index(),
            pd.read_parquet(out / "stories").set_index("id").sort_index())


def test_spark_and_local_give_the_same_stories_and_relations(both):
    (la, lp, ls), (sa, sp, ss) = tables(both[0]), tables(both[1])
    assert {frozenset(x) for x in ls["articles"]} == {frozenset(x) for x in ss["articles"]}
    assert len(la) == len(sa) > 100
    cols = ["story", "family", "relation", "source"]
    assert la[cols].fillna("-").equals(sa[cols].fillna("-"))
    assert (la["score"].fillna(-1) - sa["score"].fillna(-1)).abs().max() < 1e-6
    assert ls[["reference", "common_source_missing"]].equals(ss[["reference", "common_source_missing"]])
    # Every scored pair, with the same relation.
    assert lp.index.equals(sp.index)
    assert (lp["relation"] == sp["relation"]).all()


def test_the_corpus_exercises_every_path(both):
    arts, pairs, stories = tables(both[0])
    assert set(arts["relation"]) >= {"reference", "rewrite", "same_story", "unrelated"}
    assert stories["articles"].map(len).max() >= 5  # the seeds' story at least
    assert (pairs["relation"] != "unrelated").sum() > 20
    # LLM rewrites mostly land in their original's story.
    rewrites = [a for a in arts.index if a.startswith("llm_orig_") and a.count("_") == 3]
    assert len(rewrites) >= 40
    together = sum(arts.loc[a, "story"] == arts.loc[a.rsplit("_", 1)[0], "story"] for a in rewrites)
    assert together / len(rewrites) > 0.6
    assert arts.loc["000_dc2d94248d973954", "relation"] == "reference"


# -- pieces of the Spark job ----------------------------------------------------------------------
# pyspark starts its JVM with a preexec_fn fork; in a process whose other threads (ONNX Runtime,
# tokenizers) hold locks that can deadlock the child, so these run in a fresh interpreter.


def in_fresh_process(fn, *args):
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _pieces_check(folder: str) -> dict:
    """Both in-process checks with one Spark session (one JVM start)."""
    from copydesk.cluster import components
    from copydesk.runners.inputs import read_local
    from copydesk.runners.local import run_local
    from copydesk.runners.spark import connected_components, run_spark, spark_session
    from copydesk.runners.stages import BatchSettings, batch_settings

    # A long chain (diameter 60), a star, a cycle and pairs: pointer jumping must converge.
    edges = [(f"c{i:03d}", f"c{i + 1:03d}") for i in range(60)]
    edges += [("s000", f"s{i:03d}") for i in range(1, 30)]
    edges += [(f"y{i}", f"y{(i + 1) % 7}") for i in range(7)]
    edges += [("p1", "p2"), ("q1", "q2"), ("p2", "q0")]
    # Settings under which the seeds' candidates come from every path: pairs only in a rare-entity
    # posting list, pairs in one or two posting lists that are also semantic candidates, a semantic
    # pair whose only shared entities are in lists over entity_max_postings, and pairs sharing
    # only such entities (no candidate at all).
    small = batch_settings().with_(entity_max_postings=3, vector_min_cosine=0.9)
    arts, _ = read_local([str(SEEDS)])
    spark = spark_session("local[2]", 4)
    try:
        got: dict[str, set[str]] = {}
        for r in connected_components(spark.createDataFrame(pd.DataFrame(edges, columns=["a", "b"]))).collect():
            got.setdefault(r["comp"], set()).add(r["id"])
        counts = run_spark([], [f"file://{folder}/a.jsonl", f"file://{folder}/b.parquet"], batch_settings(),
                           BatchSettings(), Path(folder) / "out", spark=spark)
        small_counts = run_spark(arts, [], small, BatchSettings(), Path(folder) / "small", spark=spark)
    finally:
        spark.stop()
    local = run_local(arts, batch_settings())
    local_small = run_local(arts, small)
    pair_cols = ["a", "b", "relation", "score", "scores"]
    cols = ["id", "story", "relation", "source"]
    url_rows = pd.read_parquet(Path(folder) / "out" / "articles").sort_values("id")[cols].fillna("-")
    local_rows = pd.DataFrame(local.articles).sort_values("id")[cols].fillna("-")
    return {
        "components": sorted(map(sorted, got.values())), "union_find": sorted(components([], edges)),
        "labelled_by_min": all(min(m) == c for c, m in got.items()),
        "url_counts": counts, "url_rows": url_rows.values.tolist(), "local_rows": local_rows.values.tolist(),
        "small_first_tier": (small_counts["first_tier_pairs"], local_small.counts["candidates"]),
        "small_spark_pairs": pd.read_parquet(Path(folder) / "small" / "pairs")[pair_cols]
        .sort_values(["a", "b"]).values.tolist(),
        "small_local_pairs": local_small.pairs.to_pandas()[pair_cols].values.tolist(),
        "small_spark_rows": pd.read_parquet(Path(folder) / "small" / "articles").sort_values("id")[cols]
        .fillna("-").values.tolist(),
        "small_local_rows": pd.DataFrame(local_small.articles).sort_values("id")[cols].fillna("-").values.tolist(),
    }


@pytest.fixture(scope="module")
def pieces(tmp_path_factory) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from copydesk.runners.inputs import read_local

    folder = tmp_path_factory.mktemp("spark-pieces")
    arts, _ = read_local([str(SEEDS)])
    rows = [{"id": a.id, "text": a.text} for a in arts]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:3]) + "{broken\n")
    pq.write_table(pa.Table.from_pylist(rows[3:] + [{"id": None, "text": "no id here"}]), folder / "b.parquet")
    return in_fresh_process(_pieces_check, str(folder))


def test_connected_components_with_joins_match_union_find(pieces):
    assert pieces["components"] == pieces["union_find"]
    assert pieces["labelled_by_min"]


def test_spark_reads_urls_like_local_paths(pieces):
    """JSONL and Parquet given as URLs go through Spark's readers, with the same result."""
    assert pieces["url_counts"]["articles"] == 5 and pieces["url_counts"]["skipped"] == 2
    assert pieces["url_rows"] == pieces["local_rows"]


def test_entity_postings_on_spark_score_every_pair_once_like_local(pieces):
    """Pairs inside posting lists are scored in the lists' own tasks, the other candidates after
    a join: together exactly the local engine's pairs, each once, with the same scores."""
    spark_first, local_first = pieces["small_first_tier"]
    assert spark_first == local_first  # every candidate scored once in the first tier
    sp, lp = pieces["small_spark_pairs"], pieces["small_local_pairs"]
    assert len({(r[0], r[1]) for r in sp}) == len(sp)
    assert [r[:3] + r[4:] for r in sp] == [r[:3] + r[4:] for r in lp]
    assert all(abs(x[3] - y[3]) < 1e-9 for x, y in zip(sp, lp, strict=True))
    assert pieces["small_spark_rows"] == pieces["small_local_rows"]


@pytest.mark.parametrize("min_shared", [1, 2])
def test_posting_task_scores_each_shared_pair_in_exactly_one_list(min_shared):
    """``_posting_tier1_fn`` on every valid posting list (2..entity_max_postings members) of the
    seeds: each pair sharing ``min_shared`` valid entities comes out of exactly one list (its
    smallest shared valid entity), scored as the local engine scores it; no pair sharing fewer,
    or only oversized lists."""
    from collections import defaultdict

    from copydesk import candidates as C
    from copydesk.runners.inputs import read_local
    from copydesk.runners.spark import _posting_tier1_fn
    from copydesk.runners.stages import analyze_chunk, batch_settings
    from copydesk.score import default_model, score_cheap
    from copydesk.store.codec import features_from_record, pair_record

    s = batch_settings().with_(entity_max_postings=3, entity_min_shared=min_shared)
    arts, _ = read_local([str(SEEDS)])
    recs = analyze_chunk(arts, s)
    posting: dict[str, list[dict]] = defaultdict(list)
    for r in recs:
        for e in r["ents"]:
            posting[e].append(r)
    valid = {e: m for e, m in posting.items() if 2 <= len(m) <= s.entity_max_postings}
    assert valid and any(len(m) > s.entity_max_postings for m in posting.values())
    ve = {r["id"]: sorted(e for e in r["ents"] if e in valid) for r in recs}
    model = default_model()
    fn = _posting_tier1_fn(model, min_shared)
    got = []
    for e, members in valid.items():
        pdf = pd.DataFrame([{"e": e, "ve": ve[r["id"]], **{k: r[k] for k in r if k not in ("e", "ve")}}
                            for r in reversed(members)])  # arrival order does not matter
        got.extend(fn(pdf).to_dict("records"))
    keys = [(g["a"], g["b"]) for g in got]
    want = sorted(C.entity_pairs([[r["id"] for r in m] for m in valid.values()], s.entity_max_postings, min_shared))
    assert want and sorted(keys) == want  # each once
    if min_shared > 1:  # the rule drops pairs: those sharing a single valid entity
        assert len(want) < len(C.entity_pairs([[r["id"] for r in m] for m in valid.values()], s.entity_max_postings, 1))
    feats = {r["id"]: features_from_record(r) for r in recs}
    for g in got:
        x, p = score_cheap(g["a"], g["b"], feats[g["a"]], feats[g["b"]], model)
        assert {k: g[k] for k in ("a", "b", "relation", "score", "scores")} == pair_record(p)
