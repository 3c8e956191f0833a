"""Attributions: who said it and to or via whom (speaker, outlet, "according to")."""

from __future__ import annotations

import re
from functools import lru_cache

from copydesk.records import Unit

from .entities import edge_junk, is_initial, norm_name, plural_common_noun, split_titles
from .lexicon import CAP_TOKEN, CONN, RUN_RE, RUN_TOKEN_RE, SPEAKER_GROUPS, STOP, WS, make_unit

_SPEECH_VERBS = (
    "said|says|told|tells|stated|states|added|adds|emphasi[sz]ed|emphasi[sz]es|stressed|asserted|"
    "insisted|insists|claimed|claims|noted|notes|confirmed|confirms|announced|announces|warned|"
    "warns|explained|argued|argues|wrote|writes|tweeted|declared|reiterated|acknowledged|admitted|"
    "denied|alleged|alleges|suggested|indicated|remarked|commented|replied|responded|concluded|"
    "revealed|disclosed|maintained|contended|testified|cautioned|predicted|promised|vowed"
)


# Bounded (≤ 8 tokens) so a long capitalised run cannot make the speaker regexes quadratic.
_NAME_PHRASE = rf"{CAP_TOKEN}(?:{WS}(?:{CONN}{WS})?{CAP_TOKEN}){{0,7}}"
_AUX = r"(?:(?:has|have|had|also|later|then|previously|again|repeatedly|recently|reportedly|further|publicly|once)[ \u00a0]+){0,2}"
_SPEAKER_RE = re.compile(
    rf"(?<![^\W_’'.-])(?P<name>{_NAME_PHRASE})(?:,[ \u00a0][^,;:.“”\"\n]{{2,80}},)?[ \u00a0]+{_AUX}"
    rf"(?P<verb>{_SPEECH_VERBS})(?![^\W_])"
)
_INVERTED_RE = re.compile(
    rf"(?:[,”\"][ \u00a0]*)(?P<verb>said|says|added|asked|wrote|told|explained|noted|continued|"
    rf"insisted|stated|declared|warned)[ \u00a0]+(?P<name>(?:(?:the|a|an)[ \u00a0]+)?"
    rf"(?:(?:[a-z]+|{CAP_TOKEN})[ \u00a0]+){{0,4}}?{_NAME_PHRASE})(?<![\s.][A-Z])"
    r"(?=[ \u00a0]*(?:[.,;!?]|$)|[ \u00a0]+(?:in|on|at|who|during|after|when|of|from|as|to)(?![^\W_]))"
)
_OBJ_STOP = (
    r"that|who|which|on|in|at|for|about|after|before|during|while|when|he|she|they|it|we|i|you|"
    r"his|her|their|its|this|last|earlier|there|the|a|an|some|how|what|why|whether|if|and|but|as|"
    r"from|by|with|to|of|was|is|had|has|would|will"
)
_OUTLET_RE = re.compile(
    rf"(?<![^\W_])(?P<verb>(?i:told|tells|confirmed[ \u00a0]+to|speaking[ \u00a0]+to|spoke[ \u00a0]+to|"
    rf"in[ \u00a0]+an?[ \u00a0]+(?:[a-z]+[ \u00a0]+)?interview[ \u00a0]+with|according[ \u00a0]+to|"
    rf"(?:as[ \u00a0]+)?reported[ \u00a0]+by|cited[ \u00a0]+by|quoted[ \u00a0]+by))[ \u00a0]+"
    rf"(?P<obj>(?:(?:the|a|an)[ \u00a0]+)?(?:(?!(?:{_OBJ_STOP})(?![^\W_]))[\w’'.-]+[ \u00a0]+){{0,5}}?"
    rf"(?P<name>{_NAME_PHRASE}))"
    rf"(?=[ \u00a0]*(?:[.,;:!?”\"’)]|$)|[ \u00a0]+(?:{_OBJ_STOP})(?![^\W_]))"
)
_REPORTED_RE = re.compile(
    rf"(?<![^\W_’'.-])(?P<name>{_NAME_PHRASE})[ \u00a0]+(?:has[ \u00a0]+)?(?P<verb>reported|reports)(?![^\W_])"
)
_OUTLET_ROLE = {
    "told": "told",
    "tells": "told",
    "speaking to": "told",
    "spoke to": "told",
    "confirmed to": "confirmed_to",
    "according to": "according_to",
    "reported by": "reported_by",
    "as reported by": "reported_by",
    "cited by": "reported_by",
    "quoted by": "reported_by",
}


_SPEECH_GATE_RE = re.compile(rf"(?<![^\W_])(?:{_SPEECH_VERBS})(?![^\W_])")
_OUTLET_GATE_RE = re.compile(
    r"(?i:told|tells|confirmed|speaking|spoke|interview|according|reported|cited|quoted)"
)


