"""Checkable units: numbers, dates, quotes, attributions and entities, with spans.

Every extractor returns :class:`~copydesk.records.Unit` records whose ``key`` is a
normalised form: a rewrite that keeps a fact yields the same key ("a fifth",
"twenty percent", "20%" -> ``20|percent``), a rewrite that changes it yields a
different one. :func:`compatible` compares two units of the same kind more
loosely (rounding, shortened quotes, less specific dates, surname-only names).

Pure Python + ``re`` (plus a cached ``wordfreq`` lookup for word rarity); no model,
no spaCy. Spans are ``offset + position in text``.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import re
from functools import lru_cache

from wordfreq import zipf_frequency

from copydesk.records import Unit

__all__ = [
    "compatible",
    "entity_weights",
    "extract_attributions",
    "extract_dates",
    "extract_entities",
    "extract_numbers",
    "extract_numbers_and_dates",
    "extract_quotes",
    "extract_units",
]

# --------------------------------------------------------------------------- lexicons

_UP = "".join(
    ch
    for ch in map(chr, [*range(0x41, 0x250), *range(0x386, 0x3AC), *range(0x400, 0x530)])
    if ch.isalpha() and ch.isupper()
)
_UPC = f"[{_UP}]"

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS: dict[str, int] = {  # ISO: Monday = 1
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
    "tue": 2,
    "tues": 2,
    "wed": 3,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "fri": 5,
}
# Northern-hemisphere seasons (news copy is overwhelmingly written that way).
_SEASONS: dict[str, frozenset[int]] = {
    "winter": frozenset({12, 1, 2}),
    "spring": frozenset({3, 4, 5}),
    "summer": frozenset({6, 7, 8}),
    "autumn": frozenset({9, 10, 11}),
}
_QUAL = {"last": "last", "past": "last", "previous": "last", "this": "this", "next": "next", "coming": "next"}

_SMALL = {
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
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
_DENOM = {
    "half": 2,
    "halve": 2,
    "third": 3,
    "quarter": 4,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}

# Canonical units. Anything not here that follows a number is a counted noun.
_UNIT_LEX: dict[str, str] = {}
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
        _UNIT_LEX[_f] = _canon
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
_COUNT_NOUNS = frozenset(
    """
people persons person troops soldiers workers employees jobs homes houses cases deaths votes
residents children men women students refugees migrants prisoners civilians cars vehicles
passengers members officers fighters casualties patients tanks drones missiles aircraft
""".split()
)

_COUNTRIES = frozenset(
    """
afghanistan albania algeria argentina armenia australia austria azerbaijan bahrain bangladesh
belarus belgium bolivia bosnia brazil bulgaria cambodia cameroon canada chad chile china
colombia congo croatia cuba cyprus czechia denmark ecuador egypt england estonia ethiopia
europe finland france gaza georgia germany ghana greece guatemala haiti honduras hungary
iceland india indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya
kosovo kuwait kyrgyzstan laos latvia lebanon libya lithuania luxembourg madagascar malaysia mali
malta mexico moldova mongolia montenegro morocco mozambique myanmar namibia nepal netherlands
nicaragua niger nigeria norway oman pakistan palestine panama paraguay peru philippines poland
portugal qatar romania russia rwanda scotland senegal serbia singapore slovakia slovenia somalia
spain sudan sweden switzerland syria taiwan tajikistan tanzania thailand tunisia turkey
turkmenistan uganda ukraine uruguay uzbekistan venezuela vietnam wales yemen zambia zimbabwe
crimea donbas kyiv kiev moscow beijing washington london paris berlin tokyo brussels
jerusalem tehran damascus baghdad kabul ankara warsaw minsk kursk kharkiv odesa mariupol
us uk un eu uae ussr nato
""".split()
)
_DEMONYMS: dict[str, str] = {
    "american": "us",
    "british": "uk",
    "russian": "russia",
    "ukrainian": "ukraine",
    "chinese": "china",
    "french": "france",
    "german": "germany",
    "italian": "italy",
    "spanish": "spain",
    "japanese": "japan",
    "indian": "india",
    "israeli": "israel",
    "palestinian": "palestine",
    "iranian": "iran",
    "iraqi": "iraq",
    "syrian": "syria",
    "turkish": "turkey",
    "polish": "poland",
    "canadian": "canada",
    "mexican": "mexico",
    "brazilian": "brazil",
    "australian": "australia",
    "european": "europe",
    "saudi": "saudi arabia",
    "egyptian": "egypt",
    "afghan": "afghanistan",
    "pakistani": "pakistan",
    "belarusian": "belarus",
    "georgian": "georgia",
    "dutch": "netherlands",
    "swedish": "sweden",
    "finnish": "finland",
    "norwegian": "norway",
    "danish": "denmark",
    "greek": "greece",
    "hungarian": "hungary",
    "romanian": "romania",
    "lebanese": "lebanon",
    "jordanian": "jordan",
    "qatari": "qatar",
    "emirati": "uae",
    "yemeni": "yemen",
    "nigerian": "nigeria",
    "kenyan": "kenya",
    "ethiopian": "ethiopia",
    "venezuelan": "venezuela",
    "colombian": "colombia",
    "argentine": "argentina",
    "argentinian": "argentina",
    "chilean": "chile",
    "cuban": "cuba",
    "irish": "ireland",
    "scottish": "scotland",
    "welsh": "wales",
    "swiss": "switzerland",
    "austrian": "austria",
    "belgian": "belgium",
    "czech": "czechia",
    "serbian": "serbia",
    "croatian": "croatia",
    "estonian": "estonia",
    "latvian": "latvia",
    "lithuanian": "lithuania",
    "moldovan": "moldova",
    "armenian": "armenia",
    "azerbaijani": "azerbaijan",
    "vietnamese": "vietnam",
    "thai": "thailand",
    "filipino": "philippines",
    "indonesian": "indonesia",
    "taiwanese": "taiwan",
    "soviet": "ussr",
    "crimean": "crimea",
    "north korean": "north korea",
    "south korean": "south korea",
    "south african": "south africa",
}
_ALIASES: dict[str, str] = {
    "u.s.": "us",
    "u.s": "us",
    "us": "us",
    "usa": "us",
    "u.s.a.": "us",
    "united states": "us",
    "united states of america": "us",
    "america": "us",
    "u.k.": "uk",
    "uk": "uk",
    "united kingdom": "uk",
    "britain": "uk",
    "great britain": "uk",
    "u.n.": "un",
    "un": "un",
    "united nations": "un",
    "e.u.": "eu",
    "eu": "eu",
    "european union": "eu",
    "united arab emirates": "uae",
    "dprk": "north korea",
    "soviet union": "ussr",
    "russian federation": "russia",
    "kiev": "kyiv",
    "czech republic": "czechia",
}
_GAZ = _COUNTRIES | frozenset(_ALIASES) | frozenset(_DEMONYMS)
# All-caps tokens that are never entities (clock times, time zones, mail headers).
_CAPS_JUNK = frozenset(
    {
        "AM",
        "PM",
        "A.M.",
        "P.M.",
        "ET",
        "EST",
        "EDT",
        "PT",
        "PST",
        "PDT",
        "CT",
        "CST",
        "GMT",
        "BST",
        "UTC",
        "CET",
        "RE",
        "FW",
        "FWD",
        "OK",
        "TV",
    }
)
# Acronyms that spell a common word.
_CAPS_ACRONYMS = frozenset(
    {
        "WHO",
        "IT",
        "AI",
        "ICE",
        "CAT",
        "AIDS",
        "OPEC",
        "NICE",
        "CARE",
        "NOW",
        "NASDAQ",
        "UNICEF",
        "UNESCO",
        "NAFTA",
        "FIFA",
        "INTERPOL",
    }
)

# Title words: a run of these containing a core title, followed by a name, is dropped
# from the entity ("Deputy Foreign Minister Alexander Grushko" -> "alexander grushko").
_TITLE_CORE = frozenset(
    """
