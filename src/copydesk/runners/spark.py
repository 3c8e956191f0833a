"""The Spark engine: the same stage functions as the local engine, scheduled by PySpark.

1. per chunk of articles (``groupBy(chunk).applyInPandas``): ``analyze_chunk`` (clean,
   segment, featurize; the embedder loads once per Python worker);
2. candidates: LSH band keys exploded and grouped by ``(band, key)``; document vectors
   exploded into k-means buckets and grouped by bucket (exact search inside a bucket), each
   article's nearest kept with a window; rare entities exploded into posting lists;
3. first-tier scoring: inside each posting list's own task (each member's features shipped
   once per list, not once per pair), the other pairs joined with both articles' features;
4. connected components of the first-tier links: min-label propagation with pointer
   jumping, all joins, checkpointed each round;
5. sentence vectors of component members: sentences exploded, each distinct text encoded
   once, reassembled per article;
6. per component (``cogroup`` of members and their pairs): ``place_batch_component`` (second
   tier, completion, stories, tracing); singletons on their own.

Nothing collects pairs or articles to the driver; the driver holds only the k-means
training sample (``kmeans_per_centroid`` vectors per bucket).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import candidates as C
from ..analyze import encode_sentences
from ..config import Limits, Settings
from ..place import LINKED
from ..records import Article, TermStats
from ..score import needs_alignment, score_cheap
from ..store.codec import (
    ARTICLE_FIELDS,
    FEATURE_FIELDS,
    article_from_record,
    features_from_record,
    pair_from_record,
    pair_record,
    row_from_record,
    svec_from_bytes,
)
from .stages import BatchSettings, analyze_chunk, place_batch_component
from .tables import spark_ddl

ARTICLE_DDL = ", ".join(f"{f} string" for f in ARTICLE_FIELDS)
ANALYSED_DDL = (
    ARTICLE_DDL + ", analysis string, signature binary, doc_vector binary, entities string, "
    "numbers string, terms string, n_tokens int, n_artifacts int, bands array<bigint>, ents array<string>, "
    "vocab array<string>"
)
NO_TERMS = TermStats(0, {})  # a single article traces nothing by terms
OUT_DDL = (
    "kind string, id string, title string, story string, family string, relation string, source string, "
    "score double, artifacts array<struct<kind:string,start:bigint,end:bigint,text:string>>, "
    "articles array<string>, reference string, families array<array<string>>, common_source_missing boolean, "
    "evidence array<string>, a string, b string, scores string"
)
OUT_COLS = [c.split()[0] for c in re.split(r",\s*(?![^<]*>)", OUT_DDL)]
_LOCAL = re.compile(r"^local(\[(\*|\d+)(,\d+)?\])?$")


# -- session ----------------------------------------------------------------------------------


def _local_cores(master: str) -> int | None:
    m = _LOCAL.match(master)
    if not m:
        return None
    n = m.group(2)
    return os.cpu_count() or 1 if n in (None, "*") else int(n)


def spark_session(master: str = "local[2]", partitions: int | None = None):
    """A SparkSession for copydesk: local masters bind to 127.0.0.1 and use this interpreter."""
    from pyspark.sql import SparkSession

    cores = _local_cores(master)
    if cores is not None or "PYSPARK_PYTHON" not in os.environ:
        os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    b = SparkSession.builder.master(master).appName("copydesk-batch")
    if cores is not None:
        b = (
            b.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", os.environ.get("COPYDESK_SPARK_DRIVER_MEMORY", "4g"))
        )
        threads = max(1, (os.cpu_count() or 1) // cores)
        b = b.config("spark.executorEnv.COPYDESK_THREADS", str(threads))
    shuffle = partitions or 2 * (cores or 8)
    for k, v in {
        "spark.sql.shuffle.partitions": str(shuffle),
        "spark.default.parallelism": str(shuffle),
        # Partitions carry heavy Python work on little data: never merge them.
        "spark.sql.adaptive.coalescePartitions.enabled": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
        "spark.python.worker.reuse": "true",
        "spark.ui.showConsoleProgress": "false",
        "spark.executorEnv.OMP_NUM_THREADS": "1",
        "spark.executorEnv.OPENBLAS_NUM_THREADS": "1",
        "spark.executorEnv.HF_HUB_OFFLINE": "1",
        "spark.executorEnv.TRANSFORMERS_OFFLINE": "1",
    }.items():
        b = b.config(k, v)
    if os.environ.get("COPYDESK_CACHE"):
        b = b.config("spark.executorEnv.COPYDESK_CACHE", os.environ["COPYDESK_CACHE"])
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# -- inputs -------------------------------------------------------------------------------------


def _frame(rows: Iterator[dict[str, Any]], cols: Sequence[str]) -> pd.DataFrame:
    """Rows -> a DataFrame for Arrow: every column present, object dtype, None (never NaN) for
    missing values (an all-NaN float column would not convert to a string column)."""
    cols = list(cols)
    data = [[r.get(c) for c in cols] for r in rows]
    return pd.DataFrame(data, columns=cols, dtype=object)


def _records_fn(limits: Limits, jsonl: bool, id_field: str = "id"):
    """mapInPandas: raw JSONL lines or Parquet records -> article rows (+ error); ids from the
    field ``id_field`` (a record without it is refused, naming an id-like field it has)."""
    from ..ingest import InputError, id_like_field, record_to_article
    from ..ingest import parse_json_line as _parse_json_line

    cols = list(ARTICLE_FIELDS) + ["error"]

    def run(batches):
        for pdf in batches:
            out: list[dict[str, Any]] = []
            for rec in pdf.to_dict("records"):
                src = rec.pop("_file", None) or ""
                stem = Path(src).stem or "record"
                try:
                    if jsonl:
                        line = rec["value"]
                        if not line or not line.strip():
                            continue
                        obj = _parse_json_line(line.encode("utf-8"), False)
                    else:
                        obj = {k: v for k, v in rec.items() if v is not None}
                        if id_field in obj:
                            obj[id_field] = str(obj[id_field])
                    if obj.get(id_field) is None:
                        other = id_like_field(obj) if id_field == "id" else None
                        hint = f"; it has '{other}': give --id-field {other}" if other else ""
                        raise InputError(f"missing field '{id_field}' (required for inputs read by Spark){hint}")
                    a = record_to_article(obj, limits, stem, 0, source_path=src, id_field=id_field)
                    out.append({**{f: getattr(a, f) for f in ARTICLE_FIELDS}, "error": None})
                except InputError as e:
                    out.append({"id": None, "source_path": src, "error": f"{src}: {e}"})
            yield _frame(iter(out), cols)

    return run


def read_urls(spark, urls: Sequence[str], limits: Limits, id_field: str = "id"):
    """Articles of JSONL/Parquet URLs read by Spark; (articles DataFrame, errors DataFrame)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ..ingest import ID_LIKE_FIELDS

    parquet = [u for u in urls if u.rstrip("/").lower().endswith(".parquet") or "parquet" in u.lower()]
    lines = [u for u in urls if u not in parquet]
    bad = [u for u in lines if not re.search(r"\.(jsonl|ndjson|json)(\.gz|\.bz2)?$|[*?]", u.lower())]
    if bad:
        raise ValueError(
            f"{bad[0]}: cannot tell the format; give .jsonl/.ndjson or .parquet files (globs work)"
        )
    frames = []
    out_ddl = ARTICLE_DDL + ", error string"
    if lines:
        df = spark.read.text(lines).withColumn("_file", F.input_file_name())
        frames.append(df.mapInPandas(_records_fn(limits, True, id_field), out_ddl))
    if parquet:
        df = spark.read.parquet(*parquet)
        wanted = (id_field, "text", "title", "url", "site", "published", *ID_LIKE_FIELDS)
        have = [c for c in dict.fromkeys(wanted) if c in df.columns]
        if "text" not in have:
            raise ValueError(f"{parquet[0]}: no 'text' column")
        df = df.select(*[F.col(c).cast("string") for c in have]).withColumn("_file", F.input_file_name())
        frames.append(df.mapInPandas(_records_fn(limits, False, id_field), out_ddl))
    allrows = frames[0]
    for f in frames[1:]:
        allrows = allrows.unionByName(f)
    allrows = allrows.persist()
    errors = allrows.where(F.col("error").isNotNull()).select("error")
    good = allrows.where(F.col("error").isNull()).drop("error").withColumn("_h", F.sha2("text", 256))
    # One article per id: the same text again is the same article; other text is rejected
    # (the first by file name and content hash is kept: lines carry no order in a distributed read).
    w = Window.partitionBy("id").orderBy("source_path", "_h")
    ranked = good.withColumn("_r", F.row_number().over(w)).withColumn("_h1", F.first("_h").over(w))
    keep = ranked.where(F.col("_r") == 1).drop("_r", "_h", "_h1")
    rejected = ranked.where((F.col("_r") > 1) & (F.col("_h") != F.col("_h1"))).select(
        F.concat(
            F.coalesce("source_path", F.lit("")),
            F.lit(": duplicate id '"),
            "id",
            F.lit("' with different text; rejected"),
        ).alias("error")
    )
    return keep, errors.unionByName(rejected)


