"""The terminal report (issue 22): piped or at any width it keeps ids whole and never cuts a word, leads
with a one-screen summary, and shows per flagged claim the reason and the closest source sentence."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

from rich.console import Console

from copydesk.report.terminal import render

LONG = "a-rather-long-article-identifier-from-a-wire-feed-{}"


def piped(width: int = 80) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=width, force_terminal=False, highlight=False), buf


def claim(text: str, status: str = "unsupported", kind: str = "statement", ev: str | None = None) -> dict:
    return {"text": text, "start": 0, "end": len(text), "kind": kind, "status": status,
            "reason": "no other version says this: “heliport” appears in no other version", "support": [],
            "evidence": [{"article": LONG.format(0), "text": ev, "score": 0.3}] if ev else []}


def story_report(n_stories: int, per_story: int = 3) -> dict:
    arts, stories = [], []
    for s in range(n_stories):
        ids = [LONG.format(s * per_story + i) for i in range(per_story)]
        for i, aid in enumerate(ids):
            arts.append({
                "id": aid, "title": "The council approved the new heliport after a long and heated debate on Monday",
                "story": f"story-{s}", "family": f"family-{s}", "relation": "reference" if i == 0 else "rewrite",
                "source": None if i == 0 else ids[0], "score": None if i == 0 else 0.71,
                "artifacts": [{"kind": "duplicated_headline", "start": 0, "end": 5, "text": "x"}] if i == 1 else [],
                "claims": [] if i == 0 else [
                    claim("The extraordinarily controversial heliport will be built beside the riverside "
                          "primary school, officials confirmed late on Monday evening.", ev="The council "
                          "approved the plan for a heliport on Monday after a debate that lasted many hours."),
                    claim("The vote was 7 to 2.", "contradicted", "number", ev="The vote was 6 to 3."),
                ],
                "counts": {"verbatim": 1, "paraphrase": 2, "added": 1},
            })
        stories.append({"id": f"story-{s}", "title": arts[-per_story]["title"], "articles": ids,
                        "families": [ids], "reference": ids[0], "common_source_missing": s == 0,
                        "evidence": ["shared sentence"], "facts": [
                            {"kind": "number", "text": "7 to 2", "support": ids[1:]},
                            {"kind": "date", "text": "last August", "support": ids[1:]},
                        ]})
    return {"articles": arts, "stories": stories}


def test_piped_width_80_keeps_ids_whole_and_words_uncut():
    console, buf = piped(80)
    report = story_report(2)
    render(report, console, mode="detail")
    out = buf.getvalue()
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for a in report["articles"]:
        assert a["id"] in out  # full ids, never "a-rather-long…"
    words = set(re.findall(r"[A-Za-z]+", " ".join(lines)))
    assert "extraordinarily" in words and "riverside" in words and "…" not in out.split("summary")[1].split("─")[0]
    # The plain reason and the compared sentence, labelled as such.
    assert "why: no other version says this" in out
    flat = " ".join(out.split())
    assert f"closest source sentence ({LONG.format(0)}): The vote was 6 to 3." in flat
    assert "contradicted (number): The vote was 7 to 2." in out
    assert out.index("contradicted (number)") < out.index("unsupported (statement)")  # the worst first
    # Facts are facts: "7 to 2" with its sentence; "last August" is stated by no claim, so not listed bare.
    assert re.search(r"7 to 2: The vote was 7 to 2\.", out) and "last August" not in out


def test_every_relation_word_stands_apart_from_the_id():
    """"same story" fills the relation column: the id after it still starts a word of its own."""
    console, buf = piped(100)
    report = story_report(1, per_story=5)
    for a, rel in zip(report["articles"][1:], ("rewrite", "same_story", "duplicate", "unrelated"), strict=True):
        a["relation"] = rel
    render(report, console, mode="detail")
    out = buf.getvalue()
    for word, a in zip(("reference", "rewrite", "same story", "duplicate", "single"), report["articles"],
                       strict=True):
        assert re.search(rf"{word} +{re.escape(a['id'])}", out), (word, out)


def test_report_leads_with_a_summary():
    console, buf = piped(100)
    render(story_report(3), console, mode="detail")
    out = buf.getvalue()
    head = out[: out.index("story-0 ·") if "story-0 ·" in out else len(out)]
    assert "9 articles in 3 stories" in head and "6 rewrites" in head
    assert "flagged claims: 6 contradicted, 6 unsupported (by kind: 6 number, 6 statement)" in head
    assert "3 artifacts: 3 duplicated_headline" in head
    assert "1 story whose common source is not in the set" in head


def test_summary_of_a_large_run_fits_on_a_screen():
    console, buf = piped(80)
    report = story_report(3400)  # 10,200 articles
    render(report, console)  # default: a run this large shows the summary only
    lines = buf.getvalue().splitlines()
    assert len(lines) <= 45, len(lines)
    assert "10,200 articles in 3,400 stories" in buf.getvalue() and "--detail" in buf.getvalue()


def test_analyze_piped_prints_full_ids(tmp_path, seeds_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    p = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(seeds_dir), "--db",
                        str(tmp_path / "s.db"), "--no-claims"], capture_output=True, text=True, timeout=600,
                       env={**env, "HF_HUB_OFFLINE": "1"})
    assert p.returncode == 0, p.stderr
    for name in sorted(seeds_dir.glob("*.txt")):
        assert re.search(rf"\b{name.name[:3]}_[0-9a-f]{{16}}\b", p.stdout), p.stdout
    assert "…" not in "".join(re.findall(r"\b\d{3}_[0-9a-f…]+", p.stdout))
    assert max(len(line) for line in p.stdout.splitlines()) <= 80
    assert p.stdout.lstrip().startswith("─") and "copydesk summary" in p.stdout.splitlines()[0]
    assert "━" not in p.stderr  # no progress bar when piped


def test_progress_bars_count_articles_and_stop_with_their_stage():
    """One bar per stage in articles; the place phase (which counts components) is scaled to the
    articles it places; a stage's bar ends (total = done, clock stopped) when the next one starts."""
    from copydesk.report.progress import StageBars

    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=True)
    with StageBars(console, enabled=True) as bars:
        cb = bars.pipeline_callback({"ingest": 10, "place": 10})
        bars.start("ingest", 10)
        cb("ingest", 10, 0)
        cb("place", 1, 4)  # components: 1 of 4 -> about 2 of 10 articles
        tasks = {t.description: t for t in bars._bar.tasks}
        assert tasks["analyze"].finished and tasks["analyze"].stop_time is not None
        assert tasks["place"].total == 10 and tasks["place"].completed == 2
        cb("place", 4, 4)
        assert tasks["place"].completed == 10
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    assert "10/10 articles" in out and "analyze" in out and "place" in out


def test_quiet_or_piped_shows_no_progress():
    from copydesk.report.progress import StageBars

    buf = io.StringIO()
    with StageBars(Console(file=buf, force_terminal=False), enabled=False) as bars:
        bars.start("ingest", 5)
        bars.advance_to("ingest", 5)
    assert buf.getvalue() == ""
