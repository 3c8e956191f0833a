"""Numbers: digits, number words, fractions, percentages, money and durations, with their unit or
counted noun; keyed like ``20|percent``."""

from __future__ import annotations

import bisect
import math
import re

from copydesk.records import Unit

from .dates import date_units, dates_in, is_year
from .lexicon import (
    CUR_BACK_RE,
    CURRENCY_UNITS,
    DIGIT_RE,
    FRAC_DEN,
    MONTH_NAMES,
    MONTHS,
    NEXT_WORD_RE,
    PCT_RE,
    SCALE_WORD_RE,
    SMALL,
    UNIT_LEX,
    WEEKDAY_NAMES,
    WS,
    fmt,
    make_unit,
    singular,
)

_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}


_CUR_SYMBOL = {
    "$": "dollar",
    "us$": "dollar",
    "a$": "dollar",
    "c$": "dollar",
    "nz$": "dollar",
    "hk$": "dollar",
    "s$": "dollar",
    "£": "pound",
    "€": "euro",
    "¥": "yen",
    "₹": "rupee",
    "₽": "ruble",
    "₴": "hryvnia",
    "₪": "shekel",
    "usd": "dollar",
    "eur": "euro",
    "gbp": "pound",
    "jpy": "yen",
    "cny": "yuan",
    "rub": "ruble",
    "chf": "franc",
    "inr": "rupee",
    "uah": "hryvnia",
}

# Words that cannot be the counted noun after a number ("20 of", "3 were", ...).
_NOT_NOUN = frozenset(
    """
a an the of and or but nor to in on at for by with from into onto over under as than then
is are was were be been being am has have had will would shall should can could may might must
do does did that which who whom whose this these those it its he she they we you i his her their
our your my me him them us not no per so if when while where after before since until during
about against between through among across around up down out off also only just even still
most less least very too again already all any each both either some such another
percent pct times per cent
""".split()
)
# Adjectives allowed between a number and its counted noun ("1,200 more people").
_ADJ_SKIP = frozenset(
    """
more new other additional extra further different separate major minor small large big key
main young old civilian foreign local senior former known confirmed suspected reported
""".split()
)


_HEDGE_RE = re.compile(
    r"(?i:(?<![^\W_])(?P<h>about|approximately|approx\.|around|roughly|nearly|almost|some|"
    r"close\s+to|(?:no|not)\s+(?:more|less|fewer)\s+than|more\s+than|over|well\s+over|just\s+over|less\s+than|"
    r"under|just\s+under|fewer\s+than|at\s+least|at\s+most|up\s+to|as\s+many\s+as|as\s+much\s+as|"
    r"an\s+estimated|estimated|upwards\s+of|aged)\s+|~\s?)$"
)


_NUM_WORD = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen"
)