def articles_frame(spark, articles: Sequence[Article], urls: Sequence[str], limits: Limits, id_field: str = "id"):
    """All input articles as one DataFrame (ids unique), and the number of skipped records."""
    from pyspark.sql import functions as F

    frames = []
    if articles:
        pdf = _frame(({f: getattr(a, f) for f in ARTICLE_FIELDS} for a in articles), ARTICLE_FIELDS)
        frames.append(spark.createDataFrame(pdf, schema=ARTICLE_DDL))
    n_err = 0
    if urls:
        remote, errors = read_urls(spark, urls, limits, id_field)
        for r in errors.limit(20).collect():
            print(f"skipped {r['error']}", file=sys.stderr)
        n_err = errors.count()
        if articles:  # an id already read locally wins
            remote = remote.join(frames[0].select("id"), "id", "left_anti")
        frames.append(remote.select(*ARTICLE_FIELDS))
    df = frames[0]
    for f in frames[1:]:
        df = df.unionByName(f)
    return df.where(F.col("id").isNotNull()), n_err


# -- stage wrappers (pandas in, pandas out) ----------------------------------------------------


def _analyze_fn(settings: Settings):
    cols = [c.split()[0] for c in ANALYSED_DDL.split(", ")]

    def run(pdf):
        arts = [article_from_record(r) for r in pdf.to_dict("records")]
        return _frame(iter(analyze_chunk(arts, settings)), cols)

    return run


