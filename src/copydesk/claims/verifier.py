"""The verifier: the :class:`Verifier` interface and the default :class:`AlignmentVerifier`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from ..align import ALIGN_MIN
from ..featurize.terms import words
from ..records import Claim, Sentence, SourceMatch, Unit, Verdict
from .checks import ANTONYMS_OF, CLASS_OF, NEGATION_RE, WEAK_ANTONYMS
from .findings import UNIT_RULES, compat, quoted, version_name
from .index import PoolIndex
from .inputs import LOOSE_MIN, SUPPORT_MIN, ClaimInput, EvidenceSentence, claim_inputs
from .model import ClaimModel, Judged, claim_features, default_claim_model
from .roles import ROLE_REASON
from .unit_rules import unit_context, unit_label, unit_phrase


class Verifier(Protocol):
    def judge(
        self, claim: ClaimInput, pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray
    ) -> Verdict: ...


# The trained pairwise verifier (``featurize.nli``, ``data/verifier.onnx``) vouches for a claim that no
# sentence of another version aligns with when its P(supported) against the claim's closest evidence sentence
# is at least this: the claim is then supported, stated in other words. Chosen leave-one-dataset-out from
# (0.95, 0.9, 0.8, 0.7, 0.6, 0.5, off) by ``scripts/claims_lodo.py --fixed-grids nligate1``: 0.8 with each of
# SummEdits, AggreFact, QAGS, LLMFake and the synthetic edits held out. Against the best of the three closest
# sentences (``nligate``) it is chosen the same and scores the same within 0.006 on every set, at three times
# the pairs to score.
VOUCH_MIN = 0.8

# (claims, evidences) -> P(supported) per pair.
Vouch = Callable[[Sequence[str], Sequence[str]], np.ndarray]


def trained_support(claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
    """P(supported) of each (claim, evidence) pair by the shipped trained verifier (loaded once a process)."""
    from ..featurize.nli import get_pair_classifier

    return get_pair_classifier().predict(claims, evidences)[:, 0]


def warm_trained_support() -> None:
    """Start loading the trained verifier in a background thread, once a process (a forked child loads its own;
    a fork waits for the thread), so its ONNX session (about 0.25 s) is built while the caller analyses and
    aligns the texts; the first :func:`trained_support` call waits for it if it is not done."""
    from ..featurize.nli import warm_pair_classifier

    warm_pair_classifier()


class AlignmentVerifier:
    """Retrieval + unit diff + hard rules + the rank model; with ``vouch`` (the default verifier: the shipped
    trained pairwise verifier), a claim below the alignment threshold that the trained verifier finds stated
    by one of its evidence sentences (P(supported) >= ``vouch_min``) is supported."""

    def __init__(
        self,
        model: ClaimModel | None = None,
        align_min: float = ALIGN_MIN,
        support_min: float = SUPPORT_MIN,
        vouch: Vouch | None = None,
        vouch_min: float = VOUCH_MIN,
    ) -> None:
        self.model = model or default_claim_model()
        self.align_min = align_min
        self.support_min = support_min
        self.vouch = vouch
        self.vouch_min = vouch_min

    def judge(self, claim: ClaimInput, pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray) -> Verdict:
        return self.judge_many([claim], pool, pool_vectors)[0]

    def judge_many(
        self, claims: Sequence[ClaimInput], pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray
    ) -> list[Verdict]:
        """Verdicts for several claims against one pool: one index, one similarity matrix, one batched
        model call. IDF is taken over the pool and the claims together, as :func:`similarity` does."""
        if not claims:
            return []
        index = PoolIndex(pool, pool_vectors, extra_texts=[c.text for c in claims])
        return self.judge_indexed(claims, index)

    def judge_indexed(self, claims: Sequence[ClaimInput], index: PoolIndex) -> list[Verdict]:
        if not claims:
            return []
        vecs = np.vstack([np.asarray(c.vector, np.float32).reshape(1, -1) for c in claims])
        sims = index.query([c.text for c in claims], vecs)
        emb = vecs @ index.vectors.T if len(index.pool) else np.zeros((len(claims), 0), np.float32)
        judged = [claim_features(c, index, sims[k], emb[k], self.align_min) for k, c in enumerate(claims)]
        probs = self.model.probs([j.x for j in judged])
        vouched = self._vouched(claims, judged, index)
        return [
            self._verdict(c, j, float(p), sims[k], index, vouched.get(k))
            for k, (c, j, p) in enumerate(zip(claims, judged, probs, strict=True))
        ]

    def _vouched(
        self, claims: Sequence[ClaimInput], judged: Sequence[Judged], index: PoolIndex
    ) -> dict[int, tuple[float, int]]:
        """{claim k: (the trained verifier's P(supported) against its closest evidence sentence, that sentence's
        index)} for the claims that may reach the alignment threshold in :meth:`_verdict` (claims no hard rule
        flags and no evidence sentence aligns with), in one batch; empty without ``vouch``."""
        if self.vouch is None:
            return {}
        ask = [
            (k, j.top[0])
            for k, (c, j) in enumerate(zip(claims, judged, strict=True))
            if c.role == "claim" and j.rule is None and j.x["best_sim"] < self.align_min and j.top
        ]
        if not ask:
            return {}
        ps = self.vouch([claims[k].text for k, _ in ask], [index.pool[i].text for _, i in ask])
        return {k: (float(q), i) for (k, i), q in zip(ask, ps, strict=True)}

    def _verdict(
        self,
        claim: ClaimInput,
        j: Judged,
        p: float,
        sims: np.ndarray,
        index: PoolIndex,
        vouched: tuple[float, int] | None = None,
    ) -> Verdict:
        """The verdict of one claim. ``p`` is the model's P(not supported) — the one place a model's
        probability enters; the hard rules (``j.rule``) decide before it, the alignment after it:

        1. a non-claim (heading, question, label, dateline, byline) is ``heading``, unless a heading or
           question states a number, date, quote or name the rules flag;
        2. a hard rule's verdict, its reason and the sentence it compared;
        3. the model at or above its threshold: contradicted (a negation, antonym, number or word swap
           against the closest sentence) or unsupported (the words no version has);
        4. the alignment floor, then the alignment threshold: a claim no sentence of another version
           aligns with is unsupported (so "added" in the alignment never shows as supported), unless a
           near sentence states its figures or the trained verifier vouches for it (``vouched``: its best
           P(supported) against an evidence sentence is at least ``vouch_min``);
        5. supported, by the articles whose sentences align with it.
        """
        pool = index.pool
        x = j.x
        t = self.model.threshold
        f = j.rule
        if claim.role != "claim" and (
            f is None or claim.role not in ("heading", "question") or f.rule not in UNIT_RULES
        ):
            return Verdict("heading", "statement", 0.0, ROLE_REASON.get(claim.role, "not a claim"))

        def evidence(first: int | None = None) -> tuple[SourceMatch, ...]:
            order = ([first] if first is not None else []) + [i for i in j.top if i != first]
            return tuple(SourceMatch(pool[i].article, pool[i].text, round(float(sims[i]), 4)) for i in order)

        if f is not None:
            return Verdict(f.status, f.kind, max(p, t), f.reason, evidence(f.evidence))
        closest = pool[j.top[0]] if j.top else None
        who = version_name(closest) if closest is not None else "no other version"
        if p >= t:
            swap = feature_contradiction(claim, closest, x) if closest is not None and j.aligned else None
            if swap is not None:
                kind, reason = swap
                return Verdict("contradicted", kind, p, reason, evidence())
            kind = "number" if x["new_numbers"] else "entity" if x["new_entities"] else "statement"
            return Verdict("unsupported", kind, p, _novel_reason(j, who), evidence())
        floor_feature, floor = self.model.floor
        stated = units_stated(claim, index, sims) if x[floor_feature] >= floor else None
        if stated is not None and x["best_sim"] < self.align_min:
            return Verdict(
                "supported",
                "number",
                p,
                f"{version_name(pool[stated])} states the same figures about the same thing",
                evidence(stated),
                (pool[stated].article,),
            )
        if x[floor_feature] >= floor and vouched is not None and vouched[0] >= self.vouch_min:
            q, i = vouched
            return Verdict(
                "supported",
                "statement",
                p,
                f"{version_name(pool[i])} says this in other words (the trained claim verifier: "
                f"{round(100 * q)} % supported)",
                evidence(i),
                (pool[i].article,),
            )
        if x[floor_feature] < floor or x["best_sim"] < self.align_min:
            kind = "entity" if x["new_entities"] else "statement"
            why = (
                "no other version says this: no sentence of another version shares its wording"
                if x[floor_feature] < floor
                else f"no other version says this: the closest sentence ({who}) shares little of it"
            )
            if j.missing:
                why += "; " + _listed(j.missing) + " in no other version"
            # The floor is the model's own rule: its score is at least the threshold. Below the alignment
            # threshold the score stays the model's probability (the rank of how suspicious it is).
            return Verdict("unsupported", kind, max(p, t) if x[floor_feature] < floor else p, why, evidence())
        support = tuple(sorted({pool[int(i)].article for i in np.flatnonzero(sims >= self.support_min)}))
        return Verdict(
            "supported",
            "statement",
            p,
            f"matches the closest sentence ({who})",
            evidence(),
            support or tuple(sorted({pool[i].article for i in j.top if sims[i] >= self.align_min})),
        )


def _listed(ws: Sequence[str]) -> str:
    """“a”, “b” and “c” appear / “a” appears."""
    qs = [quoted(w) for w in ws]
    if len(qs) == 1:
        return f"{qs[0]} appears"
    return ", ".join(qs[:-1]) + f" and {qs[-1]} appear"


def units_stated(claim: ClaimInput, index: PoolIndex, sims: np.ndarray) -> int | None:
    """A near sentence (``LOOSE_MIN``) stating every number of the claim about the same thing (a head noun
    in common): "Russia holds about a fifth of Ukraine's territory" is stated by "Russia controls
    approximately 20% of Ukrainian land, underscoring ..." though the long sentence aligns below the
    threshold."""
    nums = [u for u in claim.units if u.kind == "number" and u.unit]
    if not nums or not len(sims):
        return None
    for i in (int(i) for i in np.argsort(-sims, kind="stable")[:8] if sims[i] >= LOOSE_MIN):
        e = index.pool[i]
        if all(
            any(
                v.kind == "number" and compat(u, v) and unit_context(claim.text, u) & unit_context(e.text, v)
                for v in e.units
            )
            for u in nums
        ):
            return i
    return None


def _novel_reason(j: Judged, who: str) -> str:
    x = j.x
    bits = []
    if j.missing:
        bits.append(_listed(j.missing) + " in no other version")
    if x["new_entities"]:
        bits.append("it names someone or something no other version names")
    if not bits:
        bits.append(f"its wording differs from the closest sentence ({who})")
    return "not stated elsewhere: " + "; ".join(bits)


def feature_contradiction(
    claim: ClaimInput, e: EvidenceSentence, x: dict[str, float]
) -> tuple[str, str] | None:
    """(kind, reason) when the model's flag rests on a negation, antonym, number or word swap against
    the closest sentence, naming the words; None otherwise (the flag is "unsupported")."""
    who = version_name(e)
    if x["neg_flip"]:
        mc, me = NEGATION_RE.search(claim.text), NEGATION_RE.search(e.text)
        here = quoted(claim.text[max(0, mc.start() - 20) : mc.end() + 20]) if mc else "no negation"
        there = quoted(e.text[max(0, me.start() - 20) : me.end() + 20]) if me else "no negation"
        return "statement", f"negation: {here} here; {who} has {there}"
    cw, ew = set(words(claim.text)), set(words(e.text))
    if x["antonym"]:
        for w in sorted(cw - ew):
            a = sorted(
                v for v in ANTONYMS_OF.get(w, set()) & ew - cw if frozenset((w, v)) not in WEAK_ANTONYMS
            )
            if a:
                return "statement", f"antonym: {quoted(w)} here; {who} says {quoted(a[0])}"
    if x["num_conflict"] or x["unit_swap"]:
        for u in (u for u in claim.units if u.kind == "number"):
            v = next((v for v in e.units if v.kind == "number" and compat(u, v) is False), None)
            if v is not None:
                return "number", (
                    f"{unit_label(u)} changed: {quoted(unit_phrase(claim.text, u))} here; {who} says "
                    f"{quoted(unit_phrase(e.text, v))}"
                )
    if x["class_swap"]:
        ecls = {CLASS_OF[w]: w for w in sorted(ew - cw) if w in CLASS_OF}
        for w in sorted(cw - ew):
            if w in CLASS_OF and CLASS_OF[w] in ecls:
                return "statement", f"word swap: {quoted(w)} here; {who} says {quoted(ecls[CLASS_OF[w]])}"
    return None


@lru_cache(maxsize=1)
def default_verifier() -> AlignmentVerifier:
    """The verifier ``verify``, ``analyze`` and ``eval`` use: alignment, rules and the trained verifier's vouch."""
    return AlignmentVerifier(vouch=trained_support)


