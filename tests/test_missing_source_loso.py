"""scripts/missing_source_loso.py: the leave-one-source-out choice of the missing-source rule (issue 20).

Its figures are only worth reporting if its candidate rules decide on the facts ``trace_story`` decides
on: checked on the seeds (the shipped rule on ``trace.story_shared_facts`` gives the story's call and
evidence). Then the script on a small sample of LLMFake dev and of bent rewrites built from it at test
time in a temporary folder (LLMFake has no stated licence: never copied here): both directions are
reported, and on GossipCop the shipped rule is within the false-call cap and fires as often with the
original removed as the chosen rule (which, like the shipped one, asks two specifics of one fact). Skipped,
with a message, when the data folder is absent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from copydesk import trace
from copydesk.score import default_model

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 30  # originals of each source dataset; GossipCop's removed-original stories then hold 5+ that share specifics


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def loso() -> ModuleType:
    return _script("missing_source_loso")


def test_the_shipped_rule_on_the_story_facts_is_trace_storys_call(loso, seed_texts) -> None:
    from copydesk.evaluate.rewrites import analyse
    from copydesk.records import Article

    model = default_model()
    arts = [Article(k, t) for k, t in sorted(seed_texts.items())]
    stored, rows, svecs, stories, _placed = analyse(arts, model)
    checked = 0
    for s in stories:
        members = s["articles"]
        if len(members) < 3:
            continue
        mset = set(members)
        sub = {k: p for k, p in stored.items() if k[0] in mset and k[1] in mset}
        story = trace.trace_story(members, rows, svecs, sub, model).story
        ref, facts = trace.story_shared_facts(members, rows, svecs, sub, model)
        assert ref == story.reference
        assert loso.SHIPPED.fires(facts) is story.common_source_missing
        assert trace.common_source_missing(ref, [], rows, svecs) == (False, [])
        checked += story.common_source_missing
    assert checked, "the seeds keep their missing-source call"


def test_loso_table_has_both_directions_and_the_shipped_rule_is_best_on_gossipcop(
    loso, data_dir, tmp_path
) -> None:
    pairs = data_dir / "llmfake" / "pairs.jsonl"
    if not pairs.exists():
        pytest.skip(f"{pairs} not found: set COPYDESK_DATA to the shared/data folder")
    bent = tmp_path / "bent.jsonl"
    assert _script("build_bent_rewrites").main(["--data", str(pairs), "--out", str(bent)]) == 0
    out = loso.run(pairs, bent, limit=LIMIT)
    dirs = out["directions"]
    assert set(dirs) == {"gossipcop->coaid", "coaid->gossipcop"}
    for d in dirs.values():
        assert {loso.OLD, d["chosen"], loso.SHIPPED.name} == set(d["test_figures"])
        chosen = d["fit_figures"][d["chosen"]]
        assert chosen["false_call"] is not None and chosen["false_call"] <= loso.MAX_FALSE_CALL
    # On GossipCop no rule within the false-call cap fires more with the original removed than the
    # shipped one (on the full dev data the chosen rule is the shipped one without its counterpart
    # branch, kept for the seeds; on a sample, rules tied on fires are ordered by false calls).
    g = dirs["gossipcop->coaid"]
    best, shipped = g["fit_figures"][g["chosen"]], g["fit_figures"][loso.SHIPPED.name]
    assert best["n_removed_shared_specifics"] >= loso.MIN_ORACLE_STORIES
    assert shipped["false_call"] <= loso.MAX_FALSE_CALL
    assert shipped["fire_removed_shared_specifics"] == best["fire_removed_shared_specifics"] > 0
    chosen = next(r for r in loso.rules() if r.name == g["chosen"])
    assert chosen.min_specific == trace.MIN_SPECIFIC_SHARED
    assert "chosen on gossipcop" in loso.table(dirs) and "chosen on coaid" in loso.table(dirs)
