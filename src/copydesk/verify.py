"""The pre-publication gate: check one rewrite against its source(s) before it goes out.

Same stages as ``analyze`` (clean, segment, embed, align, claims), for one pair at a time:

    >>> from copydesk import verify
    >>> report = verify(source_text, rewrite_text)
    >>> report.ok, [c.text for c in report.flagged]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from .config import Settings
from .display import plural
from .records import AlignedSentence, Artifact, Claim

FAIL_KINDS = ("unsupported", "contradicted", "artifact", "dropped-quote")
# = claims.FLAGGED (not imported: ``import copydesk`` stays light)
FLAGGED = ("unsupported", "contradicted")


@dataclass(frozen=True, slots=True)
class DroppedQuote:
    source: str
    text: str
    status: str  # "dropped" (no version of it in the rewrite) or "altered" (changed words)
    rewrite_text: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    failed_on: tuple[str, ...]
    claims: tuple[Claim, ...]
    artifacts: tuple[Artifact, ...]
    quotes: tuple[DroppedQuote, ...]
    alignment: tuple[dict, ...]
    dropped: tuple[dict, ...]
    rewrite_text: str = ""
    summary: str = ""

    @property
    def flagged(self) -> tuple[Claim, ...]:
        """Claims that are unsupported or contradicted (not headings, questions, labels: status "heading")."""
        return tuple(c for c in self.claims if c.status in FLAGGED)

    @property
    def checked(self) -> int:
        """Claims checked: every claim but headings, questions and labels (status "heading")."""
        return sum(c.status != "heading" for c in self.claims)

    @property
    def risk(self) -> float:
        """Share of the rewrite's claims flagged (unsupported or contradicted), headings not counted."""
        return len(self.flagged) / self.checked if self.checked else 0.0

    @property
    def score(self) -> float:
        """How strongly the flags say the rewrite was bent (:func:`copydesk.claims.manipulation_score`): the
        flagged claims over the square root of the claims checked, to rank rewrites of any length."""
        from .claims import manipulation_score

        return float(manipulation_score(len(self.flagged), self.checked))

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("rewrite_text")
        d["flagged"] = [asdict(c) for c in self.flagged]
        d["risk"] = round(self.risk, 4)
        d["score"] = round(self.score, 4)
        return d


@dataclass(frozen=True, slots=True)
class CleanResult:
    text: str
    removed: tuple[Artifact, ...] = field(default_factory=tuple)


def clean(text: str) -> CleanResult:
    """``text`` with rewriting artifacts (prompt leaks, repeated headline/body, boilerplate,
    markup residue, stray quotes) stripped, and the spans removed; Mac Roman punctuation read as Latin-1
    put back (:func:`~copydesk.clean.repair_mojibake`). Claims are never touched."""
    from .clean import detect_artifacts, find_title, repair_mojibake, strip_artifacts

    text = repair_mojibake(text)
    arts = detect_artifacts(text, find_title(text))
    stripped, _ = strip_artifacts(text, arts)
    return CleanResult(stripped, tuple(arts))


def _parse_fail_on(fail_on: str | Iterable[str]) -> tuple[str, ...]:
    kinds = [k.strip() for k in (fail_on.split(",") if isinstance(fail_on, str) else fail_on) if k.strip()]
    bad = [k for k in kinds if k not in FAIL_KINDS]
    if bad:
        raise ValueError(f"unknown --fail-on kind(s) {', '.join(bad)}; choose from {', '.join(FAIL_KINDS)}")
    return tuple(kinds)


