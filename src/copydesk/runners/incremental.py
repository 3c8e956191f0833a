"""The analyze pipeline over a store: the stage functions, scheduled for one process.

``analyze_batch`` is the per-article part (clean -> segment -> featurize), pure and
batched; the Spark job maps it over partitions. ``Pipeline.place`` is the incremental
part: candidates for the unplaced articles, pair scoring, re-clustering of only the
components they touch, tracing. Every step after ingest can be recomputed from stored
articles, so a crash needs nothing but a re-run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..clean import clean_article
from ..cluster import story_groups, within_groups
from ..config import Settings
from ..featurize import featurize_batch
from ..featurize.embed import DIM
from ..featurize.minhash import band_keys
from ..records import AnalysisRow, Article, Pair, content_hash
from ..score import RelationModel, default_model, needs_alignment, score_aligned, score_cheap
from ..segment import segment
from ..store.base import Store, StoreError
from ..store.sql import SQLStore
from ..trace import trace_story
from .workers import ArticleWorkers, Pending, fork_map, place_in_workers

Progress = Callable[[str, int, int], None]  # (phase, done, total)
WRITE_BATCH = 256  # components a commit
SCORE_CHUNK = 8192  # candidate pairs a first-tier task in the workers
PARALLEL_MIN_COMPONENTS = 64  # fewer: placing them here costs less than starting workers


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def analyze_batch(articles: Sequence[Article], settings: Settings, embed: bool = True) -> list[AnalysisRow]:
    """Per-article stages for a batch: pure function of the articles and settings."""
    cleans = [clean_article(a) for a in articles]
    sents = [segment(c) for c in cleans]
    # The int8 model quantises activations per token, so a vector does not depend on its batch-mates:
    # incremental, resumed or reordered runs equal one-shot runs.
    feats = featurize_batch(cleans, sents, settings, embed=embed)
    return [AnalysisRow(a, c, tuple(s), f) for a, c, s, f in zip(articles, cleans, sents, feats, strict=True)]


def rare_entities(entities: dict[str, float], settings: Settings) -> list[str]:
    return sorted(k for k, w in entities.items() if w >= settings.entity_min_rarity)


def sentence_texts(rows: Sequence[AnalysisRow]) -> list[str]:
    """The distinct sentence texts of ``rows``, in first-seen order."""
    return list(dict.fromkeys(s.text for r in rows for s in r.sentences))


def assemble_sentence_vectors(
    rows: Sequence[AnalysisRow], vectors: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each article's (n_sentences, 384) matrix from vectors keyed by sentence text."""
    out = {}
    for r in rows:
        v = [vectors[s.text] for s in r.sentences]
        out[r.article.id] = np.vstack(v).astype(np.float32) if v else np.zeros((0, DIM), np.float32)
    return out


def encode_sentences(texts: Sequence[str], settings: Settings) -> np.ndarray:
    """Sentence vectors of ``texts``. A text's vector is the same whatever else is encoded with
    it (the int8 model quantises per token), so callers may encode in any grouping: each
    distinct sentence once, in chunks, on Spark partitions."""
    from ..featurize.embed import get_embedder

    if not texts:
        return np.zeros((0, DIM), np.float32)
    return get_embedder().encode(list(texts), max_tokens=settings.sentence_max_tokens)


def sentence_vectors(rows: Sequence[AnalysisRow], settings: Settings) -> dict[str, np.ndarray]:
    """Embeddings of every sentence of each article, {id: (n_sentences, 384)}; each distinct
    sentence is encoded once (republished copies share most of their sentences)."""
    texts = sentence_texts(rows)
    return assemble_sentence_vectors(rows, dict(zip(texts, encode_sentences(texts, settings), strict=True)))


def first_tier(
    state: tuple[Mapping[str, object], RelationModel], cands: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[dict, Pair]]:
    """The cheap scoring tier for ``cands``: {pair: (features, relation)}; ``state`` is
    (features by id, model)."""
    feats, model = state
    return {(a, b): score_cheap(a, b, feats[a], feats[b], model) for a, b in cands}


