"""Hard rules, each with a reason in plain words and the sentence it compared.

A number, duration, fraction, date or quote that an aligned sentence, or a near one about the same
thing (a head noun in common: "truce" ~ "ceasefire"), states otherwise; a stance reversed ("declined to
comment" -> "confirmed"), a negation or antonym among the same neighbouring words, a hedge made certain
("could" -> "will"), actors swapped around the same verb; then what no version states: a number, date or
quote in any form, an outlet, speaker or name, an evaluative or causal clause. :func:`hard_findings`
returns the first that fires.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..align import ALIGN_MIN
from ..featurize.terms import STOP, WORD, norm_word, rarity, stem, words
from ..records import Unit
from .checks import DEMONYM, PREDICATE, actors, resolved_subjects
from .index import PoolIndex
from .inputs import STATEMENT_MIN, ClaimInput, EvidenceSentence


def compat(a: Unit, b: Unit) -> bool | None:
    from ..featurize.units import compatible

    try:
        return compatible(a, b)
    except Exception:
        return None


TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}


_GEO_KEYS = frozenset(
    {
        "united states",
        "united kingdom",
        "european union",
        "united nations",
        "north korea",
        "south korea",
        "saudi arabia",
        "south africa",
        "new york",
        "white house",
    }
)
RULE_MIN = 0.5  # alignment at which a differing number or date in the evidence is a contradiction
_OUTLET_ROLES = ("told", "confirmed_to", "reported_by", "according_to", "interview")


class Finding(NamedTuple):
    """A verdict the hard rules reach whatever the model says, with its reason in plain words."""

    status: str  # contradicted | unsupported
    kind: str  # number | date | quote | attribution | entity | statement
    reason: str
    evidence: int | None = None  # pool index of the sentence compared, when one was
    rule: str = (
        ""  # which rule: unit_conflict, stance, negation, antonym, hedge, actor, unit_unstated, name, ...
    )


UNIT_RULES = ("unit_conflict", "unit_unstated", "name")  # the rules a heading or a question is checked by


def named_in_pool(who: str, index: PoolIndex) -> bool:
    """A source (person or outlet) any version names, in full or by its last word ("Howe")."""
    if not who:
        return True
    if who in index.attributions or who in index.lower:
        return True
    last = who.split()[-1]
    return len(last) > 2 and any(last in k.split() for k in index.entities)


def version_name(e: EvidenceSentence) -> str:
    return "the source" if e.article in ("", "source") else e.article


def quoted(text: str) -> str:
    """A span quoted in a reason: “…”, outer quotes and spaces stripped, long spans cut."""
    t = " ".join(text.strip().strip("“”\"'‘’,;:").split())
    return "“" + (t if len(t) <= 80 else t[:77].rstrip() + "…") + "”"


# Head nouns that name the same thing ("a 45-day truce" and "a 30-day ceasefire" count the same thing).
_SAME_THING = {
    w: k
    for k, ws in {
        "ceasefire": "ceasefire ceasefires cease-fire truce truces armistice",
        "call": "call calls conversation phone talk",
        "territory": "territory territories land lands",
        "war": "war conflict fighting invasion hostilities",
        "vote": "vote votes ballot ballots",
        "pirate": "pirate pirates brigands",
        "share": "share portion proportion fraction",
    }.items()
    for w in ws.split()
}


NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
    thousand million billion half quarter third fifth percent per cent second minute hour day week month year
    decade century seconds minutes hours days weeks months years decades about roughly nearly around almost
    some approximately over under least most now first fourth sixth seventh eighth ninth tenth""".split()
)


_CTX_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CURRENCIES = frozenset("dollar euro pound yen yuan rupee ruble hryvnia franc shekel".split())


@lru_cache(maxsize=20_000)
def unit_context(text: str, u: Unit) -> frozenset[str]:
    """Lower-case content words next to a unit, synonyms folded: what it counts ("truce" in "a 45-day
    truce", "territory" in "a quarter of Ukraine's territory", "war" in "the war, which has lasted three
    years"). Names are left out: every sentence of a story names the same countries."""
    i = text.find(u.text)
    if i < 0:
        return frozenset()
    before = _CTX_WORD.findall(text[max(0, i - 60) : i])[-5:]
    after = _CTX_WORD.findall(text[i + len(u.text) : i + len(u.text) + 45])[:4]
    out = set()
    for w in (*before, *after):
        low = norm_word(w)
        if w[0].isupper() or low in STOP or low in NUMBER_WORDS or len(low) < 3:
            continue
        out.add(_SAME_THING.get(low, stem(low)))
    return frozenset(out)


