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


@pytest.fixture(scope="module")
def spark():
    from copydesk.runners.spark import spark_session

    s = spark_session("local[2]", 4)
    yield s
    s.stop()


def test_connected_components_with_joins_match_union_find(spark):
    from copydesk.cluster import components
    from copydesk.runners.spark import connected_components

    # A long chain (diameter 60), a star, a cycle and pairs: pointer jumping must converge.
    edges = [(f"c{i:03d}", f"c{i + 1:03d}") for i in range(60)]
    edges += [("s000", f"s{i:03d}") for i in range(1, 30)]
    edges += [(f"y{i}", f"y{(i + 1) % 7}") for i in range(7)]
    edges += [("p1", "p2"), ("q1", "q2"), ("p2", "q0")]
    df = spark.createDataFrame(pd.DataFrame(edges, columns=["a", "b"]))
    got: dict[str, set[str]] = {}
    for r in connected_components(df).collect():
        got.setdefault(r["comp"], set()).add(r["id"])
    want = components([], edges)
    assert sorted(map(sorted, got.values())) == sorted(want)
    assert all(min(m) == c for c, m in got.items())


def test_spark_reads_urls_like_local_paths(spark, tmp_path):
    """JSONL and Parquet given as URLs go through Spark's readers, with the same result."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from copydesk.runners.inputs import read_local
    from copydesk.runners.local import run_local
    from copydesk.runners.spark import run_spark
    from copydesk.runners.stages import BatchSettings, batch_settings

    arts, _ = read_local([str(SEEDS)])
    rows = [{"id": a.id, "text": a.text} for a in arts]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:3]) + "{broken\n")
    pq.write_table(pa.Table.from_pylist(rows[3:] + [{"id": None, "text": "no id here"}]), tmp_path / "b.parquet")
    out = tmp_path / "out"
    counts = run_spark([], [f"file://{tmp_path}/a.jsonl", f"file://{tmp_path}/b.parquet"], batch_settings(),
                       BatchSettings(), out, spark=spark)
    assert counts["articles"] == 5 and counts["skipped"] == 2
    local = run_local(arts, batch_settings())
    got = pd.read_parquet(out / "articles").set_index("id").sort_index()
    want = pd.DataFrame(local.articles).set_index("id").sort_index()
    assert got[["story", "relation", "source"]].fillna("-").equals(want[["story", "relation", "source"]].fillna("-"))
