"""Statement rules: a stance, negation, antonym or hedge reversed, actors swapped around the same verb,
an evaluative or causal clause no version has, a clause inserted into a restated sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..featurize.terms import STOP, WORD, norm_word, stem, words
from ..featurize.units.attributions import group_speakers
from ..records import Unit
from .checks import NEGATION_RE, PREDICATE, actors, resolved_subjects
from .findings import Finding, quoted, version_name
from .index import PREFIX_LEN, PoolIndex
from .inputs import ClaimInput

_REFUSE_RE = re.compile(
    r"\b(?:declin(?:ed|es|ing)|refus(?:ed|es|ing))\s+to\s+(?:comment|say|confirm|discuss|elaborate|disclose|"
    r"specify|answer|reveal|deny)\b|\b(?:would|did|could|will)\s+not\s+"
    r"(?:say|confirm|comment|disclose|discuss|"
    r"reveal)\b|\b(?:wouldn't|didn't|couldn't|won't)\s+(?:say|confirm|comment|disclose|discuss|reveal)\b|"
    r"\bden(?:ied|ies|y|ying)\b|\bno comment\b",
    re.I,
)
_AFFIRM_RE = re.compile(
    r"\b(?:confirm(?:ed|s|ing)?|acknowledg(?:ed|es|ing|e)|admit(?:s|ted|ting)?|conced(?:ed|es|ing|e)|"
    r"verif(?:ied|ies|y)|affirm(?:ed|s)?|disclos(?:ed|es)|reveal(?:ed|s))\b",
    re.I,
)


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOP and len(w) > 2 and not w.isdigit()}


def _stance(text: str) -> tuple[str, re.Match[str]] | None:
    m = _REFUSE_RE.search(text)
    if m:
        return "refuse", m
    m = _AFFIRM_RE.search(text)
    return ("affirm", m) if m else None


def stance_reversal(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """ "declined to comment on whether X" -> "confirmed that X", "denied X" -> "admitted X": the stance
    toward the same matter (two content words in common after the verb) reversed in an aligned sentence."""
    c = _stance(claim.text)
    if c is None:
        return None
    obj_c = _content_stems(claim.text[c[1].end() :])
    for i in aligned[:3]:
        e = index.pool[i]
        s = _stance(e.text)
        if s is None or s[0] == c[0] or len(obj_c & _content_stems(e.text[s[1].end() :])) < 2:
            continue
        return Finding(
            "contradicted",
            "statement",
            f"stance reversed: {quoted(c[1].group())} here; {version_name(e)} says {quoted(s[1].group())}",
            i,
            rule="stance",
        )
    return None


def speaker_group_changed(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """ "Prosecutors said X" for "police said X": the same statement (two content words in common besides the
    speakers) given to another group of speakers (``attributions.group_speakers``) by an aligned sentence that
    names no speaker of the claim's group. Broad groups ("officials", "authorities") may be any: never a change."""
    mine = [g for g in group_speakers(claim.text) if g[3]]
    if not mine:
        return None
    groups = {g[3] for g in mine}
    rest_c = _content_stems(claim.text) - {stem(g[2].lower()) for g in mine}
    for i in aligned[:3]:
        e = index.pool[i]
        theirs = group_speakers(e.text)
        if not theirs or any(g[3] in groups or not g[3] for g in theirs):
            continue
        if any(g[2].lower() in e.text.lower() for g in mine):
            continue  # "police told prosecutors": the claim's group is there in another role
        if len(rest_c & _content_stems(e.text)) < 2:
            continue
        t = theirs[0]
        return Finding(
            "contradicted",
            "attribution",
            f"speaker changed: {quoted(claim.text[mine[0][0] : mine[0][1]])} here; {version_name(e)} says "
            f"{quoted(e.text[t[0] : t[1]])}",
            i,
            rule="speaker_group",
        )
    return None