president president-elect vice-president minister secretary secretary-general chancellor premier
governor senator sen representative rep congressman congresswoman mayor ambassador envoy adviser
advisor spokesman spokeswoman spokesperson king queen prince princess pope judge director
chairman chairwoman chair ceo cfo coo commissioner mr mrs ms dr prof professor sir dame lord lady
coach captain capt col colonel lt lieutenant sgt sergeant adm admiral gen marshal speaker leader
sheikh ayatollah rabbi bishop archbishop cardinal detective inspector superintendent chief
attorney emir sultan officer dean rev pres const constable supt det insp sheriff manager
""".split()
)
_TITLE_MOD = frozenset(
    """
deputy vice foreign prime defense defence interior finance home health education energy trade
economy acting former senior assistant associate executive first crown supreme general state
majority minority senate house special national security press presidential army navy grand
high head interim police fire district county
""".split()
)
_TITLE_ANY = _TITLE_CORE | _TITLE_MOD

# Capitalised words that are not names when they open a sentence (or stand alone).
_STOP = frozenset(
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
# First words of multi-word names that are also common words ("New York", "North Korea").
_NAME_PREFIX = frozenset(
    """
new north south east west united saint san santa los las el la le great upper lower central
northern southern eastern western old royal grand red white black green
""".split()
)
# After a sentence-initial capitalised word, these suggest it is a subject name ("Trump has").
_RESCUE_NEXT = frozenset(
    """
