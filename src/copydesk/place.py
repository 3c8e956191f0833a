"""Placement of one component: stories, families, sources and (optionally) claim details.

A component is a set of articles linked by strong pairs (``LINKED``), together with the
stories they join. ``place_component`` is the one placement stage both paths run: the
incremental runner on components read from the store, the batch engines on components of their
first-tier links. It is a pure function of the component's rows, its scored pairs and its
sentence vectors; what it scores on the way (a small component's missing pairs) it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .cluster import story_groups, within_groups
from .config import Settings
from .featurize.terms import vocabulary
from .records import AnalysisRow, Pair, Placement, Story, TermStats
from .score import RelationModel, SentenceVectors, score_pairs
from .trace import trace_story

LINKED = ("duplicate", "rewrite", "same_story")  # relations that join articles into one component

Key = tuple[str, str]
# The corpus document frequencies of the terms asked (the store's, or a batch run's counts).
TermStatsFn = Callable[[Iterable[str]], TermStats]


@dataclass
class PlacedComponent:
    """What placing one component produced: its stories, each member's placement, the per-article
    claim details (JSON, when ``Settings.claims``) and the pairs scored here (by key, in order)."""

    stories: list[Story] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    new_pairs: dict[Key, Pair] = field(default_factory=dict)


def place_component(
    comp: Sequence[str],
    pairs: Mapping[Key, Pair],
    rows: Mapping[str, AnalysisRow],
    svecs: SentenceVectors,
    settings: Settings,
    model: RelationModel,
    terms: TermStatsFn,
) -> PlacedComponent:
    """Stories and provenance of one component (sorted ids ``comp``).

    ``pairs`` holds the scored pairs among the members, ``rows`` at least the members' rows,
    ``svecs`` gives sentence vectors of the ids asked, ``terms`` the corpus document frequencies
    of the terms asked (each member's source is chosen by corpus TF-IDF). A component of at most
    ``Settings.max_exact_component`` articles first has its missing pairs scored (both tiers);
    then ``story_groups`` (average-link on P(story), split) groups it into stories, each traced
    (reference, families, sources, missing common source) and, with ``Settings.claims``, its
    articles aligned and their claims checked."""
    pairs = dict(pairs)
    out = PlacedComponent()
    if len(comp) <= settings.max_exact_component:
        missing = [(a, b) for i, a in enumerate(comp) for b in comp[i + 1 :] if (a, b) not in pairs]
        if missing:
            out.new_pairs = score_pairs(missing, {m: rows[m].features for m in comp}, svecs, model)
            pairs.update(out.new_pairs)
    sim = {k: p.scores.get("p_story", 0.0) for k, p in pairs.items()}
    stories = story_groups(comp, sim, model)
    multi = sorted({m for s in stories if len(s) > 1 for m in s})
    story_svecs = dict(svecs(multi)) if multi else {}
    stats = terms(sorted({w for m in multi for w in vocabulary(rows[m].clean.text)})) if multi else None
    for members, spairs in zip(stories, within_groups(stories, pairs), strict=True):
        traced = trace_story(members, rows, story_svecs, spairs, model, stats)
        story = traced.story
        if settings.claims:
            from .claims import story_details  # loaded only when claims are checked

            details, facts = story_details(traced, rows, story_svecs, settings)
            out.details.update(details)
            if facts is not None:
                story = replace(story, facts=tuple(facts))
        out.stories.append(story)
        out.placements.extend(traced.placements)
    return out