_NEG_CUE_RE = re.compile(
    r"\b(?:(?<!\bor\s)not|never|no\s+longer|yet\s+to|without|fail(?:ed|s|ing)?\s+to|declin(?:ed|es|ing)\s+to|"
    r"refus(?:ed|es|ing)\s+to|(?:barred|banned|prevented|prohibited|blocked|excluded|precluded|stopped|kept|"
    r"refrain(?:ed|s|ing)?|abstain(?:ed|s|ing)?)\s+from|rul(?:ed|es|ing)\s+out)\b|n[’']t\b|(?<=\s)nt\b",
    re.I,
)
# Wider, for "is this word asserted?": a word after "denied", "avoided", "no" is not asserted either.
_NEG_CONTEXT_RE = re.compile(
    _NEG_CUE_RE.pattern + r"|\b(?:no|den(?:y|ies|ied|ying)|avoid(?:ed|s|ing)?|"
    r"reject(?:ed|s|ing)?|nor|neither|none|cannot|barred|banned|prevented|prohibited|"
    r"blocked|excluded|precluded|refrain\w*|abstain\w*|kept\s+out|"
    # ... nor after a word that says it did not happen or is in doubt: "unable to perform" = "could not
    # perform", "his failure to appoint" = "not appointing", "far from surprised", "free of compromise",
    # "struggling to cope", "finds it difficult to watch", "very few people take", "unclear whether".
    r"unable|inability|failure|refusal|far\s+from|free\s+of|lack(?:ed|s|ing)?(?:\s+of)?|(?:decid|advis|warn)\w*\s+against|"
    r"struggl\w*|difficult\w*|challenging|hard\s+to|hardly|barely|rarely|seldom|(?<![Aa]\s)few|whether)\b",
    re.I,
)
_NEG_SKIP = frozenset("yet be been being have has had to do does did get got even ever so too very".split())
# Negation raised to the verb of thinking or seeming: "doesn't seem like it will last" = "it seems it will
# not last", "can't seem to complete" is about completing. The negation is of the next content word.
_NEG_RAISING = frozenset(
    """seem seems seemed seeming appear appears appeared think thinks thought believe believes believed expect
    expects expected want wants wanted wanting feel feels felt suppose supposed""".split()
)
# After a negation, these end the search: "not only", "not one but two", "not since", "not yet, still".
_NEG_STOP = frozenset(
    """only just one merely since for in on at from with about as because until till again anymore still
    always all every everything everyone""".split()
)
_COORDINATED_RE = re.compile(r"\s+(?:or|nor|and)\s+(?:even\s+)?([a-z]{3,})\b")  # "not X or Y"
_SCOPE_END = re.compile(r"[,;:()]|\b(?:but|and|or|while|whereas|although|though)\b", re.I)


@lru_cache(maxsize=20_000)
def _negated_stems(text: str) -> dict[str, tuple[int, int]]:
    """Stems of the first content word after each negation ("has not accepted": accept), with the span
    from the negation to that word, and of a word coordinated with it ("not concerned or upset": upset too).
    Past a verb of seeming or thinking ("doesn't seem to complete": complete). Not a negation of that word:
    "not only", "not one but two", "not ... until" (it happened, later), a name."""
    out: dict[str, tuple[int, int]] = {}
    for m in _NEG_CUE_RE.finditer(text):
        for w in WORD.finditer(text, m.end(), min(len(text), m.end() + 48)):
            low = norm_word(w.group())
            if low in _NEG_STOP:
                break
            if (
                low in STOP
                or low in _NEG_SKIP
                or low in _NEG_RAISING
                or low.endswith("ly")
                or w.group()[0].isupper()
            ):
                continue
            if not re.search(r"\b(?:until|till)\b", text[w.end() : w.end() + 40], re.I):
                out.setdefault(stem(low), (m.start(), w.end()))
                co = _COORDINATED_RE.match(text, w.end())
                if co:
                    out.setdefault(stem(norm_word(co.group(1))), (m.start(), co.end()))
            break
    return out


def _asserted(text: str, st: str) -> bool:
    """A word (not a name) with stem ``st`` stands in ``text`` with no negation before it in its clause
    (back to a comma or a conjunction, at most eight words)."""
    toks = list(WORD.finditer(text))
    for k, w in enumerate(toks):
        if stem(norm_word(w.group())) == st and not w.group()[0].isupper():
            lead = text[toks[max(0, k - 8)].start() : w.start()]
            cuts = list(_SCOPE_END.finditer(lead))
            if cuts:
                lead = lead[cuts[-1].end() :]
            if not _NEG_CONTEXT_RE.search(lead):
                return True
    return False


def _first_with_stem(text: str, st: str) -> tuple[list[re.Match[str]], int]:
    """The words of ``text`` and the index of the first whose stem is ``st`` (-1: none)."""
    toks = list(WORD.finditer(text))
    return toks, next((k for k, w in enumerate(toks) if stem(norm_word(w.group())) == st), -1)


def _word_span(text: str, st: str, before: int = 2) -> str:
    """The first word of ``text`` whose stem is ``st``, with up to ``before`` words before it."""
    toks, k = _first_with_stem(text, st)
    return text[toks[max(0, k - before)].start() : toks[k].end()] if k >= 0 else st


@lru_cache(maxsize=20_000)
def _named_tokens(text: str) -> tuple[str, ...]:
    """:func:`_tokens` with names kept, marked "@name": a negation's subject is often a name."""
    out = []
    for m in WORD.finditer(text):
        w = norm_word(m.group())
        if w:
            out.append("@" + w if m.group()[0].isupper() and m.start() > 0 else w)
    return tuple(out)