has had have is was will would could can said says told claims claimed insists insisted argues
argued added stated warned announced confirmed denied accused also did does
""".split()
)
_SPEECH_VERBS = (
    "said|says|told|tells|stated|states|added|adds|emphasi[sz]ed|emphasi[sz]es|stressed|asserted|"
    "insisted|insists|claimed|claims|noted|notes|confirmed|confirms|announced|announces|warned|"
    "warns|explained|argued|argues|wrote|writes|tweeted|declared|reiterated|acknowledged|admitted|"
    "denied|alleged|alleges|suggested|indicated|remarked|commented|replied|responded|concluded|"
    "revealed|disclosed|maintained|contended|testified|cautioned|predicted|promised|vowed"
)

# --------------------------------------------------------------------------- regexes

_WS = r"[ \u00a0]"
_HEDGE_RE = re.compile(
    r"(?i:(?<![^\W_])(?P<h>about|approximately|approx\.|around|roughly|nearly|almost|some|"
    r"close\s+to|more\s+than|over|well\s+over|just\s+over|less\s+than|under|just\s+under|"
    r"fewer\s+than|at\s+least|at\s+most|up\s+to|as\s+many\s+as|as\s+much\s+as|"
    r"an\s+estimated|estimated|upwards\s+of|aged)\s+|~\s?)$"
)
_HEDGE_LOWER = ("more", "over", "well over", "just over", "at least", "upwards")
_HEDGE_UPPER = (
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
_CUR_BACK_RE = re.compile(
    r"(?:(?P<c>(?:US|A|C|NZ|HK|S)\$|[$£€¥₹₽₴₪])|(?<![^\W_])(?P<code>USD|EUR|GBP|JPY|CNY|RUB|CHF|"
    r"INR|UAH)[ \u00a0]?)[ \u00a0]?$"
)
_NUM_WORD = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|trillion|dozen"
)
_FRAC_DEN = r"half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?"
_NUM_WORDS_RE = re.compile(
    rf"(?P<frac>(?i:(?<![^\W_])(?:(?P<fn>a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    rf"\d{{1,2}})(?P<fsep>[ \u00a0]+|-))?(?P<fd>{_FRAC_DEN})(?![^\W_])))"
    rf"|(?P<words>(?i:(?<![^\W_])(?:(?:a|an)[ \u00a0]+(?=(?:hundred|thousand|million|billion|"
    rf"trillion|dozen)\b))?(?:{_NUM_WORD})(?:(?:(?:(?<=hundred)|(?<=thousand)|(?<=million)|"
    rf"(?<=billion))[ \u00a0]+and[ \u00a0]+|[ \u00a0]+|-)(?:{_NUM_WORD}))*(?![^\W_])))"
)
_NUM_DIGITS_RE = re.compile(r"(?P<dig>(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")
_WORD_TOKEN_RE = re.compile(r"[A-Za-z]+")
_AND_HALF_RE = re.compile(rf"{_WS}+and{_WS}+a{_WS}+half\b", re.I)
_SCALE_WORD_RE = re.compile(rf"{_WS}?(thousand|million|billion|trillion)\b", re.I)
_SCALE_ABBR_RE = re.compile(r"(mn|bn|tn|Bn|BN|m|M|b|B|k|K)(?![^\W_])")
_ATTACHED_UNIT_RE = re.compile(r"(km/h|km|kg|mph|kph|mm|cm|ft|lbs|lb|mw|MW|GW|kW|ha)(?![^\W_])")
_PCT_RE = re.compile(
    rf"{_WS}?(?:(%)|(?i:(percent|per{_WS}cent|pct)\b)|(?i:(percentage{_WS}points?|"
    rf"basis{_WS}points?)\b))"
)
_AGE_RE = re.compile(r"(?:-|\s)years?(?:-|\s)old(?![^\W_])", re.I)
_DEGREE_RE = re.compile(rf"{_WS}?°{_WS}?([CF])(?![^\W_])")
_CURWORD_RE = re.compile(
    rf"{_WS}+(?:(?:US|U\.S\.|American|Canadian|Australian|Hong{_WS}Kong|Singapore){_WS}+)?"
    r"(dollars?|euros?|pounds?(?:[ \u00a0]sterling)?|yen|yuan|renminbi|rupees?|rubles?|roubles?|"
    r"francs?|hryvnias?|shekels?)(?![^\W_])",
    re.I,
)
_NEXT_WORD_RE = re.compile(rf"({_WS}+|{_WS}?-{_WS}?)([A-Za-z][A-Za-z/]*)")
_SPACE_CAP_RE = re.compile(rf"{_WS}{_UPC}")
_YEAR_PREP_RE = re.compile(r"(?i:\b(?:in|since|of|from|until|by|before|after)\s+)$")
_FRAC_FOLLOW_RE = re.compile(r"(?i:[ \u00a0]+(?:of|the|a|an|his|her|its|their|our|all)\b)")
_HALF_BEFORE_RE = re.compile(r"(?:first|second|last|other|the|latter|former|this|that|each|either|and)\s+$")
_WORD_BEFORE_RE = re.compile(r"[^\W\d_]+$")
_RANGE_GAP_RE = re.compile(r"[ \u00a0]*(?:-|–|—|to|and|or)[ \u00a0]*")
_FRAC_WORD_RE = re.compile(rf"(?i:\b(?:{_FRAC_DEN})\b)")
_HEDGE_FRONT_RE = re.compile(
    r"(?i:(about|approximately|approx\.|around|roughly|nearly|almost|some|close to|more than|over|"
    r"well over|just over|less than|under|just under|fewer than|at least|at most|up to|as many as|"
    r"as much as|an estimated|estimated|upwards of)\b|~)"
)
_ORDINAL_RE = re.compile(r"(?:st|nd|rd|th)(?![^\W_])", re.I)
_URLISH_RE = re.compile(r"[/@]|www\.|\.(?:com|org|net|html?)\b")
_NUM_PRECISION_RE = re.compile(r"\d[\d,]*(?:\.(\d+))?")

_PRE = (
    r"(?:(?i:(?P<part>early|mid|late))[ \u00a0-]+)?"
    r"(?:(?i:(?P<q>last|this|next|past|coming|previous))[ \u00a0]+)?"
)
_MON_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MON_ABBR = "Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_YEAR = r"(?:1[89]|20)\d\d"
_MONTH_RE = re.compile(
    rf"(?<![^\W_]){_PRE}(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?{_WS}+(?:of{_WS}+)?)?"
    rf"(?P<mon>{_MON_FULL}|(?:{_MON_ABBR})(?P<dot>\.)?)(?![^\W_])"
    rf"(?:{_WS}+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:,.]\d|[^\W_]))?"
    rf"(?:,?{_WS}+(?:of{_WS}+)?(?P<y>{_YEAR})(?![^\W_]))?"
)
_SEASON_RE = re.compile(
    rf"(?<![^\W_]){_PRE}(?P<season>(?i:summer|winter|spring|autumn|fall))(?![^\W_])"
    rf"(?:{_WS}+(?:of{_WS}+)?(?P<y>{_YEAR})(?![^\W_]))?"
)
_SEASON_PREP_RE = re.compile(
    r"(?i:(?<![^\W_])(?:in|during|since|until|till|by|over|through|throughout|from|of|before|"
    r"after|this|that|the)[ \u00a0]+(?:the[ \u00a0]+)?)$"
)
_MAY_PREP_RE = re.compile(
    r"(?i:(?<![^\W_])(?:in|on|since|until|till|by|during|from|through|of|before|after|between|"
    r"and|early|late|mid|last|next|this|to)[ \u00a0-]+)$"
)
_WEEKDAY_RE = re.compile(
    rf"(?<![^\W_])(?:(?i:(?P<q>last|this|next|past|coming|previous)){_WS}+)?"
    r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Tues?\.|Wed\.|"
    r"Thu(?:rs?)?\.|Fri\.)(?![^\W_])"
)
_REL_RE = re.compile(
    r"(?i:(?<![^\W_])(?:(?P<r1>yesterday|today|tomorrow|tonight)"
    r"|(?:(?:earlier|later)[ \u00a0]+)?(?P<rq>last|this|next|past|coming|previous)[ \u00a0]+"
    r"(?:(?:few|couple[ \u00a0]+of)[ \u00a0]+)?(?P<ru>weekend|week|month|year|decade|night|morning|"
    r"afternoon|evening|days|weeks|months|years)"
    r"|(?P<an>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|"
    r"a[ \u00a0]+few|a[ \u00a0]+couple[ \u00a0]+of)[ \u00a0]+(?P<au>days?|weeks?|months?|years?|"
    r"decades?)[ \u00a0]+ago)(?![^\W_]))"
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
_TIME_AP_RE = re.compile(
    r"(?<![\w:.,])(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?[ \u00a0]?(?P<ap>(?i:a\.m\.|p\.m\.|am|pm))(?![^\W_])"
)
_TIME_24_RE = re.compile(r"(?<![\w:.,])(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?![\w:]|[.,]\d)")
# Cheap substring gates: skip a regex scan when its trigger words are absent.
_DIGIT_RE = re.compile(r"\d")
_MONTH_GATE = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASONS_GATE = ("summer", "winter", "spring", "autumn", "fall")
_WEEKDAY_GATE = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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
)
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
_FIELD_ORDER = ("year", "month", "day", "season", "weekday", "decade", "time", "rel", "part", "q")

_QUOTE_RES = (
    re.compile(r"“([^“”\n]{1,2000})”"),
    re.compile(r"«([^«»\n]{1,2000})»"),
    re.compile(r"(?<![\w\"])\"(?=[^\s\"])([^\"\n]{1,2000}?)(?<=\S)\"(?![^\W_])"),
)
_SQUOTE_RES = (
    re.compile(r"(?<![^\W_])‘(?=\S)([^‘\n]{1,600}?)(?<=\S)’(?![^\W_])"),
    re.compile(r"(?<![^\W_'])'(?=[A-Za-z])([^\n]{1,300}?)(?<=[^\s])'(?![^\W_])"),
)
_QTOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ELLIPSIS_RE = re.compile(r"…|\.\s?\.\s?\.")

# A capitalised token: acronym with dots, an abbreviated title, or a word (letters/digits,
# with inner apostrophes or hyphens only before another capital: O'Brien, Trump-Putin).
_CAP_TOKEN = (
    rf"(?:(?:[A-Z]\.){{2,}}|[A-Z]\.(?=[ \u00a0][A-Z])|(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Mt|Adm|"
    rf"Rev|Pres|Const|Supt|Det|Insp)\.|{_UPC}[^\W_]*(?:[’'-]{_UPC}[^\W_]*)*)"
)
_CONN = r"(?:of(?:[ \u00a0]the)?|de(?:[ \u00a0]la)?|van(?:[ \u00a0]der|[ \u00a0]den)?|von|da|del|della|der|du|dos|das|bin|ibn|al|el|la|le)"
_RUN_RE = re.compile(
    rf"(?<![^\W_’'.-]){_CAP_TOKEN}(?:{_WS}(?:{_CONN}{_WS})?{_CAP_TOKEN})*"
    rf"(?P<poss>[’']s(?![^\W_])|(?<=s)[’'](?![^\W_]))?"
)
_RUN_TOKEN_RE = re.compile(rf"{_CAP_TOKEN}|[a-z]+(?:[ \u00a0](?:the|la|der|den))?")
_LOWER_WORD_RE = re.compile(r"(?<![^\W_])[a-z][a-z’'-]*")
_LINE_RE = re.compile(r"[^\n]+")
_NEXT_LOWER_RE = re.compile(r"[ \u00a0]+([a-z]+)")
_LINE_WORD_RE = re.compile(r"[^\W\d_][\w’'-]*")
_SMALL_FUNC = frozenset("a an the of in on and or for to with at by as from vs is its it".split())
_OPENERS = " \t\r\u00a0“\"‘'(*[-–—•#>_"
_ABBR_END_RE = re.compile(
    r"(?:(?:[A-Z]\.){2,}|\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Mt|Adm|Rev|Pres|No|vs|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.)$"
)
_MORPH_RE = re.compile(r"(?:ly|ing|ed)$")

# Bounded (≤ 8 tokens) so a long capitalised run cannot make the speaker regexes quadratic.
_NAME_PHRASE = rf"{_CAP_TOKEN}(?:{_WS}(?:{_CONN}{_WS})?{_CAP_TOKEN}){{0,7}}"
_AUX = r"(?:(?:has|have|had|also|later|then|previously|again|repeatedly|recently|reportedly|further|publicly|once)[ \u00a0]+){0,2}"
_SPEAKER_RE = re.compile(
    rf"(?<![^\W_’'.-])(?P<name>{_NAME_PHRASE})(?:,[ \u00a0][^,;:.“”\"\n]{{2,80}},)?[ \u00a0]+{_AUX}"
    rf"(?P<verb>{_SPEECH_VERBS})(?![^\W_])"
)
_INVERTED_RE = re.compile(
    rf"(?:[,”\"][ \u00a0]*)(?P<verb>said|says|added|asked|wrote|told|explained|noted|continued|"
    rf"insisted|stated|declared|warned)[ \u00a0]+(?P<name>(?:(?:the|a|an)[ \u00a0]+)?"
    rf"(?:(?:[a-z]+|{_CAP_TOKEN})[ \u00a0]+){{0,4}}?{_NAME_PHRASE})(?<![\s.][A-Z])"
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
_ROLE_GROUP = {
    "said": "speaker",
    "according_to": "according",
    "told": "outlet",
    "confirmed_to": "outlet",
    "reported_by": "outlet",
    "interview": "outlet",
}


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _fmt(value: float) -> str:
    """Stable number key text: integers without a fraction, else 6 significant digits."""
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return str(int(round(value)))
    return f"{value:.6g}"


def _unit(
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


def _singular(word: str) -> str:
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


# --------------------------------------------------------------------------- dates


def _date_key(fields: dict[str, str]) -> str:
    return "|".join(f"{k}:{fields[k]}" for k in _FIELD_ORDER if k in fields)


def _date_candidates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    """All date matches (possibly overlapping) as (start, end, fields)."""
    out: list[tuple[int, int, dict[str, str]]] = []

    def qual(m: re.Match[str], f: dict[str, str]) -> None:
        if m.group("q"):
            f["q"] = _QUAL[m.group("q").lower()]
        if "part" in m.re.groupindex and m.group("part"):
            f["part"] = m.group("part").lower()

    tl = text.lower()
    digit = _DIGIT_RE.search(text) is not None
    for m in _ISO_RE.finditer(text) if digit and "-" in text else ():
        out.append((m.start(), m.end(), {"year": m["y"], "month": str(int(m["m"])), "day": str(int(m["d"]))}))
    for m in _MONTH_RE.finditer(text) if any(w in text for w in _MONTH_GATE) else ():
        mon = m["mon"].rstrip(".")
        day = m["d1"] or m["d2"]
        if day and not 1 <= int(day) <= 31:
            day = None
        anchored = bool(day or m["y"])
        if mon in (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Sept",
            "Oct",
            "Nov",
            "Dec",
        ) and not (anchored or m["dot"]):
            continue
        if mon == "May" and not (
            anchored or m["q"] or m["part"] or _MAY_PREP_RE.search(text, max(0, m.start() - 12), m.start())
        ):
            continue
        f: dict[str, str] = {"month": str(_MONTHS[mon.lower()])}
        if day:
            f["day"] = str(int(day))
        if m["y"]:
            f["year"] = m["y"]
        qual(m, f)
        # Trim a day that the regex did not validate, so the span stays honest.
        end = m.end()
        if (m["d1"] or m["d2"]) and not day:
            end = m.end("mon")
            f.pop("year", None)
        out.append((m.start(), end, f))
    for m in _SEASON_RE.finditer(text) if any(w in tl for w in _SEASONS_GATE) else ():
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
        qual(m, f)
        out.append((m.start(), m.end(), f))
    for m in _WEEKDAY_RE.finditer(text) if any(w in text for w in _WEEKDAY_GATE) else ():
        f = {"weekday": str(_WEEKDAYS[m["wd"].rstrip(".").lower()])}
        if m["q"]:
            f["q"] = _QUAL[m["q"].lower()]
        out.append((m.start(), m.end(), f))
    for m in _REL_RE.finditer(text) if any(w in tl for w in _REL_GATE) else ():
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
        else:
            n = m["an"].lower().replace("\u00a0", " ")
            n = {"a": "1", "an": "1", "a few": "few", "a couple of": "2"}.get(n, n)
            n = str(_SMALL[n]) if n in _SMALL else n
            rel = f"ago-{n}-{m['au'].lower().rstrip('s')}"
        out.append((m.start(), m.end(), {"rel": rel}))
    for m in _DECADE_RE.finditer(text) if "0s" in text else ():
        dec = m["dec"] or f"19{m['dec2']}"
        out.append((m.start(), m.end(), {"decade": dec}))
    for m in _YEAR_RE.finditer(text) if digit else ():
        ys, ye = m.span("y")
        if not _is_year(text, ys, ye):
            continue
        f = {"year": m["y"]}
        if m["part"]:
            f["part"] = m["part"].lower()
        out.append((m.start(), m.end(), f))
    timey = digit and (":" in text or "m" in tl)
    for m in _TIME_AP_RE.finditer(text) if timey else ():
        h = int(m["h"]) % 12 + (12 if m["ap"].lower().startswith("p") else 0)
        out.append((m.start(), m.end(), {"time": f"{h:02d}:{m['mi'] or '00'}"}))
    for m in _TIME_24_RE.finditer(text) if timey and ":" in text else ():
        out.append((m.start(), m.end(), {"time": f"{int(m['h']):02d}:{m['mi']}"}))
    return out


def _resolve_overlaps(cands: list[tuple[int, int, dict[str, str]]]) -> list[tuple[int, int, dict[str, str]]]:
    """Keep the longest of overlapping candidates, leftmost first."""
    kept: list[tuple[int, int, dict[str, str]]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
        if all(c[1] <= k[0] or c[0] >= k[1] for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c[0])
    return kept


def _is_year(text: str, s: int, e: int) -> bool:
    """A bare 4-digit number is a year unless it is clearly a quantity ("2000 troops")."""
    v = int(text[s:e])
    if v < 1900:
        # 1800s only after a preposition ("in 1848").
        if not _YEAR_PREP_RE.search(text, max(0, s - 8), s):
            return False
    if _CUR_BACK_RE.search(text, max(0, s - 6), s):
        return False
    if _SCALE_WORD_RE.match(text, e) or _PCT_RE.match(text, e):
        return False
    m = _NEXT_WORD_RE.match(text, e)
    if m and m.group(1).strip() == "":
        w = m.group(2).lower()
        if w in _COUNT_NOUNS or (w in _UNIT_LEX and not text.startswith(" ago", m.end())):
            return False
    return True


_SPEECH_GATE_RE = re.compile(rf"(?<![^\W_])(?:{_SPEECH_VERBS})(?![^\W_])")
_OUTLET_GATE_RE = re.compile(
    r"(?i:told|tells|confirmed|speaking|spoke|interview|according|reported|cited|quoted)"
)


def _dates(text: str) -> list[tuple[int, int, dict[str, str]]]:
    return _resolve_overlaps(_date_candidates(text))


def _date_units(text: str, found: list[tuple[int, int, dict[str, str]]], offset: int) -> list[Unit]:
    return [_unit("date", text, s, e, offset, _date_key(f)) for s, e, f in found]


def extract_dates(text: str, offset: int = 0) -> list[Unit]:
    """Years, months, weekdays, explicit and relative dates; key like ``month:8|q:last``."""
    return _date_units(text, _dates(text), offset)


# --------------------------------------------------------------------------- numbers


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
        elif t in _SMALL:
            v = _SMALL[t]
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
    """Internal: (start, end, value, unit) for every number."""
    out: list[tuple[int, int, float, str]] = []
    starts = [d[0] for d in date_spans]

    def in_date(s: int, e: int) -> bool:
        # Date spans are sorted and disjoint, so only the last one starting before e matters.
        i = bisect.bisect_left(starts, e) - 1
        return i >= 0 and date_spans[i][1] > s

    last_end = 0
    tl = text.lower()
    cands = list(_NUM_DIGITS_RE.finditer(text)) if _DIGIT_RE.search(text) else []
    if any(w in tl for w in _NUMWORD_GATE):
        cands += _NUM_WORDS_RE.finditer(text)
        # Word/fraction matches first at a shared start ("3 quarters of" is a fraction).
        cands.sort(key=lambda m: (m.start(), m.re is _NUM_DIGITS_RE, -m.end()))
    for m in cands:
        s, e = m.span()
        g = m.groupdict()
        dig, words = g.get("dig"), g.get("words")
        if s < last_end or in_date(s, e):
            continue  # inside a date, or already consumed ("$30 million": "million")
        unit = ""
        lead = s  # span start (hedge / currency included)
        is_fraction = False
        if g.get("frac"):
            fn, fd = m["fn"], m["fd"].lower()
            den = _DENOM[fd.rstrip("s") if fd != "halves" else "halve"]
            follow = _FRAC_FOLLOW_RE.match(text, e)
            before = text[max(0, s - 16) : s].lower()
            hedged = bool(_HEDGE_RE.search(text, max(0, s - 30), s))
            if fn is None:
                if den != 2 or _HALF_BEFORE_RE.search(before):
                    continue
                if not (follow or hedged):
                    continue
                num = 1.0
            else:
                fnl = fn.lower()
                if fnl in ("a", "an") and not follow:
                    continue
                if m["fsep"] != "-" and not follow and fnl not in ("a", "an"):
                    continue
                num = float(fnl) if fnl.isdigit() else float(_SMALL.get(fnl, 1))
                if num > den:
                    continue
            value = 100.0 * num / den
            unit = "percent"
            is_fraction = True
        elif dig:
            digits = dig
            nxt = text[e : e + 1]
            if nxt.isdigit():
                continue
            # Skip "COVID-19", "F-16", "MH17", ordinals, times and URL fragments.
            if s >= 2 and text[s - 1] == "-" and text[s - 2].isalpha():
                w = _WORD_BEFORE_RE.search(text, max(0, s - 12), s - 1)
                if w is None or not w.group().islower():
                    continue
            if _ORDINAL_RE.match(text, e):
                continue
            if len(digits) == 2 and s >= 5 and text[s - 1] in "-–/" and text[s - 5 : s - 1].isdigit():
                continue  # "2008-09": the second half of a season/year range
            if nxt == ":" and text[e + 1 : e + 2].isdigit():
                continue
            ts = text.rfind(" ", 0, s) + 1
            te = text.find(" ", e)
            if _URLISH_RE.search(text[ts : te if te >= 0 else len(text)][:200]):
                continue
            if len(digits) == 4 and "," not in digits and "." not in digits and _is_year(text, s, e):
                continue  # a year: left to extract_dates
            value = float(digits.replace(",", ""))
        else:
            toks = _WORD_TOKEN_RE.findall(words)
            value, used = _parse_words(toks)
            if used == 0:
                continue
            if used < len(toks):
                # Shrink the span to the tokens actually parsed.
                pos = s
                for tok in toks[:used]:
                    pos = text.index(tok, pos) + len(tok)
                e = pos
            if toks[0].lower() in ("a", "an") and used == 1:
                continue
        pos = e
        # "two and a half years"
        if not is_fraction:
            mh = _AND_HALF_RE.match(text, pos)
            if mh:
                value += 0.5
                pos = mh.end()
        scale = 1.0
        if not is_fraction:
            ms = _SCALE_WORD_RE.match(text, pos) if dig else None
            if ms:
                scale = _SCALES[ms.group(1).lower()]
                pos = ms.end()
            elif dig:
                ma = _ATTACHED_UNIT_RE.match(text, pos)
                if ma:
                    unit = _UNIT_LEX.get(ma.group(1).lower(), ma.group(1).lower())
                    pos = ma.end()
                else:
                    ma = _SCALE_ABBR_RE.match(text, pos)
                    if ma:
                        scale = _SCALE_ABBR[ma.group(1).lower()]
                        pos = ma.end()
                    elif text[pos : pos + 1].isalpha():
                        continue  # "4G", "3D", "5G": not a quantity
        value *= scale
        # Currency and hedge before the number.
        mc = _CUR_BACK_RE.search(text, max(0, s - 6), s)
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
        if not unit:
            unit, pos = _unit_after(text, pos, word_start and value == 1)
            if unit is None:
                continue
        out.append((lead, pos, value, unit))
        last_end = pos
    # "between 20 and 30 percent", "20-30 days": the first bound inherits the unit.
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a[3] == "" and b[3] and _RANGE_GAP_RE.fullmatch(text, a[1], b[0]):
            out[i] = (a[0], a[1], a[2], b[3])
    return out


def _unit_after(text: str, pos: int, strict_one: bool) -> tuple[str | None, int]:
    """Unit of the quantity ending at ``pos``; (None, pos) to drop a lone "one"/"a"."""
    mp = _PCT_RE.match(text, pos)
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
        return _UNIT_LEX.get(w, _singular(w)), mc.end()
    mw = _NEXT_WORD_RE.match(text, pos)
    if mw:
        sep, word = mw.group(1), mw.group(2)
        low = word.lower()
        if low in _UNIT_LEX:
            return _UNIT_LEX[low], mw.end()
        if "-" in sep:
            # Compound modifier "10-point plan", "two-state": the noun after the hyphen.
            if word.islower() and low not in _NOT_NOUN:
                return _singular(low), mw.end()
        elif not strict_one and word.islower() and low not in _NOT_NOUN:
            return _counted_noun(text, mw)
    if strict_one:
        return None, pos
    return "", pos


_PLURAL_IRREGULAR = frozenset(
    "people men women children police feet aircraft staff personnel cattle sheep fish troops".split()
)


def _counted_noun(text: str, first: re.Match[str]) -> tuple[str, int]:
    """The counted noun of "five merchant vessels": the first plural among the next few
    lowercase words (adjectives are not plural), else the first word."""
    words = [first]
    while len(words) < 3:
        mw = _NEXT_WORD_RE.match(text, words[-1].end())
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
        if w in _PLURAL_IRREGULAR or (w.endswith("s") and not w.endswith(("ss", "us", "is"))):
            return _singular(w), mw.end()
    mw = words[1] if words[0].group(2).lower() in _ADJ_SKIP and len(words) > 1 else words[0]
    if mw.group(2).lower() in _ADJ_SKIP:
        return "", first.start()  # "20 more than ...": no noun
    return _singular(mw.group(2)), mw.end()


# Durations the number scanner does not see: "an hour and a half", "over a year", "half an hour",
# "a half-hour", "a month-long truce", and ordinals of duration ("in its second year": more than one
# year and at most two, kept as 1.5 years with the interval as its tolerance, see ``_num_tolerance``).
_TIME_WORD = r"(?:second|minute|hour|day|week|month|year|decade|century)"
_ORDINAL_VALUE = {
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
_DURATION_RE = re.compile(
    rf"(?i:(?<![^\W_])(?:"
    rf"(?P<one>an?){_WS}+(?P<u1>{_TIME_WORD})(?P<half1>{_WS}+and{_WS}+a{_WS}+half)?(?![^\W_]|-old)"
    rf"|half{_WS}+an?{_WS}+(?P<u2>{_TIME_WORD})(?![^\W_])"
    rf"|an?{_WS}+half(?:-|{_WS})(?P<u3>{_TIME_WORD})(?![^\W_])"
    rf"|(?P<u4>{_TIME_WORD})(?:-|{_WS})?long(?![^\W_])"
    rf"|(?P<det>its|the|their|his|her|a){_WS}+(?P<ord>{'|'.join(_ORDINAL_VALUE)}|\d{{1,3}}(?:st|nd|rd|th))"
    rf"{_WS}+(?P<u5>{_TIME_WORD})(?![^\W_]|-)"
    rf"))"
)
# "once a year", "twice a day", "three times a week", "per month": a rate, not a duration.
_RATE_BEFORE_RE = re.compile(r"(?i:(?:once|twice|times|per|each|every|a)[ \u00a0]+)$")
_ORDINAL_DURATION_RE = re.compile(
    rf"(?i:(?:its|the|their|his|her|a){_WS}+(?:{'|'.join(_ORDINAL_VALUE)}|\d{{1,3}}(?:st|nd|rd|th)){_WS}+"
    rf"{_TIME_WORD})"
)


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
        elif m["u4"]:
            if re.search(r"\d|-", text[max(0, s - 2) : s]):
                continue  # "three-month-long": the number scanner has it
            unit, value = m["u4"].lower(), 1.0
        else:
            o = m["ord"].lower()
            n = _ORDINAL_VALUE.get(o) or int(re.match(r"\d+", o).group())
            unit, value = m["u5"].lower(), n - 0.5
            s = m.start("ord")
        mh = _HEDGE_RE.search(text, max(0, s - 30), s)
        out.append((mh.start() if mh else s, e, value, unit, bool(m["u2"] or m["u3"])))
    return out


def _number_units(text: str, offset: int, date_spans: list[tuple[int, int]]) -> list[Unit]:
    found = _number_candidates(text, date_spans)
    if any(w in text for w in ("our", "ay", "eek", "onth", "ear", "ecade", "entur", "inute", "econd")):
        for s, e, v, u, over in _duration_candidates(text):
            if over:
                found = [c for c in found if c[1] <= s or c[0] >= e]
            if all(e <= a or s >= b for a, b in [(c[0], c[1]) for c in found] + list(date_spans)):
                found.append((s, e, v, u))
        found.sort(key=lambda c: c[0])
    return [
        _unit("number", text, s, e, offset, f"{_fmt(v)}|{u}", value=v, unit=u)
        for s, e, v, u in found
        if math.isfinite(v)  # a run of hundreds of digits overflows to inf: not a quantity
    ]


def extract_numbers(text: str, offset: int = 0) -> list[Unit]:
    """Quantities with a canonical unit; key ``f"{value}|{unit}"`` (e.g. ``20|percent``)."""
    return _number_units(text, offset, [(s, e) for s, e, _ in _dates(text)])


def extract_numbers_and_dates(text: str, offset: int = 0) -> tuple[list[Unit], list[Unit]]:
    """``(extract_numbers(text), extract_dates(text))``, finding the dates once."""
    found = _dates(text)
    numbers = _number_units(text, offset, [(s, e) for s, e, _ in found])
    return numbers, _date_units(text, found, offset)


# --------------------------------------------------------------------------- quotes


def _quote_key(inner: str) -> str:
    """Lowercased words, punctuation stripped; an ellipsis is kept as a " … " gap marker."""
    parts = []
    for part in _ELLIPSIS_RE.split(inner.replace("’", "'").replace("‘", "'")):
        toks = _QTOKEN_RE.findall(part.lower())
        if toks:
            parts.append(" ".join(toks))
    return " … ".join(parts)


def extract_quotes(text: str, offset: int = 0) -> list[Unit]:
    """Double-quoted passages (curly, straight, guillemets); single quotes only if ≥ 3 words."""
    spans: list[tuple[int, int, str]] = []
    for rx in _QUOTE_RES:
        for m in rx.finditer(text):
            key = _quote_key(m.group(1))
            if key:
                spans.append((m.start(), m.end(), key))
    for rx in _SQUOTE_RES:
        for m in rx.finditer(text):
            key = _quote_key(m.group(1))
            if key.count(" ") + 1 - 2 * key.count("…") >= 3:
                spans.append((m.start(), m.end(), key))
    spans.sort(key=lambda t: (t[0], t[0] - t[1]))
    out: list[Unit] = []
    last_end = -1
    for s, e, key in spans:
        if s < last_end:
            continue  # a quote inside another quote's span (mixed quote styles)
        out.append(_unit("quote", text, s, e, offset, key))
        last_end = e
    return out


# --------------------------------------------------------------------------- entities


def _norm_name(name: str) -> str:
    """Entity key: lowercase, possessive/dots stripped, aliases and demonyms folded."""
    k = name.replace("’", "'").replace("\u00a0", " ").lower().strip()
    if k.endswith("'s"):
        k = k[:-2]
    k = k.rstrip("'")
    if k in _ALIASES:
        return _ALIASES[k]
    if k.startswith("the "):
        k = k[4:]
    k = k.replace(".", "")
    k = " ".join(k.split())
    if k in _ALIASES:
        return _ALIASES[k]
    return _DEMONYMS.get(k, k)


def _split_titles(tokens: list[str]) -> list[list[int]]:
    """Split a capitalised run (token indices) at title sequences and person "of" place."""
    n = len(tokens)
    lows = [t.lower().rstrip(".") for t in tokens]
    segs: list[list[int]] = []
    cur: list[int] = []
    i = 0
    while i < n:
        if lows[i] in _TITLE_ANY:
            j = i
            has_core = False
            while j < n and lows[j] in _TITLE_ANY:
                has_core |= lows[j] in _TITLE_CORE
                j += 1
            if has_core and j == n and any(lows[k] not in _STOP for k in cur):
                # A title word closing a run is part of the name: "Tishana King", "Burger King".
                cur.extend(range(i, j))
                break
            if has_core:
                # "Secretary of State Marco Rubio": the "of X" belongs to the title.
                if j + 1 < n and lows[j] in ("of", "of the"):
                    j += 2
                if cur:
                    segs.append(cur)
                cur = []
                i = j
                continue
            cur.extend(range(i, j))
            i = j
            continue
        if lows[i] in ("of", "of the") and cur and _zipf(lows[cur[-1]]) < 3.5:
            # "Marc Iavaroni of Memphis" is two names; "Bank of England" (a common head
            # noun before "of") is one.
            segs.append(cur)
            cur = []
            i += 1
            continue
        cur.append(i)
        i += 1
    if cur:
        segs.append(cur)
    return segs


class _Ctx:
    """Per-text evidence for ambiguous capitalised words."""

    __slots__ = ("text", "line_starts", "line_flags", "caps", "_lower")

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts: list[int] = []
        self.line_flags: list[int] = []  # 0 prose, 1 title case, 2 all caps
        for m in _LINE_RE.finditer(text):
            self.line_starts.append(m.start())
            self.line_flags.append(_line_flag(m.group()))
        self.caps: set[str] = set()
        self._lower: set[str] | None = None

    def line_flag(self, pos: int) -> int:
        i = bisect.bisect_right(self.line_starts, pos) - 1
        return self.line_flags[i] if i >= 0 else 0

    @property
    def lower(self) -> set[str]:
        if self._lower is None:
            self._lower = {w.replace("’", "'") for w in _LOWER_WORD_RE.findall(self.text)}
        return self._lower


def _line_flag(line: str) -> int:
    """0 prose, 1 title case ("Zelensky Accuses Russia of ..."), 2 all caps."""
    if len(line) > 240:
        return 0  # headlines are short
    words = _LINE_WORD_RE.findall(line)
    content = [w for w in words[1:] if w.lower() not in _SMALL_FUNC]  # the first is always capped
    if len(content) < 2 or len(words) > 24:
        return 0
    caps = sum(1 for w in content if w[0].isupper())
    # A prose sentence full of names ("He met President Vladimir Putin.") ends with a period.
    need = len(content) if line.rstrip().endswith((".", "?", "!", '."', ".”")) else 0.75 * len(content)
    if caps < need:
        return 0
    letters = [c for c in line if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        return 2
    return 1


def _is_initial(text: str, s: int) -> bool:
    """Whether position ``s`` opens a sentence, a line, or a quotation."""
    i = s - 1
    crossed_quote = False
    while i >= 0 and text[i] in _OPENERS:
        if text[i] in '“"‘':
            crossed_quote = True
        i -= 1
    if i < 0 or crossed_quote:
        return True
    if "\n" in text[i + 1 : s]:
        return True
    ch = text[i]
    if ch == "\n" or ch in "!?:;":
        return True
    if ch == "." or ch == "…":
        return not (ch == "." and _ABBR_END_RE.search(text, max(0, i - 8), i + 1))
    return False


def _shouted_word(tok: str) -> bool:
    """An all-caps common word ("MORE STORIES", "UPDATED"), not an acronym like NATO."""
    if not tok.isupper() or tok.lower() in _GAZ or tok in _CAPS_ACRONYMS:
        return False
    low = tok.lower()
    if len(tok) <= 3:
        return low in _STOP  # "THE", "AND"; but "LA", "AP", "CNN" are acronyms
    z = _zipf(low)
    # Acronyms are short; a long all-caps token that is a word is shouting.
    return z >= 4.8 or (len(tok) >= 5 and z >= 3.5)


def _keep_ambiguous(tok: str, ctx: _Ctx, strict: bool, next_word: str = "") -> bool:
    """Decide whether a capitalised word in an ambiguous position is a name."""
    low = tok.replace("’", "'").lower()
    if low.endswith("'s"):
        low = low[:-2]
    if low in _STOP or low in _MONTHS or low in _WEEKDAYS:
        return False
    if low in _GAZ:
        return True
    if tok.isupper() and len(tok.replace(".", "")) >= 2 and not strict:
        return not _shouted_word(tok) and tok not in _CAPS_JUNK
    if low in ctx.caps:
        return True
    if low in ctx.lower:
        return False  # the text also uses it as a common word
    z = _zipf(low)
    sing = _singular(low)
    plural = low in _PLURAL_IRREGULAR or (sing != low and _zipf(sing) >= 3.5)
    if strict:
        return not plural and not (_MORPH_RE.search(low) and z >= 2.5) and z < 3.0
    # "Trump has", "Putin claims": a bare capitalised subject is a name, unless it is a
    # plural common noun ("Officials said", "Concerns have", "Men were").
    if next_word in _RESCUE_NEXT and z < 5.2 and not plural:
        return True
    if plural or (_MORPH_RE.search(low) and z >= 2.5):
        return False
    return z < 4.5


def _edge_junk(tok: str) -> bool:
    """Tokens that cannot open or close a name: connectors, month/weekday names, shouting."""
    low = tok.lower().rstrip(".")
    return (
        not tok[0].isupper() or low in _MONTHS or low in _WEEKDAYS or tok in _CAPS_JUNK or _shouted_word(tok)
    )


@lru_cache(maxsize=100_000)
def _run_tokens(run: str) -> tuple[tuple[int, int, str], ...]:
    """Tokens of a capitalised run, with spans relative to the run."""
    return tuple((t.start(), t.end(), t.group()) for t in _RUN_TOKEN_RE.finditer(run))


@lru_cache(maxsize=100_000)
def _run_entities(run: str) -> tuple[tuple[int, int, str], ...]:
    """Entities in a run already judged to be a name (relative spans); cached by run text."""
    toks = _run_tokens(run)
    out: list[tuple[int, int, str]] = []
    for seg in _split_titles([t[2] for t in toks]):
        seg_toks = [toks[i] for i in seg]
        # Trim connectors, articles, month/weekday names and shouting at the edges.
        while seg_toks and (_edge_junk(seg_toks[0][2]) or seg_toks[0][2].lower() in ("the", "a", "an")):
            seg_toks = seg_toks[1:]
        while seg_toks and _edge_junk(seg_toks[-1][2]):
            seg_toks = seg_toks[:-1]
        if not seg_toks:
            continue
        if len(seg_toks) == 1:
            w = seg_toks[0][2]
            lw = w.lower()
            if len(w) < 2 or (lw in _STOP and not w.isupper()) or lw.rstrip(".") in _TITLE_ANY:
                continue
            # "Trump-Putin call", "Russia-Ukraine war": two names joined by a hyphen.
            parts = w.split("-")
            if len(parts) > 1 and all(len(p) >= 4 and p[0].isupper() for p in parts):
                pos = seg_toks[0][0]
                for p in parts:
                    out.append((pos, pos + len(p), _norm_name(p)))
                    pos += len(p) + 1
                continue
        ss, se = seg_toks[0][0], seg_toks[-1][1]
        key = _norm_name(run[ss:se])
        if key:
            out.append((ss, se, key))
    return tuple(out)


def _entity_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) for every entity mention in text."""
    ctx = _Ctx(text)
    runs = []
    for m in _RUN_RE.finditer(text):
        s = m.start()
        e = m.start("poss") if m.group("poss") else m.end()
        flag = ctx.line_flag(s)
        initial = _is_initial(text, s)
        # A bullet header "- Neutrality Clause: ..." reads like a title.
        header = initial and text[e : e + 1] == ":"
        mode = 2 if (flag or header) else (1 if initial else 0)
        toks = _run_tokens(text[s:e])
        if not toks:
            continue
        runs.append((s, e, mode, flag, toks))
        # Evidence for ambiguous words: a capitalised word standing alone mid-sentence
        # ("... said Trump"). Words inside longer names ("Philadelphia Police Department")
        # are not evidence that the word alone is a name.
        if mode == 0 and len(toks) == 1:
            ctx.caps.add(toks[0][2].lower())
    out: list[tuple[int, int, str]] = []
    for s, e, mode, flag, toks in runs:
        pieces: list[tuple[int, int]] = []  # relative (start, end) of name-bearing pieces
        if mode == 2:
            # Title-case line: every word is suspect; keep the name-like ones, merge neighbours.
            cur: tuple[int, int] | None = None
            for ts, te, w in toks:
                keep = (w.isupper() and flag == 1 and len(w) >= 2) or _keep_ambiguous(w, ctx, strict=True)
                if keep:
                    cur = (cur[0], te) if cur else (ts, te)
                elif cur:
                    pieces.append(cur)
                    cur = None
            if cur:
                pieces.append(cur)
        else:
            first = toks[0][2]
            flow = first.lower().rstrip(".")
            start = 0
            if mode == 1 and flow not in _TITLE_ANY:
                if len(toks) == 1:
                    nm = _NEXT_LOWER_RE.match(text, e)
                    nxt = nm.group(1) if nm else ("has" if text[e : e + 2] in ("’s", "'s") else "")
                    if not _keep_ambiguous(first, ctx, strict=False, next_word=nxt):
                        continue
                elif (
                    flow in _STOP
                    or flow in _MONTHS
                    or flow in _WEEKDAYS
                    or (
                        flow not in _NAME_PREFIX
                        and flow not in _GAZ
                        and flow not in ctx.caps
                        and ((_MORPH_RE.search(flow) and _zipf(flow) >= 2.5) or flow in ctx.lower)
                    )
                ):
                    rest = [t for t in toks[1:] if t[2][0].isupper()]
                    if not rest:
                        continue
                    start = rest[0][0]
            pieces.append((start, e - s))
        for ps, pe in pieces:
            base = s + ps
            out.extend((base + a, base + b, k) for a, b, k in _run_entities(text[base : s + pe]))
    return out


