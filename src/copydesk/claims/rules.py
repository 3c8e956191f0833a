"""Claims: is each sentence of a text supported, contradicted or unsupported by other versions?

No NLI model ships on the package registry, so the default verifier is built from parts:

1. **Retrieval / alignment** (:func:`similarity`): order-free scoring of every claim against every
   evidence sentence, a blend of MiniLM cosine and a lexical TF-IDF cosine whose IDF is taken
   over the sentences at hand (the pool and the claims), so words every version repeats weigh
   little and the rare words two sentences share weigh much. ``diff.align`` uses the same scorer.
2. **Hard rules** (:func:`hard_findings`), each with a reason in plain words and the sentence it
   compared: a number, duration, fraction, date or quote that an aligned sentence, or a near one about
   the same thing (a head noun in common: "truce" ~ "ceasefire"), states otherwise; a stance reversed
   ("declined to comment" -> "confirmed"), a negation or antonym among the same neighbouring words, a
   hedge made certain ("could" -> "will"), actors swapped around the same verb; then what no version
   states: a number, date or quote in any form ("a fifth" = "20%", "90 minutes" = "an hour and a half"),
   an outlet, speaker or name, an evaluative or causal clause (an intent, a tactic, a tone, a purpose).
3. **A small logistic model** over the alignment and diff signals (:data:`CLAIM_FEATURES`), its
   coefficients held to the sign each signal should have, fitted by ``scripts/fit_claim_model.py`` on
   development data (summary-consistency sets, MRPC, LLM rewrites of news) plus synthetic edits of real
   news sentences, with its threshold chosen in cross-validation -> ``copydesk/data/claim_model.json``.
   Its P(not supported) enters in one place: ``AlignmentVerifier._verdict``.
4. **The alignment**: a fitted floor (lexical alignment below a quantile of what faithful LLM
   paraphrases reach: "no version contains it", whatever the model says) and the alignment threshold
   ``ALIGN_MIN`` itself: a claim no sentence of another version aligns with is unsupported, unless a
   near sentence states its figures about the same thing. So a sentence the alignment calls "added" is
   never "supported".

Non-claims (:func:`claim_role`: headings, questions, bullet labels, datelines, bylines) get the status
"heading": not flagged, not counted; a heading's numbers, dates, quotes and names are still checked.
Hard rules decide first, then the model, then the alignment. A different verifier (a real NLI model,
say) only has to implement :meth:`Verifier.judge` (and optionally ``judge_many``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple, Protocol

import numpy as np

from ..featurize.terms import rarity
from ..records import SourceMatch, Unit

TOP_EVIDENCE = 3
W_EMB = 0.25  # weight of the embedding cosine in the alignment score (the rest: lexical TF-IDF cosine)
ALIGN_MIN = 0.35  # alignment score at which an evidence sentence counts as "the same statement"
SUPPORT_MIN = 0.45  # ... and as supporting it (an article id in ``support``)
LOOSE_MIN = 0.2  # a sentence this close may state another value for the same thing (same head noun)
STATEMENT_MIN = 0.3  # ... and be the one a negation, antonym, stance or hedge of the claim reverses
FLAGGED = ("unsupported", "contradicted")  # the statuses a user is warned about (and a gate fails on)
STATUSES = ("supported", *FLAGGED, "heading")  # "heading": not a claim (heading, question, label, ...)


@dataclass(frozen=True, slots=True)
class EvidenceSentence:
    article: str
    idx: int
    text: str
    units: tuple[Unit, ...]
    prev_text: str = ""  # the sentence before it, to resolve "both nations", "he"


@dataclass(frozen=True, slots=True)
class ClaimInput:
    article: str
    text: str
    start: int
    end: int
    units: tuple[Unit, ...]
    vector: np.ndarray
    prev_text: str = ""
    role: str = "claim"  # claim | heading | question | label | dateline | byline (see :func:`claim_role`)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # supported | unsupported | contradicted | heading
    kind: str  # number | date | quote | attribution | entity | statement
    score: float  # P(not supported): higher = more suspicious
    reason: str  # in plain words: what differs or is missing, and where
    evidence: tuple[SourceMatch, ...] = ()  # [0]: the sentence compared (the closest, or the one a rule used)
    support: tuple[str, ...] = ()  # articles that state it (empty unless supported)


class Verifier(Protocol):
    def judge(
        self, claim: ClaimInput, pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray
    ) -> Verdict: ...


# -- words --------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
_ACRONYM = re.compile(r"^(?:[a-z]\.){2,}[a-z]?\.?$")
STOP = frozenset(
    """
