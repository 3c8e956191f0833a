"""Dates: years, months, seasons, weekdays, explicit and relative dates, keyed like ``month:8|q:last``."""

from __future__ import annotations

import re

from copydesk.records import Unit

from .lexicon import (
    CUR_BACK_RE,
    DIGIT_RE,
    MONTH_NAMES,
    MONTHS,
    NEXT_WORD_RE,
    PCT_RE,
    SCALE_WORD_RE,
    SMALL,
    UNIT_LEX,
    UPC,
    WEEKDAY_NAMES,
    WEEKDAYS,
    WS,
    make_unit,
)

_QUAL = {"last": "last", "past": "last", "previous": "last", "this": "this", "next": "next", "coming": "next"}


_COUNT_NOUNS = frozenset(
    """
people persons person troops soldiers workers employees jobs homes houses cases deaths votes
residents children men women students refugees migrants prisoners civilians cars vehicles
passengers members officers fighters casualties patients tanks drones missiles aircraft
""".split()
)


_SPACE_CAP_RE = re.compile(rf"{WS}{UPC}")
_YEAR_PREP_RE = re.compile(r"(?i:\b(?:in|since|of|from|until|by|before|after)\s+)$")


_PRE = (
    r"(?:(?i:(?P<part>early|mid|late))[ \u00a0-]+)?"
    r"(?:(?i:(?P<q>last|this|next|past|coming|previous))[ \u00a0]+)?"
)
_MON_FULL = "|".join(m.capitalize() for m in MONTH_NAMES)
# "Sept" before "Sep": the longest abbreviation first.
_MON_ABBR = "|".join(sorted((m.capitalize() for m in MONTHS if m not in MONTH_NAMES), key=len, reverse=True))
_YEAR = r"(?:1[89]|20)\d\d"
_MONTH_RE = re.compile(
    rf"(?<![^\W_]){_PRE}(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{WS}+(?:of{WS}+)?)?"
    rf"(?P<mon>{_MON_FULL}|(?:{_MON_ABBR})(?P<dot>\.)?)(?![^\W_])"
    rf"(?:{WS}+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:,.]\d|[^\W_]))?"
    rf"(?:,?{WS}+(?:of{WS}+)?(?P<y>{_YEAR})(?![^\W_]))?"
)
_SEASON_RE = re.compile(
    rf"(?<![^\W_]){_PRE}(?P<season>(?i:summer|winter|spring|autumn|fall))(?![^\W_])"
    rf"(?:{WS}+(?:of{WS}+)?(?P<y>{_YEAR})(?![^\W_]))?"
)
_SEASON_PREP_RE = re.compile(
    r"(?i:(?<![^\W_])(?:in|during|since|until|till|by|over|through|throughout|from|of|before|"
    r"after|this|that|the)[ \u00a0]+(?:the[ \u00a0]+)?)$"
)
_MAY_PREP_RE = re.compile(
    r"(?i:(?<![^\W_])(?:in|on|since|until|till|by|during|from|through|of|before|after|between|"
    r"and|early|late|mid|last|next|this|to)[ \u00a0-]+)$"
)
# A calendar quarter: "the second quarter (of 2023)", "third-quarter", "Q3 2023", "the April-to-June quarter",
# "the first three months of 2003".
# Not a fiscal one ("its fiscal second quarter"): a company's fiscal year may start in any month.
_QUARTER_RE = re.compile(
    rf"(?<![^\W_])(?:(?P<qo>(?i:first|second|third|fourth|1st|2nd|3rd|4th))[ \u00a0-](?i:quarter)"
    rf"(?:{WS}+of{WS}+(?P<qy1>{_YEAR}))?"
    rf"|Q(?P<qn>[1-4])(?:{WS}+(?P<qy2>{_YEAR}))?"
    rf"|(?P<m1>{_MON_FULL})(?:{WS}*[-\u2013]{WS}*|{WS}+to{WS}+|-to-|{WS}+through{WS}+)(?P<m2>{_MON_FULL})"
    rf"{WS}+(?i:quarter)"
    rf"|(?P<fl>(?i:first|last|final)){WS}+(?i:three){WS}+(?i:months){WS}+of{WS}+"
    rf"(?:(?P<qy3>{_YEAR})|(?i:the|this|last|that){WS}+(?i:year)))(?![^\W_])"
)
# An ordinal quarter is a calendar one beside a year or a word of business or the economy; in a game report
# "the third quarter" is a period of play.
_QUARTER_CONTEXT_RE = re.compile(
    r"(?i:\b(?:sales|revenues?|profits?|earnings|income|loss(?:es)?|results|growth|economy|economic|gdp|"
    r"quarterly|fiscal|shares|output|inflation|prices|spending|deliveries|orders|margins?|forecasts?|"
    r"unemployment|exports|imports|investment|demand|company|firm|bank|market|percent)\b)|%"
)
_QUARTER_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_FISCAL_RE = re.compile(r"(?i:\bfiscal\b[^.;]{0,12})$")
_WEEKDAY_RE = re.compile(
    rf"(?<![^\W_])(?:(?i:(?P<q>last|this|next|past|coming|previous)){WS}+)?"
    r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Tues?\.|Wed\.|"
    r"Thu(?:rs?)?\.|Fri\.)(?![^\W_])"
)
_REL_RE = re.compile(
    r"(?i:(?<![^\W_])(?:(?P<r1>yesterday|today|tomorrow|tonight)"
    r"|(?:(?:earlier|later)[ \u00a0]+)?(?P<rq>last|this|next|past|coming|previous)[ \u00a0]+"
    r"(?:(?:few|couple[ \u00a0]+of)[ \u00a0]+)?(?P<ru>weekend|week|month|year|night|morning|"
    r"afternoon|evening|days|weeks|months|years)"
    r"|(?P<an>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|"
    r"a[ \u00a0]+few|a[ \u00a0]+couple[ \u00a0]+of)[ \u00a0]+(?P<au>days?|weeks?|months?|years?|"
    r"decades?)[ \u00a0]+(?:ago|earlier)"
    r"|(?P<bu>days|weeks|months|years|decades)[ \u00a0]+(?:ago|earlier))(?![^\W_]))"
)
_DECADE_RE = re.compile(
    r"(?<![^\W_])(?P<dec>(?:1[89]|20)\d0)s(?![^\W_])|(?<![\w])['’](?P<dec2>\d0)s(?![^\W_])"
)
_YEAR_RE = re.compile(
    rf"(?:(?<![^\W_])(?i:(?P<part>early|mid|late))[ \u00a0-])?(?<![\w.,$£€¥])(?P<y>{_YEAR})"
    r"(?![^\W_]|[.,]\d|%)"
)
_ISO_RE = re.compile(
    r"(?<![\w-])(?P<y>(?:1[89]|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\w-])"
)
# Numeric dates with slashes: 3/17/20, 3/17/2020, 17/3/2020 (two-digit years 00-49 are 20xx, 50-99 19xx).
_SLASH_RE = re.compile(
    r"(?<![\w/.,-])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:1[89]|20)\d\d|\d\d)(?![\w/]|[.,]\d)"
)
_TIME_AP_RE = re.compile(
    r"(?<![\w:.,])(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?[ \u00a0]?(?P<ap>(?i:a\.m\.|p\.m\.|am|pm))(?![^\W_])"
)
_TIME_WORD_RE = re.compile(
    r"(?i:(?<![^\W_])(?:at|by|until|till|before|after|around|from|past|since|about|near|shortly[ \u00a0]+after|"
    r"shortly[ \u00a0]+before|just[ \u00a0]+after|just[ \u00a0]+before)[ \u00a0]+)(?P<w>(?i:noon|midday|midnight))(?![^\W_])"
)
_TIME_24_RE = re.compile(r"(?<![\w:.,])(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?![\w:]|[.,]\d)")


