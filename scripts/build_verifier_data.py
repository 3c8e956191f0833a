"""Build the claim/evidence pairs the pairwise verifier is trained on (deterministic, seeded).

Each pair: ``claim``, ``evidence`` (1-2 sentences), ``label`` in supported / contradicted / not_stated,
``kind`` (the edit that made it) and ``source`` (the data set). Written to ``--out`` (default
``/work/verifier-data``, outside the repository: the pairs contain MRPC text, which carries no licence,
so they are never committed) as ``train.jsonl``, ``dev.jsonl`` and ``manifest.json`` (counts per
label / kind / source and the sha256 of each file).

Sources used (development portions only, read from ``$COPYDESK_DATA``):
- MRPC train, positive pairs only (label 1), both directions: claim = one sentence, evidence = the other;
- SuperPAL alignments (summary sentence vs its aligned document sentence, where the aligned span covers
  at least 60% of the summary sentence);
- ECB+ documents (sentences of real news, two events per topic);
- the seed articles (``examples/seeds``).

Sources NOT used: SummEdits, AggreFact, QAGS and LLMFake. They are the evaluation sets, and keeping all
four out of training makes every figure on them out-of-dataset, which is stricter than the
leave-one-dataset-out protocol issue 19 asks for.

Labels, FactCC style (systematic edits of real sentences):
- supported: MRPC paraphrases; SuperPAL alignments; sub-claims (an appositive, a leading phrase, a
  trailing participial clause or the attribution dropped) of a real sentence against the whole
  sentence; a small share of verbatim copies.
- contradicted: an edit of the claim side only, so the bent claim is also reworded relative to its
  evidence where the base pair is a paraphrase (MRPC): numbers / counts (digits and words), durations
  (value and unit, "90-minute" -> "two-hour"), fractions and percentages ("a quarter" -> "40 percent"),
  ordinals ("in its second year" -> "after four years"), dates, weekdays, months, years and clock
  times, names / places / outlets / speakers swapped for ones from OTHER documents, negation,
  antonyms, stance reversed ("declined to comment" -> "confirmed"), hedges made certain ("may" ->
  "will"), actor and recipient swapped. Unit and name edits are only applied where the evidence
  states the original value (else the pair would be not-stated, not contradicted).
- not_stated: an evaluative / causal clause added (motive, tone, consequence, evaluation; template
  banks with many verbs and nouns), an extra fabricated specific (number, name, place, day), a
  sentence of the OTHER event of the same ECB+ topic against its closest sentences in a document of
  the first event, and a sentence against the most similar OTHER sentences of its own document when
  they share little (TF-IDF cosine < 0.3).

Evidence looks like evidence at inference time: the best 1-2 sentences by TF-IDF cosine over the
evidence document's sentences (the original sentence first), or the paired sentence for MRPC.

Dev split: 5% of ECB+ topics and 5% of MRPC ids (by seeded hash) go to ``dev.jsonl`` only.

Usage: ``.venv/bin/python scripts/build_verifier_data.py [--out /work/verifier-data] [--seed 13]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from copydesk.featurize.units.lexicon import MONTH_NAMES, WEEKDAY_NAMES  # noqa: E402
from copydesk.featurize.units.numbers import ORDINAL_VALUE  # noqa: E402

DATA = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data"))
SEEDS = ROOT / "examples" / "seeds"
FORBIDDEN = ("summedits", "aggrefact", "qags", "llmfake")

# --------------------------------------------------------------------------- lexicons

NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "dozen": 12,
}
WORD_OF = {v: k for k, v in NUM_WORDS.items() if k not in ("dozen", "hundred")}
ORDINALS = [w for w, v in ORDINAL_VALUE.items() if v <= 10]  # first ... tenth
FRACTIONS = {
    "half": 0.5, "a half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "a quarter": 0.25, "one quarter": 0.25,
    "two-thirds": 2 / 3, "two thirds": 2 / 3, "three-quarters": 0.75, "three quarters": 0.75, "a fifth": 0.2,
    "one fifth": 0.2, "a tenth": 0.1, "one in four": 0.25, "one in three": 1 / 3, "one in five": 0.2,
    "most": 0.7, "a majority": 0.6, "nearly half": 0.48,
}
UNITS = ["second", "minute", "hour", "day", "week", "month", "year"]
WEEKDAYS = [d.title() for d in WEEKDAY_NAMES]
MONTHS = [m.title() for m in MONTH_NAMES if m != "may"]  # "May" left out: too often the verb
RELATIVE_TIMES = ["yesterday", "today", "last week", "last month", "last year", "this week", "on Tuesday",
                  "earlier this month", "two weeks ago", "overnight", "this morning", "late Friday"]
OUTLETS = ["Reuters", "the Associated Press", "AP", "AFP", "CNN", "the BBC", "BBC", "Fox News", "NBC News",
           "CBS News", "ABC News", "The New York Times", "the New York Times", "The Washington Post",
           "the Washington Post", "The Guardian", "the Guardian", "Bloomberg", "The Wall Street Journal",
           "the Wall Street Journal", "People", "Us Weekly", "TMZ", "Izvestia", "Tass", "TASS", "RIA Novosti",
           "Al Jazeera", "Politico", "the Financial Times", "Le Monde", "Der Spiegel", "E! News",
           "Entertainment Weekly", "the Los Angeles Times", "USA Today", "The Times", "the Telegraph", "Sky News"]
ANTONYMS = [
    ("increase", "decrease"), ("increased", "decreased"), ("rose", "fell"), ("rise", "fall"), ("risen", "fallen"),
    ("won", "lost"), ("win", "lose"), ("wins", "loses"), ("approved", "rejected"), ("accepted", "rejected"),
    ("guilty", "innocent"), ("higher", "lower"), ("more", "fewer"), ("before", "after"), ("agreed", "refused"),
    ("alive", "dead"), ("opened", "closed"), ("open", "closed"), ("began", "ended"), ("start", "end"),
    ("started", "ended"), ("support", "oppose"), ("supports", "opposes"), ("supported", "opposed"),
    ("first", "last"), ("largest", "smallest"), ("biggest", "smallest"), ("highest", "lowest"),
    ("success", "failure"), ("successful", "unsuccessful"), ("allowed", "banned"), ("legal", "illegal"),
    ("entered", "left"), ("arrived", "departed"), ("gained", "lost"), ("strong", "weak"), ("stronger", "weaker"),
    ("early", "late"), ("earlier", "later"), ("above", "below"), ("victory", "defeat"), ("north", "south"),
    ("east", "west"), ("hired", "fired"), ("bought", "sold"), ("buy", "sell"), ("acquired", "sold"),
    ("expanded", "reduced"), ("raised", "lowered"), ("boosted", "cut"), ("survived", "died"),
    ("released", "detained"), ("acquitted", "convicted"), ("convicted", "acquitted"), ("up", "down"),
    ("resigned", "was reappointed"), ("joined", "quit"), ("easy", "difficult"), ("cheaper", "more expensive"),
    ("minor", "major"), ("peaceful", "violent"), ("positive", "negative"), ("majority", "minority"),
    ("public", "private"), ("inside", "outside"), ("ally", "rival"), ("allies", "rivals"),
]
STANCE = [
    ("refused to say whether", "acknowledged that"), ("declined to say whether", "confirmed that"),
    ("would not say whether", "said that"), ("declined to comment", "confirmed the report"),
    ("refused to comment", "confirmed the reports"), ("would not comment", "confirmed it"),
    ("would not say", "said"), ("declined to say", "said"), ("denied", "admitted"), ("denies", "admits"),
    ("rejected", "accepted"), ("refused to", "agreed to"), ("criticized", "praised"), ("criticised", "praised"),
    ("condemned", "welcomed"), ("opposed", "backed"), ("dismissed", "endorsed"), ("disputed", "confirmed"),
    ("ruled out", "confirmed"), ("warned against", "called for"), ("praised", "criticised"),
    ("welcomed", "condemned"), ("confirmed", "denied"), ("admitted", "denied"), ("backed", "opposed"),
    ("pleaded not guilty", "pleaded guilty"), ("pleaded guilty", "pleaded not guilty"), ("agreed to", "refused to"),
]
HEDGES = [
    ("may have", "has"), ("might have", "has"), ("could have", "has"), ("may", "will"), ("might", "will"),
    ("could", "will"), ("is expected to", "will"), ("are expected to", "will"), ("was expected to", "did"),
    ("reportedly ", ""), ("allegedly ", ""), ("apparently ", ""), ("possibly ", "certainly "),
    ("is likely to", "will"), ("are likely to", "will"), ("plans to", "has decided to"), ("is considering", "has decided on"),
    ("are considering", "have decided on"), ("suspected", "confirmed"), ("is believed to", "is known to"),
    ("are believed to", "are known to"), ("unconfirmed", "confirmed"), ("appears to", "does"), ("seems to", "does"),
    ("is said to", "is"), ("would likely", "will"), ("hopes to", "will"), ("aims to", "will"), ("possible", "certain"),
    ("potential", "confirmed"), ("proposed", "approved"), ("tentative", "final"), ("nearly", "fully"),
    ("almost", "fully"), ("about", "exactly"), ("around", "exactly"), ("at least", "only"),
]
NEG_AUX = ["is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could", "should", "did", "does"]
PAST_VERBS = {
    "said": "say", "announced": "announce", "confirmed": "confirm", "killed": "kill", "arrested": "arrest",
    "won": "win", "agreed": "agree", "signed": "sign", "approved": "approve", "found": "find", "told": "tell",
    "reported": "report", "accepted": "accept", "admitted": "admit", "attended": "attend", "joined": "join",
    "left": "leave", "took": "take", "made": "make", "gave": "give", "struck": "strike", "died": "die",
    "played": "play", "returned": "return", "launched": "launch", "released": "release", "received": "receive",
    "entered": "enter", "checked": "check", "claimed": "claim", "ordered": "order", "reached": "reach",
    "raised": "raise", "fired": "fire", "named": "name", "hired": "hire", "bought": "buy", "sold": "sell",
    "met": "meet", "called": "call", "decided": "decide", "began": "begin", "shot": "shoot", "stole": "steal",
    "charged": "charge", "hit": "hit", "injured": "injure", "destroyed": "destroy", "showed": "show",
    "revealed": "reveal", "suffered": "suffer", "spent": "spend", "won't": "will", "visited": "visit",
    "caused": "cause", "scored": "score", "voted": "vote", "demanded": "demand", "stated": "state",
    "emphasized": "emphasize", "insisted": "insist", "warned": "warn", "expected": "expect", "plans": "plan",
}
GOALS = [
    "win over undecided voters", "pressure its rivals", "deflect criticism", "avoid further sanctions",
    "boost ratings", "shore up support at home", "gain leverage in the negotiations", "distract from the scandal",
    "protect its market share", "appease critics", "secure a better deal", "strengthen its position",
    "save face", "avoid a costly lawsuit", "force a settlement", "rally supporters", "buy time",
    "undercut the opposition", "reassure investors", "silence critics", "repair its image", "court foreign donors",
    "stall the investigation", "win back fans", "extract concessions", "split the coalition",
    "head off a rebellion", "placate the unions", "cover up earlier mistakes", "regain public trust",
]
GOALS_ING = [g.split(" ", 1) for g in GOALS]
TONES = ["tense", "cordial", "heated", "productive", "frosty", "friendly", "acrimonious", "constructive",
         "bitter", "warm", "hostile", "upbeat", "strained", "emotional", "chaotic", "combative", "relaxed", "somber"]
ADVERBS = ["angrily", "reluctantly", "confidently", "defiantly", "nervously", "cheerfully", "grudgingly",
           "tearfully", "bluntly", "proudly", "hastily", "quietly", "furiously", "smugly"]
CONSEQUENCES = [
    "cost hundreds of jobs", "delay the project by months", "raise prices for consumers", "reshape the industry",
    "end the dispute", "force new elections", "deepen the crisis", "hurt tourism in the region",
    "trigger a wave of lawsuits", "strain relations between the two countries", "weaken the government",
    "drive investors away", "set a precedent for future cases", "leave thousands without power",
    "boost the economy", "change the outcome of the race", "derail the peace process", "cost taxpayers millions",
]
CONS_NOUNS = [
    "widespread protests", "a sharp drop in shares", "a diplomatic row", "calls for an inquiry",
    "a wave of resignations", "panic among residents", "a backlash from investors", "fears of a wider conflict",
    "outrage on social media", "a surge in ticket sales", "a review of safety rules", "a rush on supermarkets",
    "an emergency meeting of the cabinet", "a boycott by fans", "a spike in oil prices", "criticism from allies",
]
EVALS = ["reckless", "unprecedented", "historic", "controversial", "long overdue", "a major setback",
         "a turning point", "short-sighted", "bold", "a humiliating defeat", "a cynical ploy", "a stunning reversal",
         "a desperate gamble", "a serious blunder", "a welcome step", "deeply irresponsible"]
PEOPLE_NOUNS = ["officials", "witnesses", "sources", "people familiar with the matter", "police officers",
                "diplomats", "residents", "aides", "investigators", "analysts"]

JUNK = frozenset(
    "and but or so what why how when where who would could should will can may might if yet for nor not no "
    "mr mrs ms dr read click follow updated posted share copyright".split()
)
STARTERS = frozenset(
    "the a an this that these those it he she they we his her their its police officials authorities one two "
    "three some many most several in on at after before when while as according".split()
)

# --------------------------------------------------------------------------- helpers

_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\.?)(?:\s+(?:[A-Z]\.\s+)?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)+\b")
_SINGLE_CAP = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")
_PLACE_CTX = re.compile(r"\b(?:in|at|from|near|to|outside)\s+((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+)?)\b")
_DIGITS = re.compile(r"(?<![\w.$])(\$?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-3]\d)\b")
_TIME = re.compile(r"\b(\d{1,2})(:\d\d)?\s?(a\.m\.|p\.m\.|am|pm)", re.I)
_PERCENT = re.compile(r"\b(\d+(?:\.\d+)?)\s?(%|percent|per cent)")
_DURATION = re.compile(
    r"\b(\d+|" + "|".join(k for k in NUM_WORDS if k not in ("dozen", "hundred")) + r"|a|an)([- ])"
    r"(second|minute|hour|day|week|month|year)(s?)\b", re.I)
_NTH_YEAR = re.compile(r"\bin its (" + "|".join(ORDINALS) + r") year\b")
_NUMWORD = re.compile(r"\b(" + "|".join(sorted(NUM_WORDS, key=len, reverse=True)) + r")\b", re.I)
_ORD = re.compile(r"\b(" + "|".join(ORDINALS[1:]) + r")\b", re.I)


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def detok_mrpc(s: str) -> str:
    from copydesk.evaluate.claims import detokenise

    return norm(detokenise(s.replace("<QUOTE>", '"')))


def case_like(src: str, word: str) -> str:
    return word[:1].upper() + word[1:] if src[:1].isupper() else word


def sub_once(rx: re.Pattern, text: str, fn) -> str | None:
    m = rx.search(text)
    if not m:
        return None
    rep = fn(m)
    if rep is None or rep == m.group(0):
        return None
    return text[: m.start()] + rep + text[m.end():]


def sub_choice(rng: random.Random, rx: re.Pattern, text: str, fn) -> tuple[str, str] | None:
    """Apply ``fn`` at one randomly chosen match; returns (new text, original matched text)."""
    ms = list(rx.finditer(text))
    rng.shuffle(ms)
    for m in ms:
        rep = fn(m)
        if rep is not None and rep != m.group(0):
            return text[: m.start()] + rep + text[m.end():], m.group(0)
    return None


def other_int(rng: random.Random, n: int) -> int:
    opts = [n + rng.randint(1, 3), n * 2, max(1, n // 2), n + 10, round(n * 1.5), max(0, n - rng.randint(1, 3)),
            n * 3, n + 5]
    opts = [o for o in opts if o != n and o >= 0]
    return rng.choice(opts)


def fmt_int(rng: random.Random, n: int, words_ok: bool = True) -> str:
    if words_ok and n in WORD_OF and rng.random() < 0.5:
        return WORD_OF[n]
    return f"{n:,}" if n >= 10000 else str(n)


def in_text(value: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(value.lower()) + r"(?!\w)", text.lower()) is not None


def ends_plain(s: str) -> bool:
    return bool(re.search(r"[a-z0-9)]\.?$", s)) and len(s.split()) >= 6


def append_clause(s: str, clause: str) -> str:
    body = s.rstrip()
    end = "."
    if body[-1:] in ".!?":
        end = body[-1]
        body = body[:-1]
    return f"{body}{clause}{end}"


def prefix_clause(s: str, pre: str) -> str:
    first = s.split(" ", 1)[0]
    if first.lower() in STARTERS:
        s = s[:1].lower() + s[1:]
    return pre + s


# --------------------------------------------------------------------------- contradiction edits
# Each edit: (claim, evidence, rng, ctx) -> (new claim, kind) or None. ``evidence`` is the text the
# claim is checked against; unit / name edits need the original value to be stated there.


def edit_number(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    def digits(m: re.Match) -> str | None:
        whole = m.group(0)
        if m.group(3) or _YEAR.fullmatch(m.group(2)) or not in_text(whole, ev):
            return None
        n = int(m.group(2).replace(",", ""))
        new = other_int(rng, n)
        return m.group(1) + (fmt_int(rng, new, not m.group(1)) if new < 10000 else f"{new:,}")

    def words(m: re.Match) -> str | None:
        w = m.group(1)
        if not in_text(w, ev):
            return None
        n = NUM_WORDS[w.lower()]
        if w.lower() == "one" and rng.random() < 0.7:  # "one of the" is rarely a count
            return None
        new = other_int(rng, n)
        return case_like(w, WORD_OF.get(new, str(new)) if rng.random() < 0.6 else str(new))

    for rx, fn in ((_DIGITS, digits), (_NUMWORD, words)) if rng.random() < 0.6 else ((_NUMWORD, words), (_DIGITS, digits)):
        r = sub_choice(rng, rx, s, fn)
        if r:
            return r[0], "number"
    return None


def edit_duration(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    m = _NTH_YEAR.search(s)
    if m and in_text(m.group(0), ev):
        k = ORDINALS.index(m.group(1)) + 1
        new = other_int(rng, k) or 3
        rep = (f"after {fmt_int(rng, new)} years" if rng.random() < 0.5
               else f"in its {ORDINALS[min(new, 10) - 1]} year" if min(new, 10) != k else f"after {new + 1} years")
        return s[: m.start()] + rep + s[m.end():], "duration"

    def dur(m: re.Match) -> str | None:
        if not in_text(m.group(0), ev):
            return None
        num, sep, unit, plural = m.groups()
        n = 1 if num.lower() in ("a", "an") else NUM_WORDS.get(num.lower()) or int(num)
        if rng.random() < 0.4:  # change the unit too: "90-minute" -> "two-hour"
            u = rng.choice([x for x in UNITS if x != unit.lower()])
            new = rng.randint(1, 4) if u != "minute" else rng.choice([15, 20, 30, 45])
        else:
            u, new = unit.lower(), other_int(rng, n) or 2
        numtxt = fmt_int(rng, new)
        pl = "" if sep == "-" or new == 1 else "s"
        return case_like(num, numtxt) + sep + u + pl

    r = sub_choice(rng, _DURATION, s, dur)
    return (r[0], "duration") if r else None


def edit_fraction(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    def pct(m: re.Match) -> str | None:
        if not in_text(m.group(1), ev):
            return None
        v = float(m.group(1))
        if rng.random() < 0.35:
            cand = [k for k, f in FRACTIONS.items() if abs(f * 100 - v) > 5 and " in " not in k and k not in ("most",)]
            return rng.choice(cand) if cand else None
        new = round(v + rng.choice([-1, 1]) * rng.choice([5, 10, 15, 20]) if v > 25 else v * rng.choice([2, 3]) + 1)
        return f"{max(new, 1)}{m.group(2) if m.group(2) == '%' else ' ' + m.group(2)}"

    r = sub_choice(rng, _PERCENT, s, pct)
    if r:
        return r[0], "fraction"
    keys = [k for k in sorted(FRACTIONS, key=len, reverse=True) if in_text(k, s) and in_text(k, ev)]
    if not keys:
        return None
    k = keys[0]
    v = FRACTIONS[k]
    if rng.random() < 0.5:
        new = f"{int(round(v * 100 + rng.choice([-1, 1]) * rng.choice([10, 15, 20])))} percent"
    else:
        cand = [x for x, f in FRACTIONS.items() if abs(f - v) > 0.05]
        new = rng.choice(cand)
    m = re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", s, re.I)
    return s[: m.start()] + case_like(m.group(0), new) + s[m.end():], "fraction"


def edit_ordinal(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    def o(m: re.Match) -> str | None:
        if not in_text(m.group(1), ev):
            return None
        k = ORDINALS.index(m.group(1).lower())
        return case_like(m.group(1), rng.choice([x for i, x in enumerate(ORDINALS) if i != k and abs(i - k) <= 3]))

    r = sub_choice(rng, _ORD, s, o)
    return (r[0], "ordinal") if r else None


def edit_date(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    opts = []
    for w in WEEKDAYS:
        if in_text(w, s) and in_text(w, ev):
            opts.append((re.compile(r"\b" + w + r"\b"), lambda m: rng.choice([x for x in WEEKDAYS if x != m.group(0)])))
    for w in MONTHS:
        if in_text(w, s) and in_text(w, ev):
            opts.append((re.compile(r"\b" + w + r"\b"), lambda m: rng.choice([x for x in MONTHS if x != m.group(0)])))
    for y in _YEAR.findall(s):
        if in_text(y, ev):
            opts.append((re.compile(r"\b" + y + r"\b"), lambda m: str(int(m.group(0)) + rng.choice([-3, -2, -1, 1, 2]))))
    if _TIME.search(s):
        def t(m: re.Match) -> str | None:
            if not in_text(m.group(0), ev):
                return None
            h = (int(m.group(1)) + rng.choice([2, 3, 4, 5])) % 12 or 12
            return f"{h}{m.group(2) or ''} {m.group(3)}"
        opts.append((_TIME, t))
    for w in ("yesterday", "last week", "last month", "last year", "this week", "this morning", "overnight",
              "earlier this month", "tonight", "today"):
        if in_text(w, s) and in_text(w, ev):
            opts.append((re.compile(r"\b" + w + r"\b", re.I),
                         lambda m: case_like(m.group(0), rng.choice([x for x in RELATIVE_TIMES if x != m.group(0).lower()]))))
    rng.shuffle(opts)
    for rx, fn in opts:
        out = sub_once(rx, s, fn)
        if out:
            return out, "date"
    return None


def edit_name(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    """Swap a person-like name (2+ capitalised words), a speaker, or a place for one from another document."""
    pools = ctx["pools"]
    cands = []
    for m in _NAME.finditer(s):
        if m.start() == 0 and m.group(0).split()[0].lower() in STARTERS:
            continue
        if not in_text(m.group(0), ev) or any(o.lower() in m.group(0).lower() for o in OUTLETS):
            continue
        after = s[m.end(): m.end() + 12]
        kind = "speaker" if re.match(r",? (?:said|says|told|added|stated|explained)\b", after) else "name"
        pre = s[max(0, m.start() - 6): m.start()]
        if re.search(r"\b(?:in|at|from|near)\s$", pre):
            kind = "place"
        cands.append((m, kind))
    for m in _PLACE_CTX.finditer(s):
        g = m.group(1)
        if in_text(g, ev) and g not in WEEKDAYS and g not in MONTHS and len(g) > 3:
            cands.append((m, "place"))
    rng.shuffle(cands)
    for m, kind in cands:
        span = m.group(1) if m.re is _PLACE_CTX else m.group(0)
        start = m.start(1) if m.re is _PLACE_CTX else m.start()
        pool = pools["place"] if kind == "place" else pools["person"]
        for _ in range(10):
            new = rng.choice(pool)
            if new.lower() != span.lower() and not in_text(new, ev) and new.split()[-1] not in span:
                return s[:start] + new + s[start + len(span):], kind
    return None


def edit_outlet(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    for o in sorted(OUTLETS, key=len, reverse=True):
        if re.search(r"(?<!\w)" + re.escape(o) + r"(?!\w)", s) and in_text(o, ev):
            base = o.lower().removeprefix("the ")
            cand = [x for x in OUTLETS if x.lower().removeprefix("the ") != base and not in_text(x, ev)]
            new = rng.choice(cand)
            m = re.search(r"(?<!\w)" + re.escape(o) + r"(?!\w)", s)
            return s[: m.start()] + new + s[m.end():], "outlet"
    return None


def edit_negation(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    m = re.search(r"\b(" + "|".join(NEG_AUX) + r") not\b", s)
    if m:
        return s[: m.start()] + m.group(1) + s[m.end():], "negation"
    m = re.search(r"\b(is|was|are|were|has|have|had|does|did|could|would|should)n't\b", s)
    if m:
        return s[: m.start()] + m.group(1) + s[m.end():], "negation"
    m = re.search(r"\b(won't|can't|cannot|never|no longer)\b", s)
    if m:
        rep = {"won't": "will", "can't": "can", "cannot": "can", "never": "once", "no longer": "still"}[m.group(1)]
        return s[: m.start()] + rep + s[m.end():], "negation"
    cands = [m for m in re.finditer(r"\b(" + "|".join(NEG_AUX) + r")\b", s)]
    verbs = [m for m in re.finditer(r"\b(" + "|".join(PAST_VERBS) + r")\b", s)]
    if verbs and (not cands or rng.random() < 0.5):
        m = rng.choice(verbs)
        return s[: m.start()] + "did not " + PAST_VERBS[m.group(1)] + s[m.end():], "negation"
    cands = [m for m in cands if m.group(1) not in ("has", "have", "had", "did", "does")
             or re.match(r" (?:been|\w+ed|\w+en)\b", s[m.end():])]
    if cands:
        m = rng.choice(cands)
        return s[: m.end()] + " not" + s[m.end():], "negation"
    return None


def _swap_table(pairs: list[tuple[str, str]], both: bool) -> dict[str, str]:
    t = {}
    for a, b in pairs:
        t.setdefault(a, b)
        if both:
            t.setdefault(b, a)
    return t


ANT = _swap_table(ANTONYMS, True)
STA = _swap_table(STANCE, False)
HED = _swap_table(HEDGES, False)


def _table_edit(s: str, table: dict[str, str], rng: random.Random, kind: str) -> tuple[str, str] | None:
    hits = [(m, k) for k in sorted(table, key=len, reverse=True)
            for m in re.finditer(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", s)]
    if not hits:
        return None
    m, k = rng.choice(hits[:3])
    return s[: m.start()] + table[k] + s[m.end():], kind


def edit_antonym(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    return _table_edit(s, ANT, rng, "antonym")


def edit_stance(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    return _table_edit(s, STA, rng, "stance")


def edit_hedge(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    return _table_edit(s, HED, rng, "hedge")


def edit_actor_swap(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    ents = [m for m in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b", s)
            if m.start() > 0 and s[m.start() - 2: m.start()] not in ('. ', '" ', '“ ')
            and m.group(0).split()[0].lower() not in STARTERS | JUNK
            and m.group(0) not in WEEKDAYS and m.group(0) not in MONTHS]
    for a, b in zip(ents, ents[1:], strict=False):
        gap = s[a.end(): b.start()]
        words = gap.split()
        if a.group(0) == b.group(0) or not (1 <= len(words) <= 5) or not words[0][:1].islower() or "," in gap:
            continue
        if words[-1] in ("of", "and", "or", "in", "at", "from", "near", "to", "for", "on", "'s"):
            if words[-1] not in ("to", "for"):
                continue
        return s[: a.start()] + b.group(0) + gap + a.group(0) + s[b.end():], "actor_swap"
    return None


UNIT_EDITS = (edit_number, edit_duration, edit_fraction, edit_ordinal, edit_date, edit_name, edit_outlet)
OTHER_EDITS = (edit_negation, edit_antonym, edit_stance, edit_hedge, edit_actor_swap)


def contradictions(s: str, ev: str, rng: random.Random, ctx: dict, n: int) -> list[tuple[str, str]]:
    """Up to ``n`` distinct contradicting edits of ``s``: a unit edit first when one applies."""
    out: list[tuple[str, str]] = []
    units = list(UNIT_EDITS)
    rng.shuffle(units)
    for fn in units:
        r = fn(s, ev, rng, ctx)
        if r:
            out.append(r)
            break
    others = list(OTHER_EDITS)
    rng.shuffle(others)
    for fn in others:
        if len(out) >= n:
            break
        r = fn(s, ev, rng, ctx)
        if r and r[0] != s and all(r[0] != o[0] for o in out):
            out.append(r)
    return [(norm(c), k) for c, k in out[:n] if norm(c) != norm(s)]


# --------------------------------------------------------------------------- not-stated additions


def addition(s: str, ev: str, rng: random.Random, ctx: dict) -> tuple[str, str] | None:
    kind = rng.choice(["motive", "motive", "tone", "consequence", "consequence", "evaluation", "specific", "specific"])
    if kind == "motive":
        g = rng.choice(GOALS)
        verb, rest = rng.choice(GOALS_ING)
        clause = rng.choice([f", in a bid to {g}", f", hoping to {g}", f" in an effort to {g}", f", apparently to {g}",
                             f", seeking to {g}", f" as a way to {g}", f" because it wanted to {g}",
                             f", a move widely seen as an attempt to {g}"])
        if rng.random() < 0.3:
            return prefix_clause(s, rng.choice(["In a bid to ", "Hoping to ", "Eager to ", "Determined to "]) + g + ", "), kind
    elif kind == "tone":
        t, adv = rng.choice(TONES), rng.choice(ADVERBS)
        clause = rng.choice([f", in what both sides described as {t} talks", f" amid {t} exchanges",
                             f", in a {t} atmosphere", f" after a {t} meeting", f", {adv}", f" in a {t} tone"])
        if rng.random() < 0.25:
            return prefix_clause(s, case_like("X", adv) + ", "), kind
    elif kind == "consequence":
        c, nn = rng.choice(CONSEQUENCES), rng.choice(CONS_NOUNS)
        clause = rng.choice([f", a decision that is expected to {c}", f", which will {c}", f", prompting {nn}",
                             f", raising fears of {nn.removeprefix('a ').removeprefix('an ')}", f", sparking {nn}",
                             f", leading to {nn}", f", a step that could {c}", f" and is likely to {c}"])
    elif kind == "evaluation":
        e = rng.choice(EVALS)
        clause = rng.choice([f", a move critics called {e}", f", which analysts described as {e}",
                             f", in what observers called {e}", f", a decision many saw as {e}"])
    else:
        pools = ctx["pools"]
        n = rng.choice([3, 4, 5, 7, 12, 15, 20, 40, 200])
        wd = rng.choice(WEEKDAYS)
        place = rng.choice(pools["place"])
        person = rng.choice(pools["person"])
        options = [(f", according to {fmt_int(rng, n)} {rng.choice(PEOPLE_NOUNS)}", str(n)),
                   (f" on {wd}", wd), (f" in {place}", place), (f", {person} said", person),
                   (f" at a cost of ${n} million", str(n)), (f", injuring {fmt_int(rng, n)} people", str(n)),
                   (f", the {rng.choice(ORDINALS[1:5])} such incident this year", "such incident"),
                   (f" with {fmt_int(rng, n)} others", str(n)), (f", {person} told {rng.choice(OUTLETS)}", person)]
        clause, unit = rng.choice(options)
        if in_text(unit, ev):
            return None
    if not ends_plain(s):
        return None
    return append_clause(s, clause), kind


# --------------------------------------------------------------------------- sub-claims (supported)


def subclaim(s: str, rng: random.Random) -> str | None:
    """A shorter claim the sentence entails: drop an appositive, a leading phrase, a trailing clause
    or the attribution. None if no such cut leaves a sentence of at least 6 words."""
    opts = []
    m = re.match(r"^((?:On|In|At|After|Before|During|Earlier|Later|Last|Meanwhile|According to)[^,]{0,60}), (.+)$", s)
    if m:
        opts.append(m.group(2)[:1].upper() + m.group(2)[1:])
    for m in re.finditer(r", (?:who|which|whose|a|an|the)\b[^,\"]{3,80}, ", s):
        opts.append(s[: m.start()] + " " + s[m.end():])
    m = re.search(r", (?:[a-z]+ing|according to|as|after|while|amid|before|with)\b[^\"]{5,}([.!?])$", s)
    if m:
        opts.append(s[: m.start()] + m.group(1))
    m = re.search(r",? (?:he|she|they|police|officials|[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}) (?:said|told [\w ]{2,30}|added)\.$", s)
    if m and m.start() > 20:
        opts.append(s[: m.start()].rstrip(",") + ".")
    m = re.match(r"^(?:[A-Z][\w.]*(?: [A-Z][\w.]*){0,3}|He|She|They|Police|Officials) (?:said|says|reported|announced) (?:that )?(.+)$", s)
    if m and len(m.group(1).split()) >= 6:
        opts.append(m.group(1)[:1].upper() + m.group(1)[1:])
    opts = [norm(o) for o in opts if len(o.split()) >= 6 and norm(o) != s and '"' not in o.replace(s, "")]
    return rng.choice(opts) if opts else None


# --------------------------------------------------------------------------- retrieval


class Retriever:
    """TF-IDF cosine over one document's sentences (sklearn, word unigrams + bigrams, sublinear tf)."""

    def __init__(self, sentences: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.sentences = sentences
        self.vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
        try:
            self.m = self.vec.fit_transform(sentences)
        except ValueError:
            self.m = None

    def scores(self, text: str) -> np.ndarray:
        if self.m is None:
            return np.zeros(len(self.sentences))
        return (self.m @ self.vec.transform([text]).T).toarray().ravel()


def evidence_for(claim: str, base_idx: int, ret: Retriever, rng: random.Random, p_two: float = 0.5) -> str:
    """The original sentence plus, half the time, the next best sentence of its document."""
    sc = ret.scores(claim)
    sc[base_idx] = -1
    if rng.random() < p_two and len(ret.sentences) > 1:
        j = int(sc.argmax())
        return norm(ret.sentences[base_idx] + " " + ret.sentences[j]) if j != base_idx else ret.sentences[base_idx]
    return ret.sentences[base_idx]


# --------------------------------------------------------------------------- sources


def stable_hash(s: str, seed: int) -> float:
    return int(hashlib.sha256(f"{seed}:{s}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def load_ecb() -> list[dict]:
    with open(DATA / "ecbplus" / "documents.jsonl") as fh:
        docs = [json.loads(line) for line in fh]
    for d in docs:
        d["sentences"] = [norm(s) for s in d["sentences"] if len(s.split()) >= 5]
    return [d for d in docs if d["sentences"]]


def load_seeds() -> list[dict]:
    from copydesk.segment import sentence_spans

    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text()
        sents = [norm(text[a:b]) for a, b in sentence_spans(text)]
        out.append({"doc_id": p.stem, "topic": "seed", "story_id": "seed", "sentences": [s for s in sents if len(s.split()) >= 5]})
    return out


def name_pools(docs: list[dict]) -> dict[str, dict[str, list[str]]]:
    """Per topic, the names and places written in documents of OTHER topics (swap-ins come from elsewhere)."""
    by_topic: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"person": set(), "place": set()})
    for d in docs:
        for s in d["sentences"]:
            for m in _NAME.finditer(s):
                g = m.group(0)
                if 2 <= len(g.split()) <= 3 and not any(w.lower() in STARTERS | JUNK for w in g.split()) and not any(
                        w in WEEKDAYS or w in MONTHS for w in g.split()):
                    by_topic[str(d["topic"])]["person"].add(g)
            for m in _PLACE_CTX.finditer(s):
                g = m.group(1)
                if g not in WEEKDAYS and g not in MONTHS and len(g) > 3:
                    by_topic[str(d["topic"])]["place"].add(g)
    topics = sorted(by_topic)
    pools = {}
    for t in topics:
        pools[t] = {k: sorted({x for u in topics if u != t for x in by_topic[u][k]}) for k in ("person", "place")}
    pools["*"] = {k: sorted({x for u in topics for x in by_topic[u][k]}) for k in ("person", "place")}
    return pools


def build(seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    train: list[dict] = []
    dev: list[dict] = []

    def add(split: list[dict], claim: str, evidence: str, label: str, kind: str, source: str) -> None:
        split.append({"claim": norm(claim), "evidence": norm(evidence), "label": label, "kind": kind, "source": source})

    ecb = load_ecb()
    seeds = load_seeds()
    pools = name_pools(ecb + seeds)
    topics = sorted({d["topic"] for d in ecb})
    n_dev = max(2, round(0.05 * len(topics)))
    dev_topics = set(sorted(topics, key=lambda t: stable_hash(str(t), seed))[:n_dev])
    print(f"ECB+ dev topics: {sorted(dev_topics)}", file=sys.stderr)

    # ---- MRPC positives
    with open(DATA / "mrpc" / "train.jsonl") as fh:
        mrpc = [json.loads(line) for line in fh]
    ctx = {"pools": pools["*"]}
    for r in mrpc:
        if int(r["label"]) != 1:
            continue
        split = dev if stable_hash(r["id"], seed) < 0.05 else train
        s1, s2 = detok_mrpc(r["sentence1"]), detok_mrpc(r["sentence2"])
        for a, b in ((s1, s2), (s2, s1)):
            add(split, a, b, "supported", "paraphrase", "mrpc")
            sc = subclaim(a, rng)
            if sc:
                add(split, sc, b, "supported", "subclaim", "mrpc")
            for c, k in contradictions(a, b, rng, ctx, 2):
                add(split, c, b, "contradicted", k, "mrpc")
            ad = addition(a, b, rng, ctx)
            if ad:
                add(split, ad[0], b, "not_stated", ad[1], "mrpc")

    # ---- SuperPAL alignments (train only)
    with open(DATA / "superpal_multinews" / "alignments.jsonl") as fh:
        for line in fh:
            r = json.loads(line)
            cov = 0
            for part in str(r.get("summary_span_offsets", "")).split(";"):
                try:
                    a, b = (int(x) for x in part.split(","))
                    cov += b - a
                except ValueError:
                    continue
            s, d = norm(r["summary_sentence"]), norm(r["doc_sentence"])
            if cov / max(1, len(s)) >= 0.6:
                add(train, s, d, "supported", "alignment", "superpal")
                for c, k in contradictions(s, d, rng, ctx, 1):
                    add(train, c, d, "contradicted", k, "superpal")

    # ---- ECB+ and seeds: self edits against the original sentence (+ its best neighbour)
    for d in ecb + seeds:
        split = dev if d["topic"] in dev_topics else train
        source = "seeds" if d["topic"] == "seed" else "ecbplus"
        ctx = {"pools": pools[str(d["topic"])]}
        ret = Retriever(d["sentences"])
        for i, s in enumerate(d["sentences"]):
            if len(s.split()) > 60:
                continue
            base = s
            if rng.random() < 0.25:
                base = subclaim(s, rng) or s
            ev = evidence_for(base, i, ret, rng)
            sc = subclaim(s, rng)
            if sc:
                add(split, sc, evidence_for(sc, i, ret, rng), "supported", "subclaim", source)
            elif rng.random() < 0.15:
                add(split, s, ev, "supported", "verbatim", source)
            for c, k in contradictions(base, ev, rng, ctx, 2):
                add(split, c, ev, "contradicted", k, source)
            ad = addition(base, ev, rng, ctx)
            if ad:
                add(split, ad[0], ev, "not_stated", ad[1], source)

    # ---- ECB+: the other event of the same topic, and unrelated sentences of the same document
    by_event: dict[tuple, list[dict]] = defaultdict(list)
    for d in ecb:
        by_event[(d["topic"], d["story_id"])].append(d)
    for (topic, story), docs in sorted(by_event.items(), key=lambda kv: str(kv[0])):
        split = dev if topic in dev_topics else train
        others = [x for (t, st), v in by_event.items() if t == topic and st != story for x in v]
        if not others:
            continue
        for d in docs:
            od = rng.choice(others)
            ret = Retriever(od["sentences"])
            for s in rng.sample(d["sentences"], min(4, len(d["sentences"]))):
                sc = ret.scores(s)
                if sc.max() < 0.08:
                    continue
                top = np.argsort(-sc)[: rng.choice([1, 2])]
                add(split, s, " ".join(od["sentences"][j] for j in top), "not_stated", "other_event", "ecbplus")
            own = Retriever(d["sentences"])
            for i in rng.sample(range(len(d["sentences"])), min(2, len(d["sentences"]))):
                sc = own.scores(d["sentences"][i])
                sc[i] = -1
                if len(sc) < 3 or sc.max() >= 0.3 or sc.max() < 0.05:
                    continue
                top = np.argsort(-sc)[: rng.choice([1, 2])]
                add(split, d["sentences"][i], " ".join(d["sentences"][j] for j in top), "not_stated",
                    "other_sentence", "ecbplus")
    return train, dev


def counts(rows: list[dict]) -> dict:
    return {
        "n": len(rows),
        "label": dict(Counter(r["label"] for r in rows).most_common()),
        "kind": dict(Counter(f"{r['label']}/{r['kind']}" for r in rows).most_common()),
        "source": dict(Counter(f"{r['source']}/{r['label']}" for r in rows).most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/work/verifier-data"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--show", type=int, default=0, help="print this many random examples per kind")
    args = ap.parse_args(argv)
    train, dev = build(args.seed)
    assert not any(f in r["source"] for r in train + dev for f in FORBIDDEN)
    rng = random.Random(args.seed)
    rng.shuffle(train)
    rng.shuffle(dev)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"seed": args.seed, "excluded_sources": list(FORBIDDEN), "files": {}}
    for name, rows in (("train", train), ("dev", dev)):
        path = args.out / f"{name}.jsonl"
        with open(path, "w") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        manifest["files"][name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **counts(rows)}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(json.dumps({k: v for k, v in manifest["files"].items()}, indent=1))
    if args.show:
        by = defaultdict(list)
        for r in train:
            by[(r["label"], r["kind"])].append(r)
        for key in sorted(by):
            for r in rng.sample(by[key], min(args.show, len(by[key]))):
                print(f"\n[{key[0]}/{key[1]}/{r['source']}]\n  C: {r['claim']}\n  E: {r['evidence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