def _same_place(wc: Sequence[str], we: Sequence[str], st: str) -> bool:
    """A word with stem ``st`` stands among the same words in both token lists (:func:`_named_tokens`): two
    neighbours (three words either side) in common, one of them not a name."""
    kc = [k for k, w in enumerate(wc) if stem(w) == st]
    ke = [k for k, w in enumerate(we) if stem(w) == st]
    for a in kc:
        na = _neighbours(wc, a) - {st}
        for b in ke:
            shared = na & _neighbours(we, b)
            if len(shared) >= 2 and any(not x.startswith("@") for x in shared):
                return True
    return False


_PARTICLES = frozenset(("up", "out", "off", "down", "over", "back", "away", "through"))


def _particle(text: str, st: str) -> str:
    """The particle after the first word with stem ``st`` ("up" in "had never come up"), or "": a phrasal
    verb is another verb ("came as a surprise" is no assertion of "never come up")."""
    toks, k = _first_with_stem(text, st)
    nxt = toks[k + 1].group().lower() if 0 <= k < len(toks) - 1 else ""
    return nxt if nxt in _PARTICLES else ""


def negation_reversed(
    claim: ClaimInput, index: PoolIndex, aligned: list[int], near: list[int]
) -> Finding | None:
    """A verb negated here and asserted in an aligned sentence, or the other way round ("Ukraine has
    accepted" / "Ukraine has not accepted"), among the same neighbouring words and with the same particle
    ("come up" is not "come"), and no near sentence
    (``LOOSE_MIN``) stating it as the claim does ("pleaded not guilty to murder" and, later, "pleaded guilty
    to manslaughter")."""
    neg_c = _negated_stems(claim.text)
    wc = _named_tokens(claim.text)

    def stated_as_here(st: str, negated: bool) -> bool:
        for j in near:
            t = index.pool[j].text
            if (st in _negated_stems(t) if negated else _asserted(t, st)) and _same_place(
                wc, _named_tokens(t), st
            ):
                return True
        return False

    for i in aligned[:3]:
        e = index.pool[i]
        neg_e = _negated_stems(e.text)
        we = _named_tokens(e.text)
        # The claim negates what the evidence asserts (first), or asserts what it negates.
        for claim_negates, neg, other, asserted in ((True, neg_c, neg_e, e.text), (False, neg_e, neg_c, claim.text)):
            for s, (a, b) in neg.items():
                if (
                    s not in other
                    and _asserted(asserted, s)
                    and _same_place(wc, we, s)
                    and _particle(claim.text, s) == _particle(e.text, s)
                    and not stated_as_here(s, claim_negates)
                ):
                    here = claim.text[a:b] if claim_negates else _word_span(claim.text, s)
                    there = _word_span(e.text, s) if claim_negates else e.text[a:b]
                    return Finding(
                        "contradicted",
                        "statement",
                        f"negation: {quoted(here)} here; {version_name(e)} says {quoted(there)}",
                        i,
                        rule="negation",
                    )
    return None