def extract_entities(text: str, offset: int = 0) -> list[Unit]:
    """Capitalised names and acronyms; titles and possessives stripped, aliases folded."""
    return [_unit("entity", text, s, e, offset, k) for s, e, k in _entity_spans(text)]


def entity_weights(text: str) -> dict[str, float]:
    """Document-level entity key -> weight: rarity of its rarest token × (1 + log mentions)."""
    counts: dict[str, int] = {}
    for _, _, k in _entity_spans(text):
        counts[k] = counts.get(k, 0) + 1
    out: dict[str, float] = {}
    for k, n in counts.items():
        toks = k.split()
        zipf = min(_zipf(t) for t in toks) if toks else 0.0
        # Floor so frequent-but-named entities ("us", "trump") still count a little.
        rarity = max(0.5, 7.0 - zipf)
        out[k] = round(rarity * (1.0 + math.log(min(n, 20))), 4)
    return out


# --------------------------------------------------------------------------- attributions


def _name_key(phrase: str) -> tuple[str, int]:
    """Key of the last name in a phrase and where that name starts in the phrase.

    "the Russian media outlet Izvestia" -> ("izvestia", 26); ("", 0) if there is none.
    """
    runs = list(_RUN_RE.finditer(phrase))
    if not runs:
        return "", 0
    m = runs[-1]
    e = m.start("poss") if m.group("poss") else m.end()
    toks = list(_RUN_TOKEN_RE.finditer(phrase, m.start(), e))
    segs = _split_titles([t.group() for t in toks])
    if not segs:
        return "", 0
    seg = [toks[i] for i in segs[-1]]
    while seg and (
        (seg[0].group().lower() in _STOP and not seg[0].group().isupper()) or _edge_junk(seg[0].group())
    ):
        seg = seg[1:]
    while seg and _edge_junk(seg[-1].group()):
        seg = seg[:-1]
    if not seg:
        return "", 0
    # Span from the first token that is not a sentence opener ("While President Putin").
    i = 0
    while toks[i].group().lower() in _STOP and not toks[i].group().isupper() and toks[i] is not seg[0]:
        i += 1
    start = toks[i].start()
    return _norm_name(phrase[seg[0].start() : seg[-1].end()]), start


