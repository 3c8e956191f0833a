"""Entities: capitalised name runs (titles dropped, sentence-initial words checked), and their weights."""

from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache

from copydesk.records import Unit

from ..terms import rarity_from_zipf, zipf
from .lexicon import MONTHS, RUN_RE, RUN_TOKEN_RE, STOP, WEEKDAYS, make_unit, singular
from .numbers import PLURAL_IRREGULAR

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


def norm_name(name: str) -> str:
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



# Cities, regions and bodies of the gazetteer: not a nation ("Moscow said" is Russia speaking).
_NOT_NATIONS = frozenset(
    """crimea donbas gaza europe kyiv kiev moscow beijing washington london paris berlin tokyo brussels jerusalem
    tehran damascus baghdad kabul ankara warsaw minsk kursk kharkiv odesa mariupol un eu nato""".split()
)


def nation_key(word: str) -> str | None:
    """The country a one-word country name, alias or demonym stands for ("French" -> "france", "U.S." ->
    "us", "Britain" -> "uk"); None for any other word, a city, region or international body included."""
    low = word.replace("’", "'").lower().strip(".'")
    if " " in low or not low:
        return None
    k = norm_name(low)
    if k in _NOT_NATIONS or not (low in _DEMONYMS or low in _ALIASES or k in _COUNTRIES):
        return None
    return k

def split_titles(tokens: list[str]) -> list[list[int]]:
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
            if has_core and j == n and any(lows[k] not in STOP for k in cur):
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
        if lows[i] in ("of", "of the") and cur and zipf(lows[cur[-1]]) < 3.5:
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


def is_initial(text: str, s: int) -> bool:
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
        return low in STOP  # "THE", "AND"; but "LA", "AP", "CNN" are acronyms
    z = zipf(low)
    # Acronyms are short; a long all-caps token that is a word is shouting.
    return z >= 4.8 or (len(tok) >= 5 and z >= 3.5)


def plural_common_noun(word: str) -> bool:
    """A plural common noun ("officials", "critics", "men"): capitalised at a sentence start it is
    no name ("Officials said", "Critics warned")."""
    low = word.replace("’", "'").lower()
    sing = singular(low)
    return low in PLURAL_IRREGULAR or (sing != low and zipf(sing) >= 3.5)


def _keep_ambiguous(tok: str, ctx: _Ctx, strict: bool, next_word: str = "") -> bool:
    """Decide whether a capitalised word in an ambiguous position is a name."""
    low = tok.replace("’", "'").lower()
    if low.endswith("'s"):
        low = low[:-2]
    if low in STOP or low in MONTHS or low in WEEKDAYS:
        return False
    if low in _GAZ:
        return True
    if tok.isupper() and len(tok.replace(".", "")) >= 2 and not strict:
        return not _shouted_word(tok) and tok not in _CAPS_JUNK
    if low in ctx.caps:
        return True
    if low in ctx.lower:
        return False  # the text also uses it as a common word
    z = zipf(low)
    plural = plural_common_noun(low)
    if strict:
        return not plural and not (_MORPH_RE.search(low) and z >= 2.5) and z < 3.0
    # "Trump has", "Putin claims": a bare capitalised subject is a name, unless it is a
    # plural common noun ("Officials said", "Concerns have", "Men were").
    if next_word in _RESCUE_NEXT and z < 5.2 and not plural:
        return True
    if plural or (_MORPH_RE.search(low) and z >= 2.5):
        return False
    return z < 4.5


def edge_junk(tok: str) -> bool:
    """Tokens that cannot open or close a name: connectors, month/weekday names, shouting."""
    low = tok.lower().rstrip(".")
    return not tok[0].isupper() or low in MONTHS or low in WEEKDAYS or tok in _CAPS_JUNK or _shouted_word(tok)


@lru_cache(maxsize=100_000)
def _run_tokens(run: str) -> tuple[tuple[int, int, str], ...]:
    """Tokens of a capitalised run, with spans relative to the run."""
    return tuple((t.start(), t.end(), t.group()) for t in RUN_TOKEN_RE.finditer(run))


@lru_cache(maxsize=100_000)
def _run_entities(run: str) -> tuple[tuple[int, int, str], ...]:
    """Entities in a run already judged to be a name (relative spans); cached by run text."""
    toks = _run_tokens(run)
    out: list[tuple[int, int, str]] = []
    for seg in split_titles([t[2] for t in toks]):
        seg_toks = [toks[i] for i in seg]
        # Trim connectors, articles, month/weekday names and shouting at the edges.
        while seg_toks and (edge_junk(seg_toks[0][2]) or seg_toks[0][2].lower() in ("the", "a", "an")):
            seg_toks = seg_toks[1:]
        while seg_toks and edge_junk(seg_toks[-1][2]):
            seg_toks = seg_toks[:-1]
        if not seg_toks:
            continue
        if len(seg_toks) == 1:
            w = seg_toks[0][2]
            lw = w.lower()
            if len(w) < 2 or (lw in STOP and not w.isupper()) or lw.rstrip(".") in _TITLE_ANY:
                continue
            # "Trump-Putin call", "Russia-Ukraine war": two names joined by a hyphen.
            parts = w.split("-")
            if len(parts) > 1 and all(len(p) >= 4 and p[0].isupper() for p in parts):
                pos = seg_toks[0][0]
                for p in parts:
                    out.append((pos, pos + len(p), norm_name(p)))
                    pos += len(p) + 1
                continue
        ss, se = seg_toks[0][0], seg_toks[-1][1]
        key = norm_name(run[ss:se])
        if key:
            out.append((ss, se, key))
    return tuple(out)


def _entity_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) for every entity mention in text."""
    ctx = _Ctx(text)
    runs = []
    for m in RUN_RE.finditer(text):
        s = m.start()
        e = m.start("poss") if m.group("poss") else m.end()
        flag = ctx.line_flag(s)
        initial = is_initial(text, s)
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
                    flow in STOP
                    or flow in MONTHS
                    or flow in WEEKDAYS
                    or (
                        flow not in _NAME_PREFIX
                        and flow not in _GAZ
                        and flow not in ctx.caps
                        and ((_MORPH_RE.search(flow) and zipf(flow) >= 2.5) or flow in ctx.lower)
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
    return [make_unit("entity", text, s, e, offset, k) for s, e, k in _entity_spans(text)]


ENTITY_RARITY_FLOOR = 0.5  # the least weight of an entity, however common its words
ENTITY_RARITY_OFFSET = 0.5  # entity rarity is the word-rarity scale lowered by this (7 - zipf)


def entity_weights(text: str) -> dict[str, float]:
    """Document-level entity key -> weight: rarity of its rarest token × (1 + log mentions)."""
    counts: dict[str, int] = {}
    for _, _, k in _entity_spans(text):
        counts[k] = counts.get(k, 0) + 1
    out: dict[str, float] = {}
    for k, n in counts.items():
        toks = k.split()
        z = min(zipf(t) for t in toks) if toks else 0.0
        # Half a point under the word-rarity scale (7 - zipf), floored so frequent-but-named entities
        # ("us", "trump") still count a little.
        rarity = rarity_from_zipf(z, floor=ENTITY_RARITY_FLOOR, offset=ENTITY_RARITY_OFFSET)
        out[k] = round(rarity * (1.0 + math.log(min(n, 20))), 4)
    return out