def judge_claims(
    article: str,
    sentences: Sequence[Sentence],
    units: Sequence[tuple[Unit, ...]],
    vecs: np.ndarray,
    pool: Sequence[EvidenceSentence],
    pool_vecs: np.ndarray,
    verifier: Verifier | None = None,
) -> list[tuple[ClaimInput, Verdict]]:
    """Every claim of one text (:func:`~copydesk.claims.inputs.claim_inputs`) with its verdict against a
    pool of evidence sentences. A verdict's ``evidence`` lists the sentences compared, the one the verdict
    rests on first (the closest, or the sentence a rule compared the claim with)."""
    verifier = verifier or default_verifier()
    claims = claim_inputs(article, sentences, units, vecs)
    many = getattr(verifier, "judge_many", None)
    verdicts = many(claims, pool, pool_vecs) if many else [verifier.judge(c, pool, pool_vecs) for c in claims]
    return list(zip(claims, verdicts, strict=True))


def claim_record(claim: ClaimInput, verdict: Verdict) -> Claim:
    """The :class:`~copydesk.records.Claim` record of a judged claim."""
    return Claim(
        claim.article,
        claim.text,
        claim.start,
        claim.end,
        verdict.kind,
        verdict.status,
        verdict.support,
        verdict.evidence,
        verdict.reason,
    )


def claim_json(claim: ClaimInput, verdict: Verdict) -> dict:
    """A judged claim as it is written in a story's detail JSON (and read by ``copydesk eval``)."""
    return {
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "kind": verdict.kind,
        "status": verdict.status,
        "score": round(verdict.score, 4),
        "reason": verdict.reason,
        "support": list(verdict.support),
        "evidence": [{"article": e.article, "text": e.text, "score": e.score} for e in verdict.evidence],
    }


def manipulation_score(flagged: Any, checked: Any) -> Any:
    """How strongly a rewrite's flagged claims say it was manipulated: the flags over the square root of the
    claims checked (ints or arrays). A faithful rewrite's false flags grow with its length as a binomial count
    does, so its spread grows with the square root of the claims; the share (flags over claims) hides a long
    rewrite's many flags, and the count alone ranks every long faithful one high. No fitted parameter."""
    return flagged / np.sqrt(np.maximum(checked, 1))
