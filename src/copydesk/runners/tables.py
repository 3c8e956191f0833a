"""The output tables of ``copydesk batch``: one schema, written by either engine.

- ``articles/``: id, title, story, family, relation, source, score, artifacts (list of
  {kind, start, end, text}; offsets into the raw text);
- ``pairs/``: a, b, relation, score, scores (JSON object of every feature and probability);
- ``stories/``: id, title, articles, reference, families, common_source_missing, evidence.

The local engine writes one ``part-00000.parquet`` per table; Spark writes its usual part
files. Read either with ``pandas.read_parquet(DIR / "articles")``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TABLES = ("articles", "pairs", "stories")


def arrow_schemas() -> dict[str, Any]:
    import pyarrow as pa

    artifact = pa.struct(
        [("kind", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())]
    )
    return {
        "articles": pa.schema(
            [
                ("id", pa.string()),
                ("title", pa.string()),
                ("story", pa.string()),
                ("family", pa.string()),
                ("relation", pa.string()),
                ("source", pa.string()),
                ("score", pa.float64()),
                ("artifacts", pa.list_(artifact)),
            ]
        ),
        "pairs": pa.schema(
            [
                ("a", pa.string()),
                ("b", pa.string()),
                ("relation", pa.string()),
                ("score", pa.float64()),
                ("scores", pa.string()),
            ]
        ),
        "stories": pa.schema(
            [
                ("id", pa.string()),
                ("title", pa.string()),
                ("articles", pa.list_(pa.string())),
                ("reference", pa.string()),
                ("families", pa.list_(pa.list_(pa.string()))),
                ("common_source_missing", pa.bool_()),
                ("evidence", pa.list_(pa.string())),
            ]
        ),
    }


def spark_ddl() -> dict[str, str]:
    """The same schemas as Spark DDL strings."""
    return {
        "articles": "id string, title string, story string, family string, relation string, source string, "
        "score double, artifacts array<struct<kind:string,start:bigint,end:bigint,text:string>>",
        "pairs": "a string, b string, relation string, score double, scores string",
        "stories": "id string, title string, articles array<string>, reference string, "
        "families array<array<string>>, common_source_missing boolean, evidence array<string>",
    }


def prepare_out_dir(out_dir: Path) -> None:
    """Create ``out_dir``; replace earlier tables in it, but never other files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"--out {out_dir}: exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        d = out_dir / name
        if not d.exists():
            continue
        if not d.is_dir():
            raise ValueError(
                f"--out {out_dir}: {name} exists and is not a table folder; choose another --out"
            )
        foreign = [
            p.name
            for p in d.iterdir()
            if not (p.name.startswith(("part-", "_SUCCESS", "._SUCCESS", ".part-")) or p.suffix == ".crc")
        ]
        if foreign:
            raise ValueError(
                f"--out {out_dir}: {name}/ holds files that are not table parts "
                f"({', '.join(sorted(foreign)[:3])}); choose another --out"
            )
        shutil.rmtree(d)


def write_local(out_dir: Path, name: str, rows: Sequence[dict[str, Any]] | Any) -> None:
    """Write one table (a list of row dicts, or a pyarrow Table of the table's schema)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schemas()[name]
    d = out_dir / name
    d.mkdir(parents=True, exist_ok=True)
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(list(rows), schema=schema)
    pq.write_table(table.cast(schema), d / "part-00000.parquet")