def _bucket_pairs_fn(fn, cap: int):
    def run(batches):
        for pdf in batches:
            a: list[str] = []
            b: list[str] = []
            for members in pdf["m"]:
                for x, y in fn(list(members), cap):
                    a.append(x)
                    b.append(y)
            yield pd.DataFrame({"a": a, "b": b}, columns=["a", "b"])

    return run


def _assign_fn(centroids: np.ndarray | None, probes: int):
    def run(batches):
        for pdf in batches:
            if pdf.empty:
                continue
            vecs = np.vstack([np.frombuffer(bytes(v), dtype=np.float32) for v in pdf["doc_vector"]])
            if centroids is None:
                lab = np.zeros((len(pdf), 1), np.int64)
            else:
                lab = C.assign_buckets(vecs, centroids, probes)
            reps = lab.shape[1]
            yield pd.DataFrame(
                {
                    "bucket": lab.reshape(-1),
                    "id": np.repeat(pdf["id"].to_numpy(), reps),
                    "doc_vector": np.repeat(pdf["doc_vector"].to_numpy(), reps),
                }
            )

    return run


def _neighbours_fn(settings: Settings, bs: BatchSettings):
    def run(pdf):
        vecs = np.vstack([np.frombuffer(bytes(v), dtype=np.float32) for v in pdf["doc_vector"]])
        a, b, c = C.bucket_neighbours(
            list(pdf["id"]),
            vecs,
            settings.vector_min_cosine,
            settings.vector_max_neighbours,
            bs.max_semantic_bucket,
            min_n=settings.vector_min_neighbours,
        )
        return pd.DataFrame({"a": a, "b": b, "cos": c}, columns=["a", "b", "cos"])

    return run


def _features(rec: dict[str, Any], prefix: str, cache: dict):
    i = rec[prefix]
    f = cache.get(i)
    if f is None:
        f = cache[i] = features_from_record({"id": i, **{k: rec[f"{prefix}_{k}"] for k in FEATURE_FIELDS}})
    return f


