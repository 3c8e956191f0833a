"""Report: one report object built from the store, rendered as JSON, terminal, HTML and API."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..store.base import Store


def shared_and_single_facts(story: dict, limit: int = 8) -> tuple[list[dict], list[dict]]:
    """(facts two or more versions state, checkable facts - numbers, dates, quotes, names - only one
    version has) of a story, as every renderer shows them."""
    facts = story.get("facts") or []
    shared = [f for f in facts if len(f.get("support") or []) >= 2][:limit]
    single = [f for f in facts if len(f.get("support") or []) == 1 and f.get("kind") != "statement"][:limit]
    return shared, single


def article_entry(aid: str, title: str | None, placement: dict, artifacts: list, detail: dict) -> dict:
    entry = {
        "id": aid,
        "title": title,
        "story": placement["story"],
        "family": placement["family"],
        "relation": placement["relation"],
        "source": placement["source"],
        "score": placement["score"],
        "artifacts": [{"kind": k, "start": s, "end": e, "text": t} for k, s, e, t in artifacts],
    }
    for key in ("alignment", "claims", "dropped", "counts"):
        if key in detail:
            entry[key] = detail[key]
    return entry


def build_report(store: Store, story_ids: Sequence[str] | None = None) -> dict:
    """The report of the store, or of the stories ``story_ids`` (those that exist), in a stable order:
    the one report object every renderer (JSON, terminal, HTML pages, the API) shows. The HTML page also
    needs its unit marks, computed from this object by ``report.marks.unit_marks``."""
    if story_ids is None:
        stories = store.stories()
    else:
        stories = [s for sid in dict.fromkeys(story_ids) if (s := store.story(sid)) is not None]
    ids = sorted({a for s in stories for a in s["articles"]})
    rows = store.load_analyses(ids)
    placements = store.placements(ids)
    details = store.details(ids)
    articles = []
    for aid in ids:
        if aid not in rows or aid not in placements:
            continue  # a served store: an article written after its story was read
        r = rows[aid]
        arts = [[a.kind, a.start, a.end, a.text] for a in r.clean.artifacts]
        articles.append(
            article_entry(aid, r.clean.title, placements[aid], arts, json.loads(details.get(aid) or "{}"))
        )
    # Stories with more articles first, then by id: the interesting ones on top.
    stories = sorted(stories, key=lambda s: (-len(s["articles"]), s["id"]))
    return {"articles": articles, "stories": stories}


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
