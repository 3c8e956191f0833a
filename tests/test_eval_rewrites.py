"""`copydesk eval rewrites` on a fixed sample of LLMFake dev, against its floors in eval_floors.json:
recall@1 of the original, direction accuracy (full and content-only model), manipulated-vs-faithful
AUC. The sample (``limit``) is the CoAID block at the head of the file: all three generation methods
for each of its news items. Skipped, with a message, when the data folder is absent.
"""

from __future__ import annotations

from pathlib import Path

from test_eval_stories import FLOORS, below_floors, run_eval


def test_eval_rewrites_floor(data_dir: Path, tmp_path: Path) -> None:
    got = run_eval("rewrites", data_dir, tmp_path)
    assert got["n"] == FLOORS["rewrites"]["limit"]
    assert got["items_per_s"] > 0
    for m in ("open_ended_generation", "paraphrase_generation", "rewrite_generation"):
        assert f"recall_at_1_{m}" in got, "the sample must hold all three generation methods"
    low = below_floors("rewrites", got)
    assert not low, f"rewrites below floors (measured, floor): {low}; all metrics: {got}"