_PHRASE_OF = re.compile(r"[ \u00a0]+(of[ \u00a0]+(?:the[ \u00a0]+)?[\w'’-]+(?:[ \u00a0]+[a-z][\w'’-]*)?)")
_PHRASE_NOUN = re.compile(r"(?:[ \u00a0]+|-)([A-Za-z][\w'’-]*)(?:[ \u00a0]+([a-z][\w'’-]*))?")


def unit_phrase(text: str, u: Unit) -> str:
    """The unit with the noun it counts, as the sentence words it: "45-day truce", "a quarter of Ukraine's
    territory", "90-minute phone call"."""
    i = text.find(u.text)
    if i < 0 or u.kind != "number":
        return u.text
    end = i + len(u.text)
    m = _PHRASE_OF.match(text, end)
    if m and u.unit == "percent":
        return text[i : m.end()]
    m = _PHRASE_NOUN.match(text, end)
    if not m or norm_word(m.group(1)) in STOP or m.group(1).endswith("ly"):
        return u.text
    stop = m.end(1)
    if m.group(2) and norm_word(m.group(2)) not in STOP and not m.group(2).endswith(("ly", "ed", "ing")):
        stop = m.end(2)
    return text[i:stop]


def unit_label(u: Unit) -> str:
    """The kind of a unit, as a reason names it: duration, fraction, percentage, amount, age, date, quote,
    number."""
    if u.kind != "number":
        return u.kind
    if u.unit in TIME_UNITS:
        return "duration"
    if u.unit == "percent":
        return (
            "fraction"
            if re.search(r"(?i)half|third|quarter|fourth|fifth|sixth|eighth|tenth", u.text)
            else "percentage"
        )
    if u.unit in _CURRENCIES:
        return "amount"
    if u.unit == "age":
        return "age"
    return "number"


def _vague_one(u: Unit) -> bool:
    """ "a month", "a year": a single unit written with an article, too vague to be claimed as new."""
    return u.value == 1.0 and bool(re.match(r"(?i)(?:\w+\s+)*?an?\s", u.text + " "))


def _number_stated(u: Unit, ctx: frozenset[str], index: PoolIndex, sims: np.ndarray) -> bool:
    """A version states number ``u``: a compatible number in an aligned sentence (``ALIGN_MIN``) or about the
    same thing (a head noun in common); "more than two years" of Klitschko's record is not stated by
    "three years" of another boxer's comeback elsewhere in the story."""
    for i, nums in enumerate(index.numbers):
        for v in nums:
            if compat(u, v) and (
                sims[i] >= ALIGN_MIN or not ctx or ctx & unit_context(index.pool[i].text, v)
            ):
                return True
    return False


def _next_word(text: str, u: Unit) -> str:
    i = text.find(u.text)
    m = _CTX_WORD.search(text, i + len(u.text)) if i >= 0 else None
    return m.group().lower() if m else ""


def _unit_conflict(claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int]) -> Finding | None:
    """A number, date or quote that a sentence about the same thing states otherwise, and that no version
    states as the claim does. The sentence must be closely aligned (``RULE_MIN``; a bare count
    ``RULE_MIN + 0.15``), or be the best-aligned one, or merely near (``LOOSE_MIN``) but count the same
    thing (a head noun in common: "truce" ~ "ceasefire"). Of the values that sentence states, the one
    about the same thing is named (the same next word, then a head noun in common)."""
    pool = index.pool
    best = near[0] if near else -1
    for u in claim.units:
        if u.kind not in ("number", "date", "quote"):
            continue
        ctx = unit_context(claim.text, u) if u.kind == "number" else frozenset()
        if u.kind == "number":
            if _not_a_figure(claim, u) or _number_stated(u, ctx, index, sims):
                continue
            if not u.unit and _value_mentioned(u, index):
                continue  # ... or a bare count whose value a version has ("the other three": "three boats")
        elif any(compat(u, v) for v in (index.dates if u.kind == "date" else index.quotes)):
            continue
        found: list[tuple[int, int, Unit]] = []
        for i in near:
            for v in pool[i].units:
                if v.kind != u.kind or compat(u, v) is not False:
                    continue
                same = bool(ctx & unit_context(pool[i].text, v))
                if u.kind == "quote":
                    ok = True  # most of its words, in another order or with others: an altered quote
                elif u.kind == "number" and not u.unit:
                    ok = sims[i] >= RULE_MIN + 0.15
                elif sims[i] >= RULE_MIN or (i == best and sims[i] >= ALIGN_MIN):
                    ok = True
                elif u.kind == "date":
                    ok = False  # dates of loosely aligned sentences are often of other events
                else:
                    ok = same
                if ok:
                    found.append(
                        (
                            2 * (_next_word(claim.text, u) == _next_word(pool[i].text, v)) + same,
                            -len(found),
                            v,
                        )
                    )
            if found:
                v = max(found, key=lambda f: (f[0], f[1]))[2]
                return Finding(
                    "contradicted",
                    u.kind,
                    f"{unit_label(u)} changed: {quoted(unit_phrase(claim.text, u))} here; {version_name(pool[i])} says "
                    f"{quoted(unit_phrase(pool[i].text, v))}",
                    i,
                    rule="unit_conflict",
                )
    return None