_NUM_WORDS_RE = re.compile(
    rf"(?P<frac>(?i:(?<![^\W_])(?:(?P<fn>a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    rf"\d{{1,2}})(?P<fsep>[ \u00a0]+|-))?(?P<fd>{FRAC_DEN})(?![^\W_])))"
    rf"|(?P<words>(?i:(?<![^\W_])(?:(?:a|an)[ \u00a0]+(?=(?:hundred|thousand|million|billion|"
    rf"trillion|dozen)\b))?(?:{_NUM_WORD})(?:(?:(?:(?<=hundred)|(?<=thousand)|(?<=million)|"
    rf"(?<=billion))[ \u00a0]+and[ \u00a0]+|[ \u00a0]+|-)(?:{_NUM_WORD}))*(?![^\W_])))"
)
_NUM_DIGITS_RE = re.compile(r"(?P<dig>(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
_WORD_TOKEN_RE = re.compile(r"[A-Za-z]+")
_AND_HALF_RE = re.compile(rf"{WS}+and{WS}+a{WS}+half\b", re.I)


_SCALE_OF = {"dozen": 12.0, **_SCALES}  # the words a fraction or "and a half" may be of
_SCALE_WORDS = "|".join(_SCALE_OF)
_FRAC_OF_SCALE_RE = re.compile(rf"(?i:{WS}+(?:of{WS}+)?an?{WS}+({_SCALE_WORDS})(?![^\W_]))")
_LAST_SCALE_RE = re.compile(rf"(?i:({_SCALE_WORDS}))$")
_SCALE_ABBR_RE = re.compile(r"(mn|bn|tn|Bn|BN|m|M|b|B|k|K)(?![^\W_])")
_ATTACHED_UNIT_RE = re.compile(r"(km/h|km|kg|mph|kph|mm|cm|ft|lbs|lb|mw|MW|GW|kW|ha)(?![^\W_])")


_AGE_RE = re.compile(r"(?:-|\s)years?(?:-|\s)old(?![^\W_])", re.I)
_DEGREE_RE = re.compile(rf"{WS}?°{WS}?([CF])(?![^\W_])")
_CURWORD_RE = re.compile(
    rf"{WS}+(?:(?:US|U\.S\.|American|Canadian|Australian|Hong{WS}Kong|Singapore){WS}+)?"
    r"(dollars?|euros?|pounds?(?:[ \u00a0]sterling)?|yen|yuan|renminbi|rupees?|rubles?|roubles?|"
    r"francs?|hryvnias?|shekels?)(?![^\W_])",
    re.I,
)


_FRAC_FOLLOW_RE = re.compile(r"(?i:[ \u00a0]+(?:of|the|a|an|his|her|its|their|our|all)\b)")
_HALF_BEFORE_RE = re.compile(r"(?:first|second|last|other|the|latter|former|this|that|each|either|and)\s+$")
_PREP_THAT_RE = re.compile(r"(?<![^\W_])(?:in|on|of|at|during|for|from|to|into|with|by)\s+that\s+$")
_WORD_BEFORE_RE = re.compile(r"[^\W\d_]+$")
_RANGE_GAP_RE = re.compile(r"[ \u00a0]*(?:-|–|—|to|and|or)[ \u00a0]*")


_ORDINAL_RE = re.compile(r"(?:st|nd|rd|th)(?![^\W_])", re.I)
_URLISH_RE = re.compile(r"[/@]|www\.|\.(?:com|org|net|html?)\b")


_NUMWORD_GATE = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "teen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "dozen",
    "half",
    "halves",
    "third",
    "quarter",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


def _parse_words(tokens: list[str]) -> tuple[float, int]:
    """Value of a spelled number and how many tokens were used (stops at a bad sequence)."""
    total = 0.0
    current = 0.0
    used = 0
    last_small = -1  # value of the last small word, to refuse "five six"
    for i, tok in enumerate(tokens):
        t = tok.lower()
        if t == "and":
            continue
        if t in _SCALES:
            scale = _SCALES[t]
            current = (current or 1) * scale
            if scale >= 1000:
                total += current
                current = 0.0
            last_small = -1
        elif t in SMALL:
            v = SMALL[t]
            if t == "dozen":
                current = (current or 1) * 12
                last_small = -1
            else:
                # "twenty five" is fine, "five six" / "twenty thirty" are not one number.
                if last_small >= 0 and not (last_small >= 20 and last_small % 10 == 0 and v < 10):
                    break
                current += v
                last_small = v
        else:
            break
        used = i + 1
    return total + current, used


def _number_candidates(text: str, date_spans: list[tuple[int, int]]) -> list[tuple[int, int, float, str]]:
    """(start, end, value, unit) for every number: each digit or number-word match not inside a date
    nor inside the previous number is read (:func:`_match_value`), then widened and given its unit
    (:func:`_complete`); a range's first bound inherits the unit of the second."""
    out: list[tuple[int, int, float, str]] = []
    starts = [d[0] for d in date_spans]

    def in_date(s: int, e: int) -> bool:
        # Date spans are sorted and disjoint, so only the last one starting before e matters.
        i = bisect.bisect_left(starts, e) - 1
        return i >= 0 and date_spans[i][1] > s

    last_end = 0
    tl = text.lower()
    cands = list(_NUM_DIGITS_RE.finditer(text)) if DIGIT_RE.search(text) else []
    if any(w in tl for w in _NUMWORD_GATE):
        cands += _NUM_WORDS_RE.finditer(text)
        # Word/fraction matches first at a shared start ("3 quarters of" is a fraction).
        cands.sort(key=lambda m: (m.start(), m.re is _NUM_DIGITS_RE, -m.end()))
    for m in cands:
        s, e = m.span()
        if s < last_end or in_date(s, e):
            continue  # inside a date, or already consumed ("$30 million": "million")
        read = _match_value(text, m)
        if read is None:
            continue
        found = _complete(text, m, *read, last_end)
        if found is None:
            continue
        out.append(found)
        last_end = found[1]
    # "between 20 and 30 percent", "20-30 days": the first bound inherits the unit.
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a[3] == "" and b[3] and _RANGE_GAP_RE.fullmatch(text, a[1], b[0]):
            out[i] = (a[0], a[1], a[2], b[3])
    return out


def _match_value(text: str, m: re.Match[str]) -> tuple[float, int, str, bool] | None:
    """(value, end, unit, is a fraction) of one number match, or None when it is not a quantity."""
    s, e = m.span()
    g = m.groupdict()
    dig, words = g.get("dig"), g.get("words")
    if g.get("frac"):
        value = _fraction_value(text, m, s, e)
        if value is None:
            return None
        of_scale = _FRAC_OF_SCALE_RE.match(text, e)
        if of_scale:  # "half a dozen" is 6, "a quarter of a million" 250,000: a count, not a share
            return value / 100.0 * _SCALE_OF[of_scale.group(1).lower()], of_scale.end(), "", False
        return value, e, "percent", True
    if dig:
        value = _digits_value(text, dig, s, e)
        return None if value is None else (value, e, "", False)
    toks = _WORD_TOKEN_RE.findall(words or "")  # the pattern's third alternative: 'words' matched
    value, used = _parse_words(toks)
    if used == 0:
        return None
    if used < len(toks):
        # Shrink the span to the tokens actually parsed.
        pos = s
        for tok in toks[:used]:
            pos = text.index(tok, pos) + len(tok)
        e = pos
    if toks[0].lower() in ("a", "an") and used == 1:
        return None
    return value, e, "", False


def _fraction_value(text: str, m: re.Match[str], s: int, e: int) -> float | None:
    """A fraction ("a fifth", "two-thirds", "half of") as a percentage, or None where it is not one."""
    fn, fd = m["fn"], m["fd"].lower()
    den = _DENOM[fd.rstrip("s") if fd != "halves" else "halve"]
    follow = _FRAC_FOLLOW_RE.match(text, e)
    before = text[max(0, s - 16) : s].lower()
    hedged = bool(_HEDGE_RE.search(text, max(0, s - 30), s))
    if fn is None:
        hb = _HALF_BEFORE_RE.search(before)
        # "said that half of": "that" introduces the clause; "that half" alone points at one.
        clause = hb is not None and hb.group().split()[0] == "that" and not _PREP_THAT_RE.search(before)
        if den != 2 or (hb and not (clause and follow and follow.group().split()[0] == "of")):
            return None
        if not (follow or hedged):
            return None
        num = 1.0
    else:
        fnl = fn.lower()
        if fnl in ("a", "an") and not follow:
            return None
        if m["fsep"] != "-" and not follow and fnl not in ("a", "an"):
            return None
        num = float(fnl) if fnl.isdigit() else float(SMALL.get(fnl, 1))
        if num > den:
            return None
    return 100.0 * num / den


def _digits_value(text: str, digits: str, s: int, e: int) -> float | None:
    """The value of a run of digits, or None for a name ("F-16"), ordinal, time, URL part or year."""
    nxt = text[e : e + 1]
    if nxt.isdigit():
        return None
    # Skip "COVID-19", "F-16", "MH17", ordinals, times and URL fragments.
    if s >= 2 and text[s - 1] == "-" and text[s - 2].isalpha():
        w = _WORD_BEFORE_RE.search(text, max(0, s - 12), s - 1)
        if w is None or not w.group().islower():
            return None
    if _ORDINAL_RE.match(text, e):
        return None
    if len(digits) == 2 and s >= 5 and text[s - 1] in "-–/" and text[s - 5 : s - 1].isdigit():
        return None  # "2008-09": the second half of a season/year range
    if nxt == ":" and text[e + 1 : e + 2].isdigit():
        return None
    ts = text.rfind(" ", 0, s) + 1
    te = text.find(" ", e)
    if _URLISH_RE.search(text[ts : te if te >= 0 else len(text)][:200]):
        return None
    if len(digits) == 4 and "," not in digits and "." not in digits and is_year(text, s, e):
        return None  # a year: left to extract_dates
    return float(digits.replace(",", ""))


def _complete(
    text: str, m: re.Match[str], value: float, e: int, unit: str, is_fraction: bool, last_end: int
) -> tuple[int, int, float, str] | None:
    """A read number widened: "and a half", a scale word or an attached unit or scale after it, a
    currency and a hedge before it, then the unit or counted noun after it; None when it is not a
    quantity ("4G") or has no noun to count."""
    s = m.start()
    dig, words = m.groupdict().get("dig"), m.groupdict().get("words")
    lead = s  # span start (hedge / currency included)
    pos = e
    # "two and a half years"
    half = False
    if not is_fraction:
        mh = _AND_HALF_RE.match(text, pos)
        if mh:
            # "a million and a half" is half a million more; "one and a half (million)" half a unit more
            last = _LAST_SCALE_RE.search(text, s, pos)
            value += 0.5 * (_SCALE_OF[last.group(1).lower()] if words and last else 1.0)
            pos = mh.end()
            half = not (words and last)
    scale = 1.0
    if not is_fraction:
        ms = SCALE_WORD_RE.match(text, pos) if dig or half else None
        if ms:
            scale = _SCALES[ms.group(1).lower()]
            pos = ms.end()
        elif dig:
            ma = _ATTACHED_UNIT_RE.match(text, pos)
            if ma:
                unit = UNIT_LEX.get(ma.group(1).lower(), ma.group(1).lower())
                pos = ma.end()
            else:
                ma = _SCALE_ABBR_RE.match(text, pos)
                if ma:
                    scale = _SCALE_ABBR[ma.group(1).lower()]
                    pos = ma.end()
                elif text[pos : pos + 1].isalpha():
                    return None  # "4G", "3D", "5G": not a quantity
    value *= scale
    # Currency and hedge before the number.
    mc = CUR_BACK_RE.search(text, max(0, s - 6), s)
    if mc and not is_fraction:
        sym = (mc["c"] or mc["code"]).lower()
        unit = _CUR_SYMBOL.get(sym, "dollar")
        lead = mc.start()
    mhdg = _HEDGE_RE.search(text, max(last_end, lead - 30), lead)
    if mhdg:
        if mhdg.group("h") and mhdg.group("h").lower() == "aged":
            unit = "age"
        lead = mhdg.start()
    word_start = words is not None and not is_fraction
    if not unit and _appositive_age(text, lead, pos, value, words is None):
        unit = "age"  # "Kris, 61, and Corey": the news convention for an age
    if not unit:
        found, pos = _unit_after(text, pos, word_start and value == 1)
        if found is None:
            return None
        unit = found
    return lead, pos, value, unit


_APPOSITIVE_BEFORE_RE = re.compile(r"(?<![\w.])([A-Z][a-z’'-]+),\s$")
_NOT_A_NAME = frozenset(m.capitalize() for m in (*MONTHS, *WEEKDAY_NAMES)) | {"No", "Vol", "Page", "Chapter", "Room"}


def _appositive_age(text: str, start: int, end: int, value: float, digits: bool) -> bool:
    """A whole number of 1-119 in digits set off by commas after a name ("Sinfield, 34, the captain"): an
    age, as news writes it."""
    if not digits or not 1 <= value < 120 or value != int(value) or text[end : end + 1] not in (",", ")"):
        return False
    m = _APPOSITIVE_BEFORE_RE.search(text, max(0, start - 40), start)
    return m is not None and m.group(1) not in _NOT_A_NAME


def _unit_after(text: str, pos: int, strict_one: bool) -> tuple[str | None, int]:
    """Unit of the quantity ending at ``pos``; (None, pos) to drop a lone "one"/"a"."""
    mp = PCT_RE.match(text, pos)
    if mp:
        if mp.group(1) or mp.group(2):
            return "percent", mp.end()
        phrase = " ".join(mp.group(3).lower().split()).rstrip("s")
        return phrase, mp.end()
    ma = _AGE_RE.match(text, pos)
    if ma:
        return "age", ma.end()
    md = _DEGREE_RE.match(text, pos)
    if md:
        return ("celsius" if md.group(1) == "C" else "fahrenheit"), md.end()
    mc = _CURWORD_RE.match(text, pos)
    if mc:
        w = mc.group(1).lower().split()[0]
        return UNIT_LEX.get(w, singular(w)), mc.end()
    mw = NEXT_WORD_RE.match(text, pos)
    if mw:
        sep, word = mw.group(1), mw.group(2)
        low = word.lower()
        if low in UNIT_LEX:
            return UNIT_LEX[low], mw.end()
        if "-" in sep:
            # Compound modifier "10-point plan", "two-state": the noun after the hyphen.
            if word.islower() and low not in _NOT_NOUN:
                return singular(low), mw.end()
        elif not strict_one and word.islower() and low not in _NOT_NOUN:
            return _counted_noun(text, mw)
    if strict_one:
        return None, pos
    return "", pos


PLURAL_IRREGULAR = frozenset(
    "people men women children police feet aircraft staff personnel cattle sheep fish troops".split()
)


def _counted_noun(text: str, first: re.Match[str]) -> tuple[str, int]:
    """The counted noun of "five merchant vessels": the first plural among the next few
    lowercase words (adjectives are not plural), else the first word."""
    words = [first]
    while len(words) < 3:
        mw = NEXT_WORD_RE.match(text, words[-1].end())
        if (
            not mw
            or mw.group(1).strip() != ""
            or not mw.group(2).islower()
            or mw.group(2).lower() in _NOT_NOUN
        ):
            break
        words.append(mw)
    for mw in words:
        w = mw.group(2).lower()
        if w in PLURAL_IRREGULAR or (w.endswith("s") and not w.endswith(("ss", "us", "is"))):
            return singular(w), mw.end()
    mw = words[1] if words[0].group(2).lower() in _ADJ_SKIP and len(words) > 1 else words[0]
    if mw.group(2).lower() in _ADJ_SKIP:
        return "", first.start()  # "20 more than ...": no noun
    return singular(mw.group(2)), mw.end()


# Durations the number scanner does not see: "an hour and a half", "over a year", "half an hour",
# "a half-hour", "a month-long truce", and ordinals of duration ("in its second year": more than one
# year and at most two, kept as 1.5 years with the interval as its tolerance, see ``_num_tolerance``).
TIME_WORD = r"(?:second|minute|hour|day|week|month|year|decade|century)"


ORDINAL_VALUE = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
    "thirtieth": 30,
    "fiftieth": 50,
    "hundredth": 100,
}
# A fraction word's denominator (``FRAC_DEN`` matches them, "halves" read as "halve"): half and
# quarter, and the ordinals third to tenth, whose denominator is their value. Not the ordinal table
# itself: "first" and "second" are no fractions, "quarter" and "half" no ordinals.
_DENOM = {"half": 2, "halve": 2, "quarter": 4} | {w: v for w, v in ORDINAL_VALUE.items() if 3 <= v <= 10}


