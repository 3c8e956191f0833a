"""`copydesk eval rewrites` on a fixed sample of LLMFake dev, against its floors in eval_floors.json:
recall@1 of the original, direction accuracy (full and content-only model), manipulated-vs-faithful
AUC. The sample (``limit``) is the CoAID block at the head of the file: all three generation methods
for each of its news items. Skipped, with a message, when the data folder is absent.
"""

from __future__ import annotations


def test_eval_rewrites_floor(run_eval, check_floors, eval_floors) -> None:
    got = run_eval("rewrites")
    assert got["n"] == eval_floors["rewrites"]["limit"]
    assert got["items_per_s"] > 0
    for m in ("open_ended_generation", "paraphrase_generation", "rewrite_generation"):
        assert f"recall_at_1_{m}" in got, "the sample must hold all three generation methods"
    check_floors("rewrites", got)
