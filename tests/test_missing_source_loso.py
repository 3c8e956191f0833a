"""scripts/missing_source_loso.py: the leave-one-source-out choice of the missing-source rule (issue 20).

Its figures are only worth reporting if its candidate rules decide on the facts ``trace_story`` decides
on: checked on the seeds (the shipped rule on ``trace.story_shared_facts`` gives the story's call and
evidence). Then the script on a small sample of LLMFake dev and of bent rewrites built from it at test
time in a temporary folder (LLMFake has no stated licence: never copied here): both directions are
reported, and on GossipCop the shipped rule is within the false-call cap, fires with the original removed,
at least as often as the old rule and with fewer false calls; the chosen rule, like the shipped one, asks two
specifics of one fact. Skipped, with a message, when the data folder is absent.
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
LIMIT = 40  # originals of each source dataset; GossipCop's removed-original stories then hold 5+ that share specifics


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


def test_loso_table_has_both_directions_and_the_shipped_rule_fires_within_the_cap(loso, data_dir, tmp_path) -> None:
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
    # On GossipCop (where removed-original stories share specifics) the shipped rule stays within the
    # false-call cap, fires where the source is demonstrably missing, and at least as often as the old
    # rule there while calling falsely less. The rule chosen there may fire more at a higher false call
    # (on the full dev data with session 12's references: 0.365 vs 0.341, false call 0.043 vs 0.037).
    g = dirs["gossipcop->coaid"]
    best, shipped, old = (g["fit_figures"][k] for k in (g["chosen"], loso.SHIPPED.name, loso.OLD))
    assert best["n_removed_shared_specifics"] >= loso.MIN_ORACLE_STORIES
    assert shipped["false_call"] <= loso.MAX_FALSE_CALL
    assert shipped["fire_removed_shared_specifics"] > 0
    assert shipped["fire_removed_shared_specifics"] >= old["fire_removed_shared_specifics"]
    assert shipped["false_call"] < old["false_call"]
    chosen = next(r for r in loso.rules() if r.name == g["chosen"])
    assert chosen.min_specific == trace.MIN_SPECIFIC_SHARED
    assert "chosen on gossipcop" in loso.table(dirs) and "chosen on coaid" in loso.table(dirs)
