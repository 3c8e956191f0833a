#!/usr/bin/env python
"""Build "bent" rewrites: faithful LLM paraphrases with facts changed, for measuring provenance.

Usage::

    python scripts/build_bent_rewrites.py [--data $COPYDESK_DATA/llmfake/pairs.jsonl]
        [--out /work/bent/pairs.jsonl] [--seed 20]

Reads the LLMFake development pairs at run time (never copied: LLMFake has no stated licence, so
the output is written OUTSIDE the repository by default) and, for every faithful paraphrase
(``method == "paraphrase_generation"``), writes the paraphrase itself and up to seven bent
copies of it, each with one kind of factual edit:

- ``bent_numbers``: up to three numbers (not years) changed (doubled, halved, shifted);
- ``bent_dates``: every year moved by one to three years and weekday names changed;
- ``bent_names``: the most frequent two-word name's surname (and first name) replaced by a made-up one;
- ``bent_drop_qualifier``: a qualifying sentence (however / but / although / according to /
  reportedly / may ...) removed;
- ``bent_move_date``: an event's date moved ("March 3" -> "October 17", "on Tuesday" -> "last
  month", "yesterday" -> "two weeks ago");
- ``bent_fabricated``: a fabricated paragraph (this script's own wording) naming the story's
  main name added after the first paragraph or sentence;
- ``bent_quote_context``: the context of a quote or statement reframed ("said" -> "said in
  remarks made years earlier about an unrelated matter,").

A kind whose edit finds nothing to change in a text (no number, no date, ...) is skipped for
that text. Deterministic: one ``random.Random`` per (pair id, kind) seeded from ``--seed``.
Output: the schema of ``pairs.jsonl`` (``id, source_dataset, news_id, original_label, method,
generator, original_text, derived_text``) plus ``base_id`` (the paraphrase's id), grouped by
original (the paraphrase first, then its bends), so ``copydesk eval rewrites --data OUT
--limit N`` takes every kind on a sample.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

FAITHFUL = "paraphrase_generation"
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SURNAMES = (
    "Harmon Whitfield Castellano Brandt Okafor Lindqvist Moreau Delacroix Abernathy Kowalczyk "
    "Rasmussen Trevino Halloway Fairbanks Nakamura Petrakis".split()
)
GIVEN = "Darren Melissa Victor Renata Colin Yvonne Marcus Elena Grant Tamsin".split()
_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_MONTH_DAY = re.compile(r"\b(" + "|".join(MONTHS) + r")\b( \d{1,2}\b)?")
_RELATIVE = (
    ("yesterday", "two weeks ago"),
    ("today", "last month"),
    ("last week", "last year"),
    ("this week", "earlier this year"),
    ("tonight", "last summer"),
    ("recently", "several years ago"),
)
_NAME = re.compile(r"\b(?=([A-Z][a-z]{2,}) ([A-Z][a-z]{2,})\b)")  # overlapping: "Mayor Linda Okonjo"
_NOT_NAMES = frozenset(
    MONTHS + WEEKDAYS + "The This That These Those When While After Before In On At".split()
)
_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“A-Z0-9])")
_QUALIFIER = re.compile(
    r"\b(however|but|although|though|according to|reportedly|allegedly|may|might|could|not yet|"
    r"unconfirmed|claimed|claims|sources?|unclear|despite|while|whereas|only|except)\b",
    re.I,
)
_SAID = re.compile(
    r"\b(said|says|told|stated|explained|added|noted|wrote|revealed|announced|claimed|admitted|insisted)\b"
)
QUOTE_FRAMES = (
    "in remarks made years earlier about an unrelated matter,",
    "while testifying in a separate case long before these events,",
    "in a 2009 interview that had nothing to do with this story,",
    "speaking about a different person entirely,",
    "in a comment that was later retracted,",
)
FABRICATED = (
    "In a development first reported on Tuesday, {name} is said to have signed a $12 million "
    "agreement with a streaming service, a deal insiders describe as the largest of its kind this year.",
    "Documents seen by this outlet show that {name} had been warned about the problem as early as "
    "2016 but chose not to act, according to three people familiar with the matter.",
    "{name} is also facing a separate investigation by state officials, who opened an inquiry last "
    "month into payments totalling more than $400,000, a spokesperson for the attorney general confirmed.",
    "A survey of 2,300 residents released on Friday found that 64 percent blamed {name} for the "
    "situation, up from 41 percent six months earlier.",
    "Sources close to {name} say a book deal worth $3.5 million is already in the works, with "
    "publication planned for next spring.",
)


def _rng(seed: int, pair_id: str, kind: str) -> random.Random:
    h = hashlib.sha256(f"{seed}:{pair_id}:{kind}".encode()).hexdigest()
    return random.Random(int(h[:16], 16))


def _sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()]


def bend_numbers(text: str, rng: random.Random) -> str | None:
    """Up to three numbers that are not years, each changed to a different value."""
    spots = [m for m in _NUM.finditer(text) if not _YEAR.fullmatch(m.group(0))]
    if not spots:
        return None
    chosen = sorted(rng.sample(spots, min(3, len(spots))), key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        whole = m.group(1).replace(",", "")
        n = int(whole)
        op = rng.choice(("double", "half", "shift"))
        new = n * 2 if op == "double" else (n // 2 if op == "half" and n > 3 else n + rng.randint(2, 9))
        if new == n:
            new = n + 3
        s = f"{new:,}" if "," in m.group(1) else str(new)
        out.append(text[last : m.start()] + s + (m.group(2) or ""))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def bend_dates(text: str, rng: random.Random) -> str | None:
    """Every year moved by the same 1-3 years (one direction); weekday names changed."""
    if not _YEAR.search(text) and not _WEEKDAY.search(text):
        return None
    shift = rng.choice((-3, -2, -1, 1, 2, 3))
    out = _YEAR.sub(lambda m: str(int(m.group(0)) + shift), text)
    k = rng.randint(1, 6)
    return _WEEKDAY.sub(lambda m: WEEKDAYS[(WEEKDAYS.index(m.group(0)) + k) % 7], out)


def bend_move_date(text: str, rng: random.Random) -> str | None:
    """The first dated event moved: a month (and day) to another, or a relative date pushed back."""
    m = _MONTH_DAY.search(text)
    if m:
        month = MONTHS[(MONTHS.index(m.group(1)) + rng.randint(3, 8)) % 12]
        day = f" {rng.randint(1, 28)}" if m.group(2) else ""
        return text[: m.start()] + month + day + text[m.end() :]
    for old, new in _RELATIVE:
        r = re.search(rf"\b{old}\b", text, re.I)
        if r:
            rep = new[0].upper() + new[1:] if text[r.start()].isupper() else new
            return text[: r.start()] + rep + text[r.end() :]
    w = _WEEKDAY.search(text)
    if w:
        return (
            text[: w.start()] + "the previous month" + text[w.end() :]
            if text[max(w.start() - 3, 0) : w.start()] == "on "
            else text[: w.start()] + "a month earlier" + text[w.end() :]
        )
    return None


def main_name(text: str) -> tuple[str, str] | None:
    """The most frequent two-capitalised-word name (first name, surname), ties to the first seen."""
    names = [
        (m.group(1), m.group(2))
        for m in _NAME.finditer(text)
        if m.group(1) not in _NOT_NAMES and m.group(2) not in _NOT_NAMES
    ]
    if not names:
        return None
    # A person is named in full once and then by surname: rank by the surname's mentions.
    counts = {n: len(re.findall(rf"\b{n[1]}\b", text)) for n in names}
    return max(counts, key=lambda n: (counts[n], -names.index(n)))


def bend_names(text: str, rng: random.Random) -> str | None:
    """The main person's name changed: its first name and surname, wherever they occur."""
    name = main_name(text)
    if name is None:
        return None
    first, last = name
    new_last = rng.choice([s for s in SURNAMES if s != last])
    new_first = rng.choice([g for g in GIVEN if g != first])
    out = re.sub(rf"\b{re.escape(first)} {re.escape(last)}\b", f"{new_first} {new_last}", text)
    return re.sub(rf"\b{re.escape(last)}\b", new_last, out)


