"""scripts/claims_lodo.py decides claims exactly as the product does.

Its leave-one-dataset-out figures are only worth reporting if a refitted model's statuses and item
scores are the ones ``copydesk verify`` / ``copydesk eval claims`` would give with that model: checked
here on the seed rewrites with the shipped model against ``claims.AlignmentVerifier``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from copydesk.claims import manipulation_score

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lodo():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("claims_lodo", ROOT / "scripts" / "claims_lodo.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_statuses_and_scores_match_the_product(lodo, seed_texts):
    from copydesk import claims as C
    from copydesk.evaluate.claims import Checker

    model = C.default_claim_model()
    verifier = C.AlignmentVerifier(model)
    checker = Checker()
    seen = set()
    for rewrite in ("001", "002", "003", "004"):
        claims, pool, pool_vecs = checker.inputs(seed_texts["000"], seed_texts[rewrite])
        verdicts = verifier.judge_many(claims, pool, pool_vecs)
        recs = lodo.claim_records({"claims": claims, "pool": pool, "pool_vecs": pool_vecs})
        D = lodo.Data([{"dataset": "x", "group": "", "op": "", "label3": None, "consistent": 1, "ds_weight": 1.0,
                        "claims": recs, "doc": []}], ())
        z = model.intercept + ((D.matrix(model.features) - np.asarray(model.mean)) / np.asarray(model.scale)
                               ) @ np.asarray(model.coef)
        p = 1.0 / (1.0 + np.exp(-z))
        st = D.statuses(p, model.threshold, model.floor[1])
        got = ["heading" if s == 3 else "supported" if s == 0 else "flagged" for s in st]
        want = ["flagged" if v.status in C.FLAGGED else v.status for v in verdicts]
        assert got == want, rewrite
        pred, score, share = D.items(p, model.threshold, model.floor[1])
        assert pred[0] == int("flagged" in want)
        assert score[0] == pytest.approx(max((v.score for v in verdicts if v.status != "heading"), default=0.0))
        checked = [w for w in want if w != "heading"]
        # LLMFake's item score, as `copydesk eval rewrites` ranks a rewrite: its flags over sqrt(claims checked).
        assert share[0] == pytest.approx(manipulation_score(checked.count("flagged"), len(checked)))
        seen |= set(want)
    assert {"flagged", "supported"} <= seen  # the seeds exercise both outcomes


def test_baseline_features_see_a_changed_number_and_name(lodo):
    row = {"doc": ["The ceasefire lasted 30 days, officials in Kyiv said."],
           "claims": [{"text": "The ceasefire lasted 45 days, officials in Moscow said."}]}
    miss, support, nums, names = lodo.baseline_features(row)
    assert nums == 1.0 and names == 1.0
    assert 0.0 < miss < 0.5 and 0.5 < support < 1.0
    same = {"doc": row["doc"], "claims": [{"text": row["doc"][0]}]}
    assert lodo.baseline_features(same) == (0.0, 1.0, 0.0, 0.0)


def test_the_shipped_claim_model_is_the_lodo_selected_rank_only_model():
    """src/copydesk/data/claim_model.json holds what ``fit_claim_model.py --rank-only`` writes: nothing
    fitted, P(not supported) a monotone function of the alignment, threshold 1.0 (never flags on its own),
    no floor; its meta records the leave-one-dataset-out comparison it was selected by."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import fit_claim_model as F

    from copydesk import claims as C

    shipped, want = C.default_claim_model(), F.rank_only_model()
    assert (shipped.features, shipped.coef, shipped.mean, shipped.scale, shipped.intercept, shipped.threshold) == (
        want.features, want.coef, want.mean, want.scale, want.intercept, want.threshold)
    assert shipped.floor == ("lex_best", 0.0) and shipped.meta["fitted"] is False
    lodo = shipped.meta["leave_one_dataset_out"]
    assert {"shipped", "best_fixed:rankonly", "baseline:lr_support"} <= set(lodo)
    # The evidence windows the product uses were compared with single sentences (claims_lodo.py
    # --alt-records), and the shipped figures are the ones with windows.
    from copydesk.claims import inputs

    assert inputs.EVIDENCE_WINDOWS is True
    assert {"windows=off", "windows=on", "windows (LODO-selected)"} <= set(lodo)
    assert all(
        lodo["windows=on"][h]["balanced_accuracy"] == lodo["best_fixed:rankonly"][h]["balanced_accuracy"]
        for h in lodo["windows=on"]
    )
    assert shipped.prob({"best_sim": 0.35}) == pytest.approx(0.5)
    assert shipped.prob({"best_sim": 0.0}) < 1.0 <= shipped.threshold