def extract_attributions(text: str, offset: int = 0) -> list[Unit]:
    """Who said what to whom: ``said:<speaker>``, ``told:<outlet>``, ``confirmed_to:<outlet>``..."""
    found: dict[tuple[int, int, str], None] = {}
    speech = _SPEECH_GATE_RE.search(text) is not None
    for m in _SPEAKER_RE.finditer(text) if speech else ():
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
        key, at = _name_key(m.group("name"))
        if key:
            found[(m.start() + at, m.end(), f"reported_by:{key}")] = None
    return [_unit("attribution", text, s, e, offset, k) for s, e, k in sorted(found)]


# --------------------------------------------------------------------------- all units


def extract_units(text: str, offset: int = 0) -> list[Unit]:
    """All units in text; ``Unit.start``/``end`` are offset + position in text. Sorted by start."""
    numbers, units = extract_numbers_and_dates(text, offset)
    units += numbers
    units += extract_quotes(text, offset)
    units += extract_attributions(text, offset)
    units += extract_entities(text, offset)
    units.sort(key=lambda u: (u.start, u.end, u.kind))
    return units


# --------------------------------------------------------------------------- compatibility


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
            return unit, -float(n)
        except ValueError:
            return unit + "s", -1.0  # "a few days ago": vague, backwards
    q, _, unit = rel.partition("-")
    off = {"last": -1, "this": 0, "next": 1}.get(q)
    if off is None:
        return None
    if unit == "weekend":
        unit = "week"
    return unit, float(off)