# Antonyms a hard rule may trust (the model's feature uses the longer ``_ANTONYMS``): verbs and adjectives
# of outcome and direction, compared only where their neighbouring words match.
_HARD_ANTONYMS = [
    ("increased", "decreased"),
    ("rose", "fell"),
    ("rise", "fall"),
    ("won", "lost"),
    ("win", "lose"),
    ("accepted", "rejected"),
    ("accept", "reject"),
    ("supported", "opposed"),
    ("support", "oppose"),
    ("approved", "rejected"),
    ("higher", "lower"),
    ("confirmed", "denied"),
    ("allowed", "banned"),
    ("allowed", "barred"),
    ("permitted", "barred"),
    ("arrested", "released"),
    ("captured", "released"),
    ("captured", "escaped"),
    ("caught", "escaped"),
    ("convicted", "acquitted"),
    ("guilty", "innocent"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
    ("successfully", "unsuccessfully"),
    ("strong", "weak"),
    ("victory", "defeat"),
    ("lowered", "raised"),
    ("legal", "illegal"),
    ("positive", "negative"),
    ("optimistic", "pessimistic"),
    ("resigned", "appointed"),
    ("hired", "fired"),
    ("retained", "lost"),
    ("lifted", "imposed"),
    ("strengthened", "weakened"),
    ("eased", "escalated"),
    ("survived", "died"),
    ("thwarted", "succeeded"),
    ("foiled", "succeeded"),
    ("agreed", "refused"),
    ("welcomed", "rejected"),
    ("easy", "difficult"),
    ("easy", "hard"),
    ("expanded", "reduced"),
    ("boosted", "cut"),
    ("gained", "lost"),
    ("gain", "loss"),
    ("profit", "loss"),
    ("certain", "uncertain"),
    ("likely", "unlikely"),
    ("possible", "impossible"),
    ("able", "unable"),
]


def _root(w: str) -> str:
    """A word's stem without a final "e", so "escape", "escaped" and "escapes" share one."""
    return stem(w).rstrip("e") or stem(w)


_HARD_ANT: dict[str, set[str]] = {}
for _a, _b in _HARD_ANTONYMS:
    _HARD_ANT.setdefault(_root(_a), set()).add(_root(_b))
    _HARD_ANT.setdefault(_root(_b), set()).add(_root(_a))


_NOT_NEIGHBOUR = STOP | {"not", "never", "no", "n't", "nt"}


@lru_cache(maxsize=20_000)
def _tokens(text: str) -> tuple[str, ...]:
    """The words of ``text`` as :func:`words` has them, with names (capitalised words) written "" so they
    keep their place but are no neighbour: every sentence of a story names the same countries."""
    out = []
    for m in WORD.finditer(text):
        w = norm_word(m.group())
        if w:
            out.append("" if m.group()[0].isupper() and m.start() > 0 else w)
    return tuple(out)


def _neighbours(ws: Sequence[str], k: int) -> set[str]:
    """Stems of the three content words before and the three after position ``k`` (names left out)."""
    before = [w for w in ws[max(0, k - 12) : k] if w not in _NOT_NEIGHBOUR and len(w) > 2][-3:]
    after = [w for w in ws[k + 1 : k + 13] if w not in _NOT_NEIGHBOUR and len(w) > 2][:3]
    return {stem(w) for w in (*before, *after)}


# Outcome verbs whose antonym with the sides swapped states the same result: "City have won the last four
# derbies" = "United have lost the last four derbies to City".
_CONVERSE = frozenset(_root(w) for w in ("won", "win", "lost", "lose", "beat", "defeated"))


def _names_near(text: str, root: str, before: bool) -> set[str]:
    """Capitalised words (not the sentence's first) among the four words before (or the eight after) the
    first word with ``root``."""
    toks = list(WORD.finditer(text))
    for k, w in enumerate(toks):
        if _root(norm_word(w.group())) == root:
            near = toks[max(0, k - 4) : k] if before else toks[k + 1 : k + 9]
            return {t.group().lower() for t in near if t.group()[0].isupper() and t.start() > 0}
    return set()


def _converse(claim: str, r: str, evidence: str, a: str) -> bool:
    """The claim's ``r`` and the evidence's antonym ``a`` state one outcome from the two sides: the side
    before one verb is named after the other."""
    if r not in _CONVERSE or a not in _CONVERSE:
        return False
    return bool(
        _names_near(claim, r, True) & _names_near(evidence, a, False)
        or _names_near(evidence, a, True) & _names_near(claim, r, False)
    )


# Words that are a noun in one antonym pair and a verb of the other sense: "the Giants' defeat" is a loss,
# "helped the Giants defeat the Patriots" a victory.
_NOUN_ONLY = frozenset(_root(w) for w in ("defeat",))
_OBJECT_START = frozenset(("", "the", "a", "an", "his", "her", "their", "its", "them", "him", "us"))


def _verb_use(ws: Sequence[str], k: int, r: str) -> bool:
    """Token ``k`` (root ``r``) of :func:`_tokens` is the verb of a noun-only antonym: inflected as a verb
    ("defeated", "defeating") or followed by its object (a name, a determiner, a pronoun)."""
    if r not in _NOUN_ONLY:
        return False
    w = ws[k]
    return w.endswith(("ed", "ing")) or (k + 1 < len(ws) and ws[k + 1] in _OBJECT_START)


def antonym_swap(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """A word of the claim whose antonym stands in an aligned sentence, among the same neighbouring words
    ("Klitschko retained his belts" / "Klitschko lost his belts")."""
    wc = _tokens(claim.text)
    rc = [_root(w) if w else "" for w in wc]
    for i in aligned[:3]:
        e = index.pool[i]
        we = _tokens(e.text)
        re_ = [_root(w) if w else "" for w in we]
        sc, se = set(rc), set(re_)
        for k, r in enumerate(rc):
            for a in _HARD_ANT.get(r, ()):
                if r in se or a not in se or a in sc:
                    continue
                ka = re_.index(a)
                if _verb_use(wc, k, r) or _verb_use(we, ka, a):
                    continue
                if _neighbours(wc, k) & _neighbours(we, ka) and not _converse(claim.text, r, e.text, a):
                    return Finding(
                        "contradicted",
                        "statement",
                        f"antonym: {quoted(_word_span(claim.text, stem(wc[k])))} here; {version_name(e)} says "
                        f"{quoted(_word_span(e.text, stem(we[ka])))}",
                        i,
                        rule="antonym",
                    )
    return None


_HEDGE_CUE_RE = re.compile(
    r"\b(?:may|might|could|would|possibly|perhaps|likely|unlikely|probably|expected\s+to|believed\s+to|"
    r"appears?\s+to|"
    r"seems?\s+to|(?P<attr>claim(?:s|ed|ing)?|alleged(?:ly)?|reportedly))\b",
    re.I,
)
# A claim that hedges in words the sources' cue list does not use still hedges: "has supposedly been dating"
# for "has allegedly been dating", "there are allegations that she is pregnant" for "alleged to be pregnant".
_CLAIM_HEDGE_RE = re.compile(
    r"\b(?:supposedly|purportedly|reputedly|apparently|allegations?|rumou?r(?:s|ed)?|unconfirmed|"
    r"presumably|possible|potential(?:ly)?|probable|suspect(?:s|ed)?|believes?|thinks?|thought\s+to|"
    r"(?:is|are|was|were)\s+said\s+to)\b",
    re.I,
)
# A claim keeps an attribution hedge ("Putin claims X") when it still reports X as someone's word.
_REPORTED_RE = re.compile(
    r"\b(?:said|says|say|assert|asserted|asserts|claimed|claims|claiming|insisted|insists|argued|argues|alleged|"
    r"alleges|maintained|maintains|stated|states|told|tells|according\s+to|suggested|suggests|contended|"
    r"contends|reports?|reported|sources?|believes?|believed)\b",
    re.I,
)
_WILL_RE = re.compile(
    r"\b(?:will|won't|won’t|definitely|certainly|undoubtedly|surely|clearly|(?:is|are)\s+set\s+to)\b", re.I
)
_VERBAL_MODAL = frozenset("may might could expected believed appear appears seem seems".split())
_FACT_RE = re.compile(r"\b(?:will|has|have|had|is|are|was|were|did|clearly|certainly|definitely)\b", re.I)
# "would be completed" stated as done: "was completed", "has been completed" ("will be completed" is the same
# future told again, so "will" is no marker after "would").
_DONE_RE = re.compile(r"\b(?:has|have|had|was|were|did)\b", re.I)
# A verb in the past with no auxiliary ("an electrical fault caused the fire") asserts too, unless the word
# before it makes it an infinitive or a participle of another mood ("to be completed", "could be delayed").
_NOT_ASSERTED_BEFORE = frozenset("to be being get gets got can will shall should must".split())


# After "would", the words before its verb ("would not", "would have been"). A negated one is left alone: "he
# never would have considered it" is said of what he did not do, as "he never considered it" is.
_WOULD_AUX = frozenset("be been have ever also still then soon only".split())
_WOULD_NEG = frozenset("not never n't".split())
_PARTICIPLES = frozenset(
    """done gone seen given taken known shown made paid said told held kept left lost won sold built sent spent
    brought bought caught taught found put set cut hit hurt let shut run begun broken chosen driven eaten fallen
    forgotten forgiven frozen hidden risen spoken stolen sworn thrown worn written beaten drawn grown flown
    blown struck shot met led fed read heard""".split()
)


def _past_form(low: str) -> bool:
    """A word in the past tense or a participle by its ending ("caused", "completed"; not "need", "shed")."""
    return len(low) > 4 and low.endswith("ed") and not low.endswith("eed")


def _asserted_past(toks: list[tuple[str, re.Match[str]]], k: int, lead: str) -> bool:
    """Is the claim's k-th word a verb in the past that stands alone and affirmed ("caused"; not "to be caused",
    "are not harmed")? ``lead``: the claim's words just before it."""
    return (
        _past_form(toks[k][0])
        and (k == 0 or toks[k - 1][0] not in _NOT_ASSERTED_BEFORE)
        and not NEGATION_RE.search(lead)
    )


# The cues after which a verb in the past on its own states the hedged thing as done: modals and adverbs of
# likelihood. Not after an attribution or "believed to", "expected to": "Ribery turned down" for "Ribery claims
# he turned down", "he knocked" for "he was believed to have knocked" are a summary's license.
_ALONE_CUES = frozenset("may might could would possibly perhaps likely unlikely probably".split())

# "would" of habit ("he would wander the streets", "routinely wandered") tells what happened, as the past does.
_HABIT_RE = re.compile(
    r"(?i:\b(?:routinely|often|usually|regularly|frequently|always|habitually|sometimes|used\s+to|every\s+"
    r"(?:day|night|morning|evening|week|weekend|year)|each\s+(?:day|night|morning|week|year))\b)"
)


def _verb_key(low: str) -> str:
    return stem(low).rstrip("e")  # "cause" and "caused" share "caus"


def _hedged_verb(text: str, start: int) -> tuple[str, int] | None:
    """The verb a hedge cue ending at ``start`` qualifies: the next word that is no name, stop word, negation or
    adverb, within 40 characters; (its key, its end)."""
    for w in WORD.finditer(text, start, min(len(text), start + 40)):
        low = norm_word(w.group())
        if w.group()[0].isupper() or low in STOP or low in _NEG_SKIP or low.endswith("ly"):
            continue
        return _verb_key(low), w.end()
    return None


_NEG_BEFORE_RE = re.compile(r"(?i:\b(?:never|not|hardly)\s+)$")


def _would_verb(text: str, cue_start: int, start: int) -> tuple[str, int] | None:
    """The verb of "would": the next word ("would cut"), or a participle after "be"/"have been" ("would be
    completed"); None when negated ("never would", "would not") or when what follows the auxiliary is no
    participle ("would have money")."""
    if _NEG_BEFORE_RE.search(text, max(0, cue_start - 10), cue_start):
        return None
    skipped = False
    for w in WORD.finditer(text, start, min(len(text), start + 40)):
        low = norm_word(w.group())
        if low in _WOULD_NEG:
            return None
        if low in _WOULD_AUX:
            skipped = True
            continue
        if skipped and not (_past_form(low) or low in _PARTICIPLES):
            return None
        return _verb_key(low), w.end()
    return None


def hedge_removed(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """A hedge of an aligned sentence stated as certain: a modal ("could end", "may not be achievable")
    become "will" ("will end"), a future in the past told as done ("would be completed": "was completed"),
    or an attribution or adverb ("Putin claims Russia has regained", "reportedly", "likely caused") dropped
    so the claim states it as fact ("Russia has regained", "caused"). The hedged verb must be here, after
    "will" (modal), "was"/"has" ("would") or "has"/"is" (attribution), or in the past on its own, and the
    claim must hedge nothing."""
    if _HEDGE_CUE_RE.search(claim.text) or _CLAIM_HEDGE_RE.search(claim.text):
        return None
    reported = bool(_REPORTED_RE.search(claim.text))
    toks = [(norm_word(w.group()), w) for w in WORD.finditer(claim.text)]
    for i in aligned[:3]:
        e = index.pool[i]
        for h in _HEDGE_CUE_RE.finditer(e.text):
            if h.group("attr") and reported:
                continue
            cue = h.group().split()[0].lower()
            if cue == "would" and (_HABIT_RE.search(claim.text) or _HABIT_RE.search(e.text, h.end(), h.end() + 30)):
                continue
            v = _would_verb(e.text, h.start(), h.end()) if cue == "would" else _hedged_verb(e.text, h.end())
            if v is None:
                continue
            marker = _DONE_RE if cue == "would" else _WILL_RE if cue in _VERBAL_MODAL else _FACT_RE
            alone = cue in _ALONE_CUES
            for k, (low, w) in enumerate(toks):
                if _verb_key(low) != v[0]:
                    continue
                lead_start = toks[max(0, k - 3)][1].start()
                lead = claim.text[lead_start : w.start()]
                if marker.search(lead) or (alone and _asserted_past(toks, k, lead)):
                    return Finding(
                        "contradicted",
                        "statement",
                        f"hedge made certain: {quoted(claim.text[lead_start : w.end()])} here; {version_name(e)} says "
                        f"{quoted(e.text[h.start() : v[1]])}",
                        i,
                        rule="hedge",
                    )
    return None


_SYMMETRIC = frozenset(
    stem(w)
    for w in """met meet meets meeting spoke speak talked talk negotiated negotiate clashed clash fought
    fight agreed agree signed sign discussed discuss called call joined join faced face played play""".split()
)
_PASSIVE_AUX = frozenset("was were is are been being be got get".split())
_VERBISH_IRREGULAR = frozenset(
    """beat hit shot struck caught won led took sent gave told paid sued fought sold bought held threw
    knocked""".split()
)


def _sides(text: str, names: Sequence[tuple[int, int, str]], st: str) -> tuple[set[str], set[str]] | None:
    """(names just before, names just after) the verb with stem ``st`` (four words either side), swapped for
    a passive ("was stopped by", "an estate managed by")."""
    toks = list(WORD.finditer(text))
    lows = [norm_word(t.group()) for t in toks]
    hits = [k for k, w in enumerate(lows) if stem(w) == st]
    if len(hits) != 1:
        return None
    k = hits[0]
    lo = toks[max(0, k - 4)].start()
    hi = toks[min(len(toks) - 1, k + 5)].end()
    left = {n for s, e, n in names if lo <= s and e <= toks[k].start()}
    right = {n for s, e, n in names if s >= toks[k].end() and e <= hi}
    passive = any(w in _PASSIVE_AUX for w in lows[max(0, k - 3) : k]) and "by" in lows[k + 1 : k + 6]
    if passive or lows[k + 1 : k + 2] == ["by"]:  # ... or a participle without its "was": "an estate managed by"
        left, right = right, left
    return left, right


def _entity_spans(text: str, units: Sequence[Unit], base: int | None) -> list[tuple[int, int, str]]:
    out = []
    for u in units:
        if u.kind != "entity" or not u.key:
            continue
        s = u.start - base if base is not None else text.find(u.text)
        if 0 <= s <= len(text):
            out.append((s, s + len(u.text), u.key.split()[-1]))
    return out


def actor_swap(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """Who did what to whom, reversed against the best-aligned sentence: a nation acting here is only acted
    upon there ("the U.S. and Ukraine proposed to Russia" / "Russia proposed"), or two names trade places
    around the same verb ("Klitschko stopped Rahman" / "Rahman stopped Klitschko")."""
    if not aligned:
        return None
    e0 = index.pool[aligned[0]]
    if PREDICATE.search(claim.text):
        subj = resolved_subjects(claim.text, claim.prev_text)
        esubj, eobj = actors(e0.text)
        esubj |= resolved_subjects(e0.text, e0.prev_text)
        swapped = sorted((subj & eobj) - esubj)
        if swapped and esubj:
            return Finding(
                "contradicted",
                "entity",
                f"actor swap: {', '.join(swapped).title().replace('Us', 'U.S.')} acts here but is on "
                f"the receiving end in {version_name(e0)}'s sentence",
                aligned[0],
                rule="actor",
            )
    names_c = _entity_spans(claim.text, claim.units, claim.start)
    if len({n for _, _, n in names_c}) < 2:
        return None
    for i in aligned[:3]:
        e = index.pool[i]
        names_e = _entity_spans(e.text, e.units, None)
        we = {stem(norm_word(w.group())): w.group() for w in WORD.finditer(e.text)}
        for w in WORD.finditer(claim.text):
            raw = w.group()
            low = norm_word(raw)
            st = stem(low)
            if raw[0].isupper() or low in STOP or st in _SYMMETRIC or st not in we:
                continue
            if not (low.endswith("ed") or low in _VERBISH_IRREGULAR):
                continue
            sc, se = _sides(claim.text, names_c, st), _sides(e.text, names_e, st)
            if sc is None or se is None:
                continue
            a, b = (sc[0] & se[1]) - se[0], (sc[1] & se[0]) - se[1]
            if a and b:
                return Finding(
                    "contradicted",
                    "entity",
                    f"actor swap: {', '.join(sorted(n.title() for n in a))} {raw} "
                    f"{', '.join(sorted(n.title() for n in b))} here; in {version_name(e)}'s sentence it is the "
                    f"other way round",
                    i,
                    rule="actor",
                )
    return None


# Added evaluation: a motive, a tone or a cause no version states. Intent adverbs and tone words must be in
# some version; a purpose or cause clause must share most of its content words with the versions.
_INTENT_ADV = frozenset("deliberately intentionally purposely purposefully knowingly cynically".split())
# Tone words that describe talks or meetings; everyday ones ("positive", "warm", "angry") are left out: they
# turn up in faithful paraphrases about other things ("tested positive").
_TONE_WORDS = frozenset(
    """productive constructive fruitful cordial frosty tense heated acrimonious testy upbeat amicable candid
    gloomy furious""".split()
)
_TACTIC_RE = re.compile(
    r"(?i)\bas\s+an?\s+(?:[\w-]+\s+){0,2}?(tactic|ploy|pretext|stunt|smokescreen|gambit|"
    r"bargaining\s+tool)\b"
)
_AS_RE = re.compile(
    r"(?i)\b(?:viewing|viewed|described|describing|hailed|dismissed|branded|"
    r"portrayed|characteri[sz]ed)\b(?:\s+[\w'’-]+){0,5}?\s+as\s+"
    r"([“\"‘']?[\w'’-]+(?:\s+[\w'’-]+)?)"
)
_PURPOSE_RE = re.compile(
    r"(?i)\b(?:in\s+a\s+bid\s+to|in\s+an?\s+(?:apparent\s+)?(?:effort|attempt)\s+to|aimed\s+at|"
    r"with\s+the\s+aim\s+of|"
    r"in\s+order\s+to|so\s+as\s+to|seeking\s+to|hoping\s+to|designed\s+to|intended\s+to|signall?ing|"
    r"amid\s+(?:growing|mounting|rising|increasing|deepening|heightened)|because(?:\s+of)?|"
    r"due\s+to(?=\s+(?:the|a|an|his|her|their|its|this|that|these|those)\b)|"
    r"as\s+a\s+result\s+of|in\s+retaliation\s+for|prompting|sparking|fuell?ing|triggering)\b"
    r"((?:\s+[^\s.;:!?,]+){1,8})"  # the clause: up to eight words, to the next punctuation
)


def added_evaluation(claim: ClaimInput, index: PoolIndex, near: list[int]) -> Finding | None:
    """An evaluative or causal clause no version states: an intent ("deliberately"), a tactic ("as a delay
    tactic"), a characterisation ("viewing such actions as escalatory", "described as positive"), a tone
    word, or a purpose or cause ("in a bid to ...", "amid growing ...") most of whose words no version has."""
    have = index.all_stems
    near_stems = frozenset().union(*(index.stem_sets[i] for i in near[:3])) if near else frozenset()

    def absent(w: str) -> bool:
        low = norm_word(w)
        return stem(low) not in have and low not in index.all_words

    for w in WORD.finditer(claim.text):
        low = norm_word(w.group())
        if (low in _INTENT_ADV or low in _TONE_WORDS) and absent(low):
            what = "an intent" if low in _INTENT_ADV else "a tone"
            return Finding(
                "unsupported",
                "statement",
                f"evaluative clause: ascribes {what} ({quoted(w.group())}) that no other version states",
                rule="evaluation",
            )
    m = _TACTIC_RE.search(claim.text)
    if m and absent(m.group(1).split()[0]):
        return Finding(
            "unsupported",
            "statement",
            f"evaluative clause: {quoted(m.group())} — a motive no other version states",
            rule="evaluation",
        )
    for m in _AS_RE.finditer(claim.text):
        first = next((x for x in words(m.group(1)) if x not in STOP), "")
        if first and absent(first):
            return Finding(
                "unsupported",
                "statement",
                f"evaluative clause: {quoted(m.group())} — a characterisation no other version states",
                rule="evaluation",
            )
    for m in _PURPOSE_RE.finditer(claim.text):
        clause = [x for x in words(m.group(1)) if x not in STOP and len(x) > 2][:6]
        new = [x for x in clause if stem(x) not in near_stems and absent(x)]
        if len(new) >= 3 and len(new) >= 0.6 * len(clause):
            return Finding(
                "unsupported",
                "statement",
                f"causal clause: {quoted(m.group())} — a purpose or cause no other version states",
                rule="evaluation",
            )
    return None


# Words that carry no fact of their own, beyond the stop list: prepositions, conjunctions, sentence adverbs.
_FUNCTION = frozenset(
    """between among amongst within without through throughout toward towards upon onto despite although though
    whether rather also even still yet already ever never always often perhaps instead meanwhile moreover
    furthermore however therefore thus hence indeed quite really simply just particularly especially""".split()
)


def _unheard(low: str, index: PoolIndex) -> bool:
    """No version has the word, its stem, or (a derived form) its first letters."""
    if low in index.all_words or stem(low) in index.all_stems:
        return False
    return len(low) < PREFIX_LEN or low[:PREFIX_LEN] not in index.prefixes


def _skipped(low: str) -> bool:
    """A stop or function word, or a word too short to carry a fact."""
    return low in STOP or low in _FUNCTION or len(low) < 3


def _content(raw: str) -> bool:
    """A lower-case word of letters: no name, no figure."""
    return raw.isalpha() and raw[0].islower()


def _content_words(text: str) -> set[str]:
    """The lower-case content words of ``text`` (no names, figures, stop or function words)."""
    return {low for w in WORD.finditer(text) if not _skipped(low := norm_word(w.group())) and _content(w.group())}


INSERT_ALIGN_MIN = 0.6  # a sentence this close to a version's sentence restates it
INSERT_MIN_WORDS = 3  # ... and a run of this many content words no version has, inside one clause, was added
_CLAUSE_CUT = re.compile(r"[,;:()\[\]—–]|\s-\s")


def inserted_clause(claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int]) -> Finding | None:
    """A clause added to a sentence that otherwise restates a version's sentence: three or more content
    words in a row (lower-case, not names or figures) that no version has, inside one clause of a claim
    aligned at ``INSERT_ALIGN_MIN`` or more ("said, while testifying in a separate case long before these
    events, that ...")."""
    if not near or sims[near[0]] < INSERT_ALIGN_MIN:
        return None
    # Words put in place of others are a rewording ("actively advocating for" for "pushing"): the words
    # no version has must outnumber the aligned sentence's words the claim left out by the run's length.
    mine = _content_words(claim.text)
    theirs = _content_words(index.pool[near[0]].text)
    new = sum(_unheard(w, index) for w in mine)
    roots = {w[:PREFIX_LEN] for w in mine} | {stem(w) for w in mine}
    left_out = sum(w[:PREFIX_LEN] not in roots and stem(w) not in roots for w in theirs)
    if new - left_out < INSERT_MIN_WORDS:
        return None
    for piece in _CLAUSE_CUT.split(claim.text):
        run: list[re.Match[str]] = []
        for w in WORD.finditer(piece):
            low = norm_word(w.group())
            if _skipped(low):
                continue
            if _content(w.group()) and _unheard(low, index):
                run.append(w)
                if len(run) >= INSERT_MIN_WORDS:
                    span = piece[run[0].start() : run[-1].end()]
                    return Finding(
                        "unsupported",
                        "statement",
                        f"inserted clause: {quoted(span)} — words no other version has, in a sentence that "
                        f"otherwise restates {version_name(index.pool[near[0]])}",
                        near[0],
                        rule="inserted",
                    )
            else:
                run = []
    return None
