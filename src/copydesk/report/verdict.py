"""The verdict of ``copydesk verify`` as an editor reads it: documents named by their file names, and
the findings grouped (contradicted, unsupported, dropped quotes, artifacts), each with the span's
text, the plain reason and what it was compared with. Pure functions over ``verify.VerifyReport``."""

from __future__ import annotations

from dataclasses import dataclass

ARTIFACT_REASON = {
    "prompt_leak": "text left over from the prompt or the model's answer, not part of the article",
    "duplicated_headline": "the headline repeated inside the text",
    "duplicated_body": "a passage pasted twice",
    "boilerplate": "boilerplate (subscribe, share, cookie or reader prompts)",
    "markup": "markup left in the text (markdown or HTML)",
    "broken_quote": "an unbalanced or stray quotation mark",
}
GROUPS = ("contradicted", "unsupported", "dropped quotes", "artifacts")


@dataclass(frozen=True)
class Finding:
    """One thing the editor should look at: the rewrite's text (or the source's, for a dropped quote),
    why it is flagged, and the source sentence it was compared with, if any."""

    group: str  # one of GROUPS
    kind: str
    text: str
    reason: str
    compared: str | None = None  # the closest source sentence (claims) or the rewrite's version (quotes)
    compared_in: str | None = None  # the document ``compared`` comes from


def document_names(source_args: list[str], rewrite_arg: str) -> dict[str, str]:
    """The internal names ``verify`` gives the documents ("source", "source-2", "rewrite") mapped to
    the file names the user gave ('-' is "<stdin>")."""

    def shown(arg: str) -> str:
        return "<stdin>" if arg == "-" else arg

    if len(source_args) == 1:
        names = {"source": shown(source_args[0])}
    else:
        names = {f"source-{i + 1}": shown(a) for i, a in enumerate(source_args)}
    names["rewrite"] = shown(rewrite_arg)
    return names


def name_documents(verdict: dict, names: dict[str, str]) -> dict:
    """The JSON verdict (``VerifyReport.to_dict``) with every document reference (``article``,
    ``article_id``, ``source``, ``support``) given as its file name, and a ``documents`` entry."""

    def walk(x: object) -> object:
        if isinstance(x, dict):
            out: dict[str, object] = {}
            for k, v in x.items():
                if k in ("article", "article_id", "source") and isinstance(v, str):
                    out[k] = names.get(v, v)
                elif k == "support" and isinstance(v, list | tuple):
                    out[k] = [names.get(s, s) if isinstance(s, str) else s for s in v]
                else:
                    out[k] = walk(v)
            return out
        if isinstance(x, list | tuple):
            return [walk(v) for v in x]
        return x

    named = walk(verdict)
    assert isinstance(named, dict)
    return {"documents": {"sources": [v for k, v in names.items() if k != "rewrite"], "rewrite": names["rewrite"]},
            **named}


def findings(report, names: dict[str, str]) -> list[Finding]:
    """The findings of a ``VerifyReport``, in the order of ``GROUPS`` and, within a group, of the text."""
    out = []
    for status in ("contradicted", "unsupported"):
        for c in sorted((c for c in report.claims if c.status == status), key=lambda c: c.start):
            ev = c.evidence[0] if c.evidence else None
            out.append(Finding(status, c.kind, c.text, c.reason or status,
                               ev.text if ev else None, names.get(ev.article, ev.article) if ev else None))
    for q in report.quotes:
        reason = ("the source's quote is not in the rewrite" if q.status == "dropped"
                  else "the rewrite changes the words of the source's quote")
        out.append(Finding("dropped quotes", q.status, q.text, reason, q.rewrite_text,
                           names.get("rewrite") if q.rewrite_text else None))
    for a in sorted(report.artifacts, key=lambda a: a.start):
        out.append(Finding("artifacts", a.kind, a.text, ARTIFACT_REASON.get(a.kind, a.kind.replace("_", " "))))
    return out