def _dates_compatible(a: str, b: str) -> bool | None:
    fa, fb = _parse_date_key(a), _parse_date_key(b)
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
    if "year" in fa and "year" in fb:
        if fa["year"] != fb["year"]:
            return False
        compared = True
    for x, y in ((fa, fb), (fb, fa)):
        if "decade" in x:
            if "decade" in y:
                if x["decade"] != y["decade"]:
                    return False
                compared = True
            elif "year" in y:
                if int(y["year"]) // 10 * 10 != int(x["decade"]):
                    return False
                compared = True
    if "month" in fa and "month" in fb:
        if fa["month"] != fb["month"]:
            return False
        compared = True
    for x, y in ((fa, fb), (fb, fa)):
        if "season" in x:
            if "season" in y:
                if x["season"] != y["season"]:
                    return False
                compared = True
            elif "month" in y:
                if int(y["month"]) not in _SEASONS[x["season"]]:
                    return False
                compared = True
    if "day" in fa and "day" in fb:
        if fa["day"] != fb["day"]:
            return False
        compared = True
    for x, y in ((fa, fb), (fb, fa)):
        if "weekday" in x:
            if "weekday" in y:
                if x["weekday"] != y["weekday"]:
                    return False
                compared = True
            elif all(k in y for k in ("year", "month", "day")):
                try:
                    wd = _dt.date(int(y["year"]), int(y["month"]), int(y["day"])).isoweekday()
                except ValueError:
                    return None
                if wd != int(x["weekday"]):
                    return False
                compared = True
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


