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
    spark = spark_session("local[2]", 4)
    try:
        got: dict[str, set[str]] = {}
        for r in connected_components(spark.createDataFrame(pd.DataFrame(edges, columns=["a", "b"]))).collect():
            got.setdefault(r["comp"], set()).add(r["id"])
        counts = run_spark([], [f"file://{folder}/a.jsonl", f"file://{folder}/b.parquet"], batch_settings(),
                           BatchSettings(), Path(folder) / "out", spark=spark)
    finally:
        spark.stop()
    arts, _ = read_local([str(SEEDS)])
    local = run_local(arts, batch_settings())
    cols = ["id", "story", "relation", "source"]
    url_rows = pd.read_parquet(Path(folder) / "out" / "articles").sort_values("id")[cols].fillna("-")
    local_rows = pd.DataFrame(local.articles).sort_values("id")[cols].fillna("-")
    return {
        "components": sorted(map(sorted, got.values())), "union_find": sorted(components([], edges)),
        "labelled_by_min": all(min(m) == c for c, m in got.items()),
        "url_counts": counts, "url_rows": url_rows.values.tolist(), "local_rows": local_rows.values.tolist(),
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