def features_version(settings: Settings) -> str:
    """What stored per-article features depend on: the encoder file and the featurize settings. A
    store whose articles were featurized otherwise cannot take new ones (their vectors and bands
    would not be comparable), so :meth:`Pipeline.ingest` refuses instead of mixing them."""
    from ..featurize.embed import MODEL_VERSION

    s = settings
    return (
        f"{MODEL_VERSION};shingles={s.shingle_size};perm={s.num_perm};bands={s.lsh_bands};seed={s.minhash_seed};"
        f"doc_tokens={s.doc_max_tokens};sentence_tokens={s.sentence_max_tokens};terms={s.max_terms};"
        f"entity_rarity={s.entity_min_rarity}"
    )


@dataclass
class IngestStats:
    added: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


@dataclass
class ComponentPlacement:
    """What placing one component computed, for the writer to store: its stories, each
    article's placement and details, and (from a worker) the writes it recorded."""

    stories: list[dict] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    pairs_scored: int = 0


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


class PlanningStore:
    """A read-only store for :meth:`Pipeline.plan_placement`: the pairs and sentence vectors
    placement would write are recorded instead, and answered back to the later steps (the
    components are found over the new pairs, as :meth:`Pipeline.place` finds them after
    storing them); ``doc_vectors``, when given, answers ``all_doc_vectors`` (a server's
    in-memory copy, taken before this snapshot began)."""

    def __init__(self, store: Store, doc_vectors: tuple[list[str], np.ndarray] | None = None) -> None:
        self._store = store
        self._doc_vectors = doc_vectors
        self.pairs: list[Pair] = []
        self.vectors: dict[str, np.ndarray] = {}
        self._by_key: dict[tuple[str, str], Pair] = {}

    def put_pairs(self, pairs: Sequence[Pair]) -> None:
        for p in pairs:
            self._by_key[(p.a, p.b)] = p
        self.pairs = list(self._by_key.values())

    def put_sentence_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        self.vectors.update(vectors)

    def get_sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        got = self._store.get_sentence_vectors([i for i in ids if i not in self.vectors])
        got.update({i: self.vectors[i] for i in ids if i in self.vectors})
        return got

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        return self._doc_vectors if self._doc_vectors is not None else self._store.all_doc_vectors()

    def pairs_among(self, ids: Sequence[str]) -> dict[tuple[str, str], Pair]:
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

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


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
        """``workers`` > 1 runs the per-article stages of :meth:`ingest` in that many forked
        processes (same results; for the CLI, not for a threaded server)."""
        self.store = store
        self.workers = workers
        self.settings = settings or Settings()
        self.model = model or default_model()
        self.progress = progress or _no_progress
        self.batch_size = batch_size
        self._svec_cache: dict[str, np.ndarray] = {}

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
        """Store analysed rows (from ``analyze_batch``, computed anywhere) with their LSH bands and
        entity keys, in one transaction; ids already stored are skipped."""
        if not rows:
            return
        sigs = np.vstack([r.features.signature for r in rows])
        bands = band_keys(sigs, self.settings.lsh_bands)
        ents = [rare_entities(r.features.entities, self.settings) for r in rows]
        self.store.add_analyses(rows, bands, ents)

    # -- placement ------------------------------------------------------------------------

    def place(self, only: Sequence[str] | None = None) -> PlaceStats:
        """Place every stored-but-unplaced article (or those of ``only`` still unplaced): candidates,
        scores, stories, provenance."""
        stats = PlaceStats()
        new = self.store.unplaced_ids() if only is None else self.unplaced_of(only)
        if not new:
            return stats
        pairs = self._score_candidates(new, stats)
        self.store.put_pairs(list(pairs.values()))
        done: set[str] = set()
        comps = self._components(new)
        results = enumerate(zip(comps, self._placed(comps), strict=True))
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
        vectors placement stores on the way, and lets the later steps see them). All the costly
        work (candidate scoring, sentence encoding, story tracing and claims) happens here, so it
        can run outside the one writer; :meth:`apply_placement` then writes it in a short step."""
        stats = PlaceStats()
        new = self.unplaced_of(ids)
        if not new:
            return PlacementPlan(new=[])
        pairs = self._score_candidates(new, stats)
        self.store.put_pairs(list(pairs.values()))
        comps = self._components(new)
        placed = [self._place_component(c) for c in comps]
        return PlacementPlan(
            new=new,
            comps=comps,
            placed=placed,
            stories=[self._stories_around(c) for c in comps],
            pairs=list(getattr(self.store, "pairs", [])),
            vectors=dict(getattr(self.store, "vectors", {})),
        )

    def _stories_around(self, comp: Sequence[str]) -> dict[str, list[str]]:
        return {sid: sorted(self.store.members_of([sid])) for sid in sorted(self.store.stories_of(comp))}

    def apply_placement(self, plan: PlacementPlan) -> bool:
        """Write ``plan`` if the store still matches what it was computed from; False if not.

        Matching: the same ids are still unplaced, their components (over the pairs stored now)
        are the plan's, and every story touching a component has the members it had. Placement
        is a function of exactly that, so the rows written equal those :meth:`place` would write
        now. On False nothing but the plan's pairs and sentence vectors (pure functions of the
        articles) has been written; the caller plans again."""
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

    def candidates(self, new: Sequence[str]) -> set[tuple[str, str]]:
        """Candidate pairs for the new articles: LSH bands, vector radius, rare entities."""
        s = self.settings
        feats = self.store.load_features(new)
        out: set[tuple[str, str]] = set()

        def add(a: str, b: str) -> None:
            if a != b:
                out.add((a, b) if a < b else (b, a))

        sigs = np.vstack([feats[i].signature for i in new])
        bands = band_keys(sigs, s.lsh_bands)
        for i, a in enumerate(new):
            for b in self.store.band_candidates(a, bands[i].tolist()):
                add(a, b)
            for b in self.store.entity_candidates(
                a, rare_entities(feats[a].entities, s), s.entity_max_postings, s.entity_min_shared
            ):
                add(a, b)
        ids, mat = self.store.all_doc_vectors()
        index = {x: k for k, x in enumerate(ids)}
        q = np.vstack([feats[a].doc_vector for a in new])
        for start in range(0, len(new), 1024):
            block = q[start : start + 1024]
            # One query row goes through BLAS gemv, whose sums differ in the last bit from gemm's:
            # a lone new article (incremental runs, the API) must score as it would in a batch.
            sims = (np.vstack([block, block]) @ mat.T)[:1] if len(block) == 1 else block @ mat.T
            for r, a in enumerate(new[start : start + 1024]):
                row = sims[r]
                if a in index:
                    row[index[a]] = -1.0
                hits = np.flatnonzero(row >= s.vector_min_cosine)
                if len(hits) > s.vector_max_neighbours:
                    hits = hits[np.argsort(-row[hits], kind="stable")[: s.vector_max_neighbours]]
                for h in hits:
                    add(a, ids[h])
        return out

    def _score_candidates(self, new: Sequence[str], stats: PlaceStats) -> dict[tuple[str, str], Pair]:
        cands = sorted(self.candidates(new))
        return self.score_pairs(cands, stats)

    def score_pairs(
        self, cands: Sequence[tuple[str, str]], stats: PlaceStats | None = None
    ) -> dict[tuple[str, str], Pair]:
        ids = sorted({x for p in cands for x in p})
        feats = self.store.load_features(ids)
        first: dict[tuple[str, str], tuple[dict, Pair]] = {}
        if self.workers > 1 and len(cands) >= 4 * SCORE_CHUNK:
            chunks = [cands[i : i + SCORE_CHUNK] for i in range(0, len(cands), SCORE_CHUNK)]
            for part in fork_map(first_tier, chunks, (feats, self.model), self.workers):
                first.update(part)
        else:
            first = first_tier((feats, self.model), cands)
        # Second tier: sentence alignment for pairs that may be rewrites.
        need = [k for k, (_x, p) in first.items() if needs_alignment(p)]
        svecs = self.sentence_vectors_for(sorted({x for k in need for x in k}))
        out: dict[tuple[str, str], Pair] = {}
        for k, (x, p) in first.items():
            out[k] = score_aligned(k[0], k[1], x, svecs[k[0]], svecs[k[1]], self.model) if needs_alignment(p) else p
        if stats is not None:
            stats.pairs_scored += len(out)
        return out

    def sentence_vectors_for(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence vectors of ``ids``: from memory, else the store, else encoded (and stored)."""
        want = [i for i in ids if i not in self._svec_cache]
        if want:
            got = self.store.get_sentence_vectors(want)
            missing = [i for i in want if i not in got]
            if missing:
                rows = self.store.load_analyses(missing)
                fresh = sentence_vectors([rows[i] for i in missing], self.settings)
                self.store.put_sentence_vectors(fresh)
                got.update(fresh)
            self._svec_cache.update(got)
        return {i: self._svec_cache[i] for i in ids}

    def _components(self, new: Sequence[str]) -> list[list[str]]:
        """Groups of articles linked to the new ones (and the stories they join), to re-cluster."""
        linked_rel = ("duplicate", "rewrite", "same_story")
        seen: set[str] = set()
        comps = []
        for start in new:
            if start in seen:
                continue
            comp = {start}
            frontier = {start}
            while frontier:
                nxt = self.store.linked(sorted(frontier), linked_rel)
                olds = self.store.stories_of(sorted(frontier))
                nxt |= self.store.members_of(sorted(olds))
                frontier = nxt - comp
                comp |= frontier
            seen |= comp
            comps.append(sorted(comp))
        return comps

    def _placed(self, comps: list[list[str]]) -> Iterator[ComponentPlacement]:
        """Each component's placement, in order: in forked workers when there are several
        cores and enough components (the store is read there, written here), else here."""
        if self.workers > 1 and len(comps) >= PARALLEL_MIN_COMPONENTS and isinstance(self.store, SQLStore):
            yield from place_in_workers(self, comps, self.workers)
        else:
            for comp in comps:
                yield self._place_component(comp)

    def _place_component(self, comp: list[str]) -> ComponentPlacement:
        """Stories and provenance of one component. Reads the store; its only writes (a small
        component's missing pairs, fresh sentence vectors) go through ``put_pairs`` and
        ``put_sentence_vectors``, which a worker records for the writer to replay."""
        model = self.model
        stats = PlaceStats()
        pairs = self.store.pairs_among(comp)
        if len(comp) <= self.settings.max_exact_component:
            missing = [(a, b) for i, a in enumerate(comp) for b in comp[i + 1 :] if (a, b) not in pairs]
            if missing:
                scored = self.score_pairs(missing, stats)
                self.store.put_pairs(list(scored.values()))
                pairs.update(scored)
        sim = {k: p.scores.get("p_story", 0.0) for k, p in pairs.items()}
        stories = story_groups(comp, sim, model)
        rows = self.store.load_analyses(comp)
        multi = sorted({m for s in stories if len(s) > 1 for m in s})
        svecs = self.sentence_vectors_for(multi) if multi else {}
        out = ComponentPlacement(pairs_scored=stats.pairs_scored)
        for members, spairs in zip(stories, within_groups(stories, pairs), strict=True):
            traced = trace_story(members, rows, svecs, spairs, model)
            out.stories.append(traced.story)
            out.placements.extend(traced.placements)
            out.details.update(self.details_for(traced, rows, svecs, spairs))
        return out

    def _write_component(self, comp: list[str], placed: ComponentPlacement, stats: PlaceStats) -> None:
        if placed.pairs:
            self.store.put_pairs(placed.pairs)
        if placed.vectors:
            self.store.put_sentence_vectors(placed.vectors)
        old = self.store.stories_of(comp)
        self.store.replace_stories(sorted(old), placed.stories, placed.placements, placed.details)
        stats.pairs_scored += placed.pairs_scored
        stats.stories_touched += len(placed.stories)

    def details_for(self, traced, rows, svecs, pairs) -> dict[str, str]:
        """Per-article detail JSON (alignment, claims, dropped) for a traced story."""
        from ..diff import story_details

        if not self.settings.claims:
            return {}
        return story_details(traced, rows, svecs, self.settings)