_DURATION_RE = re.compile(
    rf"(?i:(?<![^\W_])(?:"
    rf"(?P<one>an?){WS}+(?P<u1>{TIME_WORD})(?P<half1>{WS}+and{WS}+a{WS}+half)?(?![^\W_]|-old)"
    rf"|half{WS}+an?{WS}+(?P<u2>{TIME_WORD})(?![^\W_])"
    rf"|an?{WS}+half(?:-|{WS})(?P<u3>{TIME_WORD})(?![^\W_])"
    rf"|(?P<u4>{TIME_WORD})(?:-|{WS})?long(?![^\W_])"
    rf"|(?:(?:over|for|during|throughout|across){WS}+(?=the{WS}+decade))?"
    rf"(?P<dec>the{WS}+(?:(?:past|last|previous|next|coming){WS}+)?decade)(?![^\W_]|['’]s)"
    rf"|(?P<det>its|the|their|his|her|a){WS}+(?P<ord>{'|'.join(ORDINAL_VALUE)}|\d{{1,3}}(?:st|nd|rd|th))"
    rf"{WS}+(?P<u5>{TIME_WORD})(?![^\W_]|-)"
    rf"))"
)
# "once a year", "twice a day", "three times a week", "per month": a rate, not a duration.
_RATE_BEFORE_RE = re.compile(r"(?i:(?:once|twice|times|per|each|every|a)[ \u00a0]+)$")


