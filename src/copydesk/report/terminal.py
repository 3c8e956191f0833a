"""Terminal rendering of the report (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import shared_and_single_facts

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
        console.rule(Text(f"{s['title'] or s['id']}", style="bold"))
        console.print(
            f"[dim]{s['id']}[/] · {len(s['articles'])} articles · {len(s['families'])} families · "
            f"reference [bold]{s['reference']}[/]"
        )
        t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for col in ("article", "relation", "source", "score", "family", "artifacts", "sentences; claims"):
            t.add_column(col)
        order = [s["reference"]] + [a for a in s["articles"] if a != s["reference"]]
        for aid in order:
            a = arts[aid]
            kinds = sorted({x["kind"] for x in a["artifacts"]})
            flagged = [c for c in a.get("claims", []) if c["status"] != "supported"]
            counts = a.get("counts") or {}
            claims = f"{len(flagged)} flagged" if a.get("claims") is not None else ""
            if counts and a["source"]:  # the reference has no source to be aligned with
                claims = (
                    f"kept {counts.get('verbatim', 0)} · paraphrased {counts.get('paraphrase', 0)} · "
                    f"added {counts.get('added', 0)}; " + claims
                )
            t.add_row(
                aid,
                Text(a["relation"], style=RELATION_STYLE.get(a["relation"], "")),
                a["source"] or "",
                "" if a["score"] is None else f"{a['score']:.2f}",
                a["family"][-6:],
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
                console.print(f"  • {e[:300]}")
        for aid in order:
            flagged = [c for c in arts[aid].get("claims", []) if c["status"] != "supported"]
            if flagged:
                console.print(f"[bold]{aid}[/] flagged claims:")
                for c in flagged[:8]:
                    style = "red" if c["status"] == "contradicted" else "yellow"
                    ev = (
                        c["evidence"][0]["text"][:120]
                        if c.get("evidence")
                        else "nothing similar in the other versions"
                    )
                    console.print(
                        f"  [{style}]{c['status']}[/] ({c['kind']}) {c['text'][:160]}\n    [dim]evidence: {ev}[/]"
                    )
        shared, single = shared_and_single_facts(s, limit=6)
        if shared:
            console.print("[bold]Facts most outlets support:[/]")
            for f in shared:
                console.print(f"  ✓ {f['text'][:140]} [dim]({len(f['support'])} articles)[/]")
        if single:
            console.print("[bold]Single-source claims[/] (numbers, dates, quotes, names only one version has):")
            for f in single:
                console.print(f"  · {f['text'][:140]} [dim]({f['kind']}, only {f['support'][0]})[/]")
    if singles:
        console.rule(Text(f"{len(singles)} articles with a story of their own", style="dim"))
        for s in singles[:max_singletons]:
            a = arts[s["articles"][0]]
            kinds = sorted({x["kind"] for x in a["artifacts"]})
            console.print(
                f"  {a['id']}: {(a['title'] or '')[:80]}"
                + (f"  [dim]artifacts: {', '.join(kinds)}[/]" if kinds else "")
            )
        if len(singles) > max_singletons:
            console.print(f"  … and {len(singles) - max_singletons} more (see --json)")


def render_verify(report, console: Console) -> None:
    """The rewrite's text with flagged spans marked, then the reasons and the summary line."""
    text = Text(report.rewrite_text)
    for a in report.artifacts:
        text.stylize("strike dim", a.start, a.end)
    for c in report.claims:
        if c.status == "contradicted":
            text.stylize("bold red underline", c.start, c.end)
        elif c.status == "unsupported":
            text.stylize("yellow underline", c.start, c.end)
    console.print(text)
    console.rule()
    for c in report.flagged:
        style = "red" if c.status == "contradicted" else "yellow"
        console.print(
            f"[{style}]{c.status.upper()}[/] ({c.kind}) [{c.start}:{c.end}] {c.text}", highlight=False
        )
        console.print(f"    [dim]{c.reason}[/]", highlight=False)
        if c.evidence:
            e = c.evidence[0]
            console.print(
                f"    [dim]closest in {e.article} ({e.score:.2f}): {e.text[:200]}[/]", highlight=False
            )
    for a in report.artifacts:
        console.print(f"[magenta]ARTIFACT[/] {a.kind} [{a.start}:{a.end}] {a.text[:80]!r}", highlight=False)
    for q in report.quotes:
        extra = f" -> {q.rewrite_text!r}" if q.rewrite_text else ""
        console.print(f"[red]QUOTE {q.status.upper()}[/] {q.text[:120]!r}{extra}", highlight=False)
    console.print(("[bold green]" if report.ok else "[bold red]") + report.summary + "[/]", highlight=False)
