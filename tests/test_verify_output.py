"""What ``copydesk verify`` prints (issue 22): findings first, grouped, each with its reason and the
closest source sentence; the annotated text only with --show-text (or on a terminal), below them;
documents named by their file names, in the terminal and in the JSON; exit codes unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import SEEDS

S000 = next(SEEDS.glob("000_*.txt"))
S003 = next(SEEDS.glob("003_*.txt"))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copydesk.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_piped_verify_prints_grouped_findings_and_no_text():
    p = cli("verify", str(S000), str(S003))
    assert p.returncode == 1
    out = p.stdout
    lines = out.splitlines()
    assert lines[0].startswith(("CONTRADICTED (", "UNSUPPORTED ("))  # findings first
    groups = [g for g in ("CONTRADICTED (", "UNSUPPORTED (", "DROPPED QUOTES (", "ARTIFACTS (") if g in out]
    assert groups == sorted(groups, key=out.index) and "ARTIFACTS (" in out
    assert "why: " in out and "closest source sentence" in out
    flat = " ".join(out.split())
    assert f"closest source sentence ({S000}):" in flat  # named by its file, not "source"
    assert "lex_best" not in out and "[" not in "".join(line for line in lines if "broken_quote" in line)
    assert lines[-1].startswith("FAIL")
    # piped: the rewrite's full text is not printed (its first sentence appears only as a finding, if at all)
    assert "annotated" not in out


def test_show_text_prints_the_text_below_the_findings():
    p = cli("verify", str(S000), str(S003), "--show-text")
    out = p.stdout
    assert p.returncode == 1
    assert out.index("UNSUPPORTED (") < out.index(f"{S003}, annotated") < out.index("FAIL")


def test_json_names_documents_by_file_name():
    p = cli("verify", str(S000), str(S003), "--json", "-")
    assert p.returncode == 1
    d = json.loads(p.stdout)
    assert d["documents"] == {"sources": [str(S000)], "rewrite": str(S003)}
    arts = {e["article"] for c in d["flagged"] for e in c["evidence"]}
    assert arts == {str(S000)}
    assert {c["article_id"] for c in d["claims"]} == {str(S003)}
