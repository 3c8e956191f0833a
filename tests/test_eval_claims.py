"""`copydesk eval claims` on fixed samples of the dev files, against the floors in eval_floors.json."""

from __future__ import annotations

import json

import pytest

from copydesk.evaluate.claims import detect, detokenise, load, predict


@pytest.mark.parametrize("key", ["claims_summedits", "claims_aggrefact", "claims_qags"])
def test_eval_claims_floor(key, run_eval, check_floors, eval_floors):
    got = run_eval(key)
    assert got["n"] == eval_floors[key]["limit"] or eval_floors[key]["limit"] is None
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
    # Split figures and compounds are joined even in a sentence with no other sign of tokenisation: "74 - year"
    # was read as a duration and "contradicted" a source's "five year term".
    assert detokenise("The 74 - year - old has ruled since 1989.") == "The 74-year-old has ruled since 1989."
    assert detokenise("Barcelona will bid £ 50 m for him.") == "Barcelona will bid £50m for him."
    assert detokenise("He was - as always - late.") == "He was - as always - late."


def test_item_prediction_from_claims():
    assert predict([]) == (0, 0.0, "supported")
    cs = [{"status": "supported", "score": 0.1}, {"status": "unsupported", "score": 0.7},
          {"status": "contradicted", "score": 0.6}]
    assert predict(cs) == (1, 0.7, "contradicted")
