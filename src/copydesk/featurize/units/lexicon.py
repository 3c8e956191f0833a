"""Word lists, shared regexes and small helpers of the unit extractors (no extractor here)."""

from __future__ import annotations

import re

from copydesk.records import Unit

_UP = "".join(
    ch
    for ch in map(chr, [*range(0x41, 0x250), *range(0x386, 0x3AC), *range(0x400, 0x530)])
    if ch.isalpha() and ch.isupper()
)


UPC = f"[{_UP}]"


# The one list of month names (the date patterns and the claim checks derive theirs from it).
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Month words -> month number: the names, then their three-letter abbreviations and "sept".
MONTHS: dict[str, int] = {m: n for n, m in enumerate(MONTH_NAMES, 1)}
for _n, _m in enumerate(MONTH_NAMES, 1):
    if _m != "may":
        MONTHS[_m[:3]] = _n
    if _m == "september":
        MONTHS["sept"] = _n


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Weekday words -> ISO weekday (Monday = 1): the names, then the abbreviations.
WEEKDAYS: dict[str, int] = {d: n for n, d in enumerate(WEEKDAY_NAMES, 1)} | {
    "tue": 2,
    "tues": 2,
    "wed": 3,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "fri": 5,
}


SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "dozen": 12,
}


# Canonical units. Anything not here that follows a number is a counted noun.
# The canonical currency units (UNIT_LEX and the currency symbols map to these).
CURRENCY_UNITS = frozenset("dollar euro pound yen yuan rupee ruble hryvnia franc shekel".split())

UNIT_LEX: dict[str, str] = {}
for _canon, _forms in {
    "second": "second seconds sec secs",
    "minute": "minute minutes min mins",
    "hour": "hour hours hr hrs",
    "day": "day days",
    "week": "week weeks",
    "month": "month months",
    "year": "year years yr yrs",
    "decade": "decade decades",
    "century": "century centuries",
    "percent": "percent pct",
    "dollar": "dollar dollars",
    "euro": "euro euros",
    "pound": "pound pounds lb lbs",
    "yen": "yen",
    "yuan": "yuan renminbi",
    "rupee": "rupee rupees",
    "ruble": "ruble rubles rouble roubles",
    "hryvnia": "hryvnia hryvnias",
    "franc": "franc francs",
    "shekel": "shekel shekels",
    "km": "km kilometre kilometres kilometer kilometers",
    "mile": "mile miles",
    "metre": "metre metres meter meters",
    "cm": "cm centimetre centimetres centimeter centimeters",
    "mm": "mm millimetre millimetres millimeter millimeters",
    "foot": "foot feet ft",
    "inch": "inch inches",
    "kg": "kg kilogram kilograms kilo kilos",
    "gram": "gram grams",
    "tonne": "tonne tonnes ton tons",
    "litre": "litre litres liter liters",
    "gallon": "gallon gallons",
    "acre": "acre acres",
    "hectare": "hectare hectares ha",
    "mph": "mph",
    "km/h": "kph km/h",
    "degree": "degree degrees",
    "mw": "mw megawatt megawatts",
    "gw": "gw gigawatt gigawatts",
    "kw": "kw kilowatt kilowatts",
}.items():
    for _f in _forms.split():
        UNIT_LEX[_f] = _canon


# Capitalised words that are not names when they open a sentence (or stand alone).
STOP = frozenset(
    """
a an the this that these those there here it its it's i we you he she they me him her us them
my your his our their what which who whom whose when where why how whatever whoever whichever
and or but nor so yet for if then than though although while whilst as because since unless
until after before during despite amid amidst among amongst within without with from into onto
upon about above below under over through throughout across along around behind beyond between
toward towards against at by in on of off out up down to via per not no yes all any both each
either neither every few many more most much other others several some such only own same too
very just also still even already again once ever never always often sometimes usually perhaps
maybe however meanwhile moreover furthermore nevertheless nonetheless therefore thus hence
instead indeed otherwise overall finally first second third next last later earlier today
yesterday tomorrow now thereafter afterwards accordingly additionally likewise similarly
conversely besides regardless notwithstanding whereas whether according following including
regarding concerning considering given is are was were be been being am do does did done has
have had having will would shall should can could may might must let one ones someone anyone
everyone nobody somebody anybody everybody something anything everything nothing none
speaking asked like unlike once where's there's that's what's let's unfortunately fortunately
recently currently notably amidst inside outside near beside beneath ahead whereby eventually
dear hello please thanks thank okay ok oh well mr mrs ms dr
""".split()
)


WS = r"[ \u00a0]"


