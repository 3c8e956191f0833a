"""Unit rules: the same thing with another value (a number, duration, fraction, date or quote), or a
value, outlet, speaker or name no version states."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..align import ALIGN_MIN
from ..featurize.terms import STOP, norm_word, rarity, stem
from ..featurize.units.compare import MEASURE, rel_level
from ..featurize.units.lexicon import CURRENCY_UNITS, UNIT_LEX
from ..featurize.units.numbers import TEMPERATURE_UNITS, value_range
from ..records import Unit
from .checks import DEMONYM
from .findings import TIME_UNITS, Finding, compat, named_in_pool, quoted, version_name
from .index import PoolIndex
from .inputs import ClaimInput

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


_SCALE_AFTER = re.compile(r"(?i:[ \u00a0]+(?:celsius|fahrenheit|centigrade)(?![^\W_]))")


def unit_phrase(text: str, u: Unit) -> str:
    """The unit with the noun it counts, as the sentence words it: "45-day truce", "a quarter of Ukraine's
    territory", "90-minute phone call"."""
    i = text.find(u.text)
    if i < 0 or u.kind != "number":
        return u.text
    end = i + len(u.text)
    if u.unit in TEMPERATURE_UNITS:  # "minus 10 degrees", "82 degrees Fahrenheit"
        m = _SCALE_AFTER.match(text, end)
        return text[i : m.end()] if m else u.text
    if value_range(u) or u.unit in MEASURE or u.unit == "percentage point":
        return u.text  # "hundreds of residents", "5 km", "2 percentage points": it names what it measures
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
    """The kind of a unit, as a reason names it: duration, fraction, percentage, amount, age, multiple ("doubled"),
    date, quote, number."""
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
    if u.unit in CURRENCY_UNITS:
        return "amount"
    if u.unit == "age":
        return "age"
    if u.unit == "fold":
        return "multiple"
    if (u.unit or "").startswith("rank "):
        return "rank"
    if u.unit == "tally":
        return "tally"
    if u.unit in TEMPERATURE_UNITS:
        return "temperature"
    return "number"


def _vague_one(u: Unit) -> bool:
    """ "a month", "a year": a single unit written with an article, too vague to be claimed as new."""
    return u.value == 1.0 and bool(re.match(r"(?i)(?:\w+\s+)*?an?\s", u.text + " "))


_RATE_RE = re.compile(r"(?i)(?:an?|per|each|every)\s")
_COUNT_BEFORE_RE = re.compile(r"(?i)(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|"
                              r"thirty|forty|fifty|hundred|thousand|million|dozens?|hundreds|thousands)\b)")


def _rate(claim: ClaimInput, u: Unit) -> bool:
    """ "2,000 sit-ups a day", "three meals per day": the unit divides a count (a rate), it is no duration."""
    if not _RATE_RE.match(u.text):
        return False
    lead = claim.text[max(0, u.start - claim.start - 40) : u.start - claim.start]
    return bool(_COUNT_BEFORE_RE.search(lead))


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
    return _word_after(text, i + len(u.text)) if i >= 0 else ""


def _word_after(text: str, end: int) -> str:
    m = _CTX_WORD.search(text, end)
    return m.group().lower() if m else ""


def unit_conflict(claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int]) -> Finding | None:
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
            if _not_a_figure(claim, u) or _rate(claim, u) or _number_stated(u, ctx, index, sims):
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
                elif u.unit == "tally":  # a game report has many: a run, a record, the final score
                    ok = same and sims[i] >= ALIGN_MIN
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


_RECENTLY_RE = re.compile(r"(?i)(?<![^\W_])recently(?![^\W_])")