_MONTH_GATE = tuple(m[:3].capitalize() for m in MONTH_NAMES)
_MON_ABBRS = frozenset(m.capitalize() for m in MONTHS if m not in MONTH_NAMES)  # "Jan" ... "Sept"
_SEASONS_GATE = ("summer", "winter", "spring", "autumn", "fall")
_WEEKDAY_GATE = tuple(d[:3].capitalize() for d in WEEKDAY_NAMES)
_REL_GATE = (
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "last",
    "this",
    "next",
    "past",
    "coming",
    "previous",
    "ago",
    "earlier",
)


# "dm": a numeric date whose day and month may be the other way round (3/4/2020: March 4 in American use,
# 3 April in British); ``compare`` accepts either reading.
_FIELD_ORDER = ("year", "quarter", "month", "day", "season", "weekday", "decade", "time", "rel", "part", "q", "dm")


def _date_key(fields: dict[str, str]) -> str:
    return "|".join(f"{k}:{fields[k]}" for k in _FIELD_ORDER if k in fields)


def _qualify(m: re.Match[str], f: dict[str, str]) -> None:
    """Add a match's qualifier ("last", "next", ...) and part ("early", "late", ...) to its fields."""
    if m.group("q"):
        f["q"] = _QUAL[m.group("q").lower()]
    if "part" in m.re.groupindex and m.group("part"):
        f["part"] = m.group("part").lower()