the a an of and or to in on at for by with from as is are was were be been being has have had it its this
that these those he she they his her their him them we our you your i my me who whom which what when where
why how than then there here also but if so such into over after before about said says say will would can
could may might must shall should do does did up out more most some any all each other very just while
its it's s 's t one per via
""".split()
)
_IRREGULAR = {
    "pled": "plead",
    "pleaded": "plead",
    "went": "go",
    "gone": "go",
    "took": "take",
    "taken": "take",
    "made": "make",
    "told": "tell",
    "said": "say",
    "says": "say",
    "saw": "see",
    "seen": "see",
    "found": "find",
    "left": "leave",
    "held": "hold",
    "won": "win",
    "lost": "lose",
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "began": "begin",
    "begun": "begin",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "thought": "think",
    "caught": "catch",
    "fought": "fight",
    "sought": "seek",
    "taught": "teach",
    "met": "meet",
    "led": "lead",
    "paid": "pay",
    "ran": "run",
    "wrote": "write",
    "written": "write",
    "gave": "give",
    "given": "give",
    "got": "get",
    "gotten": "get",
    "came": "come",
    "knew": "know",
    "known": "know",
    "shot": "shoot",
    "struck": "strike",
    "stole": "steal",
    "stolen": "steal",
    "drove": "drive",
    "driven": "drive",
    "flew": "fly",
    "flown": "fly",
    "hit": "hit",
    "kept": "keep",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "felt": "feel",
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "died": "die",
    "dies": "die",
    "dead": "die",
    "death": "die",
    "killed": "kill",
    "arrested": "arrest",
    "u.s": "us",
    "u.k": "uk",
    "america": "us",
    "american": "us",
    "americans": "us",
    "britain": "uk",
    "british": "uk",
}


def norm_word(w: str) -> str:
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if "." in w and _ACRONYM.match(w + ("." if not w.endswith(".") else "")):
        w = w.replace(".", "")
    return w.strip(".'")


@lru_cache(maxsize=100_000)
def stem(w: str) -> str:
    """A light stemmer: irregular forms, then one common suffix, then the first 7 letters."""
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suf in ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    return w[:7]


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[str, ...]:
    return tuple(x for x in (norm_word(m) for m in _WORD.findall(text)) if x)


@lru_cache(maxsize=50_000)
def _sentence_info(
    text: str,
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[tuple[str, str]]]:
    """(words, stems, stem set, content-stem bigrams) of one sentence; cached per sentence."""
    ws = words(text)
    st = tuple(stem(w) for w in ws)
    content = [s for w, s in zip(ws, st, strict=True) if w not in STOP]
    return ws, st, frozenset(st), frozenset(zip(content, content[1:], strict=False))


# -- small linguistic checks ------------------------------------------------------------

_NEG = re.compile(r"\b(not|no|never|none|nobody|neither|nor|without|cannot)\b|n[’']t\b", re.I)
_NEG_VERB = re.compile(r"\b(denied|denies|deny|refused|refuses|rejects?|rejected|fail(?:ed|s)?)\b", re.I)
_ANTONYMS = [
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("won", "lost"),
    ("win", "lose"),
    ("accept", "reject"),
    ("accepted", "rejected"),
    ("support", "oppose"),
    ("supported", "opposed"),
    ("approve", "reject"),
    ("approved", "rejected"),
    ("higher", "lower"),
    ("more", "fewer"),
    ("more", "less"),
    ("before", "after"),
    ("guilty", "innocent"),
    ("confirmed", "denied"),
    ("allow", "ban"),
    ("allowed", "banned"),
    ("open", "closed"),
    ("arrested", "released"),
    ("killed", "injured"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("gain", "loss"),
    ("gained", "lost"),
    ("rise", "sink"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
    ("convicted", "acquitted"),
    ("strong", "weak"),
    ("thriving", "struggling"),
    ("thriving", "ailing"),
    ("profit", "loss"),
    ("maximum", "minimum"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("first", "last"),
    ("ahead", "back"),
    ("forward", "backward"),
    ("forward", "back"),
    ("north", "south"),
    ("east", "west"),
    ("up", "down"),
    ("above", "below"),
    ("male", "female"),
    ("man", "woman"),
    ("men", "women"),
    ("boy", "girl"),
    ("husband", "wife"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("he", "she"),
    ("his", "her"),
    ("lead", "trail"),
    ("leading", "trailing"),
    ("victory", "defeat"),
    ("cut", "raise"),
    ("cuts", "raises"),
    ("lowered", "raised"),
    ("worst", "best"),
    ("worse", "better"),
    ("early", "late"),
    ("earlier", "later"),
    ("young", "old"),
    ("old", "new"),
    ("youngest", "oldest"),
    ("cheap", "expensive"),
    ("easy", "difficult"),
    ("public", "private"),
    ("legal", "illegal"),
    ("positive", "negative"),
    ("optimistic", "pessimistic"),
    ("peace", "war"),
    ("ceasefire", "war"),
    ("ally", "enemy"),
    ("import", "export"),
    ("imports", "exports"),
    ("resign", "appoint"),
    ("resigned", "appointed"),
    ("hired", "fired"),
    ("start", "end"),
    ("started", "ended"),
]
_ANT: dict[str, set[str]] = {}
for _a, _b in _ANTONYMS:
    _ANT.setdefault(_a, set()).add(_b)
    _ANT.setdefault(_b, set()).add(_a)
# Closed classes: a word of one of these the evidence does not have, where the evidence has
# another of the same class, is a swap ("yellow and blue" -> "pink and green").
_CLASSES = {
    "colour": "red orange yellow green blue purple pink white black brown grey gray violet gold silver",
    "gender": "man woman men women boy girl male female he she his her husband wife father mother son "
    "daughter brother sister gay lesbian mr mrs ms king queen prince princess uncle aunt",
    "weekday": "monday tuesday wednesday thursday friday saturday sunday",
    "month": "january february march april may june july august september october november december",
    "ordinal": "first second third fourth fifth sixth seventh eighth ninth tenth last",
    "direction": "north south east west northern southern eastern western",
    "season": "spring summer autumn fall winter",
    "crime": "murder manslaughter homicide assault robbery theft fraud rape kidnapping",
    "role": "ceo president chairman founder co-founder director manager minister secretary chief "
    "owner spokesman spokeswoman coach captain",
    "place": "beach building cliff clifftop hill hilltop river lake ocean sea mountain forest park street "
    "road airport station hospital school church stadium hotel embassy",
}
_CLASS_OF = {w: c for c, ws in _CLASSES.items() for w in ws.split()}

_GROUP_REF = re.compile(
    r"\b(both (?:nations|countries|sides|leaders|governments|men|parties)|the two "
    r"(?:nations|countries|sides|leaders|governments|men|parties))\b",
    re.I,
)
_DEMONYM = {
    "russian": "russia",
    "russia": "russia",
    "moscow": "russia",
    "kremlin": "russia",
    "ukrainian": "ukraine",
    "ukraine": "ukraine",
    "kyiv": "ukraine",
    "kiev": "ukraine",
    "us": "us",
    "u.s.": "us",
    "american": "us",
    "united states": "us",
    "washington": "us",
    "america": "us",
    "french": "france",
    "france": "france",
    "british": "uk",
    "uk": "uk",
    "britain": "uk",
    "chinese": "china",
    "china": "china",
    "german": "germany",
    "germany": "germany",
    "israeli": "israel",
    "israel": "israel",
    "iranian": "iran",
    "iran": "iran",
}
_ACTOR = re.compile(
    r"(?<![\w.])(" + "|".join(sorted((re.escape(k) for k in _DEMONYM), key=len, reverse=True)) + r")(?![\w])",
    re.I,
)
_OBJECT_MARK = re.compile(r"\b(to|against|with|from|on|toward|towards|for)\s+(?:the\s+)?$", re.I)
_PREDICATE = re.compile(
    r"\b(ha(?:s|ve|d)|is|are|was|were|will|would|said|says|told|proposed|propose|offered|demand(?:s|ed)?|"
    r"put forward|announced|agreed|launched|accused|claimed|rejected|accepted)\b",
    re.I,
)


def actors(text: str) -> tuple[set[str], set[str]]:
    """(subject actors, object actors): nations named before the main predicate, and after 'to'/'against'."""
    m = _PREDICATE.search(text)
    cut = m.start() if m else len(text)
    subj, obj = set(), set()
    for a in _ACTOR.finditer(text):
        key = _DEMONYM[a.group(1).lower()]
        before = text[max(0, a.start() - 12) : a.start()]
        if a.start() < cut and not _OBJECT_MARK.search(before):
            subj.add(key)
        elif _OBJECT_MARK.search(before):
            obj.add(key)
    return subj, obj


def resolved_subjects(text: str, prev_text: str) -> set[str]:
    """Subject nations, with "both nations"/"the two sides" resolved to those of the previous sentence."""
    subj, _ = actors(text)
    g = _GROUP_REF.search(text)
    m = _PREDICATE.search(text)
    if g and (m is None or g.start() < m.start()):
        prev = {_DEMONYM[x.group(1).lower()] for x in _ACTOR.finditer(prev_text)}
        subj |= prev
    return subj


def negated(text: str) -> bool:
    return bool(_NEG.search(text))


def negation_flip(claim: str, evidence: str) -> bool:
    """One of the two is negated and the other is not, or an antonym replaces a word of the other."""
    if negated(claim) != negated(evidence):
        return True
    return antonym_flip(claim, evidence)


# Pairs that stand in faithful news paraphrases as often as in contradictions ("a peace deal" to "end the
# war"; pronouns and gendered words are the closed-class check's): not an antonym signal.
_WEAK_ANTONYMS = frozenset(
    frozenset(p)
    for p in (
        ("peace", "war"),
        ("ceasefire", "war"),
        ("he", "she"),
        ("his", "her"),
        ("man", "woman"),
        ("men", "women"),
        ("first", "last"),
        ("old", "new"),
        ("young", "old"),
        ("before", "after"),
        ("early", "late"),
        ("earlier", "later"),
        ("up", "down"),
        ("more", "less"),
        ("more", "fewer"),
        ("start", "end"),
    )
)


def antonym_flip(claim: str, evidence: str) -> bool:
    """A word of the claim whose antonym the evidence has (and the claim has not), the weak pairs aside."""
    cw, ew = set(words(claim)), set(words(evidence))
    return any(
        w not in ew and a in ew and a not in cw and frozenset((w, a)) not in _WEAK_ANTONYMS
        for w in cw
        for a in _ANT.get(w, ())
    )


def class_swap(claim: str, evidence: str) -> int:
    """Closed-class words (colours, gender, ordinals...) of the claim replaced by another of the class."""
    cw, ew = set(words(claim)), set(words(evidence))
    ecls = Counter(_CLASS_OF[w] for w in ew if w in _CLASS_OF and w not in cw)
    return sum(1 for w in cw - ew if w in _CLASS_OF and ecls.get(_CLASS_OF[w]))


# -- non-claims ---------------------------------------------------------------------------------
# Headings, subheadings, questions, bullet labels ("Neutrality Clause:"), datelines and bylines state
# nothing a reader could check: they get the status "heading" (not flagged, not counted), though the
# numbers, dates, quotes and names of a heading or question are still checked (a headline that invents
# "45-day" is flagged).

_BULLET_RE = re.compile(r"^(?:[-–—•▪◦●*]\s*)+(?=\S)")
_LABEL_WORD = r"(?:[A-Z0-9][\w'’&/.-]*)"
_LABEL_RE = re.compile(  # used with .match(text, pos): anchored at pos
    rf"{_LABEL_WORD}(?:\s+(?:{_LABEL_WORD}|of|and|the|in|for|to|on|at|a|an|&|vs\.?|with|by)){{0,5}}"
    r"\s*:(?=\s+\S)"
)
_QUESTION_RE = re.compile(r"\?[\"'”’)\]]*\s*$")
_TERMINAL_RE = re.compile(r"[.!?…;,][\"'”’)\]*_]*\s*$")
_BYLINE_RE = re.compile(
    r"^(?i:by|written by|reporting by|reported by|words by|story by|editing by)\s+"
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*"
    r"(?:\s*[,|–—-]\s*[\w .'’-]{0,40})?\s*$"
)
_DATELINE_WORDS = frozenset(
    """updated published posted last first date on at am pm a.m p.m et est edt gmt bst utc cet cest ist pt pst
    pdt ct cst mt jst aest hrs hours""".split()
)
_MONTH_WORDS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split()
)
_ROLE_REASON = {
    "heading": "a heading, not a claim",
    "question": "a question, not a claim",
    "label": "a list label, not a claim",
    "dateline": "a dateline, not a claim",
    "byline": "a byline, not a claim",
}


def split_label(text: str) -> tuple[int, int]:
    """(end of a leading bullet marker, end of a bullet label after it) in ``text``; 0 where there is none.

    "- Neutrality Clause: Russia demands ..." -> (2, 20): the dash, then "Neutrality Clause:".
    """
    m = _BULLET_RE.match(text)
    b = m.end() if m else 0
    lab = _LABEL_RE.match(text, b)
    if lab is None or len(lab.group().split()) > 6:
        return b, 0
    return b, lab.end()


def _dateline(text: str) -> bool:
    """Only a date, a time, a time zone, "Updated:" and a place or agency in capitals ("MOSCOW (Reuters)")."""
    toks = re.findall(r"[^\W_]+(?:\.[^\W_]+)*\.?", text)
    if not toks or len(toks) > 14:
        return False
    dated = False
    for t in toks:
        low = t.lower().rstrip(".")
        if t[0].isdigit() or low in _MONTH_WORDS:
            dated = True
        elif not (low in _DATELINE_WORDS or (t.isupper() and len(t) > 1) or low in ("reuters", "ap", "afp")):
            return False
    return dated


def claim_role(text: str, last: bool = False) -> str:
    """What a sentence is: "claim", or a non-claim: "question", "byline", "dateline", "heading".

    A heading is a line that ends without a full stop (segmentation cuts at line breaks, so a sentence
    without terminal punctuation ends its line) and is not the text's last sentence (a one-line summary
    without a full stop is a claim); a line ending in a colon is a heading when it is short ("Key
    elements:"), a lead-in to a list otherwise.
    """
    t = text[split_label(text)[0] :].strip().strip("*_#").strip()
    if not t:
        return "heading"
    if _QUESTION_RE.search(t):
        return "question"
    if _BYLINE_RE.match(t):
        return "byline"
    if _dateline(t):
        return "dateline"
    if last:
        return "claim"
    n = len(t.split())
    if t.endswith(":"):
        return "heading" if n <= 6 else "claim"
    if not _TERMINAL_RE.search(t) and n <= 16:
        return "heading"
    return "claim"


# -- the evidence index -----------------------------------------------------------------------


class PoolIndex:
    """Everything the verifier needs from an evidence pool, computed once per pool."""

    def __init__(
        self, pool: Sequence[EvidenceSentence], vectors: np.ndarray, extra_texts: Sequence[str] = ()
    ) -> None:
        self.pool = pool
        self.vectors = (
            np.asarray(vectors, dtype=np.float32).reshape(len(pool), -1)
            if len(pool)
            else np.zeros((0, 384), np.float32)
        )
        infos = [_sentence_info(e.text) for e in pool]
        self.stem_sets = [i[2] for i in infos]
        self.all_words = frozenset(w for i in infos for w in i[0])
        self.all_stems = frozenset(s for i in infos for s in i[2])
        self.bigrams = frozenset(b for i in infos for b in i[3])
        df = Counter(s for i in infos for s in i[2])
        for t in extra_texts:
            df.update(_sentence_info(t)[2])
        n = len(pool) + len(extra_texts) + 1
        self.idf = {s: math.log((n + 1) / (d + 1)) + 1.0 for s, d in df.items()}
        self.max_idf = math.log(n + 1) + 1.0
        self.vocab: dict[str, int] = {}
        self.lex = _lex_matrix([i[1] for i in infos], self, grow=True)
        self.entities = frozenset(u.key for e in pool for u in e.units if u.kind == "entity")
        self.numbers = [tuple(u for u in e.units if u.kind == "number") for e in pool]
        self.all_numbers = tuple(u for ns in self.numbers for u in ns)
        self.attributions = frozenset(
            u.key.split(":", 1)[-1] for e in pool for u in e.units if u.kind == "attribution"
        )
        self.quotes = tuple(u for e in pool for u in e.units if u.kind == "quote")
        self.dates = tuple(u for e in pool for u in e.units if u.kind == "date")
        self.lower = " ".join(e.text.lower() for e in pool)
        self.plain = " " + " ".join(re.sub(r"[^\w\s]", " ", e.text.lower()) for e in pool) + " "
        self.plain = re.sub(r"\s+", " ", self.plain)

    def query(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Alignment scores (len(texts), len(pool)): W_EMB * cosine + (1 - W_EMB) * lexical cosine."""
        if not len(self.pool) or not len(texts):
            return np.zeros((len(texts), len(self.pool)), np.float32)
        q = _lex_matrix([_sentence_info(t)[1] for t in texts], self)
        lex = (q @ self.lex.T).toarray()
        emb = np.asarray(vectors, np.float32).reshape(len(texts), -1) @ self.vectors.T
        return (W_EMB * emb + (1.0 - W_EMB) * lex).astype(np.float32)

    def entity_known(self, u: Unit) -> bool:
        if u.key in self.entities:
            return True
        last = u.key.split()[-1] if u.key else ""
        if any(k == last or k.endswith(" " + last) or u.key.endswith(" " + k) for k in self.entities):
            return True
        return f" {u.key} " in self.plain


def _lex_matrix(stem_lists: Sequence[Sequence[str]], index: PoolIndex, grow: bool = False):
    """L2-normalised (1 + log tf) * idf rows (unknown stems get max idf) over the pool's vocabulary.

    ``grow`` adds new stems to the vocabulary (building the pool side); a query's stems the pool
    lacks still count in its norm but have no column: they can only lower its cosine.
    """
    from scipy.sparse import csr_matrix

    vocab = index.vocab
    rows, cols, vals = [], [], []
    for r, sts in enumerate(stem_lists):
        c = Counter(s for s in sts if len(s) > 1)
        ws = {s: (1.0 + math.log(k)) * index.idf.get(s, index.max_idf) for s, k in c.items()}
        norm = math.sqrt(sum(v * v for v in ws.values())) or 1.0
        for s, v in ws.items():
            j = vocab.setdefault(s, len(vocab)) if grow else vocab.get(s)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append(v / norm)
    return csr_matrix((vals, (rows, cols)), shape=(len(stem_lists), max(len(vocab), 1)))


def similarity(
    texts: Sequence[str], vectors: np.ndarray, pool_texts: Sequence[str], pool_vectors: np.ndarray
) -> np.ndarray:
    """The alignment scorer on plain texts: (len(texts), len(pool_texts)) scores in about [0, 1].

    IDF is taken over both sides together, as for a story: the words every sentence repeats weigh
    little. ``diff.align``, the verifier's retrieval and ``copydesk eval align`` all use it.
    """
    pool = [EvidenceSentence("", i, t, ()) for i, t in enumerate(pool_texts)]
    return PoolIndex(pool, pool_vectors, extra_texts=texts).query(texts, vectors)


# -- features and the model -------------------------------------------------------------------

CLAIM_FEATURES = (
    "best_sim",
    "emb_best",
    "lex_best",
    "novelty",
    "novelty_top",
    "novelty_rare",
    "bigram_novelty",
    "max_new_rarity",
    "new_entities",
    "new_speaker",
    "new_numbers",
    "num_conflict",
    "unit_swap",
    "neg_flip",
    "antonym",
    "class_swap",
    "rule_contra",
    "rule_unsupported",
    "len_words",
)


@dataclass(frozen=True, slots=True)
class ClaimModel:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    intercept: float
    threshold: float  # P(not supported) at or above this -> flagged
    meta: dict = field(default_factory=dict)

    @property
    def floor(self) -> tuple[str, float]:
        """(feature, value): below this alignment a claim is unsupported whatever the model says ("no
        version contains it"); fitted with the model (``meta``), 0 = off."""
        return str(self.meta.get("floor_feature", "lex_best")), float(self.meta.get("floor", 0.0))

    def prob(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (x.get(f, 0.0) - m) / s
            for f, c, m, s in zip(self.features, self.coef, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def probs(self, xs: Sequence[dict[str, float]]) -> np.ndarray:
        if not xs:
            return np.zeros(0)
        m = np.array([[x.get(f, 0.0) for f in self.features] for x in xs], dtype=np.float64)
        z = self.intercept + ((m - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    @classmethod
    def from_json(cls, d: dict) -> ClaimModel:
        return cls(
            tuple(d["features"]),
            tuple(d["coef"]),
            tuple(d["mean"]),
            tuple(d["scale"]),
            float(d["intercept"]),
            float(d["threshold"]),
            d.get("meta", {}),
        )


@lru_cache(maxsize=1)
def _model_file() -> dict:
    return json.loads(resources.files("copydesk.data").joinpath("claim_model.json").read_text())


def default_claim_model() -> ClaimModel:
    d = _model_file()
    return ClaimModel.from_json(d["claims"] if "claims" in d else d)


def _compat(a: Unit, b: Unit) -> bool | None:
    from ..featurize.units import compatible

    try:
        return compatible(a, b)
    except Exception:
        return None


_TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}


@dataclass(slots=True)
class _Judged:
    x: dict[str, float]
    top: list[int]
    aligned: list[int]
    rule: Finding | None  # the verdict of the hard rules, if one fired
    missing: tuple[str, ...] = ()  # its content words no version has, rarest first


def claim_features(
    claim: ClaimInput, index: PoolIndex, sims: np.ndarray, emb: np.ndarray, align_min: float = ALIGN_MIN
) -> _Judged:
    """Features of one claim against an indexed pool, and the verdict of the hard rules (if any)."""
    pool = index.pool
    order = np.argsort(-sims, kind="stable")[:TOP_EVIDENCE] if len(sims) else np.zeros(0, int)
    top = [int(i) for i in order]
    aligned = [i for i in top if sims[i] >= align_min]
    ws, sts, _, bigr = _sentence_info(claim.text)
    content = [
        (w, s) for w, s in zip(ws, sts, strict=True) if w not in STOP and not w.isdigit() and len(w) > 1
    ]
    rar = {w: max(rarity(w), 0.5) for w, _ in content}
    total = sum(rar[w] for w, _ in content) or 1.0
    missing = [w for w, s in content if w not in index.all_words and s not in index.all_stems]
    top_stems = frozenset().union(*(index.stem_sets[i] for i in top)) if top else frozenset()
    missing_top = [w for w, s in content if s not in top_stems]
    ents = [u for u in claim.units if u.kind == "entity"]
    nums = [u for u in claim.units if u.kind == "number"]
    new_num = [u for u in nums if not any(_compat(u, p) for p in index.all_numbers)]
    top_nums = [v for i in top for v in index.numbers[i]]
    conflict = [
        u
        for u in nums
        if any(_compat(u, p) is False for p in top_nums) and not any(_compat(u, p) for p in top_nums)
    ]
    unit_swap = [
        u
        for u in new_num
        if u.unit in _TIME_UNITS
        and any(p.unit in _TIME_UNITS and p.unit != u.unit and p.value == u.value for p in top_nums)
    ]
    best_text = pool[top[0]].text if top else ""
    best = float(sims[top[0]]) if top else 0.0
    x = {
        "best_sim": best,
        "emb_best": float(emb.max()) if len(emb) else 0.0,
        "lex_best": float((sims - W_EMB * emb).max() / (1.0 - W_EMB)) if len(sims) else 0.0,
        "novelty": sum(rar[w] for w in missing) / total if pool else 1.0,
        "novelty_top": sum(rar[w] for w in missing_top) / total if pool else 1.0,
        "novelty_rare": sum(rar[w] for w in missing if rar[w] > 3.5) / total if pool else 1.0,
        "bigram_novelty": (sum(1 for b in bigr if b not in index.bigrams) / len(bigr)) if bigr else 0.0,
        "max_new_rarity": max((rar[w] for w in missing), default=0.0),
        "new_entities": float(sum(1 for u in ents if not index.entity_known(u))),
        "known_entities": float(sum(1 for u in ents if index.entity_known(u))),
        "new_speaker": float(
            sum(
                1
                for u in claim.units
                if u.kind == "attribution"
                and u.key.startswith("said:")
                and not _named_in_pool(u.key.partition(":")[2], index)
            )
        ),
        "new_numbers": float(len(new_num)),
        "num_match": float(len(nums) - len(new_num)),
        "num_conflict": float(len(conflict)),
        "unit_swap": float(len(unit_swap)),
        "neg_flip": float(bool(aligned) and negated(claim.text) != negated(best_text)),
        "antonym": float(bool(aligned) and antonym_flip(claim.text, best_text)),
        "class_swap": float(
            class_swap(claim.text, " ".join(pool[i].text for i in aligned[:2])) if aligned else 0
        ),
        "rule_contra": 0.0,
        "rule_unsupported": 0.0,
        "len_words": math.log1p(len(ws)),
    }
    near = [int(i) for i in np.argsort(-sims, kind="stable")[:8] if sims[i] >= LOOSE_MIN] if len(sims) else []
    rule = hard_findings(claim, index, sims, near, aligned)
    if rule is not None:
        x["rule_contra" if rule.status == "contradicted" else "rule_unsupported"] = 1.0
    shown = tuple(
        dict.fromkeys(
            w for w in sorted(missing, key=lambda w: -rar[w]) if len(w) > 2 and w not in _NUMBER_WORDS
        )
    )[:4]
    return _Judged(x, top, aligned, rule, shown)


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


_UNIT_RULES = ("unit_conflict", "unit_unstated", "name")  # the rules a heading or a question is checked by


def _named_in_pool(who: str, index: PoolIndex) -> bool:
    """A source (person or outlet) any version names, in full or by its last word ("Howe")."""
    if not who:
        return True
    if who in index.attributions or who in index.lower:
        return True
    last = who.split()[-1]
    return len(last) > 2 and any(last in k.split() for k in index.entities)


def _who(e: EvidenceSentence) -> str:
    return "the source" if e.article in ("", "source") else e.article


def _q(text: str) -> str:
    """A span quoted in a reason: “…”, outer quotes and spaces stripped, long spans cut."""
    t = " ".join(text.strip().strip("“”\"'‘’,;:").split())
    return "“" + (t if len(t) <= 80 else t[:77].rstrip() + "…") + "”"


# -- units: the same thing with another value, or a value no version states -----------------------

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
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
    thousand million billion half quarter third fifth percent per cent second minute hour day week month year
    decade century seconds minutes hours days weeks months years decades about roughly nearly around almost
    some approximately over under least most now first fourth sixth seventh eighth ninth tenth""".split()
)
_CTX_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CURRENCIES = frozenset("dollar euro pound yen yuan rupee ruble hryvnia franc shekel".split())


@lru_cache(maxsize=20_000)
def _unit_context(text: str, u: Unit) -> frozenset[str]:
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
        if w[0].isupper() or low in STOP or low in _NUMBER_WORDS or len(low) < 3:
            continue
        out.add(_SAME_THING.get(low, stem(low)))
    return frozenset(out)


_PHRASE_OF = re.compile(r"[ \u00a0]+(of[ \u00a0]+(?:the[ \u00a0]+)?[\w'’-]+(?:[ \u00a0]+[a-z][\w'’-]*)?)")
_PHRASE_NOUN = re.compile(r"(?:[ \u00a0]+|-)([A-Za-z][\w'’-]*)(?:[ \u00a0]+([a-z][\w'’-]*))?")


def _unit_phrase(text: str, u: Unit) -> str:
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


def _unit_label(u: Unit) -> str:
    """The kind of a unit, as a reason names it: duration, fraction, percentage, amount, age, date, quote,
    number."""
    if u.kind != "number":
        return u.kind
    if u.unit in _TIME_UNITS:
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
            if _compat(u, v) and (
                sims[i] >= ALIGN_MIN or not ctx or ctx & _unit_context(index.pool[i].text, v)
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
        ctx = _unit_context(claim.text, u) if u.kind == "number" else frozenset()
        if u.kind == "number":
            if _not_a_figure(claim, u) or _number_stated(u, ctx, index, sims):
                continue
            if not u.unit and _value_mentioned(u, index):
                continue  # ... or a bare count whose value a version has ("the other three": "three boats")
        elif any(_compat(u, v) for v in (index.dates if u.kind == "date" else index.quotes)):
            continue
        found: list[tuple[int, int, Unit]] = []
        for i in near:
            for v in pool[i].units:
                if v.kind != u.kind or _compat(u, v) is not False:
                    continue
                same = bool(ctx & _unit_context(pool[i].text, v))
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
                    f"{_unit_label(u)} changed: {_q(_unit_phrase(claim.text, u))} here; {_who(pool[i])} says "
                    f"{_q(_unit_phrase(pool[i].text, v))}",
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
            if any(_compat(u, p) for p in index.all_numbers) or _value_mentioned(u, index):
                continue
            return Finding(
                "unsupported",
                "number",
                f"{_unit_label(u)} {_q(_unit_phrase(claim.text, u))} appears in no other version",
                rule="unit_unstated",
            )
        if u.kind == "date":
            if "rel:" in u.key or any(_compat(u, v) for v in index.dates) or u.text.lower() in index.lower:
                continue
            return Finding(
                "unsupported", "date", f"date {_q(u.text)} appears in no other version", rule="unit_unstated"
            )
        if u.kind == "quote":
            if any(_compat(u, v) for v in index.quotes) or f" {u.key} " in index.plain:
                continue
            return Finding(
                "unsupported",
                "quote",
                f"quote {_q(u.text)} appears in no other version",
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
        if (role in _OUTLET_ROLES or role == "said") and not _named_in_pool(who, index):
            m = re.search(re.escape(who), claim.text, re.I)
            name = m.group() if m else who
            what = "speaker" if role == "said" else "outlet"
            return Finding(
                "unsupported",
                "attribution",
                f"{what} {_q(name)} is named by no other version ({_q(u.text)})",
                rule="name",
            )
    for u in claim.units:
        if u.kind != "entity" or _name_known(u.key, index) or u.key in _GEO_KEYS:
            continue
        if _DEMONYM.get(u.key) and _DEMONYM[u.key] in index.lower:
            continue  # "Kyiv", "the Kremlin": the capital for the country a version names
        n = len(u.key.split())
        # A one-word name ("Belgorod" for "Kursk") only when rare as a word: "Europe" or "Western" may be
        # what another version calls by another name.
        first = u.start - claim.start <= 1  # the first word of a sentence is capitalised anyway
        if 2 <= n <= 3 or (
            n == 1 and claim.role == "claim" and not first and len(u.key) > 3 and rarity(u.key) >= 3.5
        ):
            return Finding(
                "unsupported", "entity", f"name {_q(u.text)} is named by no other version", rule="name"
            )
    return None


# -- statements: stance, negation, antonyms, hedges, who did what to whom, added clauses -------------

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
            f"stance reversed: {_q(c[1].group())} here; {_who(e)} says {_q(s[1].group())}",
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
        for w in _WORD.finditer(text, m.end(), min(len(text), m.end() + 48)):
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
    toks = list(_WORD.finditer(text))
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
    toks = list(_WORD.finditer(text))
    for k, w in enumerate(toks):
        if stem(norm_word(w.group())) == st:
            return text[toks[max(0, k - before)].start() : w.end()]
    return st


@lru_cache(maxsize=20_000)
def _named_tokens(text: str) -> tuple[str, ...]:
    """:func:`_tokens` with names kept, marked "@name": a negation's subject is often a name."""
    out = []
    for m in _WORD.finditer(text):
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
                    f"negation: {_q(claim.text[a:b])} here; {_who(e)} says {_q(_word_span(e.text, s))}",
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
                    f"negation: {_q(_word_span(claim.text, s))} here; {_who(e)} says {_q(e.text[a:b])}",
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
    for m in _WORD.finditer(text):
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
                        f"antonym: {_q(_word_span(claim.text, stem(wc[k])))} here; {_who(e)} says "
                        f"{_q(_word_span(e.text, stem(we[ka])))}",
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
    toks = [(norm_word(w.group()), w) for w in _WORD.finditer(claim.text)]
    for i in aligned[:3]:
        e = index.pool[i]
        for h in _HEDGE_CUE_RE.finditer(e.text):
            if h.group("attr") and reported:
                continue
            v = None
            for w in _WORD.finditer(e.text, h.end(), min(len(e.text), h.end() + 40)):
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
                        f"hedge made certain: {_q(claim.text[lead_start : w.end()])} here; {_who(e)} says "
                        f"{_q(e.text[h.start() : v[1]])}",
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
    toks = list(_WORD.finditer(text))
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
    if _PREDICATE.search(claim.text):
        subj = resolved_subjects(claim.text, claim.prev_text)
        esubj, eobj = actors(e0.text)
        esubj |= resolved_subjects(e0.text, e0.prev_text)
        swapped = sorted((subj & eobj) - esubj)
        if swapped and esubj:
            return Finding(
                "contradicted",
                "entity",
                f"actor swap: {', '.join(swapped).title().replace('Us', 'U.S.')} acts here but is on "
                f"the receiving end in {_who(e0)}'s sentence",
                aligned[0],
                rule="actor",
            )
    names_c = _entity_spans(claim.text, claim.units, claim.start)
    if len({n for _, _, n in names_c}) < 2:
        return None
    for i in aligned[:3]:
        e = index.pool[i]
        names_e = _entity_spans(e.text, e.units, None)
        we = {stem(norm_word(w.group())): w.group() for w in _WORD.finditer(e.text)}
        for w in _WORD.finditer(claim.text):
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
                    f"{', '.join(sorted(n.title() for n in b))} here; in {_who(e)}'s sentence it is the "
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

    for w in _WORD.finditer(claim.text):
        low = norm_word(w.group())
        if (low in _INTENT_ADV or low in _TONE_WORDS) and absent(low):
            what = "an intent" if low in _INTENT_ADV else "a tone"
            return Finding(
                "unsupported",
                "statement",
                f"evaluative clause: ascribes {what} ({_q(w.group())}) that no other version states",
                rule="evaluation",
            )
    m = _TACTIC_RE.search(claim.text)
    if m and absent(m.group(1).split()[0]):
        return Finding(
            "unsupported",
            "statement",
            f"evaluative clause: {_q(m.group())} — a motive no other version states",
            rule="evaluation",
        )
    for m in _AS_RE.finditer(claim.text):
        first = next((x for x in words(m.group(1)) if x not in STOP), "")
        if first and absent(first):
            return Finding(
                "unsupported",
                "statement",
                f"evaluative clause: {_q(m.group())} — a characterisation no other version states",
                rule="evaluation",
            )
    for m in _PURPOSE_RE.finditer(claim.text):
        clause = [x for x in words(m.group(1)) if x not in STOP and len(x) > 2][:6]
        new = [x for x in clause if stem(x) not in near_stems and absent(x)]
        if len(new) >= 3 and len(new) >= 0.6 * len(clause):
            return Finding(
                "unsupported",
                "statement",
                f"causal clause: {_q(m.group())} — a purpose or cause no other version states",
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


class AlignmentVerifier:
    """Retrieval + unit diff + a fitted logistic model: the verifier used everywhere by default."""

    def __init__(
        self, model: ClaimModel | None = None, align_min: float = ALIGN_MIN, support_min: float = SUPPORT_MIN
    ) -> None:
        self.model = model or default_claim_model()
        self.align_min = align_min
        self.support_min = support_min

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
        return [
            self._verdict(c, j, float(p), sims[k], index)
            for k, (c, j, p) in enumerate(zip(claims, judged, probs, strict=True))
        ]

    def _verdict(
        self, claim: ClaimInput, j: _Judged, p: float, sims: np.ndarray, index: PoolIndex
    ) -> Verdict:
        """The verdict of one claim. ``p`` is the model's P(not supported) — the one place a model's
        probability enters; the hard rules (``j.rule``) decide before it, the alignment after it:

        1. a non-claim (heading, question, label, dateline, byline) is ``heading``, unless a heading or
           question states a number, date, quote or name the rules flag;
        2. a hard rule's verdict, its reason and the sentence it compared;
        3. the model at or above its threshold: contradicted (a negation, antonym, number or word swap
           against the closest sentence) or unsupported (the words no version has);
        4. the alignment floor, then the alignment threshold: a claim no sentence of another version
           aligns with is unsupported (so "added" in the alignment never shows as supported);
        5. supported, by the articles whose sentences align with it.
        """
        pool = index.pool
        x = j.x
        t = self.model.threshold
        f = j.rule
        if claim.role != "claim" and (
            f is None or claim.role not in ("heading", "question") or f.rule not in _UNIT_RULES
        ):
            return Verdict("heading", "statement", 0.0, _ROLE_REASON.get(claim.role, "not a claim"))

        def evidence(first: int | None = None) -> tuple[SourceMatch, ...]:
            order = ([first] if first is not None else []) + [i for i in j.top if i != first]
            return tuple(SourceMatch(pool[i].article, pool[i].text, round(float(sims[i]), 4)) for i in order)

        if f is not None:
            return Verdict(f.status, f.kind, max(p, t), f.reason, evidence(f.evidence))
        closest = pool[j.top[0]] if j.top else None
        who = _who(closest) if closest is not None else "no other version"
        if p >= t:
            swap = _feature_contradiction(claim, closest, x) if closest is not None and j.aligned else None
            if swap is not None:
                kind, reason = swap
                return Verdict("contradicted", kind, p, reason, evidence())
            kind = "number" if x["new_numbers"] else "entity" if x["new_entities"] else "statement"
            return Verdict("unsupported", kind, p, _novel_reason(j, who), evidence())
        floor_feature, floor = self.model.floor
        stated = _units_stated(claim, index, sims) if x[floor_feature] >= floor else None
        if stated is not None and x["best_sim"] < self.align_min:
            return Verdict(
                "supported",
                "number",
                p,
                f"{_who(pool[stated])} states the same figures about the same thing",
                evidence(stated),
                (pool[stated].article,),
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
        support = tuple(sorted({pool[i].article for i in np.flatnonzero(sims >= self.support_min)}))
        return Verdict(
            "supported",
            "statement",
            p,
            f"matches the closest sentence ({who})",
            evidence(),
            support or tuple(sorted({pool[i].article for i in j.aligned})),
        )


def _listed(ws: Sequence[str]) -> str:
    """“a”, “b” and “c” appear / “a” appears."""
    qs = [_q(w) for w in ws]
    if len(qs) == 1:
        return f"{qs[0]} appears"
    return ", ".join(qs[:-1]) + f" and {qs[-1]} appear"


def _units_stated(claim: ClaimInput, index: PoolIndex, sims: np.ndarray) -> int | None:
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
                v.kind == "number"
                and _compat(u, v)
                and _unit_context(claim.text, u) & _unit_context(e.text, v)
                for v in e.units
            )
            for u in nums
        ):
            return i
    return None


def _novel_reason(j: _Judged, who: str) -> str:
    x = j.x
    bits = []
    if j.missing:
        bits.append(_listed(j.missing) + " in no other version")
    if x["new_entities"]:
        bits.append("it names someone or something no other version names")
    if not bits:
        bits.append(f"its wording differs from the closest sentence ({who})")
    return "not stated elsewhere: " + "; ".join(bits)


def _feature_contradiction(
    claim: ClaimInput, e: EvidenceSentence, x: dict[str, float]
) -> tuple[str, str] | None:
    """(kind, reason) when the model's flag rests on a negation, antonym, number or word swap against
    the closest sentence, naming the words; None otherwise (the flag is "unsupported")."""
    who = _who(e)
    if x["neg_flip"]:
        mc, me = _NEG.search(claim.text), _NEG.search(e.text)
        here = _q(claim.text[max(0, mc.start() - 20) : mc.end() + 20]) if mc else "no negation"
        there = _q(e.text[max(0, me.start() - 20) : me.end() + 20]) if me else "no negation"
        return "statement", f"negation: {here} here; {who} has {there}"
    cw, ew = set(words(claim.text)), set(words(e.text))
    if x["antonym"]:
        for w in sorted(cw - ew):
            a = sorted(v for v in _ANT.get(w, set()) & ew - cw if frozenset((w, v)) not in _WEAK_ANTONYMS)
            if a:
                return "statement", f"antonym: {_q(w)} here; {who} says {_q(a[0])}"
    if x["num_conflict"] or x["unit_swap"]:
        for u in (u for u in claim.units if u.kind == "number"):
            v = next((v for v in e.units if v.kind == "number" and _compat(u, v) is False), None)
            if v is not None:
                return "number", (
                    f"{_unit_label(u)} changed: {_q(_unit_phrase(claim.text, u))} here; {who} says "
                    f"{_q(_unit_phrase(e.text, v))}"
                )
    if x["class_swap"]:
        ecls = {_CLASS_OF[w]: w for w in sorted(ew - cw) if w in _CLASS_OF}
        for w in sorted(cw - ew):
            if w in _CLASS_OF and _CLASS_OF[w] in ecls:
                return "statement", f"word swap: {_q(w)} here; {who} says {_q(ecls[_CLASS_OF[w]])}"
    return None


@lru_cache(maxsize=1)
def default_verifier() -> AlignmentVerifier:
    return AlignmentVerifier()