def relative_date_moved(claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int]) -> Finding | None:
    """A date weeks, months or years back ("several years ago", "last month") where the aligned sentence
    dates the same thing days back ("on Tuesday", "yesterday", "this week"; "recently" against a year or
    more) and states no other date: ``contradicted``, naming both. Where no version states a date that
    could be it (an absolute date, or a relative one as far back), ``unsupported``. Relative dates are
    otherwise compared only with relative dates of the same unit ("last week" with "two weeks ago")."""
    best = near[0] if near else -1
    # A claim dating something days back too: the aligned sentence's near date may date that.
    own_near = any((x := rel_level(v)) is not None and x[0] < 2 for v in claim.units if v.kind == "date")
    for u in claim.units:
        lv = rel_level(u) if u.kind == "date" else None
        if lv is None or not lv[1] or lv[0] < 2:
            continue
        if any(compat(u, v) for v in index.dates) or u.text.lower() in index.lower:
            continue
        for i in [] if own_near else near:
            if not (sims[i] >= RULE_MIN or (i == best and sims[i] >= ALIGN_MIN)):
                break
            e = index.pool[i]
            dates = [v for v in e.units if v.kind == "date"]
            levels = [rel_level(v) for v in dates]
            if any(x is None or x[0] >= 2 for x in levels):
                continue  # another date there: the near one may date another event
            anchor = next((v.text for v, x in zip(dates, levels, strict=True) if x is not None), None)
            if anchor is None and lv[0] == 3:
                m = _RECENTLY_RE.search(e.text)
                anchor = m.group(0) if m else None
            if anchor is not None:
                return Finding(
                    "contradicted",
                    "date",
                    f"date changed: {quoted(u.text)} here; {version_name(e)} says {quoted(anchor)}",
                    i,
                    rule="relative_date_moved",
                )
        stated = False
        for v in index.dates:
            x = rel_level(v)
            if (x is None and "rel:" not in v.key and not v.key.startswith("time:")) or (x is not None and x[0] >= lv[0]):
                stated = True  # an absolute date may be that far back; a relative one as far back may be it
                break
        if not stated:
            return Finding(
                "unsupported",
                "date",
                f"date {quoted(u.text)} appears in no other version",
                rule="relative_date_moved",
            )
    return None


def _ranks(units: tuple[Unit, ...] | list[Unit]) -> list[Unit]:
    return [u for u in units if u.kind == "number" and (u.unit or "").startswith("rank ")]


def _superlative_phrase(text: str, s: int, e: int) -> str:
    """A bare superlative with the noun it ranks ("largest city"), as :func:`unit_phrase` words a unit."""
    return unit_phrase(text, Unit(kind="number", text=text[s:e], start=s, end=e, key="", value=1.0, unit="rank"))


def _restated(mine: str, same_kind: list[str], other_kind: list[str]) -> bool:
    """Whether the claim's superlative or rank (followed by the word ``mine``) restates a sentence's value of
    the other form (those followed by ``same_kind`` words), not its value of the same form (``other_kind``):
    by the word after it ("largest city" is "second-largest city", not "largest station"), else when the
    sentence has only the other form."""
    if mine and (mine in same_kind or mine in other_kind):
        return mine in same_kind and mine not in other_kind
    return bool(same_kind) and not other_kind


def rank_changed(claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int]) -> Finding | None:
    """A rank an aligned sentence states otherwise: "the largest city" where it says "the second-largest
    city", or "the second-largest" where it says "the largest" (``featurize.units.ranks``). Two ranks with
    ordinals are compared by :func:`unit_conflict`. When a sentence has both forms of the same superlative
    ("the second-largest city has the largest station"), the word after it tells which the claim restates;
    without that word the sentence is left alone."""
    from ..featurize.units import bare_superlatives

    best = near[0] if near else -1
    mine_bare = bare_superlatives(claim.text)
    mine_ranked = [u for u in _ranks(claim.units) if not any(compat(u, p) for p in index.all_numbers)]
    if not (mine_bare or mine_ranked):
        return None
    for i in near:
        if not (sims[i] >= RULE_MIN or (i == best and sims[i] >= ALIGN_MIN)):
            continue
        ev = index.pool[i]
        ranked = [(v, _next_word(ev.text, v)) for v in _ranks(ev.units)]
        bare = [(s, e, dim, _word_after(ev.text, e)) for s, e, dim in bare_superlatives(ev.text)]
        for s, e, dim in mine_bare:
            mine = _word_after(claim.text, e)
            theirs = [(v, w) for v, w in ranked if v.unit == f"rank {dim}"]
            plain = [w for _s, _e, d, w in bare if d == dim]
            if theirs and _restated(mine, [w for _v, w in theirs], plain):
                v = next((v for v, w in theirs if w == mine), theirs[0][0])
                return Finding(
                    "contradicted",
                    "number",
                    f"rank changed: {quoted(_superlative_phrase(claim.text, s, e))} here; {version_name(ev)} says "
                    f"{quoted(unit_phrase(ev.text, v))}",
                    i,
                    rule="unit_conflict",
                )
        for u in mine_ranked:
            mine = _next_word(claim.text, u)
            theirs_bare = [(bs, be, w) for bs, be, d, w in bare if f"rank {d}" == u.unit]
            same = [w for v, w in ranked if v.unit == u.unit]
            if theirs_bare and _restated(mine, [w for _s, _e, w in theirs_bare], same):
                bs, be, _w = next((b for b in theirs_bare if b[2] == mine), theirs_bare[0])
                return Finding(
                    "contradicted",
                    "number",
                    f"rank changed: {quoted(unit_phrase(claim.text, u))} here; {version_name(ev)} says "
                    f"{quoted(_superlative_phrase(ev.text, bs, be))}",
                    i,
                    rule="unit_conflict",
                )
    return None