def _duration_candidates(text: str) -> list[tuple[int, int, float, str, bool]]:
    """(start, end, value, unit, over) of the durations ``_number_candidates`` leaves out (see
    ``_DURATION_RE``); ``over``: the span replaces a number found inside it ("half an hour" is not 50%)."""
    out: list[tuple[int, int, float, str, bool]] = []
    for m in _DURATION_RE.finditer(text):
        s, e = m.span()
        if m["one"]:
            if _RATE_BEFORE_RE.search(text, max(0, s - 8), s):
                continue
            unit, value = m["u1"].lower(), 1.5 if m["half1"] else 1.0
        elif m["u2"] or m["u3"]:
            unit, value = (m["u2"] or m["u3"]).lower(), 0.5
        elif m["dec"]:  # "over the decade", "the past decade": ten years, a period ("over" is no hedge here)
            if not (m.start("dec") > s or re.match(r"(?i)the\W+\w+\W+decade", m["dec"])):
                continue  # a bare "the decade" only after "over", "for", "during", ...
            out.append((m.start("dec"), e, 1.0, "decade", False))
            continue
        elif m["u4"]:
            if re.search(r"\d|-", text[max(0, s - 2) : s]):
                continue  # "three-month-long": the number scanner has it
            unit, value = m["u4"].lower(), 1.0
        else:
            o = m["ord"].lower()
            n = ORDINAL_VALUE.get(o) or int(re.match(r"\d+", o).group())  # type: ignore[union-attr]
            unit, value = m["u5"].lower(), n - 0.5
            s = m.start("ord")
        mh = _HEDGE_RE.search(text, max(0, s - 30), s)
        out.append((mh.start() if mh else s, e, value, unit, bool(m["u2"] or m["u3"])))
    return out