def _tier1_fn(model):
    import json

    cols = ["a", "b", "relation", "score", "scores", "x"]

    def run(batches):
        cache: dict[str, Any] = {}
        for pdf in batches:
            out = []
            for rec in pdf.to_dict("records"):
                a, b = rec["a"], rec["b"]
                x, p = score_cheap(a, b, _features(rec, "a", cache), _features(rec, "b", cache), model)
                out.append({**pair_record(p), "x": json.dumps(x) if needs_alignment(p) else None})
            if len(cache) > 20_000:
                cache.clear()
            yield _frame(iter(out), cols)

    return run


def _posting_tier1_fn(model, min_shared: int):
    """applyInPandas over one rare entity's posting list: first tier for the pairs that share at
    least ``min_shared`` valid entities and whose smallest shared one is this one (so every pair
    is scored in exactly one list)."""
    import json

    cols = ["a", "b", "relation", "score", "scores", "x"]

    def run(pdf):
        recs = sorted(pdf.to_dict("records"), key=lambda r: r["id"])
        if not recs:
            return _frame(iter([]), cols)
        e = recs[0]["e"]
        ents = {r["id"]: set(r["ve"]) for r in recs}
        feats = {r["id"]: features_from_record(r) for r in recs}
        out = []
        for i, ra in enumerate(recs):
            a = ra["id"]
            for rb in recs[i + 1 :]:
                b = rb["id"]
                shared = ents[a] & ents[b]
                if len(shared) < min_shared or min(shared) != e:
                    continue
                x, p = score_cheap(a, b, feats[a], feats[b], model)
                out.append({**pair_record(p), "x": json.dumps(x) if needs_alignment(p) else None})
        return _frame(iter(out), cols)

    return run


def _explode_sentences_fn():
    from ..store.codec import analysis_from_json

    cols = ["id", "idx", "text"]

    def run(batches):
        for pdf in batches:
            out: list[dict[str, Any]] = []
            for rec in pdf.to_dict("records"):
                _clean, sents = analysis_from_json(article_from_record(rec), rec["analysis"])
                out.extend({"id": rec["id"], "idx": s.idx, "text": s.text} for s in sents)
            yield _frame(iter(out), cols)

    return run


def _encode_fn(settings: Settings):
    def run(batches):
        for pdf in batches:
            texts = list(pdf["text"])
            vecs = encode_sentences(texts, settings)
            yield pd.DataFrame({"text": texts, "vec": [v.astype(np.float32).tobytes() for v in vecs]},
                               columns=["text", "vec"])

    return run


def _assemble_fn():
    def run(batches):
        for pdf in batches:
            out = []
            for rec in pdf.to_dict("records"):
                parts = sorted(rec["v"], key=lambda x: x["idx"])
                out.append({"id": rec["id"], "svec": b"".join(bytes(x["vec"]) for x in parts)})
            yield _frame(iter(out), ["id", "svec"])

    return run


def _out_rows(placed) -> list[dict[str, Any]]:
    rows = []
    for kind, items in (("article", placed.articles), ("story", placed.stories), ("pair", placed.new_pairs)):
        for r in items:
            # Every column present (None, not NaN, where a kind has no value).
            rows.append({c: (kind if c == "kind" else r.get(c)) for c in OUT_COLS})
    return rows


def _place_fn(settings: Settings, model, terms):
    """Per component; ``terms``: the broadcast corpus document frequencies."""
    import json

    def run(members, prs):
        recs = members.to_dict("records")
        rows = {r["id"]: row_from_record(r) for r in recs}
        svecs = {r["id"]: svec_from_bytes(r["svec"]) for r in recs if r.get("svec") is not None}
        first = {}
        for p in prs.to_dict("records"):
            x = json.loads(p["x"]) if p.get("x") is not None else None
            first[(p["a"], p["b"])] = (x, pair_from_record(p))
        placed = place_batch_component(sorted(rows), rows, first, svecs, settings, model, terms.value)
        return _frame(iter(_out_rows(placed)), OUT_COLS)

    return run