def _name_key(phrase: str) -> tuple[str, int]:
    """Key of the last name in a phrase and where that name starts in the phrase.

    "the Russian media outlet Izvestia" -> ("izvestia", 26); ("", 0) if there is none.
    """
    runs = list(RUN_RE.finditer(phrase))
    if not runs:
        return "", 0
    m = runs[-1]
    e = m.start("poss") if m.group("poss") else m.end()
    toks = list(RUN_TOKEN_RE.finditer(phrase, m.start(), e))
    segs = split_titles([t.group() for t in toks])
    if not segs:
        return "", 0
    seg = [toks[i] for i in segs[-1]]
    while seg and (
        (seg[0].group().lower() in STOP and not seg[0].group().isupper()) or edge_junk(seg[0].group())
    ):
        seg = seg[1:]
    while seg and edge_junk(seg[-1].group()):
        seg = seg[:-1]
    if not seg:
        return "", 0
    # Span from the first token that is not a sentence opener ("While President Putin").
    i = 0
    while toks[i].group().lower() in STOP and not toks[i].group().isupper() and toks[i] is not seg[0]:
        i += 1
    start = toks[i].start()
    return norm_name(phrase[seg[0].start() : seg[-1].end()]), start


def _generic_subject(text: str, m: re.Match[str]) -> bool:
    """A speaker match whose "name" is one plural common noun capitalised only because it opens the
    sentence ("Critics warned", "Officials said"): a group, not a name a source must give."""
    name, at = m.group("name"), m.start("name")
    j = at
    while j > 0 and text[j - 1].isspace():
        j -= 1
    if j < at and 0 < j and text[j - 1] in "”\"’'":
        return False  # '“…,” Storms added': after a closing quote a capitalised word is a name
    return " " not in name and is_initial(text, at) and plural_common_noun(name)


def extract_attributions(text: str, offset: int = 0) -> list[Unit]:
    """Who said what to whom: ``said:<speaker>``, ``told:<outlet>``, ``confirmed_to:<outlet>``..."""
    found: dict[tuple[int, int, str], None] = {}
    speech = _SPEECH_GATE_RE.search(text) is not None
    for m in _SPEAKER_RE.finditer(text) if speech else ():
        if _generic_subject(text, m):
            continue
        # The span starts at the name (after a sentence-opening "While", "Although", ...).
        key, at = _name_key(m.group("name"))
        if key:
            found[(m.start() + at, m.end(), f"said:{key}")] = None
    for m in _INVERTED_RE.finditer(text) if speech or "asked" in text or "continued" in text else ():
        key, _ = _name_key(m.group("name"))
        if key:
            found[(m.start("verb"), m.end(), f"said:{key}")] = None
    for m in _OUTLET_RE.finditer(text) if _OUTLET_GATE_RE.search(text) else ():
        verb = " ".join(m.group("verb").lower().split())
        role = "interview" if "interview" in verb else _OUTLET_ROLE.get(verb, "told")
        key, _ = _name_key(m.group("name"))
        if key:
            found[(m.start(), m.end(), f"{role}:{key}")] = None
    for m in _REPORTED_RE.finditer(text) if "report" in text else ():
        if _generic_subject(text, m):
            continue
        key, at = _name_key(m.group("name"))
        if key:
            found[(m.start() + at, m.end(), f"reported_by:{key}")] = None
    return [make_unit("attribution", text, s, e, offset, k) for s, e, k in sorted(found)]


_GROUP_WORDS = "|".join(sorted(SPEAKER_GROUPS, key=len, reverse=True))
_GROUP_LEAD = r"(?:(?:the|local|state|federal|city|county|hospital|police|some|many|several|two|three|other)[ \u00a0]+){0,2}"
_GROUP_SPEAKER_RE = re.compile(
    rf"(?i:(?<![^\W_])(?:according[ \u00a0]+to[ \u00a0]+{_GROUP_LEAD}(?P<g1>{_GROUP_WORDS})(?![^\W_])"
    rf"|(?P<g2>{_GROUP_WORDS})[ \u00a0]+{_AUX}(?:{_SPEECH_VERBS}|say)(?![^\W_])"
    rf"|(?:said|says|told|added|stated|warned)[ \u00a0]+{_GROUP_LEAD}(?P<g3>{_GROUP_WORDS})(?=[ \u00a0]*[.,;!?]|[ \u00a0]*$)))"
)


@lru_cache(maxsize=20_000)
def group_speakers(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """The speakers named only as a group: (start, end, the group word as written, its group in
    :data:`~.lexicon.SPEAKER_GROUPS`, "" for a broad one) for "Police said", "…, prosecutors said.",
    "according to local residents". "police officers said" is police once (the group of its last word)."""
    if not (_SPEECH_GATE_RE.search(text) or "ccording" in text or "say" in text):
        return ()
    out = []
    for m in _GROUP_SPEAKER_RE.finditer(text):
        word = m["g1"] or m["g2"] or m["g3"]
        out.append((m.start(), m.end(), word, SPEAKER_GROUPS[word.lower()]))
    return tuple(out)