def bend_drop_qualifier(text: str, rng: random.Random) -> str | None:
    """One qualifying sentence (not the first) removed."""
    sents = _sentences(text)
    cands = [i for i, s in enumerate(sents) if i > 0 and _QUALIFIER.search(s)]
    if not cands or len(sents) < 2:
        return None
    drop = rng.choice(cands)
    return " ".join(s for i, s in enumerate(sents) if i != drop)


def bend_fabricated(text: str, rng: random.Random) -> str | None:
    """A fabricated paragraph naming the story's main name, after the first paragraph (or sentence)."""
    name = main_name(text)
    who = f"{name[0]} {name[1]}" if name else None
    if who is None:
        return None
    para = rng.choice(FABRICATED).format(name=who)
    if "\n\n" in text.strip():
        head, _, tail = text.strip().partition("\n\n")
        return f"{head}\n\n{para}\n\n{tail}"
    sents = _sentences(text)
    return " ".join(sents[:1] + [para] + sents[1:])


def bend_quote_context(text: str, rng: random.Random) -> str | None:
    """The first statement verb's context reframed (when, about what, whether it stood)."""
    m = _SAID.search(text)
    if not m:
        return None
    return text[: m.end()] + " " + rng.choice(QUOTE_FRAMES) + text[m.end() :]


BENDS: dict[str, Callable[[str, random.Random], str | None]] = {
    "bent_numbers": bend_numbers,
    "bent_dates": bend_dates,
    "bent_names": bend_names,
    "bent_drop_qualifier": bend_drop_qualifier,
    "bent_move_date": bend_move_date,
    "bent_fabricated": bend_fabricated,
    "bent_quote_context": bend_quote_context,
}


def build(rows: Sequence[dict], seed: int) -> list[dict]:
    """The faithful paraphrases of ``rows`` and their bent copies (see the module docstring)."""
    out = []
    for r in rows:
        if r.get("method") != FAITHFUL:
            continue
        out.append({**r, "base_id": r["id"]})
        for kind, fn in BENDS.items():
            bent = fn(r["derived_text"], _rng(seed, str(r["id"]), kind))
            if bent is None or bent == r["derived_text"]:
                continue
            out.append(
                {
                    **r,
                    "id": f"{kind}-{r['id']}",
                    "method": kind,
                    "generator": f"{r.get('generator', '')} + scripts/build_bent_rewrites.py",
                    "derived_text": bent,
                    "base_id": r["id"],
                }
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    data = Path(os.environ.get("COPYDESK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=data / "llmfake" / "pairs.jsonl")
    ap.add_argument("--out", type=Path, default=Path("/work/bent/pairs.jsonl"))
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in open(args.data, encoding="utf-8") if line.strip()]
    out = build(rows, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter(r["method"] for r in out)
    print(json.dumps({"out": str(args.out), "pairs": len(out), **dict(sorted(counts.items()))}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
