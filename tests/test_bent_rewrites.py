"""Bent rewrites (issue 19): reworded rewrites of the seeds and of two ECB+ articles, each with one fact bent
(a number, count, duration or fraction in words, a date, a name, outlet, place or speaker, a negation or
antonym, a stance, a hedge made certain, who did what to whom, an evaluative or causal clause added). The
bent sentence is reworded too, so the checker cannot lean on copied wording. Each bent rewrite must fail
``copydesk.verify`` on the claim holding the changed words, with a reason naming the kind of edit; the
faithful rewrites of the same texts must pass. Fixtures: ``tests/fixtures/bent`` (README there)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SEEDS

BENT = Path(__file__).parent / "fixtures" / "bent"
ROOT = Path(__file__).parent.parent
NAMES = ("seed000", "ecb_12_1", "ecb_7_10")
# The edit kinds of issue 19, each by the words a fixture's ``kind`` starts with.
EDIT_KINDS = {
    "number, count, duration or fraction in words": ("number", "count", "duration", "fraction", "amount"),
    "date or time shifted": ("date",),
    "name, outlet, place or speaker swapped": ("name", "outlet", "place", "speaker"),
    "negation or antonym": ("negation", "antonym"),
    "stance reversed": ("stance",),
    "hedge made certain": ("hedge",),
    "actor and recipient swapped": ("actor",),
    "evaluative or causal clause added": ("evaluative", "causal"),
}
INTERNAL = re.compile(r"lex_best|best_sim|emb_best|novelty|\[\d+:\d+\]|\d\.\d\d <")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    expect: str
    reason: str
    old: str
    new: str


def _source_text(path: str) -> str:
    p = ROOT / path
    if not p.is_file():  # "examples/seeds/000": the seed file of that number
        p = next(SEEDS.glob(Path(path).name + "_*.txt"))
    return p.read_text(encoding="utf-8")


def load(name: str) -> tuple[str, str, list[Case]]:
    """(source text, faithful rewrite, bent cases) of one fixture set."""
    text = (BENT / f"{name}.bent.txt").read_text(encoding="utf-8")
    source = _source_text(re.search(r"^source: (.+)$", text, re.M).group(1).strip())
    faithful = (BENT / f"{name}.faithful.txt").read_text(encoding="utf-8")
    cases = []
    for block in re.split(r"\n\s*\n", text):
        kv = dict(re.findall(r"^(kind|expect|reason): (.+)$", block, re.M))
        if "kind" not in kv:
            continue
        (old,), (new,) = re.findall(r"^- (.+)$", block, re.M), re.findall(r"^\+ (.+)$", block, re.M)
        cases.append(Case(name, kv["kind"], kv["expect"], kv["reason"], old, new))
    return source, faithful, cases


ALL = {name: load(name) for name in NAMES}
CASES = [c for name in NAMES for c in ALL[name][2]]


def test_every_edit_kind_has_bent_rewrites_of_the_seed_and_of_real_articles():
    for what, prefixes in EDIT_KINDS.items():
        names = {c.name for c in CASES if c.kind.startswith(prefixes)}
        assert "seed000" in names, what
    real = {c.kind.split("-")[0] for c in CASES if c.name != "seed000"}
    assert len(real) >= 7, real
    for c in CASES:  # each bent sentence replaces one sentence of the faithful rewrite, and differs from it
        assert ALL[c.name][1].count(c.old) == 1 and c.expect in c.new and c.expect not in c.old, c


@pytest.mark.parametrize("name", NAMES)
def test_faithful_rewrite_passes(name):
    from copydesk import verify

    source, faithful, _ = ALL[name]
    report = verify(source, faithful)
    assert report.ok, [(c.text, c.reason) for c in report.flagged]
    # ... and it is reworded: no sentence of it is the source's, word for word.
    norm = lambda t: " ".join(re.findall(r"\w+", t.lower()))  # noqa: E731
    copied = {norm(a["sentence"]) for a in report.alignment} & {norm(line) for line in source.splitlines()}
    assert not copied, copied


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.kind}" for c in CASES])
def test_bent_rewrite_fails_on_the_bent_span_with_its_kind(case):
    from copydesk import verify

    source, faithful, _ = ALL[case.name]
    report = verify(source, faithful.replace(case.old, case.new))
    assert not report.ok
    # The only flagged claims are in the bent sentence (the rest is the faithful rewrite, which passes).
    flagged = [c.text for c in report.flagged]
    assert flagged and all(t in case.new for t in flagged), flagged
    hits = [c for c in report.flagged if case.expect in c.text]
    assert hits, [(c.text, c.reason) for c in report.flagged]
    assert any(case.reason in c.reason for c in hits), [c.reason for c in hits]
    for c in hits:
        # A reason an editor can read, and the sentence it was compared with (or nothing, for a name or
        # clause no sentence states); an unsupported or contradicted claim names no supporting article.
        assert not INTERNAL.search(c.reason), c.reason
        assert not c.support
        assert c.evidence and c.evidence[0].article == "source"


def test_issue_19_rewrite_is_caught_on_all_five_changes():
    """The rewrite of issue 19: reworded throughout, with a ceasefire's length, a fraction in words, how
    long the war has lasted and the outlet changed, and "declined to comment" made "confirmed"."""
    from copydesk import verify

    report = verify(ALL["seed000"][0], (BENT / "seed000.issue.txt").read_text(encoding="utf-8"))
    assert not report.ok
    want = {
        "45-day truce": ("contradicted", "45-day truce", "30-day ceasefire"),
        "roughly a quarter": ("contradicted", "quarter", "fifth"),
        "in its second year": ("contradicted", "second year", "three years"),
        "TASS": ("unsupported", "TASS", "outlet"),
        "confirmed that Russian-held": ("contradicted", "confirmed", "declined to comment"),
    }
    for needle, (status, *words) in want.items():
        (claim,) = [c for c in report.claims if needle in c.text]
        assert claim.status == status, (needle, claim.status, claim.reason)
        assert all(w in claim.reason for w in words), claim.reason
    # The headline is not a claim, and nothing else is flagged.
    assert report.claims[0].status == "heading"
    assert len(report.flagged) == len(want), [(c.text, c.reason) for c in report.flagged]
