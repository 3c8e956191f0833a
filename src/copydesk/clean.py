"""Clean stage: find rewriting debris in a raw article and strip it.

Detectors (each returns :class:`Artifact` spans into the raw text):

* ``prompt_leak`` -- leaked prompt/chat text: label-only lines ("The article text:", "Summary:"),
  a "Title: " prefix, "[Insert ...]" placeholders, "Here is the rewritten article:", "Sure! ...",
  "As an AI language model ..." sentences.
* ``duplicated_headline`` -- a headline-like line repeating the title or an earlier headline-like line.
* ``duplicated_body`` -- a run of paragraphs repeating earlier paragraphs (exact or >= 0.9 Jaccard).
* ``boilerplate`` -- short page-furniture lines ("Read more", "Advertisement", "(c) 2023 ...").
* ``markup`` -- markdown marker characters (``**``, ``__``, ``# `` prefixes, bullets, rule lines).
* ``broken_quote`` -- a double quote that never gets closed (or closes nothing).

Before detection, :func:`repair_mojibake` puts back the punctuation of text saved as Mac Roman and read as
Latin-1 ("ItÕs ÒnewÓ" → "It’s “new”"), character for character, so every span stays where it was.

:func:`detect_artifacts` iterates detection on the stripped text until nothing new appears, so
stripping is idempotent: ``detect_artifacts(strip_artifacts(t, detect_artifacts(t))[0]) == []``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from copydesk.featurize.units.lexicon import MONTHS, WEEKDAY_NAMES
from copydesk.records import Article, Artifact, CleanArticle, OffsetMap, repair_mojibake

__all__ = [
    "clean_article",
    "corpus_boilerplate",
    "detect_artifacts",
    "find_title",
    "normalize_line",
    "repair_mojibake",
    "strip_artifacts",
]

# When two spans overlap, the longer one wins; ties are broken by this order.
_PRIORITY: dict[str, int] = {
    "duplicated_body": 0,
    "duplicated_headline": 1,
    "prompt_leak": 2,
    "boilerplate": 3,
    "markup": 4,
    "broken_quote": 5,
}
_MAX_ROUNDS = 32  # detect -> strip -> detect ... ; real texts settle in 1-2 rounds

_HEADLINE_MAX_WORDS = 20
_HEADLINE_MIN_WORDS = 3  # shorter repeated lines ("Q:", "Yes.") are not treated as headlines
_BOILERPLATE_MAX_CHARS = 160
_NEAR_DUP_MIN_TOKENS = 8
_NEAR_DUP_JACCARD = 0.9
_NEAR_DUP_MAX_CANDIDATES = 8  # Jaccard comparisons per paragraph (keeps huge inputs linear)
_DUP_BLOCK_MIN_CHARS = 200
_DUP_BLOCK_MIN_CHARS_MULTI = 60  # two tiny repeated sentences ("He was 45.") are not a pasted body
_QUOTE_MAX_SPAN = 1500  # an opening quote left open longer than this (without continuation) is stray

# ``[\W_]`` = any non-alphanumeric character in any script.
_NON_ALNUM_RE = re.compile(r"[\W_]+")


def normalize_line(line: str) -> str:
    """Lowercase, drop punctuation/markdown, collapse whitespace ("**Foo, Bar!**" -> "foo bar")."""
    return _NON_ALNUM_RE.sub(" ", line.lower()).strip()


# --------------------------------------------------------------------------- regexes
# Line patterns are written without anchors. They are combined into one regex anchored on a
# literal "\n" and run over "\n" + text: sre then jumps from newline to newline, which is ~10x
# cheaper than trying a MULTILINE "^" at every character. All are compiled with re.I | re.X,
# so "#" is escaped outside character classes. Runs of blanks around markers are possessive (``[ \t]*+``):
# backtracking into them can never help a match, and on a line of 1,000 spaces it took minutes.

_LABEL = r"""(?:
    (?:the[ \t]+)?(?:(?:rewritten|revised|reworded|paraphrased|new|full|original|final)[ \t]+)?
        (?:article(?:[ \t]+(?:text|body))?|news[ \t]+article|text|story|version|content|output)
  | headline | title | sub-?title | sub-?headline | sub-?heading | summary | body | introduction | intro
  | conclusion | lede | byline | dateline | date | contact | references | keywords
)"""

# A line that is only a label: "The article text:", "**Headline:**", "(Introduction)".
_LABEL_LINE = rf"[ \t]*+(?:[*_\#>]+[ \t]*+)?(?:\({_LABEL}\)|{_LABEL}[ \t]*[*_]*[ \t]*:)[ \t*_\r]*"

# "Title: " prefix before a headline; only the prefix is the leak, the headline is kept.
_TITLE_PREFIX = (
    r"[ \t]*+(?:[*_\#]+[ \t]*+)?(?:title|headline|sub-?title|sub-?headline|sub-?heading)[ \t]*[*_]*[ \t]*:[ \t]*"
    r"(?:[*_]+[ \t]*)?(?=\S)"
)

_CHAT_OPENER = r"(?:(?:sure|certainly|absolutely|of[ \t]+course|okay|ok)\b[ \t]*[!,.]?[ \t]*)?"
# Whole chat lines. "Here's what we know:" is real journalism, so "here is" lines need a
# rewriting verb, or an article noun plus a final colon.
_CHATTER = rf"""[ \t]*+(?:[*_\#>]+[ \t]*+)?(?:
    {_CHAT_OPENER}here(?:'s|’s|[ \t]+is|[ \t]+are)\b[^\n]{{0,200}}?
        (?:\brewrit|\bre-writ|\bparaphras|\breword)[^\n]{{0,200}}
  | {_CHAT_OPENER}here(?:'s|’s|[ \t]+is|[ \t]+are)[ \t]+(?:the|a|an|your|my)\b[^\n]{{0,150}}?
        \b(?:article|story|news|report|piece|headline)s?\b[^\n]{{0,60}}:[ \t*_\r]*
  | (?:sure|certainly|absolutely|of[ \t]+course)[ \t]*[!,.][ \t]*(?:here|i\b|below|let)[^\n]{{0,300}}
  | (?:i[ \t]+hope[ \t]+this[ \t]+(?:helps|meets|works)|let[ \t]+me[ \t]+know[ \t]+if\b
      |feel[ \t]+free[ \t]+to[ \t]+(?:ask|let|modify|adjust|make)) [^\n]{{0,300}}
  | [\[(]?(?:(?:note|disclaimer)[ \t]*:[ \t]*)?(?:this|the[ \t]+above)[ \t]+(?:news[ \t]+)?
        (?:article|story|piece|report)[ \t]+is[ \t]+(?:a[ \t]+|entirely[ \t]+|purely[ \t]+)?
        (?:fictional|fictitious|a[ \t]+work[ \t]+of[ \t]+fiction|satir|generated|written[ \t]+by[ \t]+(?:an[ \t]+)?ai)
        [^\n]{{0,300}}
  | [\[(]?(?:note|disclaimer)[ \t]*:[^\n]{{0,200}}?\b(?:fictional|fictitious|fiction|language[ \t]+model|openai
        |chatgpt|gpt-?\d|ai-generated|generated[ \t]+by[ \t]+(?:an[ \t]+)?ai|prompt|entertainment[ \t]+purposes)
        \b[^\n]{{0,400}}
)"""

# Page furniture. Whole short lines only; sentences that merely mention "share" never match
# because every alternative must run to the end of the line.
_BOILERPLATE = r"""[ \t]*+[>*_\#•\-–—|]*+[ \t]*+(?:
    more[ \t]+(?:stories|news|articles|videos)
  | more[ \t]+(?:from|on)[ \t]+[^\n]{1,40}?
  | read[ \t]+(?:more|next|also|the[ \t]+full[ \t]+(?:story|article))
      (?:[ \t]*[:»›>|\-–—][^\n]{0,100}|[ \t]+(?:about|on|at|from|here|in)\b[^\n]{0,80})?
  | (?:related|see[ \t]+also|also[ \t]+read|recommended|trending(?:[ \t]+now)?|most[ \t]+(?:popular|read)
      |popular[ \t]+stories|top[ \t]+stories|latest[ \t]+news|you[ \t]+(?:may|might)[ \t]+also[ \t]+like
      |editor['’]?s[ \t]+picks?)(?:[ \t]+(?:stories|articles|coverage|content|news))?(?:[ \t]*:[^\n]{0,120})?
  | share[ \t]+(?:this|on|via)\b[^\n]{0,60}
  | share|tweet|e-?mail|print|comments?|whatsapp|pinterest|linkedin|facebook|twitter
  | (?:e-?mail|print)[ \t]+this(?:[ \t]+(?:page|article|story))?
  | subscribe\b[^\n]{0,100}
  | sign[ \t]+up\b[^\n]{0,80}\b(?:newsletters?|e-?mails?|updates|alerts)\b[^\n]{0,60}
  | send[ \t]+this[ \t]+(?:page|article|story)[ \t]+to[ \t]+someone[^\n]{0,30}
  | advertisement(?:[ \t]*[-–—:|][^\n]{0,40})?
  | (?:story|article)[ \t]+continues[ \t]+below(?:[ \t]+(?:this[ \t]+)?advertisement)?
  | continue[ \t]+reading(?:[ \t]+(?:below|the[ \t]+main[ \t]+story))?
  | click[ \t]+here\b[^\n]{0,100}
  | follow[ \t]+[^\n]{1,40}?[ \t]+on[ \t]+[^\n]{0,60}?
      (?:twitter|facebook|instagram|tiktok|youtube|linkedin|social[ \t]+media|blog|\bx\b|@\w+)[^\n]{0,80}
  | (?:©|\(c\)[ \t]*\d{4}|copyright[ \t]*(?:©|\(c\)|\d{4}))[^\n]{0,120}
  | image[ \t]+copyright\b[^\n]{0,60}
  | (?:photo|image|picture)(?:[ \t]+credit)?s?[ \t]*:[^\n]{0,60}
  | (?:--|—|–)?[ \t]*with[ \t]+files[ \t]+from\b[^\n]{0,60}
  | skip[ \t]+to[ \t]+(?:main[ \t]+)?content|back[ \t]+to[ \t]+top|loading(?:\.\.\.|…)?
  | leave[ \t]+a[ \t]+(?:comment|reply)|(?:view|show|load)[ \t]+(?:all[ \t]+)?(?:\d+[ \t]+)?comments
  | tags?[ \t]*:[^\n]{0,120}|filed[ \t]+under\b[^\n]{0,100}|posted[ \t]+in[ \t]*:[^\n]{0,100}
  | download[ \t]+(?:our|the)[ \t]+app\b[^\n]{0,40}
  | (?-i:END)  # "- END -" closing marker of wire copy / press releases
)[ \t]*+[.!:|>»›→*_\-–—]*+[ \t\r]*+"""

# Furniture recognised by a phrase anywhere in a short line. Kept out of _BOILERPLATE because a
# leading wildcard there would be tried at every line; this runs only when the phrase occurs.
_BOILER_PHRASES = ("rights reserved", "your inbox", "uses cookies")
_BOILER_CONTAINS = r"""[^\n]{0,100}\b(?:all[ \t]+rights[ \t]+reserved|directly[ \t]+to[ \t]+your[ \t]+inbox|uses[ \t]+cookies)\b[^\n]{0,60}"""

# Horizontal rules / marker-only lines: "---", "***", "* * *", "###".
_RULE_LINE = r"[ \t]*(?:[-*_=\#~•][ \t]*){3,}\r?"
# Leading header/bullet markers ("## ", "- ", "* ", "•"); marker-only lines are left to _RULE_LINE.
_LEAD_MARKER = r"(?![-*•▪◦●\#_=~ \t\r]*(?:\n|\Z))(?:\#{1,6}[ \t]+|[-*][ \t]+|[•▪◦●][ \t]*)+"

_FLAGS = re.I | re.X
_LINE_RE = re.compile(
    rf"""\n(?:(?P<leak>{_LABEL_LINE}|{_CHATTER})|(?P<boiler>{_BOILERPLATE})|(?P<rule>{_RULE_LINE}))(?=\n|\Z)
       |\n(?P<tprefix>{_TITLE_PREFIX})
       |\n[ \t]*+(?P<lead>{_LEAD_MARKER})(?=\S)""",
    _FLAGS,
)
_BOILER_CONTAINS_RE = re.compile(rf"\n({_BOILER_CONTAINS})(?=\n|\Z)", _FLAGS)
_LABEL_LINE_RE = re.compile(_LABEL_LINE, _FLAGS)
_CHATTER_RE = re.compile(_CHATTER, _FLAGS)
_BOILERPLATE_RE = re.compile(rf"{_BOILERPLATE}|{_BOILER_CONTAINS}", _FLAGS)
_RULE_LINE_RE = re.compile(_RULE_LINE, _FLAGS)
_TITLE_PREFIX_RE = re.compile(_TITLE_PREFIX, _FLAGS)
_LEAD_MARKER_RE = re.compile(rf"[ \t]*+({_LEAD_MARKER})(?=\S)", _FLAGS)
# Runs of 2+ so "***bold italic***" goes as one span; a single "*" is left alone.
_EMPHASIS_RE = re.compile(r"\*{2,}|_{2,}")

# Fill-in-the-blank placeholders left by the generator. Bracketed editorial insertions in
# real quotes ("[the police]", "[Tuesday]") must not match, hence the closed vocabulary.
_PLACEHOLDER = r"""\[(?:
        (?:insert|add|include|enter|your|journalist|reporter|author|writer)\b[^\[\]\n]{0,80}
      | (?:(?:current|today['’]?s|publication|release)[ \t]+)?date
      | (?:city|location|state|country|town|person|company|organi[sz]ation|publication|news[ \t]+outlet
         |outlet|website|source|contact|phone|e-?mail|name|title|headline|url|link|time)
        (?:[ \t]+(?:name|number|address|information|info|details|here))?
    )\]"""
_PLACEHOLDER_RE = re.compile(_PLACEHOLDER, _FLAGS)
# Placeholders opening a line as a dateline: "[City], [Date] - In a world ..."; the separators go too.
_PLACEHOLDER_DATELINE_RE = re.compile(rf"[ \t]*+(?:{_PLACEHOLDER}[ \t]*[,:;|\-–—]*[ \t]*)+", _FLAGS)
_LABEL_PREFIX_RE = re.compile(r"^[^:\n]{0,30}:")
_WORD_RE = re.compile(r"\w+")

_AS_AN_AI_RE = re.compile(r"\bas an ai\b(?:[ \t]+(?:language[ \t]+)?model)?", re.I)
_SENT_END_RE = re.compile(r"[.!?](?=\s|$)")
_QUOTE_RE = re.compile('["“”„]')
_CLOSER_NEXT_RE = re.compile(r"\s+[a-z]|[,.;:]")

# Lines skipped when looking for the headline: mostly dates/times ("Published: May 3, 2013 10:00 GMT").
# Month words are the unit lexicon's (names and abbreviations: ``MONTHS``), weekdays its names and their
# three-letter forms.
_DATEY = (
    frozenset(MONTHS)
    | frozenset(WEEKDAY_NAMES)
    | frozenset(d[:3] for d in WEEKDAY_NAMES)
    | frozenset("am pm a m p gmt bst est edt pst pdt cet utc ist et updated published posted last at on by".split())
)


# --------------------------------------------------------------------------- helpers
def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, ``end`` excluding the newline."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for seg in text.split("\n"):
        end = pos + len(seg)
        spans.append((pos, end))
        pos = end + 1
    return spans


def _with_newline(text: str, end: int) -> int:
    return end + 1 if end < len(text) and text[end] == "\n" else end


def _art(text: str, kind: str, start: int, end: int) -> Artifact:
    return Artifact(kind, start, end, text[start:end])


def is_datey(line: str) -> bool:
    """Whether a short line is mostly a date: at least 60 % of its (at most 10) normalised words are
    numbers or date words (month and day names, "am", "gmt", ...)."""
    if line.count(" ") > 20:
        return False
    toks = normalize_line(line).split()
    if not toks or len(toks) > 10:
        return False
    hits = sum(1 for t in toks if t.isdigit() or t in _DATEY)
    return hits / len(toks) >= 0.6


# --------------------------------------------------------------------------- detectors
_LINE_KIND = {"leak": "prompt_leak", "boiler": "boilerplate", "rule": "markup"}


def _line_patterns(text: str, line_index: dict[int, int]) -> tuple[list[Artifact], set[int]]:
    """One pass of ``_LINE_RE``: whole-line leaks/boilerplate/rules and prefix markers.

    Also returns the indices of lines removed whole (they don't break a duplicated-body run).
    """
    out: list[Artifact] = []
    whole: set[int] = set()
    for m in _LINE_RE.finditer("\n" + text):
        kind = m.lastgroup
        assert kind is not None  # every alternative of _LINE_RE is a named group
        s, e = m.start(kind) - 1, m.end(kind) - 1  # undo the prepended "\n"
        if kind == "tprefix":
            out.append(_art(text, "prompt_leak", s, e))
        elif kind == "lead":
            if text[s:e].strip(" \t-•▪◦●"):  # a bullet dash or dot is list punctuation, not markup
                out.append(_art(text, "markup", s, e))
        elif kind == "boiler" and e - s > _BOILERPLATE_MAX_CHARS:
            continue
        else:
            out.append(_art(text, _LINE_KIND[kind], s, _with_newline(text, e)))
            if kind != "rule":
                whole.add(line_index[s])
    return out, whole


def _placeholders(text: str) -> list[Artifact]:
    out: list[Artifact] = []
    by_line: dict[int, list[re.Match[str]]] = defaultdict(list)
    for m in _PLACEHOLDER_RE.finditer(text):
        by_line[text.rfind("\n", 0, m.start()) + 1].append(m)
    for ls, ms in by_line.items():
        le = text.find("\n", ls)
        le = len(text) if le < 0 else le
        residue = _LABEL_PREFIX_RE.sub(" ", _PLACEHOLDER_RE.sub(" ", text[ls:le]))
        if len(_WORD_RE.findall(residue)) <= 3:  # "Date: [Insert date]", "By [Your Name]": whole line
            out.append(_art(text, "prompt_leak", ls, _with_newline(text, le)))
        else:
            d = _PLACEHOLDER_DATELINE_RE.match(text, ls, le)
            if d:
                out.append(_art(text, "prompt_leak", ls, d.end()))
            out += [_art(text, "prompt_leak", m.start(), m.end()) for m in ms]
    return out


def _as_an_ai(text: str) -> list[Artifact]:
    """The sentence around "As an AI language model"; the whole line if it is all there is."""
    out: list[Artifact] = []
    for m in _AS_AN_AI_RE.finditer(text):
        ls = text.rfind("\n", 0, m.start()) + 1
        le = text.find("\n", m.end())
        le = len(text) if le < 0 else le
        start = ls
        for e in _SENT_END_RE.finditer(text, ls, m.start()):
            start = e.end()
        while start < m.start() and text[start].isspace():
            start += 1
        e2 = _SENT_END_RE.search(text, m.end(), le)
        end = e2.end() if e2 else le
        while end < le and text[end] in " \t":
            end += 1
        if not text[ls:start].strip() and not text[end:le].strip():
            start, end = ls, _with_newline(text, le)
        out.append(_art(text, "prompt_leak", start, end))
    return out


def _undecorate(line: str) -> str:
    """Drop leading bullets/"# "/"Title: " (in any order) and emphasis markers from one line."""
    if "**" in line or "__" in line:
        line = _EMPHASIS_RE.sub("", line)
    line = line.strip()
    while True:
        m = _TITLE_PREFIX_RE.match(line) or _LEAD_MARKER_RE.match(line)
        if not m or not m.end():
            return line
        line = line[m.end() :].lstrip()


def _headline_key(line: str, n_tokens: int, title_key: str) -> str | None:
    """Normalised form of a headline-like line ("Title: " prefix and markdown dropped), else None."""
    if n_tokens > _HEADLINE_MAX_WORDS + 2:
        return None
    stripped = line.rstrip(" \t\r*_#\"'”’)")
    if not stripped or stripped[-1] in ".,;:":  # a sentence or a label ...
        # ... unless it may be the title itself (prefix, markup and punctuation add <= ~30 chars)
        if not title_key or not len(title_key) <= len(line) <= len(title_key) + 30:
            return None
    norm = normalize_line(_undecorate(line))
    if not norm:
        return None
    if norm == title_key:
        return norm
    if not stripped or stripped[-1] in ".,;:":
        return None
    if not (_HEADLINE_MIN_WORDS <= norm.count(" ") + 1 <= _HEADLINE_MAX_WORDS):
        return None
    return norm


def _duplicated_body(
    text: str,
    lines: list[tuple[int, int]],
    lowered: list[str],
    toks: list[list[str]],
    transparent: set[int],
) -> list[Artifact]:
    """Runs of paragraphs (lines) repeating earlier ones; ``transparent`` lines don't break a run."""
    first: set[str] = set()
    by_key: dict[str, list[int]] = defaultdict(list)
    dup = [False] * len(lines)
    for i, tk in enumerate(toks):
        if not tk:
            continue
        key = " ".join(tk) if len(tk) < _NEAR_DUP_MIN_TOKENS else lowered[i].strip()
        if key in first:
            dup[i] = True
            continue
        first.add(key)
        if len(tk) < _NEAR_DUP_MIN_TOKENS:
            continue
        # Candidate generation: paragraphs sharing their first or last four tokens. A near
        # copy (Jaccard >= 0.9) rarely changes both ends, and this avoids a set per line.
        keys = ("^" + " ".join(tk[:4]), "$" + " ".join(tk[-4:]))  # exact-but-for-spacing lands here too
        cands = (
            by_key.get(keys[0], [])[-_NEAR_DUP_MAX_CANDIDATES:]
            + by_key.get(keys[1], [])[-_NEAR_DUP_MAX_CANDIDATES:]
        )
        if cands:
            tset = set(tk)
            for j in dict.fromkeys(cands):
                other = set(toks[j])
                inter = len(tset & other)
                if inter >= _NEAR_DUP_JACCARD * (len(tset) + len(other) - inter):
                    dup[i] = True
                    break
        by_key[keys[0]].append(i)
        by_key[keys[1]].append(i)

    out: list[Artifact] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        n_chars = sum(lines[i][1] - lines[i][0] for i in run)
        if n_chars >= _DUP_BLOCK_MIN_CHARS or (len(run) >= 2 and n_chars >= _DUP_BLOCK_MIN_CHARS_MULTI):
            start, end = lines[run[0]][0], _with_newline(text, lines[run[-1]][1])
            out.append(_art(text, "duplicated_body", start, end))
        run.clear()

    for i, tk in enumerate(toks):
        if dup[i]:
            run.append(i)
        elif tk and i not in transparent:
            flush()
    flush()
    return out


def _broken_quotes(text: str) -> list[Artifact]:
    """Stray double quotes; apostrophes/single quotes are never considered.

    One scan over all double quotes: “ and „ open, ” closes, a straight " closes an open quote
    or opens one (so mixed styles like "...” pair up). An opener that is still open when the
    next opener arrives is stray, except at the start of a later line (multi-paragraph quotes
    re-open each paragraph); a closer with nothing open is stray; a quote left open for more
    than _QUOTE_MAX_SPAN characters, or at the end, is stray.
    """
    stray: list[int] = []
    open_pos: int | None = None

    def continues(pos: int) -> bool:
        # True when ``pos`` starts a later line (only a little indentation before it).
        if open_pos is None:
            return False
        ls = text.rfind("\n", open_pos, pos)
        return ls >= 0 and pos - ls <= 9 and not text[ls + 1 : pos].strip()

    for m in _QUOTE_RE.finditer(text):
        p, ch = m.start(), m.group()
        if open_pos is not None and p - open_pos > _QUOTE_MAX_SPAN and "\n" in text[open_pos:p]:
            stray.append(open_pos)
            open_pos = None
        if ch == "”" or (ch == "“" and open_pos is not None and text[open_pos] == "„"):
            if open_pos is None:
                stray.append(p)
            open_pos = None
        elif ch != '"':  # “ or „
            if open_pos is not None and not continues(p):
                stray.append(open_pos)
            open_pos = p
        elif open_pos is None:
            if p > 0 and text[p - 1].isdigit():
                continue  # inch mark: 5'11"
            open_pos = p
        elif continues(p) and not _CLOSER_NEXT_RE.match(text, p + 1):
            open_pos = p  # re-opened paragraph; '" he said' at a line start is still a closer
        else:
            open_pos = None
    if open_pos is not None:
        stray.append(open_pos)
    return [_art(text, "broken_quote", p, p + 1) for p in stray]


def _detect_once(text: str, title: str | None, extra: set[str] | frozenset[str] | None) -> list[Artifact]:
    lines = _line_spans(text)
    line_index = {s: i for i, (s, _) in enumerate(lines)}
    out, whole = _line_patterns(text, line_index)
    if "[" in text:
        out += _placeholders(text)
    low = text.lower()
    if "as an ai" in low:
        out += _as_an_ai(text)
    if any(p in low for p in _BOILER_PHRASES):
        for m in _BOILER_CONTAINS_RE.finditer("\n" + text):
            s, e = m.start(1) - 1, m.end(1) - 1
            if e - s <= _BOILERPLATE_MAX_CHARS:
                out.append(_art(text, "boilerplate", s, _with_newline(text, e)))
                whole.add(line_index[s])
    if "**" in text or "__" in text:
        out += [_art(text, "markup", m.start(), m.end()) for m in _EMPHASIS_RE.finditer(text)]

    # str.lower() never adds or removes "\n", so lowered lines stay aligned with ``lines``.
    lowered = low.split("\n")
    toks = [ln.split() for ln in lowered]
    title_key = normalize_line(title) if title else ""
    seen: set[str] = set()
    for i, (s, e) in enumerate(lines):
        tk = toks[i]
        if not tk or i in whole:  # whole-line leaks/boilerplate are not headlines
            continue
        if extra and len(tk) <= 15 and normalize_line(text[s:e]) in extra:
            out.append(_art(text, "boilerplate", s, _with_newline(text, e)))
            whole.add(i)
            continue
        key = _headline_key(text[s:e], len(tk), title_key)
        if key is None:
            continue
        if key in seen:
            out.append(_art(text, "duplicated_headline", s, _with_newline(text, e)))
        else:
            seen.add(key)
    out += _duplicated_body(text, lines, lowered, toks, whole)
    if '"' in text or "“" in text or "”" in text or "„" in text:
        out += _broken_quotes(text)
    return out


# --------------------------------------------------------------------------- span plumbing
def _resolve(text: str, arts: Iterable[Artifact]) -> list[Artifact]:
    """Sort, drop spans contained in a kept one, trim partial overlaps."""
    ordered = sorted(
        (a for a in arts if 0 <= a.start < a.end <= len(text)),
        key=lambda a: (a.start, -(a.end - a.start), _PRIORITY.get(a.kind, 9)),
    )
    kept: list[Artifact] = []
    for a in ordered:
        if kept and a.start < kept[-1].end:
            if a.end <= kept[-1].end:
                continue
            a = _art(text, a.kind, kept[-1].end, a.end)
        kept.append(a)
    return kept


def _map_to_raw(art: Artifact, omap: OffsetMap, clean_len: int, raw: str) -> list[Artifact]:
    """Split a span of the cleaned text into raw spans (one per copied run it touches)."""
    out: list[Artifact] = []
    starts = omap.clean_starts
    for k, cs in enumerate(starts):
        ce = starts[k + 1] if k + 1 < len(starts) else clean_len
        lo, hi = max(art.start, cs), min(art.end, ce)
        if lo < hi:
            rs = omap.raw_starts[k] + (lo - cs)
            out.append(_art(raw, art.kind, rs, rs + (hi - lo)))
    return out


# --------------------------------------------------------------------------- public API
def detect_artifacts(
    text: str, title: str | None = None, extra_boilerplate: set[str] | None = None
) -> list[Artifact]:
    """Spans (raw offsets, sorted, non-overlapping after merging) of rewriting debris.

    ``extra_boilerplate`` holds :func:`normalize_line` forms of site furniture lines
    (see :func:`corpus_boilerplate`).
    """
    arts = _resolve(text, _detect_once(text, title, extra_boilerplate))
    # Stripping can expose new debris ("*[Insert x]*" -> "**"); repeat until a fixed point.
    for _ in range(_MAX_ROUNDS):
        if not arts:
            break
        clean, omap = strip_artifacts(text, arts)
        more = _resolve(clean, _detect_once(clean, title, extra_boilerplate))
        if not more:
            break
        mapped = [r for a in more for r in _map_to_raw(a, omap, len(clean), text)]
        arts = _resolve(text, arts + mapped)
    return arts


def strip_artifacts(text: str, artifacts: Sequence[Artifact]) -> tuple[str, OffsetMap]:
    """Text without the artifact spans; OffsetMap maps cleaned offsets to raw offsets."""
    spans = sorted((max(a.start, 0), min(a.end, len(text))) for a in artifacts if a.end > a.start)
    pieces: list[str] = []
    clean_starts: list[int] = []
    raw_starts: list[int] = []
    pos = n = 0
    for s, e in spans:
        if s > pos:
            clean_starts.append(n)
            raw_starts.append(pos)
            pieces.append(text[pos:s])
            n += s - pos
        pos = max(pos, e)
    if pos < len(text):
        clean_starts.append(n)
        raw_starts.append(pos)
        pieces.append(text[pos:])
    if not clean_starts:
        return "", OffsetMap()
    return "".join(pieces), OffsetMap(tuple(clean_starts), tuple(raw_starts))


def _skip_for_title(line: str) -> bool:
    return bool(
        _LABEL_LINE_RE.fullmatch(line)
        or _BOILERPLATE_RE.fullmatch(line)
        or _RULE_LINE_RE.fullmatch(line)
        or _CHATTER_RE.fullmatch(line)
        or (_PLACEHOLDER_RE.search(line) and len(_WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", line))) <= 4)
        or _AS_AN_AI_RE.search(line)
        or is_datey(line)
    )


def find_title(text: str) -> str | None:
    """The headline: a short first non-empty line (<= ~20 words) without closing punctuation
    (. ! ? :), markdown/'Title:' prefix removed; else None.

    Leading furniture (label-only lines, placeholders, date lines, boilerplate) is skipped.
    """
    for k, raw_line in enumerate(text.split("\n", 12)):
        if k >= 12:
            break
        line = raw_line.strip()
        if len(line) > 400:  # a paragraph: neither a headline nor skippable furniture
            return None
        if not line or _skip_for_title(line):
            continue
        bare = _undecorate(line)
        if bare != line and _skip_for_title(bare):
            continue
        line = bare
        if not normalize_line(line):
            continue
        if len(line.split()) > _HEADLINE_MAX_WORDS or line.rstrip("\"'”’)").endswith(
            (".", "!", "?", ":", "…")
        ):
            return None
        return line
    return None


def clean_article(article: Article, extra_boilerplate: set[str] | None = None) -> CleanArticle:
    """repair + detect + strip; ``CleanArticle.title`` = ``article.title`` or :func:`find_title` of the
    raw text."""
    raw = repair_mojibake(article.text)
    title = article.title or find_title(raw)
    arts = detect_artifacts(raw, title, extra_boilerplate)
    clean, omap = strip_artifacts(raw, arts)
    return CleanArticle(article=article, text=clean, artifacts=tuple(arts), offset_map=omap, title=title)


def corpus_boilerplate(texts_by_site: Mapping[str, Sequence[str]], min_docs: int = 3) -> set[str]:
    """Normalised short lines (<= 15 words) found in >= ``min_docs`` documents of one site."""
    found: set[str] = set()
    for texts in texts_by_site.values():
        if len(texts) < min_docs:
            continue
        counts: dict[str, int] = defaultdict(int)
        for t in texts:
            for norm in {normalize_line(line) for line in t.split("\n")}:
                if norm and norm.count(" ") < 15:
                    counts[norm] += 1
        found.update(n for n, c in counts.items() if c >= min_docs)
    return found