_SHARE_NUM = r"one|two|three|four|five|six|seven|eight|nine|\d{1,3}"
_SHARE_DEN = r"two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand|\d{1,3}(?:,\d{3})+|\d{1,4}"
# "one in five", "3 out of 4", "one in every three": a share, read as a percentage ("20%" = "a fifth").
_SHARE_RE = re.compile(
    rf"(?i:(?<![^\W_.,])(?P<n>{_SHARE_NUM}){WS}+(?:in|out{WS}+of){WS}+(?:every{WS}+)?(?:a{WS}+)?"
    rf"(?P<d>{_SHARE_DEN})(?![^\W_]|[.,]\d)(?!{WS}+(?:{TIME_WORD}|min|hr|yr)s?(?![^\W_])))"
)


def _count(word: str) -> int:
    """The value of one count word of a share or a multiple: digits ("1,000"), or a number word ("five",
    "hundred"); 0 for anything else."""
    if word[0].isdigit():
        return int(word.replace(",", ""))
    w = word.lower()
    return int(SMALL.get(w, _SCALES.get(w, 0)))


def _share_candidates(text: str) -> list[tuple[int, int, float, str]]:
    """(start, end, percentage, "percent") of the shares "N in M" / "N out of M" with N < M (a hedge before it
    is part of the span, as for any number); they replace the numbers found inside them."""
    out: list[tuple[int, int, float, str]] = []
    for m in _SHARE_RE.finditer(text):
        n, d = _count(m["n"]), _count(m["d"])
        if not 0 < n < d:
            continue
        s = m.start()
        mh = _HEDGE_RE.search(text, max(0, s - 30), s)
        out.append((mh.start() if mh else s, m.end(), 100.0 * n / d, "percent"))
    return out


