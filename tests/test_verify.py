"""The pre-publication gate: CLI exit codes, stdin, --fail-on, --fix, and the Python API."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import SEEDS

S000 = next(SEEDS.glob("000_*.txt"))
S002 = next(SEEDS.glob("002_*.txt"))
S003 = next(SEEDS.glob("003_*.txt"))
S004 = next(SEEDS.glob("004_*.txt"))


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copydesk.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_source_against_itself_passes():
    p = cli("verify", str(S000), str(S000))
    assert p.returncode == 0, p.stdout[-2000:]
    assert "PASS" in p.stdout


def test_rewrite_with_inventions_fails_with_reasons(tmp_path):
    out = tmp_path / "v.json"
    p = cli("verify", str(S000), str(S003), "--json", str(out))
    assert p.returncode == 1
    report = json.loads(out.read_text())
    assert report["ok"] is False
    assert "artifact" in report["failed_on"]
    flagged = " ".join(c["text"] for c in report["flagged"])
    assert "CNN" in flagged
    # (its "- " bullets are list punctuation, not markup: issue 19)
    assert {a["kind"] for a in report["artifacts"]} >= {"broken_quote"}
    # The terminal output marks flagged spans and ends with the summary line.
    assert "FAIL" in p.stdout and "UNSUPPORTED" in p.stdout


def test_fail_on_subset_decides_the_exit_code():
    # 002's only problems a gate on artifacts alone sees are its prompt leak and pasted-twice body.
    assert cli("verify", str(S000), str(S002), "--fail-on", "artifact").returncode == 1
    p = cli("verify", str(S000), str(S002), "--fail-on", "dropped-quote", "--json", "-")
    report = json.loads(p.stdout)
    assert p.returncode == (1 if report["quotes"] else 0)
    assert cli("verify", str(S000), str(S002), "--fail-on", "nonsense").returncode == 2


def test_stdin_rewrite_and_json_to_stdout():
    p = cli("verify", str(S000), "-", "--json", "-", stdin=S004.read_text())
    assert p.returncode == 1
    report = json.loads(p.stdout)
    assert any(a["kind"] == "boilerplate" for a in report["artifacts"])
    assert any("Macron" in c["text"] for c in report["flagged"])


def test_several_sources_are_evidence_together():
    p = cli("verify", "--source", str(S000), "--source", str(S003), str(S003), "--fail-on", "unsupported,contradicted")
    assert p.returncode == 0, p.stdout[-1500:]


@pytest.mark.parametrize("bad", ["missing.txt", "empty"])
def test_bad_input_exits_2_with_one_line(tmp_path, bad):
    path = tmp_path / "missing.txt"
    if bad == "empty":
        path.write_text("")
    p = cli("verify", str(S000), str(path))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_fix_strips_artifacts_and_keeps_claims(tmp_path):
    fixed = tmp_path / "fixed.txt"
    p = cli("verify", str(S000), str(S002), "--fix", str(fixed), "--fail-on", "artifact")
    assert p.returncode == 1  # the verdict is on the rewrite as given
    text = fixed.read_text()
    assert "The article text:" not in text
    assert text.count("Currently, Russia controls approximately 20% of Ukrainian land") == 1
    assert "30-day ceasefire" in text
    # The fixed rewrite has no artifacts left.
    assert cli("verify", str(S000), str(fixed), "--fail-on", "artifact").returncode == 0


def test_clean_command_reports_what_it_removed(tmp_path):
    out = tmp_path / "clean.txt"
    p = cli("clean", str(S004), "-o", str(out))
    assert p.returncode == 0
    assert "MORE STORIES" not in out.read_text()
    assert "removed boilerplate" in p.stderr


def test_python_api_in_a_fresh_interpreter():
    code = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from copydesk import verify, clean
        src = Path({str(S000)!r}).read_text()
        rw = Path({str(S002)!r}).read_text()
        r = verify(src, rw)
        c = clean(rw)
        print(json.dumps({{"ok": r.ok, "kinds": sorted({{a.kind for a in r.artifacts}}),
                          "claims": len(r.claims), "statuses": sorted({{x.status for x in r.claims}}),
                          "removed": sorted({{a.kind for a in c.removed}}),
                          "has_leak": "The article text:" in c.text, "self_ok": verify(src, src).ok}}))
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert got["ok"] is False and got["self_ok"] is True
    assert "prompt_leak" in got["kinds"] and "duplicated_body" in got["kinds"]
    assert got["claims"] > 5 and "supported" in got["statuses"]
    assert "prompt_leak" in got["removed"] and got["has_leak"] is False


def test_verify_rejects_bad_arguments():
    from copydesk import verify

    with pytest.raises(ValueError):
        verify([], "text")
    with pytest.raises(ValueError):
        verify("a source text.", "   ")
    with pytest.raises(ValueError):
        verify("a source text.", "a rewrite.", fail_on="everything")
