"""What the terminal report shows, read from the report object: the run's summary counts, and per
story its flagged claims and facts in words an editor reads. Pure functions over the JSON report of
``build_report``; the terminal renderer only lays them out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import shared_and_single_facts

FLAGGED = ("contradicted", "unsupported")  # claim statuses shown as flags, most serious first
CONTEXT_CHARS = 180  # a fact's context sentence is shortened (at a word boundary) to this


@dataclass(frozen=True)
class StoryLine:
    """One story in the summary's list."""

    id: str
    title: str
    articles: int
    rewrites: int
    flagged: int
    artifacts: int
    missing_source: bool


@dataclass(frozen=True)
class Summary:
    """The counts that lead the terminal report."""

    articles: int
    stories: int
    multi_stories: int
    relations: dict[str, int]  # relation -> articles
    flagged: dict[str, int]  # status -> claims
    flagged_kinds: dict[str, int]  # claim kind -> flagged claims
    artifacts: dict[str, int]  # artifact kind -> spans
    missing_sources: int  # stories whose derived articles share facts the reference lacks
    top: list[StoryLine] = field(default_factory=list)  # the stories with several articles, largest first


@dataclass(frozen=True)
class FactLine:
    """A fact as the terminal shows it: the fact, and for a number, date or quote the sentence that
    states it (so "30-day" reads as "… a 30-day ceasefire …")."""

    text: str
    kind: str
    support: tuple[str, ...]
    context: str | None = None


def flagged_claims(article: dict) -> list[dict]:
    """The article's unsupported and contradicted claims, contradicted first, in text order."""
    claims = [c for c in article.get("claims") or [] if c.get("status") in FLAGGED]
    return sorted(claims, key=lambda c: (FLAGGED.index(c["status"]), c.get("start", 0)))


def summarize(report: dict) -> Summary:
    """The counts of the whole report and the list of its stories with several articles."""
    arts = {a["id"]: a for a in report.get("articles") or []}
    stories = report.get("stories") or []
    flagged: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    artifacts: Counter[str] = Counter()
    for a in arts.values():
        for c in flagged_claims(a):
            flagged[c["status"]] += 1
            kinds[c.get("kind") or "claim"] += 1
        artifacts.update(x.get("kind", "") for x in a.get("artifacts") or [])
    top = []
    for s in stories:
        if len(s["articles"]) < 2:
            continue
        members = [arts[m] for m in s["articles"] if m in arts]
        top.append(StoryLine(
            s["id"], s.get("title") or s["id"], len(s["articles"]),
            sum(1 for a in members if a.get("relation") == "rewrite"),
            sum(len(flagged_claims(a)) for a in members),
            sum(len(a.get("artifacts") or []) for a in members),
            bool(s.get("common_source_missing")),
        ))
    return Summary(
        articles=len(arts),
        stories=len(stories),
        multi_stories=len(top),
        relations=dict(Counter(a.get("relation") or "unrelated" for a in arts.values())),
        flagged={k: flagged[k] for k in FLAGGED if flagged[k]},
        flagged_kinds=dict(kinds.most_common()),
        artifacts=dict(artifacts.most_common()),
        missing_sources=sum(1 for s in stories if s.get("common_source_missing")),
        top=top,
    )


def _context(fact: dict, arts: dict[str, dict]) -> str | None:
    """The first sentence (claim) of a supporting article that contains the fact's text."""
    needle = fact.get("text", "").strip('“”"')
    if not needle:
        return None
    for aid in fact.get("support") or []:
        for c in (arts.get(aid) or {}).get("claims") or []:
            if needle in c.get("text", ""):
                return c["text"]
    return None


def story_facts(story: dict, arts: dict[str, dict], limit: int = 6) -> tuple[list[FactLine], list[FactLine]]:
    """(facts two or more versions state, checkable facts only one version has) of a story, as the
    terminal shows them: sentences as they are; a number, date or quote with the sentence that states
    it; one without such a sentence is left out (a bare "last August" says nothing)."""
    shared, single = shared_and_single_facts(story, limit=10_000)

    def lines(facts: list[dict]) -> list[FactLine]:
        out = []
        for f in facts:
            kind = f.get("kind") or "statement"
            ctx = None if kind == "statement" else _context(f, arts)
            if kind != "statement" and ctx is None:
                continue
            out.append(FactLine(f.get("text", ""), kind, tuple(f.get("support") or ()), ctx))
            if len(out) == limit:
                break
        return out

    return lines(shared), lines(single)