_MULTIPLIER_VERB = {"doubl": 2.0, "tripl": 3.0, "quadrupl": 4.0, "quintupl": 5.0, "halv": 0.5}
_MULTIPLIER_GATE = ("oubl", "ripl", "uadrupl", "uintupl", "alv", "fold", "wice")
# "doubled", "tripling", "halved"; "threefold", "a 10-fold rise"; "twice as many": a factor, unit "fold".
_MULTIPLIER_RE = re.compile(
    r"(?i:(?<![^\W_])(?:(?P<verb>doubl|tripl|quadrupl|quintupl|halv)(?:ed|ing)"
    rf"|(?P<n>two|three|four|five|six|seven|eight|nine|ten|hundred|\d{{1,3}})(?:-|{WS})?fold"
    rf"|(?P<twice>twice){WS}+as{WS}+(?:many|much|large|high|big|likely|long|fast|often))(?![^\W_]))"
)


def _multiplier_candidates(text: str) -> list[tuple[int, int, float, str]]:
    """(start, end, factor, "fold") of the multipliers in ``text`` ("doubled" = "twofold" = "twice as many")."""
    out: list[tuple[int, int, float, str]] = []
    for m in _MULTIPLIER_RE.finditer(text):
        if m["verb"]:
            v = _MULTIPLIER_VERB[m["verb"].lower()]
            e = m.end()
        elif m["n"]:
            v, e = float(_count(m["n"])), m.end()
        else:
            v, e = 2.0, m.end("twice")
        if v > 0:
            out.append((m.start(), e, v, "fold"))
    return out


def _number_units(text: str, offset: int, date_spans: list[tuple[int, int]]) -> list[Unit]:
    found = _number_candidates(text, date_spans)
    # Multiples and shares replace the numbers found inside them ("five" in "one in five"); a share never
    # overlaps a date ("5 in 2020").
    replacing = _multiplier_candidates(text) if any(w in text for w in _MULTIPLIER_GATE) else []
    if " in " in text or " of " in text:
        replacing += [c for c in _share_candidates(text) if all(c[1] <= a or c[0] >= b for a, b in date_spans)]
    for s, e, v, u in replacing:
        found = [c for c in found if c[1] <= s or c[0] >= e] + [(s, e, v, u)]
    found.sort(key=lambda c: c[0])
    if any(w in text for w in ("our", "ay", "eek", "onth", "ear", "ecade", "entur", "inute", "econd")):
        for s, e, v, u, over in _duration_candidates(text):
            if over:
                found = [c for c in found if c[1] <= s or c[0] >= e]
            if all(e <= a or s >= b for a, b in [(c[0], c[1]) for c in found] + list(date_spans)):
                found.append((s, e, v, u))
        found.sort(key=lambda c: c[0])
    return [
        make_unit("number", text, s, e, offset, f"{fmt(v)}|{u}", value=v, unit=u)
        for s, e, v, u in found
        if math.isfinite(v)  # a run of hundreds of digits overflows to inf: not a quantity
    ]


# Counts given only by their order of magnitude ("dozens of residents", "tens of thousands of people"): the
# range each stands for. Not amounts of money ("millions of dollars" is no count of dollars).
MAGNITUDES = {
    "dozens": (24.0, 99.0),
    "hundreds": (200.0, 999.0),
    "thousands": (2e3, 9999.0),
    "tens of thousands": (2e4, 99999.0),
    "hundreds of thousands": (2e5, 999999.0),
    "millions": (2e6, 999e6),
    "tens of millions": (2e7, 99e6),
    "hundreds of millions": (2e8, 999e6),
    "billions": (2e9, 999e9),
}
_MAGNITUDE_RE = re.compile(
    r"(?i:(?<![^\W_])(?P<m>(?:tens|hundreds)[ \u00a0]+of[ \u00a0]+(?:thousands|millions)|dozens|hundreds|thousands|"
    r"millions|billions)[ \u00a0]+of[ \u00a0]+(?:the[ \u00a0]+|their[ \u00a0]+|its[ \u00a0]+)?(?P<what>[a-z][\w'’-]*))"
)
_RANGE_KEY_RE = re.compile(r"(\d+)-(\d+)\|")


