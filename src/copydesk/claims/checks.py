"""Small linguistic checks on a sentence pair: negation, antonyms, word classes, the nations acting."""

from __future__ import annotations

import re
from collections import Counter

from ..featurize.terms import words
from ..featurize.units import norm_name
from ..featurize.units.lexicon import MONTH_NAMES, WEEKDAY_NAMES

NEGATION_RE = re.compile(r"\b(not|no|never|none|nobody|neither|nor|without|cannot)\b|n[’']t\b", re.I)


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


ANTONYMS_OF: dict[str, set[str]] = {}
for _a, _b in _ANTONYMS:
    ANTONYMS_OF.setdefault(_a, set()).add(_b)
    ANTONYMS_OF.setdefault(_b, set()).add(_a)


# Closed classes: a word of one of these the evidence does not have, where the evidence has
# another of the same class, is a swap ("yellow and blue" -> "pink and green").
_CLASSES = {
    "colour": "red orange yellow green blue purple pink white black brown grey gray violet gold silver",
    "gender": "man woman men women boy girl male female he she his her husband wife father mother son "
    "daughter brother sister gay lesbian mr mrs ms king queen prince princess uncle aunt",
    "weekday": " ".join(WEEKDAY_NAMES),
    "month": " ".join(MONTH_NAMES),
    "ordinal": "first second third fourth fifth sixth seventh eighth ninth tenth last",
    "direction": "north south east west northern southern eastern western",
    "season": "spring summer autumn fall winter",
    "crime": "murder manslaughter homicide assault robbery theft fraud rape kidnapping",
    "role": "ceo president chairman founder co-founder director manager minister secretary chief "
    "owner spokesman spokeswoman coach captain",
    "place": "beach building cliff clifftop hill hilltop river lake ocean sea mountain forest park street "
    "road airport station hospital school church stadium hotel embassy",
}


CLASS_OF = {w: c for c, ws in _CLASSES.items() for w in ws.split()}


_GROUP_REF = re.compile(
    r"\b(both (?:nations|countries|sides|leaders|governments|men|parties)|the two "
    r"(?:nations|countries|sides|leaders|governments|men|parties))\b",
    re.I,
)


# The nations an actor check knows, as written (the order sets the regex's order among equal lengths);
# each maps to its country through the entity key (featurize.units: demonyms and aliases folded) and,
# for a capital or seat of government standing for its country, through _CAPITALS.
_ACTOR_FORMS = (
    "russian",
    "russia",
    "moscow",
    "kremlin",
    "ukrainian",
    "ukraine",
    "kyiv",
    "kiev",
    "us",
    "u.s.",
    "american",
    "united states",
    "washington",
    "america",
    "french",
    "france",
    "british",
    "uk",
    "britain",
    "chinese",
    "china",
    "german",
    "germany",
    "israeli",
    "israel",
    "iranian",
    "iran",
)
_CAPITALS = {"moscow": "russia", "kremlin": "russia", "kyiv": "ukraine", "washington": "us"}
DEMONYM = {f: _CAPITALS.get(norm_name(f), norm_name(f)) for f in _ACTOR_FORMS}


_ACTOR = re.compile(
    r"(?<![\w.])(" + "|".join(sorted((re.escape(k) for k in DEMONYM), key=len, reverse=True)) + r")(?![\w])",
    re.I,
)
_OBJECT_MARK = re.compile(r"\b(to|against|with|from|on|toward|towards|for)\s+(?:the\s+)?$", re.I)


PREDICATE = re.compile(
    r"\b(ha(?:s|ve|d)|is|are|was|were|will|would|said|says|told|proposed|propose|offered|demand(?:s|ed)?|"
    r"put forward|announced|agreed|launched|accused|claimed|rejected|accepted)\b",
    re.I,
)


def actors(text: str) -> tuple[set[str], set[str]]:
    """(subject actors, object actors): nations named before the main predicate, and after 'to'/'against'."""
    m = PREDICATE.search(text)
    cut = m.start() if m else len(text)
    subj, obj = set(), set()
    for a in _ACTOR.finditer(text):
        key = DEMONYM[a.group(1).lower()]
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
    m = PREDICATE.search(text)
    if g and (m is None or g.start() < m.start()):
        prev = {DEMONYM[x.group(1).lower()] for x in _ACTOR.finditer(prev_text)}
        subj |= prev
    return subj


def negated(text: str) -> bool:
    return bool(NEGATION_RE.search(text))


def negation_flip(claim: str, evidence: str) -> bool:
    """One of the two is negated and the other is not, or an antonym replaces a word of the other."""
    if negated(claim) != negated(evidence):
        return True
    return antonym_flip(claim, evidence)


# Pairs that stand in faithful news paraphrases as often as in contradictions ("a peace deal" to "end the
# war"; pronouns and gendered words are the closed-class check's): not an antonym signal.
WEAK_ANTONYMS = frozenset(
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
        w not in ew and a in ew and a not in cw and frozenset((w, a)) not in WEAK_ANTONYMS
        for w in cw
        for a in ANTONYMS_OF.get(w, ())
    )


def class_swap(claim: str, evidence: str) -> int:
    """Closed-class words (colours, gender, ordinals...) of the claim replaced by another of the class."""
    cw, ew = set(words(claim)), set(words(evidence))
    ecls = Counter(CLASS_OF[w] for w in ew if w in CLASS_OF and w not in cw)
    return sum(1 for w in cw - ew if w in CLASS_OF and ecls.get(CLASS_OF[w]))