def verify(
    sources: str | Sequence[str],
    rewrite: str,
    fail_on: str | Iterable[str] = FAIL_KINDS,
    settings: Settings | None = None,
) -> VerifyReport:
    """Check ``rewrite`` against ``sources`` (one text or several): claims, artifacts, quotes."""
    from .align import align, aligned_json, dropped_json, reconcile
    from .analyze import analyze_batch, sentence_vectors
    from .claims import claim_record, evidence_pool, judge_claims, sentence_units
    from .claims.verifier import warm_trained_support
    from .ingest import InputError, article_from_text

    settings = settings or Settings()
    kinds = _parse_fail_on(fail_on)
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        raise ValueError("at least one source text is needed")
    try:
        arts = [
            article_from_text(f"source-{i + 1}" if len(sources) > 1 else "source", s, settings.limits)
            for i, s in enumerate(sources)
        ]
        arts.append(article_from_text("rewrite", rewrite, settings.limits))
    except InputError as e:
        raise ValueError(str(e)) from None
    warm_trained_support()
    rows = analyze_batch(arts, settings, embed=False)
    svecs = sentence_vectors(rows, settings)
    by_id = {r.article.id: r for r in rows}
    units = {r.article.id: sentence_units(r) for r in rows}
    rw = by_id["rewrite"]
    src_ids = [a.id for a in arts[:-1]]
    pool, pool_vecs = evidence_pool(src_ids, by_id, units, svecs)
    judged = judge_claims("rewrite", rw.sentences, units["rewrite"], svecs["rewrite"], pool, pool_vecs)
    claims = tuple(claim_record(c, v) for c, v in judged)
    best: list[AlignedSentence] = []
    dropped: list[dict] = []
    for sid in src_ids:
        al = align(rw.sentences, svecs["rewrite"], sid, by_id[sid].sentences, svecs[sid])
        dropped.extend(dropped_json(al))
        if not best:
            best = list(al.sentences)
        else:  # several sources: keep, per sentence, the best-supported alignment
            for i, a in enumerate(al.sentences):
                if _best(a) > _best(best[i]):
                    best[i] = a
    for sid in src_ids:
        best = reconcile(best, claims, sid)
    alignment = [aligned_json(a) for a in best]
    quotes = _quote_changes(src_ids, units, rw)
    failed = []
    if "unsupported" in kinds and any(c.status == "unsupported" for c in claims):
        failed.append("unsupported")
    if "contradicted" in kinds and any(c.status == "contradicted" for c in claims):
        failed.append("contradicted")
    if "artifact" in kinds and rw.clean.artifacts:
        failed.append("artifact")
    if "dropped-quote" in kinds and quotes:
        failed.append("dropped-quote")
    n_uns = sum(c.status == "unsupported" for c in claims)
    n_con = sum(c.status == "contradicted" for c in claims)
    n_head = sum(c.status == "heading" for c in claims)
    summary = (
        f"{'FAIL' if failed else 'PASS'}: {plural(len(claims) - n_head, 'claim')}, {n_con} contradicted, "
        f"{n_uns} unsupported"
        + (f" ({plural(n_head, 'heading')} not checked)" if n_head else "")
        + "; "
        f"{plural(len(rw.clean.artifacts), 'artifact')}; {plural(len(quotes), 'quote')} dropped or altered"
    )
    return VerifyReport(
        not failed,
        tuple(failed),
        claims,
        rw.clean.artifacts,
        tuple(quotes),
        tuple(alignment),
        tuple(dropped),
        rw.article.text,
        summary,
    )


def _best(a: AlignedSentence) -> float:
    return max((s.score for s in a.sources), default=0.0)


def _quote_changes(src_ids: Sequence[str], units: dict, rw) -> list[DroppedQuote]:
    from .featurize.units import compatible

    rq = [u for su in units["rewrite"] for u in su if u.kind == "quote"]
    out = []
    for sid in src_ids:
        for u in (u for su in units[sid] for u in su if u.kind == "quote"):
            if len(u.key.split()) < 4:
                continue
            verdicts = [(compatible(u, v), v) for v in rq]
            if any(ok is True for ok, _ in verdicts):
                continue
            altered = next((v for ok, v in verdicts if ok is False), None)
            out.append(
                DroppedQuote(
                    sid, u.text, "altered" if altered else "dropped", altered.text if altered else None
                )
            )
    return out
