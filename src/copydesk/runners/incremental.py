"""The incremental runner: the analysis stages scheduled against a store, one writer at a time.

``Pipeline.ingest`` analyses new articles (``analyze.analyze_batch``, in forked workers when
there are several cores) and stores them; ``Pipeline.place`` places the stored-but-unplaced
ones: candidates (``candidates``), pair scoring (``score``), re-clustering of only the
components they touch and their placement (``place.place_component``). Every step after
ingest can be recomputed from stored articles, so a crash needs nothing but a re-run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analyze import features_version, rare_entities, sentence_vectors
from ..candidates import radius_neighbours
from ..config import Settings
from ..featurize.minhash import band_keys
from ..featurize.terms import vocabulary
from ..place import LINKED, PlacedComponent, place_component
from ..records import AnalysisRow, Article, Features, Pair, content_hash
from ..score import FirstTier, RelationModel, default_model, first_tier, second_tier
from ..store.base import Store, StoreError
from ..store.view import StoreView
from .workers import ArticleWorkers, Pending, fork_map, place_in_workers

Progress = Callable[[str, int, int], None]  # (phase, done, total)
WRITE_BATCH = 256  # components a commit
SCORE_CHUNK = 8192  # candidate pairs a first-tier task in the workers
PARALLEL_MIN_COMPONENTS = 64  # fewer: placing them here costs less than starting workers

Key = tuple[str, str]


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def _first_tier_task(state: tuple[Mapping[str, Features], RelationModel], cands: Sequence[Key]) -> FirstTier:
    """``score.first_tier`` as a forked task: ``state`` (features by id, model) is the writer's."""
    feats, model = state
    return first_tier(cands, feats, model)


@dataclass
class IngestStats:
    added: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


@dataclass
class ComponentPlacement:
    """What placing one component computed, for the writer to store: the placement and the
    sentence vectors encoded on the way."""

    placed: PlacedComponent
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class PlaceStats:
    placed: int = 0
    pairs_scored: int = 0
    stories_touched: int = 0


@dataclass
class PlacementPlan:
    """Placement computed from a read snapshot (:meth:`Pipeline.plan_placement`), to be written
    by :meth:`Pipeline.apply_placement` if the store still matches it."""

    new: list[str]
    comps: list[list[str]] = field(default_factory=list)
    placed: list[ComponentPlacement] = field(default_factory=list)
    stories: list[dict[str, list[str]]] = field(default_factory=list)  # per component: story -> members
    pairs: list[Pair] = field(default_factory=list)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


class PlanningStore(StoreView):
    """A read-only store for :meth:`Pipeline.plan_placement`: the pairs and sentence vectors
    scoring would write are recorded instead, and answered back to the later steps (the
    components are found over the new pairs, as :meth:`Pipeline.place` finds them after
    storing them); ``doc_vectors``, when given, answers ``all_doc_vectors`` (a server's
    in-memory copy, taken before this snapshot began). Every other member reads the store it wraps."""

    def __init__(self, store: Store, doc_vectors: tuple[list[str], np.ndarray] | None = None) -> None:
        super().__init__(store)
        self._store = store
        self._doc_vectors = doc_vectors
        self.pairs: list[Pair] = []
        self.vectors: dict[str, np.ndarray] = {}
        self._by_key: dict[Key, Pair] = {}

    # -- recorded writes
    def put_pairs(self, pairs: Sequence[Pair]) -> None:
        for p in pairs:
            self._by_key[(p.a, p.b)] = p
        self.pairs = list(self._by_key.values())

    def put_sentence_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        self.vectors.update(vectors)

    # -- reads that see the recorded writes
    def get_sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        got = self._store.get_sentence_vectors([i for i in ids if i not in self.vectors])
        got.update({i: self.vectors[i] for i in ids if i in self.vectors})
        return got

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        return self._doc_vectors if self._doc_vectors is not None else self._store.all_doc_vectors()

    def pairs_among(self, ids: Sequence[str]) -> dict[Key, Pair]:
        out = self._store.pairs_among(ids)
        wanted = set(ids)
        out.update({k: p for k, p in self._by_key.items() if p.a in wanted and p.b in wanted})
        return out

    def linked(self, ids: Sequence[str], relations: Sequence[str]) -> set[str]:
        out = self._store.linked(ids, relations)
        want, rel = set(ids), set(relations)
        for p in self._by_key.values():
            if p.relation in rel:
                if p.a in want:
                    out.add(p.b)
                if p.b in want:
                    out.add(p.a)
        return out