def _date_candidates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """All date matches (possibly overlapping) as (start, end, fields): ISO and numeric dates, months, seasons,
    weekdays, relative dates, decades, years, clock times, in that order. Each scan runs only when
    its cheap gate (a digit, a month abbreviation, ...) is in the text."""
    tl = text.lower()
    digit = DIGIT_RE.search(text) is not None
    out = _iso_dates(text) if digit and "-" in text else []
    if digit and "/" in text:
        out += _slash_dates(text)
    if any(w in text for w in _MONTH_GATE):
        out += _month_dates(text)
    if any(w in tl for w in _SEASONS_GATE):
        out += _season_dates(text)
    if any(w in text for w in _WEEKDAY_GATE):
        out += _weekday_dates(text)
    if any(w in tl for w in _REL_GATE):
        out += _relative_dates(text)
    if "0s" in text:
        out += _decades(text)
    if digit:
        out += _years(text)
    if digit and (":" in text or "m" in tl):
        out += _clock_times(text)
    if "noon" in tl or "midday" in tl or "midnight" in tl:
        out += _time_words(text)
    return out


def _iso_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """ISO dates: 2024-03-05."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _ISO_RE.finditer(text):
        out.append((m.start(), m.end(), {"year": m["y"], "month": str(int(m["m"])), "day": str(int(m["d"]))}))
    return out


def _slash_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Numeric dates, month first unless the first number cannot be a month (17/3/2020); when both could be
    the month, the key says so (``dm``)."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _SLASH_RE.finditer(text):
        a, b, y = int(m["a"]), int(m["b"]), m["y"]
        if len(y) == 2:
            y = ("20" if int(y) < 50 else "19") + y
        if 1 <= a <= 12 and 1 <= b <= 31:
            month, day = a, b
        elif 1 <= b <= 12 and 1 <= a <= 31:
            month, day = b, a
        else:
            continue
        f = {"year": y, "month": str(month), "day": str(day)}
        if a != b and a <= 12 and b <= 12:
            f["dm"] = "1"
        out.append((m.start(), m.end(), f))
    return out


def _month_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Months with an optional day and year; an abbreviation only with a day, a year or its dot, "May" only
    where the month is meant."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _MONTH_RE.finditer(text):
        mon = m["mon"].rstrip(".")
        day = m["d1"] or m["d2"]
        if day and not 1 <= int(day) <= 31:
            day = None
        anchored = bool(day or m["y"])
        if mon in _MON_ABBRS and not (anchored or m["dot"]):
            continue
        if mon == "May" and not (
            anchored or m["q"] or m["part"] or _MAY_PREP_RE.search(text, max(0, m.start() - 12), m.start())
        ):
            continue
        f: dict[str, str] = {"month": str(MONTHS[mon.lower()])}
        if day:
            f["day"] = str(int(day))
        if m["y"]:
            f["year"] = m["y"]
        _qualify(m, f)
        # Trim a day that the regex did not validate, so the span stays honest.
        end = m.end()
        if (m["d1"] or m["d2"]) and not day:
            end = m.end("mon")
            f.pop("year", None)
        out.append((m.start(), end, f))
    return out


def extract_quarters(text: str, offset: int = 0) -> list[Unit]:
    """Calendar quarters, dates keyed ``year:2023|quarter:2``: an ordinal or "Q" with an optional year, or the
    span of its three months. For claim checking only (like tallies): the relation features read the months."""
    if "quarter" not in text.lower() and "Q" not in text and "three months of" not in text.lower():
        return []
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _QUARTER_RE.finditer(text):
        if _FISCAL_RE.search(text, max(0, m.start() - 20), m.start()):
            continue
        if m["m1"]:
            first, last = MONTHS[m["m1"].lower()], MONTHS[m["m2"].lower()]
            if first % 3 != 1 or last != first + 2:
                continue  # "the June-to-August quarter": no calendar quarter
            q = (first + 2) // 3
        elif m["qo"] and not (m["qy1"] or _QUARTER_CONTEXT_RE.search(text)):
            continue  # "late in the third quarter" of a game
        elif m["fl"]:
            q = 1 if m["fl"].lower() == "first" else 4  # "the first three months of 2003"
        else:
            q = _QUARTER_ORD[m["qo"].lower()] if m["qo"] else int(m["qn"])
        f = {"quarter": str(q)}
        if year := m["qy1"] or m["qy2"] or m["qy3"]:
            f["year"] = year
        out.append((m.start(), m.end(), f))
    return date_units(text, out, offset)


def _season_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Seasons where a season is meant (not "Spring Break"); "fall" read as autumn."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _SEASON_RE.finditer(text):
        season = m["season"].lower()
        if m["season"][0].isupper() and _SPACE_CAP_RE.match(text, m.end("season")):
            continue  # "the Winter Meetings", "Spring Break": part of a name
        pre_ok = bool(_SEASON_PREP_RE.search(text, max(0, m.start() - 24), m.start()))
        if season == "fall":
            if not (m["q"] or m["y"] or text[max(0, m.start() - 4) : m.start()].lower() == "the "):
                continue
            season = "autumn"
        elif not (m["q"] or m["part"] or m["y"] or pre_ok):
            continue
        f = {"season": season}
        if m["y"]:
            f["year"] = m["y"]
        _qualify(m, f)
        out.append((m.start(), m.end(), f))
    return out


def _weekday_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Weekdays with their qualifier ("last Tuesday")."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _WEEKDAY_RE.finditer(text):
        f = {"weekday": str(WEEKDAYS[m["wd"].rstrip(".").lower()])}
        if m["q"]:
            f["q"] = _QUAL[m["q"].lower()]
        out.append((m.start(), m.end(), f))
    return out


def _relative_dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Relative dates: "yesterday", "next week", "three days ago"; "a month earlier" reads as a month back."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _REL_RE.finditer(text):
        if m["r1"]:
            rel = m["r1"].lower()
        elif m["rq"]:
            q = _QUAL[m["rq"].lower()]
            ru = m["ru"].lower()
            rel = {
                ("last", "night"): "yesterday",
                ("this", "night"): "today",
                ("this", "morning"): "today",
                ("this", "afternoon"): "today",
                ("this", "evening"): "today",
            }.get((q, ru), f"{q}-{ru}")
        elif m["bu"]:
            rel = f"ago-several-{m['bu'].lower().rstrip('s')}"  # "years ago": some years back
        else:
            n = m["an"].lower().replace("\u00a0", " ")
            n = {"a": "1", "an": "1", "a few": "few", "a couple of": "2"}.get(n, n)
            n = str(SMALL[n]) if n in SMALL else n
            rel = f"ago-{n}-{m['au'].lower().rstrip('s')}"
        out.append((m.start(), m.end(), {"rel": rel}))
    return out


def _decades(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Decades: "the 1990s", "the '90s"."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _DECADE_RE.finditer(text):
        dec = m["dec"] or f"19{m['dec2']}"
        out.append((m.start(), m.end(), {"decade": dec}))
    return out


def _years(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Years (four digits that read as a year here), with an optional part ("early 2020")."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _YEAR_RE.finditer(text):
        ys, ye = m.span("y")
        if not is_year(text, ys, ye):
            continue
        f = {"year": m["y"]}
        if m["part"]:
            f["part"] = m["part"].lower()
        out.append((m.start(), m.end(), f))
    return out


def _clock_times(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """Clock times, 12-hour ("3 p.m.") and 24-hour ("15:30"), as HH:MM."""
    out: list[tuple[int, int, dict[str, str]]] = []
    for m in _TIME_AP_RE.finditer(text):
        h = int(m["h"]) % 12 + (12 if m["ap"].lower().startswith("p") else 0)
        out.append((m.start(), m.end(), {"time": f"{h:02d}:{m['mi'] or '00'}"}))
    for m in _TIME_24_RE.finditer(text) if ":" in text else ():
        out.append((m.start(), m.end(), {"time": f"{int(m['h']):02d}:{m['mi']}"}))
    return out


def _time_words(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """ "at noon", "until midnight", "shortly after midday" (after a preposition: "Midnight Express" is no
    time), as HH:MM."""
    return [
        (m.start("w"), m.end("w"), {"time": "00:00" if m["w"].lower() == "midnight" else "12:00"})
        for m in _TIME_WORD_RE.finditer(text)
    ]


def _resolve_overlaps(cands: list[tuple[int, int, dict[str, str]]]) -> list[tuple[int, int, dict[str, str]]]:
    """Keep the longest of overlapping candidates, leftmost first."""
    kept: list[tuple[int, int, dict[str, str]]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c[0])
    return kept


def is_year(text: str, s: int, e: int) -> bool:
    """A bare 4-digit number is a year unless it is clearly a quantity ("2000 troops")."""
    v = int(text[s:e])
    if v < 1900:
        # 1800s only after a preposition ("in 1848").
        if not _YEAR_PREP_RE.search(text, max(0, s - 8), s):
            return False
    if CUR_BACK_RE.search(text, max(0, s - 6), s):
        return False
    if SCALE_WORD_RE.match(text, e) or PCT_RE.match(text, e):
        return False
    m = NEXT_WORD_RE.match(text, e)
    if m and m.group(1).strip() == "":
        w = m.group(2).lower()
        if w in _COUNT_NOUNS or (w in UNIT_LEX and not text.startswith(" ago", m.end())):
            return False
    return True


def dates_in(text: str) -> list[tuple[int, int, dict[str, str]]]:
    return _resolve_overlaps(_date_candidates(text))


def date_units(text: str, found: list[tuple[int, int, dict[str, str]]], offset: int) -> list[Unit]:
    return [make_unit("date", text, s, e, offset, _date_key(f)) for s, e, f in found]


def extract_dates(text: str, offset: int = 0) -> list[Unit]:
    """Years, months, weekdays, explicit and relative dates; key like ``month:8|q:last``."""
    return date_units(text, dates_in(text), offset)


# Holidays on a fixed day: "New Year's Day" is January 1, so "January 1" states it and "July 1" does not. Only
# days every calendar fixes (not Easter; not an Independence Day, which each country has on its own date).
HOLIDAYS = {
    "new year's day": (1, 1), "new year's eve": (12, 31), "christmas eve": (12, 24), "christmas day": (12, 25),
    "boxing day": (12, 26), "valentine's day": (2, 14), "halloween": (10, 31), "st patrick's day": (3, 17),
    "st. patrick's day": (3, 17), "bastille day": (7, 14), "guy fawkes night": (11, 5), "armistice day": (11, 11),
    "remembrance day": (11, 11), "veterans day": (11, 11), "may day": (5, 1),
}
_HOLIDAY_KEY = {k.replace("'", ""): v for k, v in HOLIDAYS.items()}
_HOLIDAY_RE = re.compile(
    r"(?i:(?<![^\W_])(?:" + "|".join(re.escape(h).replace("'", "['’]?") for h in sorted(HOLIDAYS, key=len, reverse=True))
    + r")(?![^\W_]))"
)


_HOLIDAY_TEMPORAL_RE = re.compile(
    r"(?i:(?<![^\W_])(?:on|at|by|until|till|before|after|since|over|during|through|from|for|this|last|next|"
    r"every|of)[ \u00a0]+(?:the[ \u00a0]+)?)$"
)


def holiday_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, dates something) of each holiday of :data:`HOLIDAYS` named in ``text``: it dates something
    after a preposition of time or "this"/"last"/"next" ("on Christmas Day"), not as a modifier ("a Halloween
    display")."""
    low = text.lower()
    if not any(w in low for w in ("day", "eve", "halloween", "night")):
        return []  # every holiday ends in one of these
    return [
        (m.start(), m.end(), bool(_HOLIDAY_TEMPORAL_RE.search(text, max(0, m.start() - 16), m.start())))
        for m in _HOLIDAY_RE.finditer(text)
    ]


def extract_holidays(
    text: str, offset: int = 0, spans: list[tuple[int, int, bool]] | None = None
) -> list[Unit]:
    """Date units (``month:1|day:1``) for the holidays of :data:`HOLIDAYS` that date something
    (:func:`holiday_spans`, or ``spans`` already found). Claim checking only (the relation features read the
    dates of :func:`extract_dates`)."""
    out: list[Unit] = []
    for s, e, dating in holiday_spans(text) if spans is None else spans:
        if dating:
            month, day = _HOLIDAY_KEY[" ".join(text[s:e].lower().replace("’", "").replace("'", "").split())]
            out.append(make_unit("date", text, s, e, offset, _date_key({"month": str(month), "day": str(day)})))
    return out
