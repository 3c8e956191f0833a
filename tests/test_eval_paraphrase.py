"""`copydesk eval paraphrase` on a fixed MRPC sample, against its floor in eval_floors.json."""

from __future__ import annotations

import json

from copydesk.evaluate.paraphrase import clean, load


def test_eval_paraphrase_floor(run_eval, check_floors):
    got = run_eval("paraphrase")
    assert got["items_per_s"] > 0
    check_floors("paraphrase", got)


def test_reading_mrpc_lines(tmp_path):
    p = tmp_path / "m.jsonl"
    p.write_text(json.dumps({"sentence1": "He said <QUOTE> yes <QUOTE> .", "sentence2": "Yes , he said .",
                             "label": 1}) + "\n")
    ((a, b, lab),) = load(p)
    assert "<QUOTE>" not in a and '"' in a and b == "Yes, he said." and lab == 1
    assert clean("Shares rose 3 , analysts said .") == "Shares rose 3, analysts said."