def _place_single_fn(settings: Settings, model):
    def run(batches):
        for pdf in batches:
            out = []
            for rec in pdf.to_dict("records"):
                row = row_from_record(rec)
                out.extend(
                    _out_rows(
                        place_batch_component(
                            [row.article.id], {row.article.id: row}, {}, {}, settings, model, NO_TERMS
                        )
                    )
                )
            yield _frame(iter(out), OUT_COLS)

    return run


def _chunk_udf(chunks: int):
    from pyspark.sql.functions import pandas_udf

    def chunk(ids: pd.Series) -> pd.Series:
        return ids.map(lambda x: C.chunk_of(x, chunks)).astype("int32")

    return pandas_udf(chunk, "int")  # type: ignore[call-overload]


def _hash_udf():
    from pyspark.sql.functions import pandas_udf

    def id_hash(ids: pd.Series) -> pd.Series:
        return ids.map(C.id_hash).astype("int64")

    return pandas_udf(id_hash, "bigint")  # type: ignore[call-overload]


# -- connected components ---------------------------------------------------------------------


def connected_components(edges, max_rounds: int = 64):
    """(id, comp) for every node of ``edges`` (columns a, b): comp = the smallest id of its
    component. Min-label propagation along edges plus pointer jumping (a node takes its
    label's label), each round a checkpointed DataFrame; stops when no label changes."""
    from pyspark.sql import functions as F

    und = (
        edges.select(F.col("a").alias("src"), F.col("b").alias("dst"))
        .unionByName(edges.select(F.col("b").alias("src"), F.col("a").alias("dst")))
        .persist()
    )
    lab = und.select(F.col("src").alias("id")).distinct().withColumn("comp", F.col("id")).localCheckpoint()
    for _ in range(max_rounds):
        msg = und.join(lab.withColumnRenamed("id", "src"), "src").select(F.col("dst").alias("id"), "comp")
        new = lab.unionByName(msg).groupBy("id").agg(F.min("comp").alias("comp"))
        hop = new.select(F.col("id").alias("c"), F.col("comp").alias("cc"))
        new = (
            new.join(hop, new["comp"] == hop["c"], "left").select(
                "id", F.least("comp", F.coalesce("cc", "comp")).alias("comp")
            )
        ).localCheckpoint()
        changed = (
            new.join(lab.withColumnRenamed("comp", "old"), "id").where(F.col("comp") != F.col("old")).count()
        )
        lab = new
        if changed == 0:
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    und.unpersist()
    return lab


class _Clock:
    """Stage times on stderr when COPYDESK_VERBOSE=1 (Spark is lazy: a stage ends at an action)."""

    def __init__(self) -> None:
        import time

        self.on = os.environ.get("COPYDESK_VERBOSE") == "1"
        self.t = time.perf_counter()
        self.times: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        import time

        now = time.perf_counter()
        self.times[stage] = now - self.t
        self.t = now
        if self.on:
            print(f"[spark] {stage}: {self.times[stage]:.1f} s", file=sys.stderr)


