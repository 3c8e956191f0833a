"""`copydesk eval align` on the SuperPAL dev file, against its floor in eval_floors.json."""

from __future__ import annotations

import json

from copydesk.evaluate.align import load


def test_eval_align_floor(run_eval, check_floors):
    got = run_eval("align")
    assert got["gold_recall_at_3"] <= got["gold_recall_at_3_ceiling"] + 1e-9
    check_floors("align", got)


def test_reading_superpal_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    rows = [{"topic": "t", "summary_sentence": "S1.", "doc_sentence": "D1."},
            {"topic": "t", "summary_sentence": "S1.", "doc_sentence": "D2."},
            {"topic": "t", "summary_sentence": "S2.", "doc_sentence": "D1."}]
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert load(p) == {"t": {"S1.": {"D1.", "D2."}, "S2.": {"D1."}}}
    assert load(p, limit=1) == {"t": {"S1.": {"D1.", "D2."}}}