@dataclass
class StorePlacer:
    """Places components read from ``store`` (reads only): a component's rows and pairs come from
    the store, its sentence vectors from ``cache``, else the store, else the encoder. What it
    computes (pairs scored, vectors encoded) is returned for the writer to store."""

    store: Any  # a Store, or a PlanningStore
    settings: Settings
    model: RelationModel
    cache: dict[str, np.ndarray] = field(default_factory=dict)

    def sentence_vectors(self, ids: Sequence[str], fresh: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Sentence vectors of ``ids``; those encoded here are also added to ``fresh`` (to store)."""
        want = [i for i in ids if i not in self.cache]
        if want:
            got = self.store.get_sentence_vectors(want)
            missing = [i for i in want if i not in got]
            if missing:
                rows = self.store.load_analyses(missing)
                new = sentence_vectors([rows[i] for i in missing], self.settings)
                fresh.update(new)
                got.update(new)
            self.cache.update(got)
        return {i: self.cache[i] for i in ids}

    def place(self, comp: list[str]) -> ComponentPlacement:
        """``place.place_component`` for one component of the store."""
        fresh: dict[str, np.ndarray] = {}
        placed = place_component(
            comp,
            self.store.pairs_among(comp),
            self.store.load_analyses(comp),
            lambda ids: self.sentence_vectors(ids, fresh),
            self.settings,
            self.model,
            self.store.term_stats,
        )
        return ComponentPlacement(placed, fresh)

    def for_worker(self) -> StorePlacer:
        """The same placer in a forked worker: reading its own read-only connection."""
        from ..store import open_store

        return StorePlacer(open_store(self.store.location, read_only=True), self.settings, self.model, self.cache)


class Pipeline:
    """Runs the stages against a store. One writer at a time (the store's lock)."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        model: RelationModel | None = None,
        progress: Progress | None = None,
        batch_size: int = 256,
        workers: int = 1,
    ) -> None:
        """``workers`` > 1 runs the per-article stages of :meth:`ingest`, the first scoring tier of
        large candidate lists and the placement of many components in that many forked
        processes (same results; for the CLI, not for a threaded server)."""
        self.store = store
        self.workers = workers
        self.settings = settings or Settings()
        self.model = model or default_model()
        self.progress = progress or _no_progress
        self.batch_size = batch_size
        self.placer = StorePlacer(store, self.settings, self.model)

    # -- ingest ---------------------------------------------------------------------------

    def ingest(self, articles: Iterable[Article]) -> IngestStats:
        """Analyse and store new articles in batched transactions (resumable: stored ids are skipped).

        Pipelined: the workers analyse batch k + 1 while this process stores batch k. Each batch
        is stored whole in one transaction, in input order, so a crash loses at most the batches
        not yet stored and a re-run resumes.
        """
        stats = IngestStats()
        self.check_features_version()
        batch: list[Article] = []
        inflight: dict[str, str] = {}  # id -> content hash of articles sent to the workers, not yet stored
        pending: tuple[list[Article], Pending] | None = None
        with ArticleWorkers(self.workers, self.settings) as workers:

            def flush() -> None:
                nonlocal pending
                todo = self._new_articles(batch, stats, inflight)
                started = (todo, workers.submit(todo)) if todo else None
                if pending is not None:
                    self._store_batch(*pending, stats, inflight)
                pending = started

            for a in articles:
                batch.append(a)
                if len(batch) >= self.batch_size:
                    flush()
                    batch = []
            flush()
            if pending is not None:
                self._store_batch(*pending, stats, inflight)
        return stats

    def check_features_version(self) -> None:
        """Record the features version in a store that has none; refuse a store featurized otherwise.

        Stores written before the version was recorded were featurized with today's settings
        (nothing they depend on changed since), so they take the current version."""
        want = features_version(self.settings)
        have = self.store.get_meta("features_version")
        if have == want:
            return
        if have is None:
            self.store.set_meta("features_version", want)
            return
        raise StoreError(
            f"{self.store.location}: its articles were featurized with other settings ({have}; this "
            f"copydesk: {want}); analyse into a new store (--db) so that old and new articles are "
            "compared on the same features"
        )

    def _new_articles(self, batch: list[Article], stats: IngestStats, inflight: dict[str, str]) -> list[Article]:
        """The articles of ``batch`` to analyse: not stored yet and not already on their way to the
        store. The same id with the same content is counted unchanged; with other content, rejected."""
        if not batch:
            return []
        stored = self.store.stored_hashes([a.id for a in batch])
        todo = []
        for a in batch:
            h = stored.get(a.id) or inflight.get(a.id)
            if h is None:
                todo.append(a)
                inflight[a.id] = content_hash(a)
            elif h == content_hash(a):
                stats.unchanged += 1
            else:
                stats.rejected.append(
                    f"{a.source_path or a.id}: id {a.id!r} is already stored with a different "
                    "text; rejected (give the new version its own id)"
                )
        return todo

    def _store_batch(self, todo: list[Article], pending: Pending, stats: IngestStats, inflight: dict[str, str]) -> None:
        rows = pending.get()
        self.store_rows(rows)
        for a in todo:
            inflight.pop(a.id, None)
        stats.added += len(rows)
        self.progress("ingest", stats.added + stats.unchanged, 0)

    def store_rows(self, rows: Sequence[AnalysisRow]) -> None:
        """Store analysed rows (from ``analyze_batch``, computed anywhere) with their LSH bands,
        entity keys and distinct terms, in one transaction; ids already stored are skipped."""
        if not rows:
            return
        sigs = np.vstack([r.features.signature for r in rows])
        bands = band_keys(sigs, self.settings.lsh_bands)
        ents = [rare_entities(r.features.entities, self.settings) for r in rows]
        self.store.add_analyses(rows, bands, ents, [vocabulary(r.clean.text) for r in rows])

    # -- placement ------------------------------------------------------------------------

    def place(self, only: Sequence[str] | None = None) -> PlaceStats:
        """Place every stored-but-unplaced article (or those of ``only`` still unplaced): candidates,
        scores, stories, provenance."""
        stats = PlaceStats()
        new = self.store.unplaced_ids() if only is None else self.unplaced_of(only)
        if not new:
            return stats
        if self.settings.claims:  # the claim checker's trained verifier loads while candidates are scored
            from ..claims.verifier import warm_trained_support

            warm_trained_support()
        pairs = self._score_candidates(new, stats)
        self.store.put_pairs(list(pairs.values()))
        done: set[str] = set()
        comps = self._components(new)
        placements = self._placed(comps)
        # The first placement is taken before any transaction opens: it starts the forked workers,
        # and a child forked while this connection holds locks inherits SQLite's per-file lock
        # bookkeeping, so its own reader may skip a WAL read lock the writer's checkpoint then
        # ignores ("database disk image is malformed" in a worker, seen once at 10,000 articles).
        placements = itertools.chain([next(placements)], placements)
        results = enumerate(zip(comps, placements, strict=True))
        # Components are written a batch a commit: each commit is consistent on its own (a
        # crash loses only whole components, placed again on the next run). At least 32
        # commits a run, so the stored progress moves and a crash loses little.
        batch = min(WRITE_BATCH, max(1, len(comps) // 32))
        for _start in range(0, len(comps), batch):
            with self.store.transaction():
                for i, (comp, placed) in itertools.islice(results, batch):
                    self._write_component(comp, placed, stats)
                    done.update(comp)
                    self.progress("place", i + 1, len(comps))
        stats.placed = len(done & set(new))
        return stats

    def unplaced_of(self, ids: Sequence[str]) -> list[str]:
        """The ids of ``ids`` that are stored and not placed yet, in the given order."""
        ids = list(dict.fromkeys(ids))
        stored = self.store.stored_hashes(ids)
        placed = self.store.placements(ids)
        return [i for i in ids if i in stored and i not in placed]

    def plan_placement(self, ids: Sequence[str]) -> PlacementPlan:
        """What :meth:`place` would write for the unplaced ids of ``ids``, computed without writing.

        For a reader: the store must be a ``PlanningStore`` (it records the pairs and sentence
        vectors scoring stores on the way, and lets the later steps see them). All the costly
        work (candidate scoring, sentence encoding, story tracing and claims) happens here, so it
        can run outside the one writer; :meth:`apply_placement` then writes it in a short step."""
        stats = PlaceStats()
        new = self.unplaced_of(ids)
        if not new:
            return PlacementPlan(new=[])
        pairs = self._score_candidates(new, stats)
        self.store.put_pairs(list(pairs.values()))
        comps = self._components(new)
        placed = [self.placer.place(c) for c in comps]
        store: Any = self.store
        return PlacementPlan(
            new=new,
            comps=comps,
            placed=placed,
            stories=[self._stories_around(c) for c in comps],
            pairs=list(getattr(store, "pairs", [])),
            vectors=dict(getattr(store, "vectors", {})),
        )

    def _stories_around(self, comp: Sequence[str]) -> dict[str, list[str]]:
        return {sid: sorted(self.store.members_of([sid])) for sid in sorted(self.store.stories_of(comp))}

    def apply_placement(self, plan: PlacementPlan) -> bool:
        """Write ``plan`` if the store still matches what it was computed from; False if not.

        Matching: the same ids are still unplaced, their components (over the pairs stored now)
        are the plan's, and every story touching a component has the members it had. Placement
        is a function of exactly that, so the rows written equal those :meth:`place` would write
        now. On False nothing but the plan's candidate pairs and sentence vectors (pure functions
        of the articles) has been written; the caller plans again."""
        if not plan.new:
            return True
        if plan.pairs:
            self.store.put_pairs(plan.pairs)
        if plan.vectors:
            self.store.put_sentence_vectors(plan.vectors)
        if self.unplaced_of(plan.new) != plan.new:
            return False
        comps = self._components(plan.new)
        if comps != plan.comps or [self._stories_around(c) for c in comps] != plan.stories:
            return False
        stats = PlaceStats()
        with self.store.transaction():
            for comp, placed in zip(comps, plan.placed, strict=True):
                self._write_component(comp, placed, stats)
        return True

    def candidates(self, new: Sequence[str]) -> set[Key]:
        """Candidate pairs for the new articles: LSH bands and rare entities (the store's postings),
        vector radius over every stored document vector (``candidates.radius_neighbours``)."""
        s = self.settings
        feats = self.store.load_features(new)
        out: set[Key] = set()
        bands = band_keys(np.vstack([feats[i].signature for i in new]), s.lsh_bands)
        for i, a in enumerate(new):
            near = self.store.band_candidates(a, bands[i].tolist())
            near |= self.store.entity_candidates(
                a, rare_entities(feats[a].entities, s), s.entity_max_postings, s.entity_min_shared
            )
            out.update((a, b) if a < b else (b, a) for b in near if b != a)
        ids, mat = self.store.all_doc_vectors()
        q = np.vstack([feats[a].doc_vector for a in new])
        return out | radius_neighbours(
            new, q, ids, mat, s.vector_min_cosine, s.vector_max_neighbours, s.vector_min_neighbours
        )

    def _score_candidates(self, new: Sequence[str], stats: PlaceStats) -> dict[Key, Pair]:
        cands = sorted(self.candidates(new))
        return self.score_pairs(cands, stats)

    def score_pairs(self, cands: Sequence[Key], stats: PlaceStats | None = None) -> dict[Key, Pair]:
        """Both tiers (``score.first_tier``, ``score.second_tier``) for pairs of stored articles; the
        first tier of a long list in the workers, sentence vectors encoded here are stored."""
        ids = sorted({x for p in cands for x in p})
        feats = self.store.load_features(ids)
        first: FirstTier = {}
        if self.workers > 1 and len(cands) >= 4 * SCORE_CHUNK:
            chunks = [cands[i : i + SCORE_CHUNK] for i in range(0, len(cands), SCORE_CHUNK)]
            for part in fork_map(_first_tier_task, chunks, (feats, self.model), self.workers):
                first.update(part)
        else:
            first = first_tier(cands, feats, self.model)
        out = second_tier(first, self.sentence_vectors_for, self.model)
        if stats is not None:
            stats.pairs_scored += len(out)
        return out

    def sentence_vectors_for(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence vectors of ``ids``: from memory, else the store, else encoded (and stored)."""
        fresh: dict[str, np.ndarray] = {}
        out = self.placer.sentence_vectors(ids, fresh)
        if fresh:
            self.store.put_sentence_vectors(fresh)
        return out

    def _components(self, new: Sequence[str]) -> list[list[str]]:
        """Groups of articles linked to the new ones (and the stories they join), to re-cluster."""
        seen: set[str] = set()
        comps = []
        for start in new:
            if start in seen:
                continue
            comp = {start}
            frontier = {start}
            while frontier:
                nxt = self.store.linked(sorted(frontier), LINKED)
                olds = self.store.stories_of(sorted(frontier))
                nxt |= self.store.members_of(sorted(olds))
                frontier = nxt - comp
                comp |= frontier
            seen |= comp
            comps.append(sorted(comp))
        return comps

    def _placed(self, comps: list[list[str]]) -> Iterator[ComponentPlacement]:
        """Each component's placement, in order: in forked workers (each reading the store through
        its own read-only connection, reopened from ``Store.location``) when there are several
        cores and enough components, else here. The store is written here only."""
        if self.workers > 1 and len(comps) >= PARALLEL_MIN_COMPONENTS and self.store.location:
            yield from place_in_workers(self.placer, comps, self.workers)
        else:
            for comp in comps:
                yield self.placer.place(comp)

    def _write_component(self, comp: list[str], cp: ComponentPlacement, stats: PlaceStats) -> None:
        placed = cp.placed
        if placed.new_pairs:
            self.store.put_pairs(list(placed.new_pairs.values()))
        if cp.vectors:
            self.store.put_sentence_vectors(cp.vectors)
        old = self.store.stories_of(comp)
        self.store.replace_stories(sorted(old), placed.stories, placed.placements, placed.details)
        stats.pairs_scored += len(placed.new_pairs)
        stats.stories_touched += len(placed.stories)