def value_range(u: Unit) -> tuple[float, float] | None:
    """The range a number written as one stands for (key ``lo-hi|unit``): a count by order of magnitude
    ("hundreds" -> 200 to 999, :func:`extract_magnitudes`) or an age by decade ("in his 40s",
    :func:`extract_age_ranges`); else None."""
    m = _RANGE_KEY_RE.match(u.key) if u.kind == "number" else None
    return (float(m[1]), float(m[2])) if m else None


def extract_magnitudes(text: str, offset: int = 0) -> list[Unit]:
    """Number units for "dozens of residents", "hundreds of thousands of people" ...: a count of the noun (the
    unit "300 residents" has) whose value is the lower end of :data:`MAGNITUDES` and whose key holds the range
    (``compare.compatible`` compares the whole range). Claim checking only: the relation features count the
    numbers of :func:`extract_numbers`."""
    out = []
    for m in _MAGNITUDE_RE.finditer(text):
        if UNIT_LEX.get(m["what"].lower()) in CURRENCY_UNITS:
            continue  # "millions of dollars"
        unit, end = _unit_after(text, m.start("what") - 1, False)  # "residents": counted as "300 residents" is
        lo, hi = MAGNITUDES[" ".join(m["m"].lower().split())]
        unit, end = (unit, end) if unit else ("", m.end("m"))
        out.append(make_unit("number", text, m.start("m"), end, offset, f"{fmt(lo)}-{fmt(hi)}|{unit}", lo, unit))
    return out


_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                 "eighties": 80, "nineties": 90}
_AGE_DECADE_RE = re.compile(
    r"(?i:(?<![^\W_])in[ \u00a0]+(?:his|her|their|my|your|our)[ \u00a0]+(?:(?P<part>early|mid|late)[ \u00a0-]*)?"
    rf"(?P<d>[2-9]0s|{'|'.join(_DECADE_WORDS)}))(?![^\W_])"
)


def extract_age_ranges(text: str, offset: int = 0) -> list[Unit]:
    """ "in his 40s" (40 to 49), "in her early thirties" (30 to 33), "in their late 50s" (57 to 59): an age
    as a range (key ``lo-hi|age``, as :func:`extract_magnitudes` writes one), which holds "a 45-year-old"."""
    out = []
    for m in _AGE_DECADE_RE.finditer(text):
        d = m["d"].lower()
        lo = float(_DECADE_WORDS.get(d) or int(d[:2]))
        part = (m["part"] or "").lower()
        lo, hi = {"early": (lo, lo + 3), "mid": (lo + 3, lo + 6), "late": (lo + 7, lo + 9)}.get(part, (lo, lo + 9))
        out.append(make_unit("number", text, m.start(), m.end(), offset, f"{fmt(lo)}-{fmt(hi)}|age", lo, "age"))
    return out


def extract_numbers(text: str, offset: int = 0) -> list[Unit]:
    """Quantities with a canonical unit; key ``f"{value}|{unit}"`` (e.g. ``20|percent``)."""
    return _number_units(text, offset, [(s, e) for s, e, _ in dates_in(text)])


def extract_numbers_and_dates(text: str, offset: int = 0) -> tuple[list[Unit], list[Unit]]:
    """``(extract_numbers(text), extract_dates(text))``, finding the dates once."""
    found = dates_in(text)
    numbers = _number_units(text, offset, [(s, e) for s, e, _ in found])
    return numbers, date_units(text, found, offset)


# "a fortnight", "two fortnights": two weeks each. Claim checking only (the relation features read the
# numbers of :func:`extract_numbers`, where "two fortnights" is a count of fortnights).
_FORTNIGHT_RE = re.compile(
    rf"(?i:(?<![^\W_])(?:(?P<n>a|an|one|two|three|four|five|six|\d{{1,2}})(?:{WS}+|-))?fortnights?(?![^\W_]))"
)


def extract_fortnights(text: str, offset: int = 0) -> list[Unit]:
    """Durations written in fortnights, as weeks: "a fortnight" has the key of "two weeks" (``2|week``), so it
    agrees with "14 days" and differs from "a month". A bare "fortnight" ("the past fortnight") is one."""
    out: list[Unit] = []
    if "ortnight" not in text and "ORTNIGHT" not in text:
        return out
    for m in _FORTNIGHT_RE.finditer(text):
        n = (m["n"] or "a").lower()
        count = 1 if n in ("a", "an", "one") else int(n) if n.isdigit() else int(SMALL.get(n, 0))
        if count:
            out.append(make_unit("number", text, m.start(), m.end(), offset, f"{2 * count}|week", 2.0 * count, "week"))
    return out


