"""Terminal rendering of the report (rich).

Everything that comes from user data (ids, titles, texts, file names) goes through
``ingest.printable`` (control and invisible characters escaped, so an id cannot clear the screen or
write the clipboard) and is never read as rich markup (``[bold]`` in a title prints as typed).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..display import printable, printable_text, shorten
from . import shared_and_single_facts

_PLURALS = {"story": "stories", "family": "families", "copy": "copies", "is": "are", "has": "have"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word`` with the plural the count needs: "1 story", "2 stories", "0 articles"."""
    return f"{n:,} {word if n == 1 else (many or _PLURALS.get(word) or word + 's')}"


def _m(value: object) -> str:
    """User data for a markup string: escaped for the terminal, then for rich markup."""
    return "" if value is None else escape(printable(value))


def _t(value: object, style: str = "") -> Text:
    """User data as a rich Text (never parsed as markup), escaped for the terminal."""
    return Text("" if value is None else printable(value), style=style)


RELATION_STYLE = {
    "reference": "bold green",
    "duplicate": "red",
    "rewrite": "yellow",
    "same_story": "cyan",
    "unrelated": "dim",
}


def render(report: dict, console: Console, max_singletons: int = 10) -> None:
    arts = {a["id"]: a for a in report["articles"]}
    singles = [s for s in report["stories"] if len(s["articles"]) == 1]
    multi = [s for s in report["stories"] if len(s["articles"]) > 1]
    for s in multi:
        console.rule(_t(s["title"] or s["id"], style="bold"))
        console.print(
            f"[dim]{_m(s['id'])}[/] · {plural(len(s['articles']), 'article')} · "
            f"{plural(len(s['families']), 'family')} · "
            f"reference [bold]{_m(s['reference'])}[/]"
        )
        t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for col in ("article", "relation", "source", "score", "family", "artifacts", "sentences; claims"):
            t.add_column(col)
        order = [s["reference"]] + [a for a in s["articles"] if a != s["reference"]]
        for aid in order:
            a = arts[aid]
            kinds = sorted({x["kind"] for x in a["artifacts"]})
            flagged = [c for c in a.get("claims", []) if c["status"] in ("unsupported", "contradicted")]
            counts = a.get("counts") or {}
            claims = f"{len(flagged)} flagged" if a.get("claims") is not None else ""
            if counts and a["source"]:  # the reference has no source to be aligned with
                claims = (
                    f"kept {counts.get('verbatim', 0)} · paraphrased {counts.get('paraphrase', 0)} · "
                    f"added {counts.get('added', 0)}; " + claims
                )
            t.add_row(
                _t(aid),
                Text(a["relation"], style=RELATION_STYLE.get(a["relation"], "")),
                _t(a["source"]),
                "" if a["score"] is None else f"{a['score']:.2f}",
                _t(a["family"][-6:]),
                ", ".join(kinds),
                claims,
            )
        console.print(t)
        if s.get("common_source_missing"):
            console.print(
                "[bold magenta]Common source not in the set[/]: derived articles share facts the "
                "reference lacks:"
            )
            for e in s["evidence"][:5]:
                console.print(f"  • {_m(e[:300])}")
        for aid in order:
            flagged = [c for c in arts[aid].get("claims", []) if c["status"] in ("unsupported", "contradicted")]
            if flagged:
                console.print(f"[bold]{_m(aid)}[/] flagged claims:")
                for c in flagged[:8]:
                    style = "red" if c["status"] == "contradicted" else "yellow"
                    ev = (
                        c["evidence"][0]["text"][:120]
                        if c.get("evidence")
                        else "nothing similar in the other versions"
                    )
                    console.print(
                        f"  [{style}]{c['status']}[/] ({c['kind']}) {_m(c['text'][:160])}\n"
                        f"    [dim]evidence: {_m(ev)}[/]"
                    )
        shared, single = shared_and_single_facts(s, limit=6)
        if shared:
            console.print("[bold]Facts most outlets support:[/]")
            for f in shared:
                console.print(f"  ✓ {_m(f['text'][:140])} [dim]({plural(len(f['support']), 'article')})[/]")
        if single:
            console.print("[bold]Single-source claims[/] (numbers, dates, quotes, names only one version has):")
            for f in single:
                console.print(f"  · {_m(f['text'][:140])} [dim]({f['kind']}, only {_m(f['support'][0])})[/]")
    if singles:
        console.rule(Text(f"{plural(len(singles), 'article')} with a story of their own", style="dim"))
        for s in singles[:max_singletons]:
            a = arts[s["articles"][0]]
            kinds = sorted({x["kind"] for x in a["artifacts"]})
            console.print(
                f"  {_m(a['id'])}: {_m(shorten(a['title'] or '', 80))}"
                + (f"  [dim]artifacts: {', '.join(kinds)}[/]" if kinds else "")
            )
        if len(singles) > max_singletons:
            console.print(f"  … and {len(singles) - max_singletons} more (see --json)")


def render_verify(report, console: Console) -> None:
    """The rewrite's text with flagged spans marked, then the reasons and the summary line."""
    shown, at = printable_text(report.rewrite_text)
    text = Text(shown)
    for a in report.artifacts:
        text.stylize("strike dim", at(a.start), at(a.end))
    for c in report.claims:
        if c.status == "contradicted":
            text.stylize("bold red underline", at(c.start), at(c.end))
        elif c.status == "unsupported":
            text.stylize("yellow underline", at(c.start), at(c.end))
    console.print(text)
    console.rule()
    for c in report.flagged:
        style = "red" if c.status == "contradicted" else "yellow"
        console.print(
            f"[{style}]{c.status.upper()}[/] ({c.kind}) {_m(c.text)}", highlight=False
        )
        console.print(f"    [dim]{_m(c.reason)}[/]", highlight=False)
        if c.evidence:
            e = c.evidence[0]
            console.print(
                f"    [dim]closest source sentence ({_m(e.article)}): {_m(e.text[:200])}[/]", highlight=False
            )
    for a in report.artifacts:
        console.print(
            f"[magenta]ARTIFACT[/] {a.kind} [{a.start}:{a.end}] {_m(repr(a.text[:80]))}", highlight=False
        )
    for q in report.quotes:
        extra = f" -> {_m(repr(q.rewrite_text))}" if q.rewrite_text else ""
        console.print(f"[red]QUOTE {q.status.upper()}[/] {_m(repr(q.text[:120]))}{extra}", highlight=False)
    console.print(("[bold green]" if report.ok else "[bold red]") + report.summary + "[/]", highlight=False)