def _value_mentioned(u: Unit, index: PoolIndex) -> bool:
    """The figure of ``u`` is in some version, whatever it counts ("68 - year" and "68-year-old", "2 - 0"
    and "2-0"): then it is not "in no other version" (a different unit is for ``_unit_conflict``)."""
    if any(p.value is not None and abs(p.value - (u.value or 0.0)) < 1e-9 for p in index.all_numbers):
        return True
    digits = re.findall(r"\d+(?:[.,]\d+)*", u.text)
    return any(f" {d.replace(',', ' ').replace('.', ' ')} " in index.plain for d in digits)


def _not_a_figure(claim: ClaimInput, u: Unit) -> bool:
    """A citation mark ("[32]") or a digit group cut from a figure ("086" of "1 086,00")."""
    i = u.start - claim.start
    around = claim.text[max(0, i - 1) : i] + claim.text[i + len(u.text) : i + len(u.text) + 1]
    return around == "[]" or bool(re.match(r"0\d", u.text))


def _unit_unstated(claim: ClaimInput, index: PoolIndex) -> Finding | None:
    """A number, date or quote that no version states, in any form ("a fifth" = "20%", "90 minutes" =
    "an hour and a half"). Left out: a bare count written in words ("the other three"), a single unit
    with an article ("a month"), a citation mark ("[32]") or a digit group ("086" of "1 086,00"), relative
    dates ("last week": they move with the day of writing)."""
    for u in claim.units:
        if u.kind == "number":
            if (not u.unit and not re.search(r"\d", u.text)) or _vague_one(u) or _not_a_figure(claim, u):
                continue
            if any(compat(u, p) for p in index.all_numbers) or _value_mentioned(u, index):
                continue
            return Finding(
                "unsupported",
                "number",
                f"{unit_label(u)} {quoted(unit_phrase(claim.text, u))} appears in no other version",
                rule="unit_unstated",
            )
        if u.kind == "date":
            if "rel:" in u.key or any(compat(u, v) for v in index.dates) or u.text.lower() in index.lower:
                continue
            return Finding(
                "unsupported",
                "date",
                f"date {quoted(u.text)} appears in no other version",
                rule="unit_unstated",
            )
        if u.kind == "quote":
            if any(compat(u, v) for v in index.quotes) or f" {u.key} " in index.plain:
                continue
            return Finding(
                "unsupported",
                "quote",
                f"quote {quoted(u.text)} appears in no other version",
                rule="unit_unstated",
            )
    return None


def _name_known(key: str, index: PoolIndex) -> bool:
    """Some version names ``key``: the same name, a shorter or longer form of it ("Putin", "Vladimir
    Putin"), or the words in its text. Not by a last word alone: "Color Line Arena" is not "SAP Arena"."""
    from ..featurize.units import names_compatible

    if key in index.entities or key in index.attributions or f" {key} " in index.plain:
        return True
    if len(key.split()) > 1 and all(f" {t} " in index.plain or t in index.entities for t in key.split()):
        return True  # "London Russian" (a name run of "the London Russian embassy"): each word is known
    return any(names_compatible(key, k) for k in index.entities)


