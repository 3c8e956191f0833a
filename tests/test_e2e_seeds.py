"""End to end: the CLI on the five seeds plus real articles of other stories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS

E2E = FIXTURES / "e2e"


def run_analyze(*paths: Path, db: Path, out: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "copydesk.cli", "analyze", *map(str, paths), "--db", str(db), "--json", str(out),
           "-q", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path, subprocess.CompletedProcess]:
    d = tmp_path_factory.mktemp("e2e")
    db, out = d / "store.db", d / "report.json"
    proc = run_analyze(SEEDS, E2E, db=db, out=out)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), db, out, proc


def by_prefix(report: dict) -> dict[str, dict]:
    return {a["id"][:3] if a["id"][:3].isdigit() else a["id"]: a for a in report["articles"]}


def test_seeds_form_one_story_without_the_other_stories(analysed):
    report = analysed[0]
    arts = by_prefix(report)
    seed_story = arts["000"]["story"]
    members = next(s for s in report["stories"] if s["id"] == seed_story)["articles"]
    assert sorted(m[:3] for m in members) == ["000", "001", "002", "003", "004"]
    # Another story of the same war on another day stays out.
    assert arts["summedits_ukraine_protest"]["story"] != seed_story


@pytest.mark.parametrize("topic", ["7", "12"])
def test_same_kind_of_event_is_not_the_same_story(analysed, topic):
    """ECB+ topics hold two different events of one kind (two title fights, two pirate captures)."""
    arts = analysed[0]["articles"]
    ecb = {a["story"] for a in arts if a["id"].startswith(f"ecbplus_{topic}_") and a["id"].endswith("ecb")}
    plus = {a["story"] for a in arts if a["id"].startswith(f"ecbplus_{topic}_") and a["id"].endswith("ecbplus")}
    assert ecb and plus
    assert not ecb & plus, "two different events were merged into one story"


def test_provenance_of_the_seeds(analysed):
    report = analysed[0]
    arts = by_prefix(report)
    story = next(s for s in report["stories"] if s["id"] == arts["000"]["story"])
    assert story["reference"].startswith("000")
    assert arts["000"]["relation"] == "reference" and arts["000"]["source"] is None
    for p in ("001", "002", "003"):
        assert arts[p]["relation"] == "rewrite", (p, arts[p]["relation"])
        assert arts[p]["family"] == arts["000"]["family"]
        assert arts[p]["source"][:3] in {"000", "001", "002", "003"} and arts[p]["source"][:3] != p
        assert 0.0 < arts[p]["score"] <= 1.0
    assert arts["004"]["relation"] in {"rewrite", "same_story"}
    assert arts["004"]["source"] is not None


def test_common_source_is_reported_missing_with_evidence(analysed):
    report = analysed[0]
    arts = by_prefix(report)
    story = next(s for s in report["stories"] if s["id"] == arts["000"]["story"])
    assert story["common_source_missing"] is True
    evidence = " ".join(story["evidence"]).lower()
    assert "frontline" in evidence  # the ceasefire-monitoring concern 001-003 share and 000 lacks
    assert "2022" in evidence  # the 2022 invasion
    assert "000" not in " ".join(e.split(" (shared")[0] for e in story["evidence"])


def test_artifacts_found_with_spans_in_the_raw_text(analysed, seed_texts):
    arts = by_prefix(analysed[0])
    kinds = {p: {x["kind"] for x in arts[p]["artifacts"]} for p in ("000", "001", "002", "003", "004")}
    assert kinds["000"] == set()
    assert "duplicated_headline" in kinds["001"]
    assert {"prompt_leak", "duplicated_body", "duplicated_headline", "markup"} <= kinds["002"]
    assert {"broken_quote"} <= kinds["003"]  # its "- " bullets are list punctuation, not markup (issue 19)
    assert "boilerplate" in kinds["004"]
    for p in ("001", "002", "003", "004"):
        raw = seed_texts[p]
        for x in arts[p]["artifacts"]:
            assert raw[x["start"] : x["end"]] == x["text"]
    leak = [x for x in arts["002"]["artifacts"] if x["kind"] == "prompt_leak"]
    assert any("The article text:" in x["text"] for x in leak)


def test_rerun_adds_nothing_and_json_is_byte_identical(analysed, tmp_path):
    _report, db, out, _ = analysed
    again = tmp_path / "again.json"
    proc = run_analyze(SEEDS, E2E, db=db, out=again)
    assert proc.returncode == 0, proc.stderr
    assert "0 new" in proc.stderr
    assert again.read_bytes() == out.read_bytes()


def test_json_fields_documented_in_the_readme(analysed):
    report = analysed[0]
    for a in report["articles"]:
        assert {"id", "title", "story", "family", "relation", "source", "score", "artifacts"} <= a.keys()
        assert a["relation"] in {"reference", "duplicate", "rewrite", "same_story", "unrelated"}
    for s in report["stories"]:
        assert {"id", "title", "articles", "reference", "common_source_missing", "evidence"} <= s.keys()
