"""`copydesk eval stories` on a fixed sample of ECB+ dev, against its floors in eval_floors.json.

The sample (``limit``) is the first whole topics of the file (it includes topic 10, two Mark Teixeira
contract stories, a hard negative); the floors sit a little below the figures measured when they were
set. Skipped, with a message, when the data folder is absent (set ``COPYDESK_DATA``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from copydesk.cli import main

FLOORS = json.loads((Path(__file__).resolve().parent / "eval_floors.json").read_text(encoding="utf-8"))


def run_eval(key: str, data_dir: Path, tmp_path: Path) -> dict:
    spec = FLOORS[key]
    path = data_dir / spec["data"]
    if not path.is_file():
        pytest.skip(f"{path} not found: set COPYDESK_DATA to the shared/data folder")
    out = tmp_path / f"{key}.json"
    args = ["eval", spec["task"], "--data", str(path), "--json", str(out)]
    if spec.get("limit"):
        args += ["--limit", str(spec["limit"])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, f"copydesk {' '.join(args)} failed: {res.output[-3000:]}"
    return json.loads(out.read_text(encoding="utf-8"))


def below_floors(key: str, got: dict) -> dict:
    return {
        m: (got.get(m), floor)
        for m, floor in FLOORS[key]["min"].items()
        if got.get(m) is None or got[m] < floor
    }


def test_eval_stories_floor(data_dir: Path, tmp_path: Path) -> None:
    got = run_eval("stories", data_dir, tmp_path)
    assert got["n"] == FLOORS["stories"]["limit"]
    assert got["items_per_s"] > 0
    assert 0.0 <= got["b3_precision"] <= 1.0 and 0.0 <= got["b3_recall"] <= 1.0
    low = below_floors("stories", got)
    assert not low, f"stories below floors (measured, floor): {low}; all metrics: {got}"
