"""`copydesk eval claims` on fixed samples of the dev files, against the floors in eval_floors.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from copydesk.cli import main
from copydesk.evaluate.claims import detect, detokenise, load, predict

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text())


def run_eval(key: str, data_dir: Path, tmp_path: Path) -> dict:
    spec = FLOORS[key]
    path = data_dir / spec["data"]
    if not path.exists():
        pytest.skip(f"{path} not found: set COPYDESK_DATA to the shared/data folder")
    out = tmp_path / f"{key}.json"
    args = ["eval", spec["task"], "--data", str(path), "--json", str(out)]
    if spec.get("limit"):
        args += ["--limit", str(spec["limit"])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def check_floors(key: str, got: dict) -> None:
    for metric, floor in FLOORS[key]["min"].items():
        assert got[metric] is not None and got[metric] >= floor, f"{key}: {metric} {got[metric]} < floor {floor}"


@pytest.mark.parametrize("key", ["claims_summedits", "claims_aggrefact", "claims_qags"])
def test_eval_claims_floor(key, data_dir, tmp_path):
    got = run_eval(key, data_dir, tmp_path)
    assert got["n"] == FLOORS[key]["limit"] or FLOORS[key]["limit"] is None
    assert got["items_per_s"] > 0
    if key == "claims_aggrefact":
        assert "macro_f1" in got and "binary_balanced_accuracy" in got
    check_floors(key, got)


def test_format_detection_and_reading(tmp_path):
    assert detect({"doc": "d", "summary": "s", "label": 1}) == "summedits"
    assert detect({"doc": "d", "claim": "c", "label": 0}) == "qags"
    assert detect({"doc": "d", "summary": "s", "label3": "contradicted", "label": 0}) == "aggrefact"
    with pytest.raises(ValueError):
        detect({"text": "x"})
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"doc": "A b c .", "summary": "s", "label3": "unsupported"}) + "\n")
    (it,) = load(p)
    assert it.consistent == 0 and it.label3 == "unsupported"
    assert detokenise("about 3, 800 km , near moscow .") == "about 3,800 km, near moscow."
    assert detokenise("Plain text, as written.") == "Plain text, as written."


def test_item_prediction_from_claims():
    assert predict([]) == (0, 0.0, "supported")
    cs = [{"status": "supported", "score": 0.1}, {"status": "unsupported", "score": 0.7},
          {"status": "contradicted", "score": 0.6}]
    assert predict(cs) == (1, 0.7, "contradicted")
