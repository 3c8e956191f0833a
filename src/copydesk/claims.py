"""Claims: is each sentence of a text supported, contradicted or unsupported by other versions?

No NLI model ships on the package registry, so the default verifier is built from parts:

1. **Retrieval / alignment** (:func:`similarity`): order-free scoring of every claim against every
   evidence sentence, a blend of MiniLM cosine and a lexical TF-IDF cosine whose IDF is taken
   over the sentences at hand (the pool and the claims), so words every version repeats weigh
   little and the rare words two sentences share weigh much. ``diff.align`` uses the same scorer.
2. **A deterministic diff** of the checkable units (numbers, dates, quotes, attributions,
   entities) against the aligned evidence, actor swaps ("A proposed to B" vs "B proposed"),
   negation and antonym flips, closed-class swaps (colours, gender, nationality), and novelty:
   the rarity-weighted share of the claim's content words and word pairs no version contains.
3. **A small logistic model** over those signals (:data:`CLAIM_FEATURES`), its coefficients held
   to the sign each signal should have, fitted by ``scripts/fit_claim_model.py`` on development
   data (summary-consistency sets, MRPC, LLM rewrites of news) plus synthetic edits of real news
   sentences, with its threshold chosen in cross-validation -> ``copydesk/data/claim_model.json``.
4. **An alignment floor** fitted with it: a claim whose words align with no evidence sentence
   (lexical alignment below a quantile of what faithful LLM paraphrases reach) is unsupported —
   "no version contains it" — whatever the model says: invented passages of rewrites (a
   commentary list, a "what would a deal look like" paragraph) are on topic, so the embedding
   alone calls them close.

Hard evidence decides first (a number the aligned sentence states otherwise is a contradiction
whatever the model says); then the floor; the model decides the rest. A different verifier (a real NLI model,
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
from typing import Protocol

import numpy as np

from .featurize.terms import rarity
from .records import SourceMatch, Unit

TOP_EVIDENCE = 3
W_EMB = 0.25  # weight of the embedding cosine in the alignment score (the rest: lexical TF-IDF cosine)
ALIGN_MIN = 0.35  # alignment score at which an evidence sentence counts as "the same statement"
SUPPORT_MIN = 0.45  # ... and as supporting it (an article id in ``support``)


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


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # supported | unsupported | contradicted
    kind: str  # number | date | quote | attribution | entity | statement
    score: float  # P(not supported): higher = more suspicious
    reason: str
    evidence: tuple[SourceMatch, ...] = ()
    support: tuple[str, ...] = ()


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

_NEG = re.compile(r"\b(not|no|never|n't|none|nobody|neither|nor|without|cannot)\b|n't\b", re.I)
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


def antonym_flip(claim: str, evidence: str) -> bool:
    cw, ew = set(words(claim)), set(words(evidence))
    return any(w not in ew and (_ANT.get(w, set()) & ew) and not (_ANT.get(w, set()) & cw) for w in cw)


def class_swap(claim: str, evidence: str) -> int:
    """Closed-class words (colours, gender, ordinals...) of the claim replaced by another of the class."""
    cw, ew = set(words(claim)), set(words(evidence))
    ecls = Counter(_CLASS_OF[w] for w in ew if w in _CLASS_OF and w not in cw)
    return sum(1 for w in cw - ew if w in _CLASS_OF and ecls.get(_CLASS_OF[w]))


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
    from .featurize.units import compatible

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
    rule: tuple[str, str, str] | None  # (status, kind, reason) from hard evidence


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
    rule = _hard_rules(claim, index, aligned, sims)
    if rule is not None:
        x["rule_contra" if rule[0] == "contradicted" else "rule_unsupported"] = 1.0
    return _Judged(x, top, aligned, rule)


_GEO_KEYS = frozenset({"united states", "united kingdom", "european union", "united nations", "north korea",
                       "south korea", "saudi arabia", "south africa", "new york", "white house"})
RULE_MIN = 0.5  # alignment at which a differing number or date in the evidence is a contradiction
_OUTLET_ROLES = ("told", "confirmed_to", "reported_by", "according_to", "interview")


def _named_in_pool(who: str, index: PoolIndex) -> bool:
    """A source (person or outlet) any version names, in full or by its last word ("Howe")."""
    if not who:
        return True
    if who in index.attributions or who in index.lower:
        return True
    last = who.split()[-1]
    return len(last) > 2 and (
        f" {last} " in index.plain or any(k.split()[-1] == last for k in index.entities)
    )


def _hard_rules(
    claim: ClaimInput, index: PoolIndex, aligned: list[int], sims: np.ndarray
) -> tuple[str, str, str] | None:
    pool = index.pool
    # 1. A unit that a closely aligned sentence states otherwise (unitless counts: only when very close).
    for kind in ("quote", "number", "date"):
        for u in (u for u in claim.units if u.kind == kind):
            need = RULE_MIN if (kind != "number" or u.unit) else RULE_MIN + 0.15
            close = [i for i in aligned if sims[i] >= need] if kind != "quote" else aligned
            same = [v for i in close for v in pool[i].units if v.kind == kind]
            if not same:
                continue
            if kind == "quote" and any(_compat(u, q) for q in index.quotes):
                continue  # the quote is elsewhere in the pool, verbatim
            if kind == "number" and any(_compat(u, p) for p in index.all_numbers):
                continue  # the figure is stated elsewhere in the pool
            verdicts = [_compat(u, v) for v in same]
            if any(v is True for v in verdicts):
                continue
            if any(v is False for v in verdicts):
                other = next(v for v, ok in zip(same, verdicts, strict=True) if ok is False)
                return (
                    "contradicted",
                    kind,
                    f"{kind} {u.text!r} differs from {other.text!r} in the aligned sentence",
                )
    # 2. Actor swap: a nation acting here is only acted upon in the aligned evidence.
    if aligned:
        subj = resolved_subjects(claim.text, claim.prev_text)
        e0 = pool[aligned[0]]
        esubj, eobj = actors(e0.text)
        esubj |= resolved_subjects(e0.text, e0.prev_text)
        swapped = sorted((subj & eobj) - esubj)
        if swapped and esubj:
            return (
                "contradicted",
                "entity",
                f"actor swap: {', '.join(swapped)} acts here but is on the "
                f"receiving end in {e0.article or 'the source'}",
            )
    # 3. An outlet or recipient ("confirmed to CNN", "told Izvestia"), or a speaker, no version names.
    for u in (u for u in claim.units if u.kind == "attribution"):
        role, _, who = u.key.partition(":")
        if (role in _OUTLET_ROLES or role == "said") and not _named_in_pool(who, index):
            return ("unsupported", "attribution", f"attribution {u.text!r}: no other version names {who}")
    # 4. A full name (two words or more: "Mark Rutte") or a year that no version states.
    for u in claim.units:
        if u.kind == "entity" and 2 <= len(u.key.split()) <= 3 and not index.entity_known(u) and \
                not _named_in_pool(u.key, index) and u.key not in _GEO_KEYS:
            return ("unsupported", "entity", f"{u.text!r} is named by no other version")
        if u.kind == "date" and re.fullmatch(r"year:(?:19|20)\d\d", u.key) and \
                not any(_compat(u, v) for e in pool for v in e.units if v.kind == "date") and u.key[5:] not in index.lower:
            return ("unsupported", "date", f"{u.text!r} appears in no other version")
    # 5. A quote of four words or more that no version contains.
    for u in (u for u in claim.units if u.kind == "quote" and len(u.key.split()) >= 4):
        if not any(_compat(u, v) for v in index.quotes) and f" {u.key} " not in index.plain:
            return ("unsupported", "quote", f"quote {u.text[:60]!r} appears in no other version")
    return None


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
        pool = index.pool
        x = j.x
        evidence = tuple(SourceMatch(pool[i].article, pool[i].text, round(float(sims[i]), 4)) for i in j.top)
        support = tuple(sorted({pool[i].article for i in np.flatnonzero(sims >= self.support_min)}))
        t = self.model.threshold
        if j.rule is not None:
            status, kind, reason = j.rule
            return Verdict(
                status, kind, max(p, t), reason, evidence, () if status == "contradicted" else support
            )
        floor_feature, floor = self.model.floor
        if p < t and x[floor_feature] < floor:
            return Verdict("unsupported", "entity" if x["new_entities"] else "statement", max(p, t),
                           f"no version contains it: its words align with no sentence of another version "
                           f"({floor_feature} {x[floor_feature]:.2f} < {floor:.2f})",
                           evidence, support)
        if p >= t:
            if x["neg_flip"] or x["antonym"] or x["num_conflict"] or x["unit_swap"] or x["class_swap"]:
                what = (
                    "negation"
                    if x["neg_flip"]
                    else "antonym"
                    if x["antonym"]
                    else "number"
                    if x["num_conflict"] or x["unit_swap"]
                    else "word swap"
                )
                kind = "number" if what == "number" else "statement"
                return Verdict(
                    "contradicted",
                    kind,
                    p,
                    f"{what} against the aligned sentence (alignment {x['best_sim']:.2f})",
                    evidence,
                    (),
                )
            kind = "number" if x["new_numbers"] else "entity" if x["new_entities"] else "statement"
            why = (
                f"best match {x['best_sim']:.2f}; {x['novelty']:.0%} of its content words appear in no other "
                "version"
                + (f"; names not found elsewhere: {x['new_entities']:.0f}" if x["new_entities"] else "")
                + (f"; numbers not found elsewhere: {x['new_numbers']:.0f}" if x["new_numbers"] else "")
            )
            return Verdict("unsupported", kind, p, why, evidence, support)
        return Verdict(
            "supported",
            "statement",
            p,
            f"matched with alignment {x['best_sim']:.2f}",
            evidence,
            support or tuple(sorted({pool[i].article for i in j.aligned})),
        )


@lru_cache(maxsize=1)
def default_verifier() -> AlignmentVerifier:
    return AlignmentVerifier()
