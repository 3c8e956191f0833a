"""`copydesk eval rewrites` on fixed samples of LLMFake dev, against its floors in eval_floors.json.

``rewrites``: recall@1 of the original, direction accuracy (full and content-only model),
manipulated-vs-faithful AUC, on the CoAID block at the head of the file (all three generation
methods for each of its news items).

``rewrites_bent``: the same command on bent rewrites (``scripts/build_bent_rewrites.py``: facts
of a faithful paraphrase changed) of a fixed sample of originals from both source datasets,
built at test time in a temporary folder (LLMFake has no stated licence: never copied here).
Per bent kind: recall@1 at least the TF-IDF baseline's, the rewrite stays in its original's
story, direction, reference and the missing-source false positives. Skipped, with a message,
when the data folder is absent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bent_module():
    spec = importlib.util.spec_from_file_location(
        "build_bent_rewrites", ROOT / "scripts" / "build_bent_rewrites.py"
    )
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_eval_rewrites_floor(run_eval, check_floors, eval_floors) -> None:
    got = run_eval("rewrites")
    assert got["n"] == eval_floors["rewrites"]["limit"]
    assert got["items_per_s"] > 0
    for m in ("open_ended_generation", "paraphrase_generation", "rewrite_generation"):
        assert f"recall_at_1_{m}" in got, "the sample must hold all three generation methods"
    # Finding the source is not worse than plain TF-IDF retrieval over the same originals, for every kind.
    # Until session 23 a faithful paraphrase of this sample sat below the semantic radius, paired with no
    # original (0.988 against TF-IDF's 1.0); each article's three nearest texts are now candidates too.
    assert got["recall_at_1"] >= got["tfidf_recall_at_1"] - 1e-9
    # Sources are ranked by corpus TF-IDF over the scored candidates, not by the relation model's saturated
    # pair probabilities: on the full dev file 0.9793 against 0.9765. On this sample TF-IDF led 0.981 to 0.969
    # until session 21 repaired the Mac Roman quotes of one-line CoAID texts, which mended their pair scores
    # (0.9806 against 0.9884 now): the two rankings may differ here by no more than two texts.
    assert got["recall_at_1"] >= got["recall_at_1_pair_score"] - 2 / got["n"] - 1e-4  # figures to 4 places
    for m in ("open_ended_generation", "paraphrase_generation", "rewrite_generation"):
        assert got[f"recall_at_1_{m}"] >= got[f"tfidf_recall_at_1_{m}"] - 1e-9, m
    # A derived text never paired with its original is a miss, so it can explain at most the misses.
    for m in ("", "_open_ended_generation", "_paraphrase_generation", "_rewrite_generation"):
        assert 0.0 <= got[f"unpaired_rate{m}"] <= 1.0 - got[f"recall_at_1{m}"] + 1e-9, m
    assert got["unpaired_rate_paraphrase_generation"] == 0.0
    check_floors("rewrites", got)


# Our own writing: a short news item with numbers, dates, a named person, a qualifier and a quote.
OWN = (
    "Mayor Linda Okonjo said on Tuesday that the city will spend 4,500,000 dollars to repair 38 bridges "
    "before March 2025. However, the council has not yet approved the plan. Okonjo told reporters the "
    "work would take 18 months. Engineers found cracks in 12 of the bridges in 2023."
)


def test_manipulation_score_weighs_flags_by_length() -> None:
    """A rewrite's score is its flags over the square root of its claims: 12 flags in 100 claims outrank 2 in 10
    (the share would put them below), and 2 in 10 outrank 3 in 100 (the count would not); no claims, no score."""
    from copydesk.claims import manipulation_score

    assert manipulation_score(12, 100) > manipulation_score(2, 10)
    assert 12 / 100 < 2 / 10
    assert manipulation_score(2, 10) > manipulation_score(3, 100)
    assert manipulation_score(0, 0) == 0.0
    scores = manipulation_score(np.array([12, 2, 3]), np.array([100, 10, 100]))
    assert scores.tolist() == pytest.approx([1.2, 2 / 10**0.5, 0.3])
    # The gate reports the same score beside the share (``risk``).
    from copydesk import verify

    rep = verify("The truce lasted two weeks, officials said on Monday. The talks were held in Geneva.",
                 "The truce lasted a month, officials said on Monday. The talks were held in Geneva.")
    checked = [c for c in rep.claims if c.status != "heading"]
    assert len(rep.flagged) == 1 and len(checked) == 2
    assert rep.score == pytest.approx(1 / 2**0.5) and rep.risk == pytest.approx(0.5)
    assert rep.to_dict()["score"] == round(rep.score, 4)


def test_bent_rewrites_change_one_kind_of_fact_deterministically() -> None:
    mod = _bent_module()
    rows = [
        {
            "id": "own-1",
            "source_dataset": "own",
            "news_id": "1",
            "original_label": "real",
            "method": "paraphrase_generation",
            "generator": "hand",
            "original_text": OWN,
            "derived_text": OWN,
        }
    ]
    out = mod.build(rows, seed=20)
    assert out == mod.build(rows, seed=20)  # deterministic
    kinds = {r["method"]: r["derived_text"] for r in out}
    assert set(mod.BENDS) <= set(kinds), "every kind applies to a text with all the facts it bends"
    assert kinds["paraphrase_generation"] == OWN
    for kind in mod.BENDS:
        assert kinds[kind] != OWN, kind
    nums = lambda t: sorted(w for w in t.replace(",", "").split() if w.strip(".").isdigit())  # noqa: E731
    assert nums(kinds["bent_numbers"]) != nums(OWN) and "2025" in kinds["bent_numbers"]
    assert "2025" not in kinds["bent_dates"] and "2023" not in kinds["bent_dates"]
    assert "Okonjo" not in kinds["bent_names"]
    assert "not yet approved" not in kinds["bent_drop_qualifier"]
    assert "March" not in kinds["bent_move_date"]
    assert len(kinds["bent_fabricated"]) > len(OWN) + 80 and "Linda Okonjo" in kinds["bent_fabricated"]
    assert len(kinds["bent_quote_context"]) > len(OWN)
    # A text without what a kind bends gets no row of that kind.
    plain = [{**rows[0], "id": "own-2", "derived_text": "the council met and talked about roads."}]
    assert {r["method"] for r in mod.build(plain, seed=20)} <= {
        "paraphrase_generation",
        "bent_drop_qualifier",
    }


def test_eval_bent_rewrites_floor(data_dir, tmp_path, check_floors, eval_floors) -> None:
    from click.testing import CliRunner

    from copydesk.cli import main

    spec = eval_floors["rewrites_bent"]
    src = data_dir / spec["data"]
    if not src.is_file():
        pytest.skip(f"{src} not found: set COPYDESK_DATA to the shared/data folder")
    rows = [json.loads(line) for line in open(src, encoding="utf-8") if line.strip()]
    per_source: dict[str, int] = {}
    sample = []
    for r in rows:
        if r["method"] == "paraphrase_generation":
            k = per_source.get(r["source_dataset"], 0)
            if k < spec["originals_per_source"]:
                per_source[r["source_dataset"]] = k + 1
                sample.append(r)
    bent = _bent_module().build(sample, seed=spec["seed"])
    path = tmp_path / "bent.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in bent), encoding="utf-8")
    out = tmp_path / "bent.json"
    res = CliRunner().invoke(main, ["eval", "rewrites", "--data", str(path), "--json", str(out)])
    assert res.exit_code == 0, res.output[-3000:]
    got = json.loads(out.read_text(encoding="utf-8"))
    kinds = sorted({r["method"] for r in bent} - {"paraphrase_generation"})
    assert len(kinds) == 7, kinds
    for m in kinds:
        assert got[f"recall_at_1_{m}"] >= got[f"tfidf_recall_at_1_{m}"] - 1e-9, m
        assert got[f"same_story_rate_{m}"] >= spec["min_same_story_rate"], (m, got[f"same_story_rate_{m}"])
        # The bend alone does not split a text from the paraphrase it bends: the same family.
        assert got[f"same_family_as_base_rate_{m}"] >= spec["min_same_family_as_base_rate"], m
    check_floors("rewrites_bent", got)
    high = {k: (got.get(k), cap) for k, cap in spec["max"].items() if got.get(k) is None or got[k] > cap}
    assert not high, f"rewrites_bent above its caps (measured, cap): {high}"