def _value_mentioned(u: Unit, index: PoolIndex) -> bool:
    """The figure of ``u`` is in some version, whatever it counts ("68 - year" and "68-year-old", "2 - 0"
    and "2-0"): then it is not "in no other version" (a different unit is for ``_unit_conflict``)."""
    digits = re.findall(r"\d+(?:[.,]\d+)*", u.text)
    if u.unit == "tally":
        return all(index.says(d) for d in digits)  # both counts ("52 to 48": a "48" elsewhere is not the tally)
    if any(p.value is not None and abs(p.value - (u.value or 0.0)) < 1e-9 for p in index.all_numbers):
        return True
    return any(index.says(d) for d in digits)


# Arithmetic a rewrite does: "186 people aboard" for "180 passengers and six crew", "rose seven points to 62
# percent" for "62 percent, up from 55". Only for a figure no version states (never against an aligned
# sentence's other value: that is a change), only inside one sentence of few figures, and only a sum of two
# different things counted (passengers and crew) of ten or more, or a difference of two percentages in points:
# a changed small count is too often the sum of some two others.
_ARITH_MAX_FIGURES = 4
_ARITH_MIN_SUM = 10
_POINTS = frozenset({"point", "percentage point"})


def _sum_or_difference(u: Unit, index: PoolIndex) -> bool:
    """Is ``u`` the sum of counts of two different things, or the difference in points of two percentages, of
    one version's sentence?"""
    if u.value is None:
        return False
    target = u.value
    as_sum = bool(u.unit) and u.unit != "tally" and u.unit not in UNIT_LEX and target >= _ARITH_MIN_SUM
    as_points = u.unit in _POINTS
    if not (as_sum or as_points):
        return False
    for nums in index.numbers:
        vals = [(v.value, v.unit) for v in nums if v.value is not None and v.value > 0]
        if not 2 <= len(vals) <= _ARITH_MAX_FIGURES:
            continue
        for k, (a, ua) in enumerate(vals):
            for b, ub in vals[k + 1 :]:
                counts = bool(ua) and bool(ub) and ua != ub and ua not in UNIT_LEX and ub not in UNIT_LEX
                if as_sum and counts and abs(a + b - target) < 1e-9:
                    return True
                if as_points and ua == ub == "percent" and abs(abs(a - b) - target) < 1e-9:
                    return True
    return False


def _not_a_figure(claim: ClaimInput, u: Unit) -> bool:
    """A citation mark ("[32]") or a digit group cut from a figure ("086" of "1 086,00")."""
    i = u.start - claim.start
    around = claim.text[max(0, i - 1) : i] + claim.text[i + len(u.text) : i + len(u.text) + 1]
    return around == "[]" or bool(re.match(r"0\d", u.text))


def unit_unstated(claim: ClaimInput, index: PoolIndex) -> Finding | None:
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
            if _sum_or_difference(u, index):
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
            if any(compat(u, v) for v in index.quotes) or index.says(u.key):
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

    if key in index.entities or key in index.attributions or index.says(key):
        return True
    if len(key.split()) > 1 and all(index.says(t) or t in index.entities for t in key.split()):
        return True  # "London Russian" (a name run of "the London Russian embassy"): each word is known
    return any(names_compatible(key, k) for k in index.entities)


def name_unstated(claim: ClaimInput, index: PoolIndex) -> Finding | None:
    """An outlet or recipient ("confirmed to CNN", "told TASS"), a speaker, or a full name ("Mark Rutte")
    that no version names."""
    for u in claim.units:
        if u.kind != "attribution":
            continue
        role, _, who = u.key.partition(":")
        if (role in _OUTLET_ROLES or role == "said") and not named_in_pool(who, index):
            m = re.search(re.escape(who), claim.text, re.I)
            name = m.group() if m else who
            # "according to" names a person as often as an outlet ("according to health minister Anna Borg")
            what = {"said": "speaker", "according_to": "source"}.get(role, "outlet")
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