class _PhaseProgress:
    """Progress of the Spark job's phases, in articles, driven from the driver: ``start(phase,
    total)`` puts the phase's jobs in a job group; a thread reads Spark's status tracker twice a
    second and reports ``progress(phase, done, total)`` with ``done`` the share of the group's tasks
    completed, scaled to the phase's articles (below ``total`` until the phase's action returns;
    ``end`` reports ``done == total``). Without ``progress``, nothing is polled."""

    def __init__(self, sc, progress: Callable[[str, int, int], None] | None) -> None:
        import threading

        self.sc, self.progress = sc, progress
        self.phase: tuple[str, int] | None = None
        self.done = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True) if progress else None
        if self.thread is not None:
            self.thread.start()

    def start(self, phase: str, total: int) -> None:
        self.sc.setJobGroup(f"copydesk-{phase}", phase)
        with self.lock:
            self.phase, self.done = (phase, total), 0
        if self.progress:
            self.progress(phase, 0, total)

    def end(self, total: int | None = None) -> None:
        with self.lock:
            phase, self.phase = self.phase, None
        if phase and self.progress:
            t = phase[1] if total is None else total
            self.progress(phase[0], t, t)

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _poll(self) -> None:
        while not self.stop.wait(0.5):
            try:
                self._report()
            except Exception:  # the tracker is advisory: a failed poll shows no progress, nothing more
                pass

    def _report(self) -> None:
        with self.lock:
            phase = self.phase
        if phase is None or not phase[1]:
            return
        tracker = self.sc.statusTracker()
        tasks = done = 0
        for job in tracker.getJobIdsForGroup(f"copydesk-{phase[0]}"):
            info = tracker.getJobInfo(job)
            for sid in info.stageIds if info else ():
                st = tracker.getStageInfo(sid)
                if st is not None:
                    tasks += st.numTasks
                    done += st.numCompletedTasks
        if tasks:
            with self.lock:
                if self.phase != phase:
                    return
                self.done = max(self.done, min(phase[1] - 1, done * phase[1] // tasks))
                n = self.done
            self.progress(phase[0], n, phase[1])  # type: ignore[misc]


# -- the job ------------------------------------------------------------------------------------


def run_spark(
    articles: Sequence[Article],
    urls: Sequence[str],
    settings: Settings,
    bs: BatchSettings,
    out: Path | str,
    master: str = "local[2]",
    partitions: int | None = None,
    spark=None,
    progress: Callable[[str, int, int], None] | None = None,
    id_field: str = "id",
) -> dict[str, int]:
    """Run the batch pipeline on Spark and write the tables under ``out``; returns counts.

    The steps of the module docstring, each a function below; a step ends at its Spark action
    (``count``), timed by ``_Clock``. ``progress(phase, done, total)`` follows the phases ``load``
    (the articles into Spark, URLs read),
    ``analyze``, ``score`` (candidates and first tier), ``components``, ``place`` and ``write``, each
    in articles (``_PhaseProgress``)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from ..score import default_model

    own = spark is None
    spark = spark or spark_session(master, partitions)
    model = default_model()
    disk = StorageLevel.MEMORY_AND_DISK
    clock = _Clock()
    bar = _PhaseProgress(spark.sparkContext, progress)
    try:
        bar.start("load", 0 if urls else len(articles))
        arts, n_err = articles_frame(spark, articles, urls, settings.limits, id_field)
        arts = arts.persist(disk)
        n = arts.count()
        bar.end(n)
        clock("read")
        if n == 0:
            raise ValueError("no readable article in the inputs")
        bar.start("analyze", n)
        analysed = _analysed(arts, n, settings, bs).persist(disk)
        terms = spark.sparkContext.broadcast(_term_stats(analysed, analysed.count()))
        arts.unpersist()
        bar.end()
        clock("analyze")
        bar.start("score", n)
        t1 = _first_tier_frame(analysed, n, settings, bs, model).persist(disk)
        n_first = t1.count()
        bar.end()
        clock("candidates+score")
        bar.start("components", n)
        labels = connected_components(t1.where(F.col("relation").isin(*LINKED)).select("a", "b")).persist(disk)
        bar.end()
        clock("components")
        bar.start("place", n)
        result = _placed_frame(analysed, t1, labels, settings, model, terms).persist(disk)
        result.count()
        bar.end()
        clock("place")
        bar.start("write", n)
        counts = _write_tables(result, t1, out)
        bar.end()
        clock("write")
        return {
            "articles": counts["article"],
            "stories": counts["story"],
            "pairs": n_first - counts["aligned"] + counts["pair"],
            "first_tier_pairs": n_first,  # = the local engine's counts["candidates"]
            "multi": counts["multi"],
            "skipped": n_err,
            "stage_seconds": dict(clock.times),
        }
    finally:
        bar.close()
        if own:
            spark.stop()


def _analysed(arts, n: int, settings: Settings, bs: BatchSettings):
    """Step 1, per chunk of articles: clean, segment, featurize (``analyze_chunk``)."""
    chunk_col = _chunk_udf(C.n_chunks(n, bs.chunk_size))
    return arts.withColumn("chunk", chunk_col("id")).groupBy("chunk").applyInPandas(
        _analyze_fn(settings), ANALYSED_DDL
    )


def _semantic_pairs(analysed, n: int, settings: Settings, bs: BatchSettings):
    """The semantic candidates (a < b): k-means buckets (centroids trained on the driver from the
    articles with the smallest id hashes), exact search inside each bucket, each article's
    ``vector_max_neighbours`` nearest inside the radius over its buckets, and at least its
    ``vector_min_neighbours`` nearest (``candidates.keep_directed``), kept with a window."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    k = C.semantic_k(n, bs.semantic_probes, bs.semantic_bucket)
    centroids = None
    if k > 1:
        sample = (
            analysed.select("doc_vector", _hash_udf()("id").alias("h"))
            .orderBy("h")
            .limit(C.sample_size(k, bs.kmeans_per_centroid))
            .collect()
        )
        vecs = np.vstack([np.frombuffer(bytes(r["doc_vector"]), dtype=np.float32) for r in sample])
        centroids = C.train_centroids(vecs, k, bs.kmeans_iters)
    bucketed = analysed.select("id", "doc_vector").mapInPandas(
        _assign_fn(centroids, bs.semantic_probes), "bucket bigint, id string, doc_vector binary"
    )
    directed = bucketed.groupBy("bucket").applyInPandas(
        _neighbours_fn(settings, bs), "a string, b string, cos double"
    )
    w = Window.partitionBy("a").orderBy(F.desc("cos"), F.asc("b"))
    return (
        directed.groupBy("a", "b")
        .agg(F.max("cos").alias("cos"))
        .withColumn("r", F.row_number().over(w))
        .withColumn("inside", F.sum((F.col("cos") >= settings.vector_min_cosine).cast("int")).over(
            Window.partitionBy("a")))
        .where(
            F.col("r") <= F.greatest(
                F.least(F.col("inside"), F.lit(settings.vector_max_neighbours)),
                F.lit(settings.vector_min_neighbours),
            )
        )
        .select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"))
        .where(F.col("a") != F.col("b"))
    )


def _first_tier_frame(analysed, n: int, settings: Settings, bs: BatchSettings, model):
    """Steps 2 and 3: the candidates and their first tier (a, b, relation, score, scores, x).

    Rare-entity posting lists of 2..entity_max_postings articles are scored in the posting's own
    task, which needs each member's features once, not once per pair (they are most of the
    candidates: ~100 per article at 10k); band and semantic pairs that share fewer than
    ``entity_min_shared`` valid entities are joined with both articles' features."""
    from pyspark.sql import functions as F

    band = (
        analysed.select("id", F.posexplode("bands").alias("band", "key"))
        .groupBy("band", "key")
        .agg(F.collect_list("id").alias("m"))
        .where(F.size("m") > 1)
        .select("m")
        .mapInPandas(_bucket_pairs_fn(C.bucket_pairs, bs.max_band_bucket), "a string, b string")
    )
    postings = analysed.select("id", F.explode("ents").alias("e"))
    sizes = postings.groupBy("e").count().where(
        (F.col("count") > 1) & (F.col("count") <= settings.entity_max_postings)
    )
    valid = postings.join(sizes.select("e"), "e")  # (e, id) for the postings that give pairs
    valid_ents = valid.groupBy("id").agg(F.array_sort(F.collect_list("e")).alias("ve"))
    sem = _semantic_pairs(analysed, n, settings, bs)
    # An article without valid entities has no row in valid_ents: null after the join.
    va = valid_ents.select(F.col("id").alias("a"), F.col("ve").alias("va"))
    vb = valid_ents.select(F.col("id").alias("b"), F.col("ve").alias("vb"))
    other = (
        band.unionByName(sem)
        .distinct()
        .join(va, "a", "left")
        .join(vb, "b", "left")
        .where(
            F.col("va").isNull()
            | F.col("vb").isNull()
            | (F.size(F.array_intersect("va", "vb")) < settings.entity_min_shared)
        )
        .select("a", "b")
    )
    feat = analysed.select("id", *FEATURE_FIELDS)
    fa = feat.select(F.col("id").alias("a"), *[F.col(c).alias(f"a_{c}") for c in FEATURE_FIELDS])
    fb = feat.select(F.col("id").alias("b"), *[F.col(c).alias(f"b_{c}") for c in FEATURE_FIELDS])
    t1_ddl = "a string, b string, relation string, score double, scores string, x string"
    t1_joined = other.join(fa, "a").join(fb, "b").mapInPandas(_tier1_fn(model), t1_ddl)
    in_postings = valid.join(valid_ents, "id").join(feat, "id")
    t1_postings = in_postings.groupBy("e").applyInPandas(
        _posting_tier1_fn(model, settings.entity_min_shared), t1_ddl
    )
    return t1_joined.unionByName(t1_postings)


def _term_stats(analysed, n: int) -> TermStats:
    """The corpus document frequencies (``records.TermStats``) of the terms in two or more articles
    (a term missing from them is in one), collected for broadcast to the placement step."""
    from pyspark.sql import functions as F

    df = analysed.select(F.explode("vocab").alias("t")).groupBy("t").count().where(F.col("count") > 1)
    return TermStats(n, {r["t"]: int(r["count"]) for r in df.toLocalIterator()})


def _placed_frame(analysed, t1, labels, settings: Settings, model, terms):
    """Steps 5 and 6: sentence vectors of component members (each distinct sentence encoded
    once), then per component (``cogroup`` of members and pairs) ``place_batch_component``;
    singletons on their own. Rows of ``OUT_DDL`` (kind article, story or pair)."""
    from pyspark.sql import functions as F

    members = analysed.drop("bands", "ents", "vocab").join(labels, "id")
    sents = members.select(*ARTICLE_FIELDS, "analysis").mapInPandas(
        _explode_sentences_fn(), "id string, idx int, text string"
    )
    vecs = sents.select("text").distinct().mapInPandas(_encode_fn(settings), "text string, vec binary")
    svecs = (
        sents.join(vecs, "text")
        .groupBy("id")
        .agg(F.collect_list(F.struct("idx", "vec")).alias("v"))
        .mapInPandas(_assemble_fn(), "id string, svec binary")
    )
    la = labels.select(F.col("id").alias("a"), F.col("comp").alias("ca"))
    lb = labels.select(F.col("id").alias("b"), F.col("comp").alias("cb"))
    comp_pairs = (
        t1.join(la, "a")
        .join(lb, "b")
        .where(F.col("ca") == F.col("cb"))
        .select(F.col("ca").alias("comp"), "a", "b", "relation", "score", "scores", "x")
    )
    placed = (
        members.join(svecs, "id", "left")
        .groupBy("comp")
        .cogroup(comp_pairs.groupBy("comp"))
        .applyInPandas(_place_fn(settings, model, terms), OUT_DDL)
    )
    singles = (
        analysed.drop("bands", "ents", "vocab")
        .join(labels, "id", "left_anti")
        .mapInPandas(_place_single_fn(settings, model), OUT_DDL)
    )
    return placed.unionByName(singles)


def _write_tables(result, t1, out: Path | str) -> dict[str, int]:
    """Step 7: the three tables under ``out``; counts of rows by kind, of multi-article stories
    and of first-tier pairs that went to the second tier (``aligned``)."""
    from pyspark.sql import functions as F

    pair_cols = ["a", "b", "relation", "score", "scores"]
    pairs = t1.where(F.col("x").isNull()).select(*pair_cols)
    ddl = spark_ddl()
    art_cols = [c.split()[0] for c in re.split(r",\s*(?![^<]*>)", ddl["articles"])]
    story_cols = [c.split()[0] for c in re.split(r",\s*(?![^<]*>)", ddl["stories"])]
    out_s = str(out)
    articles_t = result.where(F.col("kind") == "article").select(*art_cols)
    stories_t = result.where(F.col("kind") == "story").select(*story_cols)
    pairs_t = pairs.unionByName(result.where(F.col("kind") == "pair").select(*pair_cols))
    articles_t.write.mode("overwrite").parquet(out_s.rstrip("/") + "/articles")
    pairs_t.write.mode("overwrite").parquet(out_s.rstrip("/") + "/pairs")
    stories_t.write.mode("overwrite").parquet(out_s.rstrip("/") + "/stories")
    by_kind = {r["kind"]: r["count"] for r in result.groupBy("kind").count().collect()}
    return {
        "article": by_kind.get("article", 0),
        "story": by_kind.get("story", 0),
        "pair": by_kind.get("pair", 0),
        "multi": stories_t.where(F.size("articles") > 1).count(),
        "aligned": t1.where(F.col("x").isNotNull()).count(),
    }