def _name_unstated(claim: ClaimInput, index: PoolIndex) -> Finding | None:
    """An outlet or recipient ("confirmed to CNN", "told TASS"), a speaker, or a full name ("Mark Rutte")
    that no version names."""
    for u in claim.units:
        if u.kind != "attribution":
            continue
        role, _, who = u.key.partition(":")
        if (role in _OUTLET_ROLES or role == "said") and not named_in_pool(who, index):
            m = re.search(re.escape(who), claim.text, re.I)
            name = m.group() if m else who
            what = "speaker" if role == "said" else "outlet"
            return Finding(
                "unsupported",
                "attribution",
                f"{what} {quoted(name)} is named by no other version ({quoted(u.text)})",
                rule="name",
            )
    for u in claim.units:
        if u.kind != "entity" or _name_known(u.key, index) or u.key in _GEO_KEYS:
            continue
        if DEMONYM.get(u.key) and DEMONYM[u.key] in index.lower:
            continue  # "Kyiv", "the Kremlin": the capital for the country a version names
        n = len(u.key.split())
        # A one-word name ("Belgorod" for "Kursk") only when rare as a word: "Europe" or "Western" may be
        # what another version calls by another name.
        first = u.start - claim.start <= 1  # the first word of a sentence is capitalised anyway
        if 2 <= n <= 3 or (
            n == 1 and claim.role == "claim" and not first and len(u.key) > 3 and rarity(u.key) >= 3.5
        ):
            return Finding(
                "unsupported", "entity", f"name {quoted(u.text)} is named by no other version", rule="name"
            )
    return None


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


def _stance_reversal(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
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
    r"blocked|excluded|precluded|refrain\w*|abstain\w*|kept\s+out)\b",
    re.I,
)
_NEG_SKIP = frozenset("yet be been being have has had to do does did get got even ever so too very".split())
# After a negation, these end the search: "not only", "not one but two", "not since", "not yet, still".
_NEG_STOP = frozenset(
    """only just one merely since for in on at from with about as because until till again anymore still
    always all every everything everyone""".split()
)
_SCOPE_END = re.compile(r"[,;:()]|\b(?:but|and|or|while|whereas|although|though)\b", re.I)


@lru_cache(maxsize=20_000)
def _negated_stems(text: str) -> dict[str, tuple[int, int]]:
    """Stems of the first content word after each negation ("has not accepted": accept), with the span
    from the negation to that word. Not a negation of that word: "not only", "not one but two", "not ...
    until" (it happened, later), a name."""
    out: dict[str, tuple[int, int]] = {}
    for m in _NEG_CUE_RE.finditer(text):
        for w in WORD.finditer(text, m.end(), min(len(text), m.end() + 48)):
            low = norm_word(w.group())
            if low in _NEG_STOP:
                break
            if low in STOP or low in _NEG_SKIP or low.endswith("ly") or w.group()[0].isupper():
                continue
            if not re.search(r"\b(?:until|till)\b", text[w.end() : w.end() + 40], re.I):
                out.setdefault(stem(low), (m.start(), w.end()))
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


def _word_span(text: str, st: str, before: int = 2) -> str:
    """The first word of ``text`` whose stem is ``st``, with up to ``before`` words before it."""
    toks = list(WORD.finditer(text))
    for k, w in enumerate(toks):
        if stem(norm_word(w.group())) == st:
            return text[toks[max(0, k - before)].start() : w.end()]
    return st


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


