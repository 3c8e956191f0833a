"""Terminal rendering of the report (rich).

Everything that comes from user data (ids, titles, texts, file names) goes through
``display.printable`` (control and invisible characters escaped, so an id cannot clear the screen or
write the clipboard) and is never read as rich markup (``[bold]`` in a title prints as typed).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..display import plural, printable, printable_text, shorten
from .summary import CONTEXT_CHARS, FactLine, Summary, flagged_claims, story_facts, summarize


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
RELATION_WORD = {
    "reference": "reference",
    "rewrite": "rewrite",
    "duplicate": "duplicate",
    "same_story": "same story",
    "unrelated": "single",
}
WORD_WIDTH = max(map(len, RELATION_WORD.values())) + 1  # the relation column, and a space before the id
STATUS_STYLE = {"contradicted": "bold red", "unsupported": "yellow"}
DETAIL_MAX_STORIES = 20  # by default a run with more stories of several articles shows only the summary
SUMMARY_TOP = 10  # stories listed in the summary
CLAIMS_PER_ARTICLE = 8  # flagged claims shown per article in the detail
TITLE_CHARS = 100  # titles in lists are shortened (at a word boundary) to this


def render(report: dict, console: Console, mode: str | None = None, max_singletons: int = 10) -> None:
    """The report for a terminal or a log: the one-screen summary, then (``mode`` "detail") every story
    with several articles. ``mode`` None: the detail when there are at most ``DETAIL_MAX_STORIES`` such
    stories, else the summary only. Text wraps at word boundaries at the console's width; ids are
    never shortened."""
    summ = summarize(report)
    if mode is None:
        mode = "detail" if summ.multi_stories <= DETAIL_MAX_STORIES else "summary"
    render_summary(summ, console, top=SUMMARY_TOP if mode == "summary" else 0)
    if mode == "summary":
        if summ.multi_stories:
            console.print(
                "[dim]Each story's articles, flagged claims and facts: --detail (or --json / --html).[/]"
            )
        return
    arts = {a["id"]: a for a in report["articles"]}
    for s in report["stories"]:
        if len(s["articles"]) > 1:
            render_story(s, arts, console)
    _render_singles([s for s in report["stories"] if len(s["articles"]) == 1], arts, console, max_singletons)


def _out(console: Console, text: Text, indent: int = 0) -> None:
    """A paragraph, wrapped at word boundaries to the console's width with its lines indented by
    ``indent`` (no padding after the last word: logs and pipes get no trailing blanks)."""
    width = max(console.width - indent, 20)
    for line in text.wrap(console, width, overflow="fold"):
        line.rstrip()
        console.print(Text(" " * indent) + line if indent else line, soft_wrap=True)


def _counts(counts: dict[str, int], nouns: dict[str, str] | None = None) -> str:
    return ", ".join(f"{n:,} {(nouns or {}).get(k, k)}" for k, n in counts.items())


def render_summary(summ: Summary, console: Console, top: int = SUMMARY_TOP) -> None:
    """The run at a glance: stories, rewrites, flagged claims by kind, artifacts, missing sources;
    then the ``top`` largest stories, one line each."""
    console.rule(Text("copydesk summary", style="bold"))
    rel = summ.relations
    console.print(
        f"{plural(summ.articles, 'article')} in {plural(summ.stories, 'story')} "
        f"({summ.multi_stories:,} with several articles)"
    )
    console.print(
        f"{plural(rel.get('rewrite', 0), 'rewrite')}, {plural(rel.get('duplicate', 0), 'duplicate')}, "
        f"{rel.get('same_story', 0):,} same story, {plural(rel.get('unrelated', 0), 'single')}"
    )
    n_flagged = sum(summ.flagged.values())
    line = f"{plural(n_flagged, 'flagged claim')}"
    if n_flagged:
        line += f": {_counts(summ.flagged)} (by kind: {_counts(summ.flagged_kinds)})"
    console.print(line)
    n_art = sum(summ.artifacts.values())
    console.print(plural(n_art, "artifact") + (f": {_m(_counts(summ.artifacts))}" if n_art else ""))
    console.print(f"{plural(summ.missing_sources, 'story')} whose common source is not in the set")
    if top and summ.top:
        console.print(Text("Largest stories:", style="bold"))
        for st in summ.top[:top]:
            bits = [plural(st.articles, "article"), plural(st.rewrites, "rewrite")]
            if st.flagged:
                bits.append(f"{st.flagged:,} flagged")
            if st.artifacts:
                bits.append(plural(st.artifacts, "artifact"))
            if st.missing_source:
                bits.append("source missing")
            _out(console, _t(shorten(st.title, TITLE_CHARS), "bold"), 2)
            _out(console, _t(st.id, "dim") + Text(" · " + " · ".join(bits), style="dim"), 4)
        if len(summ.top) > top:
            more = plural(len(summ.top) - top, "more story", "more stories")
            console.print(f"  [dim]… and {more} of several articles[/]")


def _article_line(a: dict, ref: bool) -> Text:
    """One article of a story: relation, full id, its source and score, what it kept, flags, artifacts."""
    rel = "reference" if ref else a["relation"]
    line = Text(f"{RELATION_WORD.get(rel, rel):<{WORD_WIDTH}}", style=RELATION_STYLE.get(rel, "")) + _t(a["id"])
    bits = []
    if a.get("source"):
        bits.append(f"from {printable(a['source'])}")
    if a.get("score") is not None:
        bits.append(f"score {a['score']:.2f}")
    counts = a.get("counts") or {}
    if counts and a.get("source"):  # the reference has no source to be aligned with
        bits.append(
            f"kept {counts.get('verbatim', 0)}, paraphrased {counts.get('paraphrase', 0)}, "
            f"added {counts.get('added', 0)}"
        )
    if a.get("claims") is not None:
        bits.append(f"{len(flagged_claims(a))} flagged")
    kinds = sorted({x["kind"] for x in a["artifacts"]})
    if kinds:
        bits.append("artifacts: " + ", ".join(kinds))
    if bits:
        line += Text(" · " + " · ".join(bits), style="dim")
    return line


def render_claim(c: dict, console: Console, indent: int = 2) -> None:
    """A flagged claim: its status and kind, its text, the plain reason and the closest source sentence
    it was compared with (which, by definition, does not support it)."""
    status = c["status"]
    _out(console, Text(f"{status} ({c.get('kind', 'claim')})", style=STATUS_STYLE.get(status, ""))
         + Text(": ") + _t(c["text"]), indent)
    if c.get("reason"):
        _out(console, Text("why: ", style="dim") + _t(c["reason"]), indent + 4)
    ev = c.get("evidence") or []
    if ev:
        e = ev[0]
        _out(console, Text(f"closest source sentence ({printable(e.get('article', ''))}): ", style="dim")
             + _t(e.get("text", "")), indent + 4)
    else:
        _out(console, Text("closest source sentence: none similar in the other versions", style="dim"), indent + 4)


def render_story(s: dict, arts: dict[str, dict], console: Console) -> None:
    """One story with several articles: its articles, the common source it misses, each article's
    flagged claims, and its facts."""
    console.rule(_t(shorten(s["title"] or s["id"], TITLE_CHARS), style="bold"))
    console.print(
        Text(s["id"], style="dim") + Text(
            f" · {plural(len(s['articles']), 'article')} · {plural(len(s['families']), 'family')} · reference "
        ) + _t(s["reference"], "bold")
    )
    order = [s["reference"]] + [a for a in s["articles"] if a != s["reference"]]
    for aid in order:
        _out(console, _article_line(arts[aid], aid == s["reference"]), 2)
    if s.get("common_source_missing"):
        console.print(
            "[bold magenta]Common source not in the set[/]: derived articles share facts the reference lacks:"
        )
        for e in s["evidence"][:5]:
            _out(console, Text("• ") + _t(e), 2)
    for aid in order:
        flagged = flagged_claims(arts[aid])
        if flagged:
            console.print(Text("Flagged claims in ", style="bold") + _t(aid, "bold") + Text(":", style="bold"))
            for c in flagged[:CLAIMS_PER_ARTICLE]:
                render_claim(c, console)
            if len(flagged) > CLAIMS_PER_ARTICLE:
                console.print(f"  [dim]… and {len(flagged) - CLAIMS_PER_ARTICLE} more (see --json or --html)[/]")
    shared, single = story_facts(s, arts)
    if shared:
        console.print("[bold]Facts most outlets support:[/]")
        for f in shared:
            _out(console, _fact_line("✓ ", f, plural(len(f.support), "article")), 2)
    if single:
        console.print("[bold]Single-source claims[/] (numbers, dates, quotes, names only one version has):")
        for f in single:
            _out(console, _fact_line("· ", f, f"{f.kind}, only {printable(f.support[0])}"), 2)


def _fact_line(bullet: str, f: FactLine, note: str) -> Text:
    if f.context is None:
        return Text(bullet) + _t(f.text) + Text(f" ({note})", style="dim")
    return (Text(bullet) + _t(f.text, "bold") + Text(": ") + _t(shorten(f.context, CONTEXT_CHARS))
            + Text(f" ({note})", style="dim"))


def _render_singles(singles: list[dict], arts: dict[str, dict], console: Console, limit: int) -> None:
    if not singles:
        return
    console.rule(Text(f"{plural(len(singles), 'article')} with a story of their own", style="dim"))
    for s in singles[:limit]:
        a = arts[s["articles"][0]]
        kinds = sorted({x["kind"] for x in a["artifacts"]})
        _out(console, _t(a["id"]) + Text(": ") + _t(shorten(a["title"] or "", TITLE_CHARS))
             + (Text(f"  artifacts: {', '.join(kinds)}", style="dim") if kinds else Text("")), 2)
    if len(singles) > limit:
        console.print(f"  … and {len(singles) - limit:,} more (see --json)")


GROUP_STYLE = {"contradicted": "bold red", "unsupported": "yellow", "dropped quotes": "red",
               "artifacts": "magenta"}


def render_verify(report, console: Console, names: dict[str, str] | None = None, show_text: bool = False) -> None:
    """The verdict of ``verify``: the findings first, grouped (contradicted, unsupported, dropped quotes,
    artifacts), each with its text, the plain reason and the compared source sentence; then, with
    ``show_text``, the rewrite with the flagged spans marked; the summary line last. ``names`` maps
    the documents' internal names to the file names the user gave."""
    from .verdict import GROUPS, findings

    names = names or {}
    found = findings(report, names)
    for group in GROUPS:
        items = [f for f in found if f.group == group]
        if not items:
            continue
        console.rule(Text(f"{group.upper()} ({len(items)})", style=GROUP_STYLE[group]), align="left")
        for f in items:
            _out(console, Text(f"{f.kind}: ", style=GROUP_STYLE[group]) + _t(repr(f.text) if group == "artifacts"
                                                                            else f.text), 2)
            _out(console, Text("why: ", style="dim") + _t(f.reason), 6)
            if f.compared is not None:
                label = "in the rewrite" if group == "dropped quotes" else "closest source sentence"
                _out(console, Text(f"{label} ({printable(f.compared_in or '')}): ", style="dim")
                     + _t(f.compared), 6)
            elif group in ("contradicted", "unsupported"):
                _out(console, Text("closest source sentence: none similar in the source", style="dim"), 6)
    if not found:
        console.print("[green]No findings.[/]")
    if show_text:
        _render_marked_text(report, console, names.get("rewrite", "the rewrite"))
    console.print(("[bold green]" if report.ok else "[bold red]") + escape(report.summary) + "[/]", highlight=False,
                  soft_wrap=True)


def _render_marked_text(report, console: Console, name: str) -> None:
    """The rewrite's text with contradicted spans in red, unsupported in yellow, artifacts struck."""
    console.rule(Text(f"{name}, annotated", style="dim"), align="left")
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