# "the year to March" is the twelve months ending then: a duration of a year, as "the 12 months to March" is.
_YEAR_TO_RE = re.compile(
    r"(?<![^\W_])(?i:the|a)[ \u00a0]+(?P<y>(?i:year))(?=[ \u00a0]+(?i:to|through|ending|ended|until)[ \u00a0]+"
    r"(?:(?i:the[ \u00a0]+end[ \u00a0]+of|in)[ \u00a0]+)?(?:" + "|".join(m.capitalize() for m in MONTH_NAMES) + r")\b)"
)


def extract_year_to(text: str, offset: int = 0) -> list[Unit]:
    """"the year to March" (through, ending, ended) as a duration of one year (``1|year``), so that "the 12
    months to March" states it. Claim checking only, like fortnights."""
    if "ear" not in text:
        return []
    return [
        make_unit("number", text, m.start("y"), m.end("y"), offset, "1|year", 1.0, "year")
        for m in _YEAR_TO_RE.finditer(text)
    ]


_MINUS_BEFORE_RE = re.compile(r"(?i:(?<![^\W_])(?:minus|negative)[ \u00a0]+)$")
_MINUS_SIGNS = "-−‒–"
_BELOW_ZERO_RE = re.compile(r"(?i:[ \u00a0]+below[ \u00a0]+zero(?![^\W_]))")
TEMPERATURE_UNITS = frozenset({"degree", "celsius", "fahrenheit"})


def signed_temperatures(text: str, numbers: list[Unit], offset: int = 0) -> list[Unit]:
    """``numbers`` with each temperature below zero signed: "minus 10 degrees", "-10°C" and "10 degrees below
    zero" have the key ``-10|degree`` (``-10|celsius``), so a rewrite that drops the sign changes the value;
    the "zero" of "below zero" is no number of its own. Claim checking only: the relation features keep the
    numbers as :func:`extract_numbers` reads them."""
    signed: dict[int, Unit] = {}
    for k, u in enumerate(numbers):
        s, e = u.start - offset, u.end - offset
        if u.unit not in TEMPERATURE_UNITS or not u.value or u.value < 0:
            continue
        word = _MINUS_BEFORE_RE.search(text, max(0, s - 9), s)
        sign = s > 0 and text[s - 1] in _MINUS_SIGNS and not (s > 1 and text[s - 2].isalnum())  # not "20-30"
        below = _BELOW_ZERO_RE.match(text, e)
        if word or sign or below:
            s2 = word.start() if word else s - 1 if sign else s
            e2 = below.end() if below else e
            signed[k] = make_unit("number", text, s2, e2, offset, f"{fmt(-u.value)}|{u.unit}", -u.value, u.unit)
    spans = [(v.start, v.end) for v in signed.values()]
    return [
        signed.get(k, u)
        for k, u in enumerate(numbers)
        if k in signed or not any(a <= u.start and u.end <= b for a, b in spans)
    ]


# "40C", "-5C", "104F": a temperature with its scale's letter attached (the number reader leaves "40C" alone,
# as it does "4G"), read only in a sentence about the weather or heat.
_LETTER_TEMP_RE = re.compile(
    r"(?:(?P<sign>(?<![\d.] )(?<![\w.])[-−–] ?)|(?<![\w.,/-]))(?P<v>\d{1,3}(?:\.\d)?)[ \u00a0]?(?P<s>[CF])(?![^\W_])"
)
_TEMP_CONTEXT_RE = re.compile(
    r"(?i:temperature|degree|heat|hot|cold|warm|cool|chill|thermometer|freez|frost|mercury|weather|forecast|"
    r"high of|low of|highs|lows|climb|soar|plung|fell|drop)"
)


def extract_letter_temperatures(text: str, offset: int = 0) -> list[Unit]:
    """Number units (``celsius`` / ``fahrenheit``, signed) for "40C", "-5C", "104F" in a sentence about
    temperature (:data:`_TEMP_CONTEXT_RE`). Claim checking only."""
    out: list[Unit] = []
    if not (("C" in text or "F" in text) and _TEMP_CONTEXT_RE.search(text)):
        return out
    for m in _LETTER_TEMP_RE.finditer(text):
        v = float(m["v"]) * (-1 if m["sign"] else 1)
        unit = "celsius" if m["s"] == "C" else "fahrenheit"
        out.append(make_unit("number", text, m.start(), m.end(), offset, f"{fmt(v)}|{unit}", v, unit))
    return out