def _negation_flip(
    claim: ClaimInput, index: PoolIndex, aligned: list[int], near: list[int]
) -> Finding | None:
    """A verb negated here and asserted in an aligned sentence, or the other way round ("Ukraine has
    accepted" / "Ukraine has not accepted"), among the same neighbouring words, and no near sentence
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
        for s, (a, b) in neg_c.items():
            if (
                s not in neg_e
                and _asserted(e.text, s)
                and _same_place(wc, we, s)
                and not stated_as_here(s, True)
            ):
                return Finding(
                    "contradicted",
                    "statement",
                    f"negation: {quoted(claim.text[a:b])} here; {version_name(e)} says {quoted(_word_span(e.text, s))}",
                    i,
                    rule="negation",
                )
        for s, (a, b) in neg_e.items():
            if (
                s not in neg_c
                and _asserted(claim.text, s)
                and _same_place(wc, we, s)
                and not stated_as_here(s, False)
            ):
                return Finding(
                    "contradicted",
                    "statement",
                    f"negation: {quoted(_word_span(claim.text, s))} here; {version_name(e)} says {quoted(e.text[a:b])}",
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


def _antonym_swap(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
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
                if _neighbours(wc, k) & _neighbours(we, ka):
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
    r"\b(?:may|might|could|possibly|perhaps|likely|unlikely|probably|expected\s+to|believed\s+to|"
    r"appears?\s+to|"
    r"seems?\s+to|(?P<attr>claim(?:s|ed|ing)?|alleged(?:ly)?|reportedly))\b",
    re.I,
)
# A claim keeps an attribution hedge ("Putin claims X") when it still reports X as someone's word.
_REPORTED_RE = re.compile(
    r"\b(?:said|says|say|asserted|asserts|claimed|claims|claiming|insisted|insists|argued|argues|alleged|"
    r"alleges|maintained|maintains|stated|states|told|tells|according\s+to|suggested|suggests|contended|"
    r"contends|reports?|reported|sources?|believes?|believed)\b",
    re.I,
)
_WILL_RE = re.compile(
    r"\b(?:will|won't|won’t|definitely|certainly|undoubtedly|surely|clearly|(?:is|are)\s+set\s+to)\b", re.I
)
_VERBAL_MODAL = frozenset("may might could expected believed appear appears seem seems".split())
_FACT_RE = re.compile(r"\b(?:will|has|have|had|is|are|was|were|did|clearly|certainly|definitely)\b", re.I)


def _hedge_removed(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
    """A hedge of an aligned sentence stated as certain: a modal ("could end", "may not be achievable")
    become "will" ("will end"), or an attribution ("Putin claims Russia has regained", "reportedly")
    dropped so the claim states it as fact ("Russia has regained"). The hedged verb must be here,
    after "will" (modal) or "has"/"is" (attribution), and the claim must hedge nothing."""
    if _HEDGE_CUE_RE.search(claim.text):
        return None
    reported = bool(_REPORTED_RE.search(claim.text))
    toks = [(norm_word(w.group()), w) for w in WORD.finditer(claim.text)]
    for i in aligned[:3]:
        e = index.pool[i]
        for h in _HEDGE_CUE_RE.finditer(e.text):
            if h.group("attr") and reported:
                continue
            v = None
            for w in WORD.finditer(e.text, h.end(), min(len(e.text), h.end() + 40)):
                low = norm_word(w.group())
                if w.group()[0].isupper() or low in STOP or low in _NEG_SKIP or low.endswith("ly"):
                    continue
                v = (stem(low), w.end())
                break
            if v is None:
                continue
            verbal = h.group().split()[0].lower() in _VERBAL_MODAL
            marker = _WILL_RE if verbal else _FACT_RE
            for k, (low, w) in enumerate(toks):
                if stem(low) != v[0]:
                    continue
                lead_start = toks[max(0, k - 3)][1].start()
                if marker.search(claim.text[lead_start : w.start()]):
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
    a passive ("was stopped by")."""
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
    if any(w in _PASSIVE_AUX for w in lows[max(0, k - 3) : k]) and "by" in lows[k + 1 : k + 6]:
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


def _actor_swap(claim: ClaimInput, index: PoolIndex, aligned: list[int]) -> Finding | None:
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


def _added_evaluation(claim: ClaimInput, index: PoolIndex, near: list[int]) -> Finding | None:
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


def hard_findings(
    claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int], aligned: list[int]
) -> Finding | None:
    """The first of the hard rules that fires, contradictions first: a unit stated otherwise, a stance,
    negation, antonym or hedge reversed, actors swapped; then what no version states: a unit, a name or
    outlet, an evaluative or causal clause. ``near``: pool indices at ``LOOSE_MIN`` or more, best first;
    ``aligned``: those at the alignment threshold. The statement rules compare with the closest sentences
    down to ``STATEMENT_MIN`` (a reworded sentence that merges two source sentences aligns with each
    less), each guarded by the words around what it compares."""
    close = [i for i in near[:3] if sims[i] >= STATEMENT_MIN]
    return (
        _unit_conflict(claim, index, sims, near)
        or _stance_reversal(claim, index, close)
        or _negation_flip(claim, index, close, near)
        or _antonym_swap(claim, index, close)
        or _hedge_removed(claim, index, close)
        or _actor_swap(claim, index, aligned)
        or _unit_unstated(claim, index)
        or _name_unstated(claim, index)
        or _added_evaluation(claim, index, near)
    )