CUR_BACK_RE = re.compile(
    r"(?:(?P<c>(?:US|A|C|NZ|HK|S)\$|[$£€¥₹₽₴₪])|(?<![^\W_])(?P<code>USD|EUR|GBP|JPY|CNY|RUB|CHF|"
    r"INR|UAH)[ \u00a0]?)[ \u00a0]?$"
)


FRAC_DEN = r"half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?"


SCALE_WORD_RE = re.compile(rf"{WS}?(thousand|million|billion|trillion)\b", re.I)


PCT_RE = re.compile(
    rf"{WS}?(?:(%)|(?i:(percent|per{WS}cent|pct)\b)|(?i:(percentage{WS}points?|"
    rf"basis{WS}points?)\b))"
)


NEXT_WORD_RE = re.compile(rf"({WS}+|{WS}?-{WS}?)([A-Za-z][A-Za-z/]*)")


# Cheap substring gates: skip a regex scan when its trigger words are absent.
DIGIT_RE = re.compile(r"\d")


# A capitalised token: acronym with dots, an abbreviated title, or a word (letters/digits,
# with inner apostrophes or hyphens only before another capital: O'Brien, Trump-Putin).
CAP_TOKEN = (
    rf"(?:(?:[A-Z]\.){{2,}}|[A-Z]\.(?=[ \u00a0][A-Z])|(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Mt|Adm|"
    rf"Rev|Pres|Const|Supt|Det|Insp)\.|{UPC}[^\W_]*(?:[’'-]{UPC}[^\W_]*)*)"
)


CONN = r"(?:of(?:[ \u00a0]the)?|de(?:[ \u00a0]la)?|van(?:[ \u00a0]der|[ \u00a0]den)?|von|da|del|della|der|du|dos|das|bin|ibn|al|el|la|le)"


RUN_RE = re.compile(
    rf"(?<![^\W_’'.-]){CAP_TOKEN}(?:{WS}(?:{CONN}{WS})?{CAP_TOKEN})*"
    rf"(?P<poss>[’']s(?![^\W_])|(?<=s)[’'](?![^\W_]))?"
)


RUN_TOKEN_RE = re.compile(rf"{CAP_TOKEN}|[a-z]+(?:[ \u00a0](?:the|la|der|den))?")


def fmt(value: float) -> str:
    """Stable number key text: integers without a fraction, else 6 significant digits."""
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return str(int(round(value)))
    return f"{value:.6g}"


def make_unit(
    kind: str,
    text: str,
    s: int,
    e: int,
    offset: int,
    key: str,
    value: float | None = None,
    unit: str | None = None,
) -> Unit:
    return Unit(kind=kind, text=text[s:e], start=offset + s, end=offset + e, key=key, value=value, unit=unit)


def singular(word: str) -> str:
    w = word.lower()
    if w in ("people", "persons", "person"):
        return "people"
    irregular = {
        "children": "child",
        "men": "man",
        "women": "woman",
        "feet": "foot",
        "teeth": "tooth",
        "mice": "mouse",
        "geese": "goose",
        "lives": "life",
        "wives": "wife",
        "knives": "knife",
        "halves": "half",
        "aircraft": "aircraft",
    }
    if w in irregular:
        return irregular[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


# Speakers named only as a group ("police said", "according to prosecutors"): the group each word belongs to.
# A rewrite that gives a statement to another group ("prosecutors said" for "police said") changed who said
# it. The broad ones ("officials", "authorities", "sources", "investigators") may be any of them: never a change.
SPEAKER_GROUPS = {
    "police": "police", "officers": "police", "detectives": "police", "troopers": "police", "deputies": "police",
    "prosecutors": "prosecutors", "prosecution": "prosecutors",
    "lawyers": "lawyers", "attorneys": "lawyers", "defence": "lawyers", "defense": "lawyers",
    "doctors": "doctors", "physicians": "doctors", "medics": "doctors", "paramedics": "doctors", "nurses": "nurses",
    "witnesses": "witnesses", "bystanders": "witnesses", "onlookers": "witnesses",
    "residents": "residents", "neighbours": "residents", "neighbors": "residents", "locals": "residents",
    "scientists": "scientists", "researchers": "scientists",
    "economists": "economists", "analysts": "analysts",
    "critics": "critics", "opponents": "critics", "supporters": "supporters",
    "firefighters": "firefighters", "rescuers": "rescuers",
    "protesters": "protesters", "demonstrators": "protesters", "activists": "activists",
    "organisers": "organisers", "organizers": "organisers",
    "teachers": "teachers", "students": "students", "parents": "parents",
    "diplomats": "diplomats", "lawmakers": "lawmakers", "legislators": "lawmakers", "senators": "lawmakers",
    "soldiers": "military", "military": "military", "troops": "military",
    "officials": "", "authorities": "", "sources": "", "investigators": "", "experts": "", "observers": "",
    "people": "", "reports": "", "insiders": "",
}