def _names_compatible(a: str, b: str) -> bool | None:
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
    for (_x, vx, dx), (vy, dy) in (((a, va, da), (vb, db)), ((b, vb, db), (va, da))):
        if dx and not dy and vx > 0:
            lo, hi = (vx, 3 * vx) if dx == "lower" else (vx / 3, vx)
            if lo <= vy <= hi:
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
        if (a.unit or "") != (b.unit or ""):
            if a.unit in _TIME_SECONDS and b.unit in _TIME_SECONDS:
                return _durations_compatible(a, b)  # "a 90-minute call" ~ "an hour and a half"
            return None
        ta, da = _num_tolerance(a)
        tb, db = _num_tolerance(b)
        if da and db and da != db and a.value == b.value:
            return False  # "more than 20" vs "fewer than 20": the key ignores the hedge
        # A bound holds a nearby exact figure on its side: "more than £500,000" ~ "£572,206".
        for (x, dx), (y, dy) in (((a, da), (b, db)), ((b, db), (a, da))):
            if (
                dx
                and not dy
                and x.value > 0
                and (
                    (dx == "lower" and x.value <= y.value <= 3 * x.value)
                    or (dx == "upper" and x.value / 3 <= y.value <= x.value)
                )
            ):
                return True
        diff = abs(a.value - b.value)
        # Strictly inside the rounding interval: "3 years" does not cover "2.5 years".
        return diff <= 1e-9 * max(abs(a.value), abs(b.value), 1.0) or diff < max(ta, tb) - 1e-12
    if a.key == b.key:
        return True
    if kind == "date":
        return _dates_compatible(a.key, b.key)
    if kind == "quote":
        return _quotes_compatible(a.key, b.key)
    if kind == "entity":
        return _names_compatible(a.key, b.key)
    if kind == "attribution":
        ra, _, na = a.key.partition(":")
        rb, _, nb = b.key.partition(":")
        if _names_compatible(na, nb):
            return True  # same source, whatever the verb ("told Izvestia" ~ "reported by Izvestia")
        if _ROLE_GROUP.get(ra, ra) == _ROLE_GROUP.get(rb, rb):
            return False  # same role, another name
        return None
    return None
