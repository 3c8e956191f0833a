"""Compatibility of two units of the same kind: rounding, shortened quotes, less specific dates,
surname-only names, durations in other units."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

from copydesk.records import Unit

from .lexicon import CURRENCY_UNITS, FRAC_DEN, WS
from .numbers import ORDINAL_VALUE, TIME_WORD, value_range

# Northern-hemisphere seasons (news copy is overwhelmingly written that way).
_SEASONS: dict[str, frozenset[int]] = {
    "winter": frozenset({12, 1, 2}),
    "spring": frozenset({3, 4, 5}),
    "summer": frozenset({6, 7, 8}),
    "autumn": frozenset({9, 10, 11}),
}


# "no fewer than 12" is at least 12, "not more than 12" at most 12.
_HEDGE_LOWER = ("more", "over", "well over", "just over", "at least", "upwards", "no fewer", "no less", "not fewer",
                "not less")
_HEDGE_UPPER = (
    "no more",
    "not more",
    "less",
    "under",
    "just under",
    "fewer",
    "at most",
    "up to",
    "nearly",
    "almost",
    "as many",
    "as much",
)


_FRAC_WORD_RE = re.compile(rf"(?i:\b(?:{FRAC_DEN})\b)")
_HEDGE_FRONT_RE = re.compile(
    r"(?i:(about|approximately|approx\.|around|roughly|nearly|almost|some|close to|(?:no|not) (?:more|less|fewer) than|"
    r"more than|over|"
    r"well over|just over|less than|under|just under|fewer than|at least|at most|up to|as many as|"
    r"as much as|an estimated|estimated|upwards of)\b|~)"
)


_NUM_PRECISION_RE = re.compile(r"\d[\d,]*(?:\.(\d+))?")


_ROLE_GROUP = {
    "said": "speaker",
    "according_to": "according",
    "told": "outlet",
    "confirmed_to": "outlet",
    "reported_by": "outlet",
    "interview": "outlet",
}


_ORDINAL_DURATION_RE = re.compile(
    rf"(?i:(?:its|the|their|his|her|a){WS}+(?:{'|'.join(ORDINAL_VALUE)}|\d{{1,3}}(?:st|nd|rd|th)){WS}+"
    rf"{TIME_WORD})"
)


def _num_tolerance(u: Unit) -> tuple[float, str]:
    """(absolute tolerance, bound direction) implied by how a number was written."""
    text = u.text
    low = text.lower()
    hedge = ""
    mh = _HEDGE_FRONT_RE.match(text)
    if mh:
        hedge = mh.group().lower()
    direction = ""
    if hedge.startswith(_HEDGE_LOWER):
        direction = "lower"
    elif hedge.startswith(_HEDGE_UPPER):
        direction = "upper"
    value = abs(u.value or 0.0)
    if u.unit in _TIME_SECONDS and _ORDINAL_DURATION_RE.search("its " + text):
        return 0.5 + 1e-6, direction  # "its second year": (1, 2] years, kept as 1.5 +- 0.5
    if _FRAC_WORD_RE.search(low) and u.unit == "percent":
        return (3.5 if hedge else 2.5), direction
    md = _NUM_PRECISION_RE.search(text)
    if md:
        digits = md.group()
        if md.group(1):
            step = 10.0 ** -len(md.group(1))
        else:
            step = 1.0
            if hedge:
                plain = digits.replace(",", "")
                step = 10.0 ** (len(plain) - len(plain.rstrip("0"))) if plain.strip("0") else 1.0
        base = float(digits.replace(",", "")) or 1.0
        scale = value / base if base else 1.0
        return step * max(scale, 1.0) / 2.0, direction
    # Spelled number: "approximately twenty" is good to the nearest ten, and "two million"
    # to the nearest million even without a hedge.
    step = 1.0
    if (hedge and value >= 10) or value >= 1000:
        iv = int(round(value))
        s = str(iv)
        step = 10.0 ** (len(s) - len(s.rstrip("0")))
    return step / 2.0, direction


# Units of one measure, in a common base: "5 km" ~ "3 miles", not "5 miles".
MEASURE = {
    "km": ("length", 1000.0), "mile": ("length", 1609.344), "metre": ("length", 1.0), "cm": ("length", 0.01),
    "mm": ("length", 0.001), "foot": ("length", 0.3048), "inch": ("length", 0.0254),
    "kg": ("mass", 1.0), "gram": ("mass", 0.001), "tonne": ("mass", 1000.0),
    "litre": ("volume", 1.0), "gallon": ("volume", 3.785),
    "acre": ("area", 4046.86), "hectare": ("area", 10000.0),
    "mph": ("speed", 1.609344), "km/h": ("speed", 1.0),
}
# Rough US-dollar values (2020s): a figure converted between currencies agrees within CURRENCY_SLACK.
_CURRENCY_USD = {"dollar": 1.0, "euro": 1.1, "pound": 1.3, "yen": 0.0068, "yuan": 0.14, "rupee": 0.012,
                 "ruble": 0.011, "hryvnia": 0.025, "franc": 1.15, "shekel": 0.27}
CURRENCY_SLACK = 0.35
CONVERSION_SLACK = 0.1  # a converted figure is rounded: "5 km (3 miles)" is 3.1 miles


def _currency(u: Unit) -> bool:
    """An amount of money: "pounds" is a weight unless written "£", "sterling" or "GBP"."""
    if u.unit == "pound":
        low = u.text.lower()
        return "£" in low or "sterling" in low or "gbp" in low
    return u.unit in CURRENCY_UNITS


def _other_units_compatible(a: Unit, b: Unit) -> bool | None:
    """Numbers in two different units: the same measure converted ("5 km" ~ "3 miles"; "5 miles" is
    another value); an amount converted at a rough rate ("£32 million" ~ "$45.8 million") or the same figure in
    another currency ("£3 million" for "$3 million": another value). Units of different things, amounts far
    apart in different currencies, and percent against percentage points (writers use one for the other): not
    comparable."""
    ua, ub = a.unit or "", b.unit or ""
    if _currency(a) and _currency(b) and a.value is not None and b.value is not None:
        if a.value == b.value:
            return False  # "£3 million" for "$3 million": the currency swapped
        va, vb = a.value * _CURRENCY_USD[ua], b.value * _CURRENCY_USD[ub]
        # "£32 million" beside "$45.8 million": converted; amounts further apart are not compared.
        return True if abs(va - vb) <= CURRENCY_SLACK * max(va, vb) else None
    if {ua, ub} == {"celsius", "fahrenheit"} and a.value is not None and b.value is not None:
        c, f = (a.value, b.value) if ua == "celsius" else (b.value, a.value)
        return abs(c * 9 / 5 + 32 - f) <= 1.5  # "40C (104F)"; converted figures are rounded
    if {ua, ub} == {"fold", "percent"}:
        return _fold_vs_percent(a if ua == "fold" else b, b if ua == "fold" else a)
    ma, mb = MEASURE.get(ua), MEASURE.get(ub)
    if ma is None or mb is None or ma[0] != mb[0] or a.value is None or b.value is None:
        return None
    va, vb = a.value * ma[1], b.value * mb[1]
    slack = _num_tolerance(a)[0] * ma[1] + _num_tolerance(b)[0] * mb[1] + CONVERSION_SLACK * max(abs(va), abs(vb))
    return abs(va - vb) <= slack


def _fold_vs_percent(fold: Unit, pct: Unit) -> bool | None:
    """ "tripled" against "200 percent": a percentage of 100 or more beside a multiple is a rise ("rose 200
    percent" = 3 times). Writers also put "300 percent" for tripled, so that agrees too; another multiple is
    another value. Below 100 percent it may be a share or a fall: not comparable."""
    f, p = fold.value or 0.0, pct.value or 0.0
    if f <= 1 or p < 100:
        return None
    return any(abs(f - x) <= 0.05 * f for x in (1 + p / 100, p / 100))


def _interval(value: float, tol: float, direction: str) -> tuple[float, float]:
    """The values a written number allows: its rounding interval, or up to three times a lower bound ("more
    than 200") and down to a third of an upper one ("nearly 200"), as :func:`compatible` reads bounds."""
    if direction == "lower":
        return value, 3 * value
    if direction == "upper":
        return value / 3, value
    return value - tol, value + tol


def _bound_holds(x: float, dx: str, y: float, dy: str) -> bool:
    """A bound ``x`` ("more than 200", ``dx`` its direction) holds the exact figure ``y`` on its side, within
    the :func:`_interval` of the bound."""
    if not dx or dy or x <= 0:
        return False
    lo, hi = _interval(x, 0.0, dx)
    return lo <= y <= hi


def _parse_date_key(key: str) -> dict[str, str]:
    out = {}
    for part in key.split("|"):
        k, _, v = part.partition(":")
        out[k] = v
    return out


_REL_OFFSETS = {"yesterday": ("day", -1), "today": ("day", 0), "tonight": ("day", 0), "tomorrow": ("day", 1)}


def _rel_pos(rel: str) -> tuple[str, float] | None:
    if rel in _REL_OFFSETS:
        return _REL_OFFSETS[rel]
    if rel.startswith("ago-"):
        _, n, unit = rel.split("-", 2)
        try:
            back = -float(n)
        except ValueError:
            return unit + "s", -1.0  # "a few days ago": vague, backwards
        return ("year", 10 * back) if unit == "decade" else (unit, back)  # "two decades ago" = "20 years ago"
    q, _, unit = rel.partition("-")
    off = {"last": -1, "this": 0, "next": 1}.get(q)
    if off is None:
        return None
    if unit == "weekend":
        unit = "week"
    return unit, float(off)


def rel_level(u: Unit) -> tuple[int, bool] | None:
    """How far back a date reaches, for dates that move with the day of writing: (0 days, 1 a week,
    2 weeks to months, 3 a year or more; whether it points back, not at the present). A bare weekday is 0;
    an absolute date, a future or a span of several ("the past few years") is None."""
    f = _parse_date_key(u.key)
    if "rel" not in f:
        return (0, False) if set(f) <= {"weekday", "q"} and "weekday" in f else None
    rel = f["rel"]
    if rel in ("today", "tonight"):
        return 0, False
    if rel == "yesterday":
        return 0, True
    if rel.startswith("ago-"):
        _, n, unit = rel.split("-", 2)
        one = n == "1"
        level = {"day": 0 if n.isdigit() and int(n) < 7 else 1, "week": 1 if one else 2,
                 "month": 2 if n.isdigit() and int(n) < 12 else 3, "year": 3, "decade": 3}.get(unit)
        return None if level is None else (level, True)
    q, _, unit = rel.partition("-")
    level = {"week": 1, "weekend": 1, "month": 2, "year": 3}.get(unit)
    if level is None or q not in ("last", "this"):
        return None
    return (0 if q == "this" and level == 1 else level), q == "last"


class _NoSuchDate(Exception):
    """A key's year, month and day are no date (February 30): the two keys are not compared."""


def _in_decade(decade: str, y: dict[str, str]) -> bool | None:
    """Whether ``y``'s year falls in ``decade``; None where ``y`` has no year."""
    return int(y["year"]) // 10 * 10 == int(decade) if "year" in y else None


def _in_season(season: str, y: dict[str, str]) -> bool | None:
    """Whether ``y``'s month falls in ``season``; None where ``y`` has no month."""
    return int(y["month"]) in _SEASONS[season] if "month" in y else None


def _in_quarter(quarter: str, y: dict[str, str]) -> bool | None:
    """Whether ``y``'s month falls in calendar ``quarter``; None where ``y`` has no month."""
    return (int(y["month"]) + 2) // 3 == int(quarter) if "month" in y else None


def _on_weekday(weekday: str, y: dict[str, str]) -> bool | None:
    """Whether ``y``'s full date falls on ``weekday``; None where ``y`` is not a full date."""
    if not all(k in y for k in ("year", "month", "day")):
        return None
    try:
        wd = _dt.date(int(y["year"]), int(y["month"]), int(y["day"])).isoweekday()
    except ValueError:
        raise _NoSuchDate from None
    return wd == int(weekday)


# The fields of a date key, coarse to fine (the first mismatch decides), each with how a key that
# lacks the field is checked against it (None: it is not).
_DATE_FIELDS: tuple[tuple[str, Callable[[str, dict[str, str]], bool | None] | None], ...] = (
    ("year", None),
    ("decade", _in_decade),
    ("quarter", _in_quarter),
    ("month", None),
    ("season", _in_season),
    ("day", None),
    ("weekday", _on_weekday),
)


def _readings(key: str) -> list[dict[str, str]]:
    """The date fields of ``key``: one reading, or two for a numeric date whose day and month may be swapped."""
    f = _parse_date_key(key)
    if f.pop("dm", None) is None:
        return [f]
    return [f, f | {"month": f["day"], "day": f["month"]}]


def _dates_compatible(a: str, b: str) -> bool | None:
    """Whether two date keys can be the same date: True, False, or None where they say nothing of each other.
    A numeric date that reads either way (3/4/2020) is compatible if a reading is, different if every one is."""
    results = [_fields_compatible(fa, fb) for fa in _readings(a) for fb in _readings(b)]
    if True in results:
        return True
    if results and all(r is False for r in results):
        return False
    return None


def _fields_compatible(fa: dict[str, str], fb: dict[str, str]) -> bool | None:
    if "rel" in fa or "rel" in fb:
        if "rel" in fa and "rel" in fb:
            pa, pb = _rel_pos(fa["rel"]), _rel_pos(fb["rel"])
            if pa is None or pb is None or pa[0] != pb[0]:
                return None
            return pa[1] == pb[1]
        return None
    if "time" in fa or "time" in fb:
        if "time" in fa and "time" in fb:
            return fa["time"] == fb["time"]
        return None
    if "q" in fa and "q" in fb and fa["q"] != fb["q"]:
        return False
    compared = False
    try:
        for field, fits in _DATE_FIELDS:
            for x, y in ((fa, fb), (fb, fa)):
                if field not in x:
                    continue
                same: bool | None
                if field in y:
                    same = x[field] == y[field]
                elif fits is not None:
                    same = fits(x[field], y)
                else:
                    continue
                if same is False:
                    return False
                compared = compared or same is True
    except _NoSuchDate:
        return None
    if compared and "part" in fa and "part" in fb and fa["part"] != fb["part"]:
        base_a = {k: v for k, v in fa.items() if k not in ("part", "q")}
        base_b = {k: v for k, v in fb.items() if k not in ("part", "q")}
        if base_a == base_b:
            return False
    return True if compared else None


def _contains(parts: list[list[str]], tokens: list[str]) -> bool:
    """Every part occurs contiguously in tokens, in order (an ellipsis is a gap)."""
    hay = " " + " ".join(tokens) + " "
    pos = 0
    for p in parts:
        needle = " " + " ".join(p) + " "
        i = hay.find(needle, pos)
        if i < 0:
            return False
        pos = i + len(needle) - 1
    return True


def _quotes_compatible(a: str, b: str) -> bool | None:
    pa = [p.split() for p in a.split(" … ")]
    pb = [p.split() for p in b.split(" … ")]
    ta = [t for p in pa for t in p]
    tb = [t for p in pb for t in p]
    if not ta or not tb:
        return None
    if _contains(pa, tb) or _contains(pb, ta):
        return True
    sa, sb = set(ta), set(tb)
    if len(sa & sb) / min(len(sa), len(sb)) >= 0.5:
        return False
    return None


def names_compatible(a: str, b: str) -> bool | None:
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return None
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if long_[-len(short) :] == short:
        return True  # "putin" ~ "vladimir putin", "york times" ~ "new york times"
    if len(ta) > 1 and len(tb) > 1 and ta[-1] == tb[-1]:
        return False  # same surname, different first name
    return None


_TIME_SECONDS = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 7 * 86400.0,
    "month": 30.44 * 86400.0,
    "year": 365.25 * 86400.0,
    "decade": 3652.5 * 86400.0,
    "century": 36525.0 * 86400.0,
}


def _durations_compatible(a: Unit, b: Unit) -> bool:
    """Two durations in different time units, compared in seconds with the looser rounding of the two
    ("two years" ~ "24 months", "90 minutes" ~ "an hour and a half", "a month" ~ "30 days")."""
    fa, fb = _TIME_SECONDS[a.unit or ""], _TIME_SECONDS[b.unit or ""]
    ta, da = _num_tolerance(a)
    tb, db = _num_tolerance(b)
    va, vb = (a.value or 0.0) * fa, (b.value or 0.0) * fb
    if _bound_holds(va, da, vb, db) or _bound_holds(vb, db, va, da):
        return True
    # Strictly inside the rounding interval, as for one unit: "two hours" does not cover 90 minutes.
    return abs(va - vb) < max(ta * fa, tb * fb) - 1e-12 or abs(va - vb) <= 1e-9 * max(va, vb, 1.0)


def compatible(a: Unit, b: Unit) -> bool | None:
    """True: same fact; False: same kind of fact with a different value; None: not comparable."""
    if a.kind != b.kind:
        return None
    kind = a.kind
    if kind == "number":
        if a.value is None or b.value is None:
            return None
        if a.unit == "tally" or b.unit == "tally":  # "58-42" ~ "58 to 42", not "52-48" (tallies.tally_key)
            return a.key == b.key if a.unit == b.unit else None
        if (a.unit or "") != (b.unit or ""):
            if a.unit in _TIME_SECONDS and b.unit in _TIME_SECONDS:
                return _durations_compatible(a, b)  # "a 90-minute call" ~ "an hour and a half"
            return _other_units_compatible(a, b)
        ta, da = _num_tolerance(a)
        tb, db = _num_tolerance(b)
        range_a, range_b = value_range(a), value_range(b)
        if range_a or range_b:  # "hundreds" holds 300 and "more than 200", not "dozens" or 50
            la, ha = range_a or _interval(a.value, ta, da)
            lb, hb = range_b or _interval(b.value, tb, db)
            return la <= hb and lb <= ha
        if da and db and da != db and a.value == b.value:
            return False  # "more than 20" vs "fewer than 20": the key ignores the hedge
        # A bound holds a nearby exact figure on its side: "more than £500,000" ~ "£572,206".
        av, bv = a.value, b.value  # both numbers: checked above
        if _bound_holds(av, da, bv, db) or _bound_holds(bv, db, av, da):
            return True
        diff = abs(av - bv)
        # Strictly inside the rounding interval: "3 years" does not cover "2.5 years".
        return diff <= 1e-9 * max(abs(av), abs(bv), 1.0) or diff < max(ta, tb) - 1e-12
    if a.key == b.key:
        return True
    if kind == "date":
        return _dates_compatible(a.key, b.key)
    if kind == "quote":
        return _quotes_compatible(a.key, b.key)
    if kind == "entity":
        return names_compatible(a.key, b.key)
    if kind == "attribution":
        ra, _, na = a.key.partition(":")
        rb, _, nb = b.key.partition(":")
        if names_compatible(na, nb):
            return True  # same source, whatever the verb ("told Izvestia" ~ "reported by Izvestia")
        if _ROLE_GROUP.get(ra, ra) == _ROLE_GROUP.get(rb, rb):
            return False  # same role, another name
        return None
    return None
