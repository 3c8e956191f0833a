"""The claim features (:data:`CLAIM_FEATURES`) and the fitted logistic model over them (:class:`ClaimModel`)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from ..align import ALIGN_MIN, W_EMB
from ..featurize.terms import STOP, rarity, sentence_info
from ..score import sigmoid
from .checks import antonym_flip, class_swap, negated
from .findings import TIME_UNITS, Finding, compat, named_in_pool
from .index import PoolIndex
from .inputs import LOOSE_MIN, TOP_EVIDENCE, ClaimInput
from .rules import hard_findings
from .unit_rules import NUMBER_WORDS

CLAIM_FEATURES = (
    "best_sim",
    "emb_best",
    "lex_best",
    "novelty",
    "novelty_top",
    "novelty_rare",
    "bigram_novelty",
    "max_new_rarity",
    "new_entities",
    "new_speaker",
    "new_numbers",
    "num_conflict",
    "unit_swap",
    "neg_flip",
    "antonym",
    "class_swap",
    "rule_contra",
    "rule_unsupported",
    "len_words",
)


@dataclass(frozen=True, slots=True)
class ClaimModel:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    intercept: float
    threshold: float  # P(not supported) at or above this -> flagged
    meta: dict = field(default_factory=dict)

    @property
    def floor(self) -> tuple[str, float]:
        """(feature, value): below this alignment a claim is unsupported whatever the model says ("no
        version contains it"); fitted with the model (``meta``), 0 = off."""
        return str(self.meta.get("floor_feature", "lex_best")), float(self.meta.get("floor", 0.0))

    def prob(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (x.get(f, 0.0) - m) / s
            for f, c, m, s in zip(self.features, self.coef, self.mean, self.scale, strict=True)
        )
        return sigmoid(z)

    def probs(self, xs: Sequence[dict[str, float]]) -> np.ndarray:
        if not xs:
            return np.zeros(0)
        m = np.array([[x.get(f, 0.0) for f in self.features] for x in xs], dtype=np.float64)
        z = self.intercept + ((m - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    @classmethod
    def from_json(cls, d: dict) -> ClaimModel:
        return cls(
            tuple(d["features"]),
            tuple(d["coef"]),
            tuple(d["mean"]),
            tuple(d["scale"]),
            float(d["intercept"]),
            float(d["threshold"]),
            d.get("meta", {}),
        )


@lru_cache(maxsize=1)
def model_file() -> dict:
    return json.loads(resources.files("copydesk.data").joinpath("claim_model.json").read_text())


def default_claim_model() -> ClaimModel:
    d = model_file()
    return ClaimModel.from_json(d["claims"] if "claims" in d else d)


@dataclass(slots=True)
class Judged:
    x: dict[str, float]
    top: list[int]
    aligned: list[int]
    rule: Finding | None  # the verdict of the hard rules, if one fired
    missing: tuple[str, ...] = ()  # its content words no version has, rarest first


def claim_features(
    claim: ClaimInput, index: PoolIndex, sims: np.ndarray, emb: np.ndarray, align_min: float = ALIGN_MIN
) -> Judged:
    """Features of one claim against an indexed pool, and the verdict of the hard rules (if any)."""
    pool = index.pool
    ranked = [int(i) for i in np.argsort(-sims, kind="stable")] if len(sims) else []
    top = ranked[:TOP_EVIDENCE]
    # Windows (two adjacent sentences, ``EvidenceSentence.window``) count for the alignment (``best_sim``)
    # and the words found; the rules compare a claim with single sentences only.
    single = [i for i in ranked if not pool[i].window]
    top_single = single[:TOP_EVIDENCE]
    aligned = [i for i in top_single if sims[i] >= align_min]
    ws, sts, _, bigr = sentence_info(claim.text)
    content = [
        (w, s) for w, s in zip(ws, sts, strict=True) if w not in STOP and not w.isdigit() and len(w) > 1
    ]
    rar = {w: max(rarity(w), 0.5) for w, _ in content}
    total = sum(rar[w] for w, _ in content) or 1.0
    missing = [w for w, s in content if w not in index.all_words and s not in index.all_stems]
    top_stems = frozenset().union(*(index.stem_sets[i] for i in top)) if top else frozenset()
    missing_top = [w for w, s in content if s not in top_stems]
    ents = [u for u in claim.units if u.kind == "entity"]
    nums = [u for u in claim.units if u.kind == "number"]
    new_num = [u for u in nums if not any(compat(u, p) for p in index.all_numbers)]
    top_nums = [v for i in top_single for v in index.numbers[i]]
    conflict = [
        u
        for u in nums
        if any(compat(u, p) is False for p in top_nums) and not any(compat(u, p) for p in top_nums)
    ]
    unit_swap = [
        u
        for u in new_num
        if u.unit in TIME_UNITS
        and any(p.unit in TIME_UNITS and p.unit != u.unit and p.value == u.value for p in top_nums)
    ]
    best_text = pool[top_single[0]].text if top_single else ""
    best = float(sims[top[0]]) if top else 0.0
    x = {
        "best_sim": best,
        "emb_best": float(emb.max()) if len(emb) else 0.0,
        "lex_best": float((sims - W_EMB * emb).max() / (1.0 - W_EMB)) if len(sims) else 0.0,
        "novelty": sum(rar[w] for w in missing) / total if pool else 1.0,
        "novelty_top": sum(rar[w] for w in missing_top) / total if pool else 1.0,
        "novelty_rare": sum(rar[w] for w in missing if rar[w] > 3.5) / total if pool else 1.0,
        "bigram_novelty": (sum(1 for b in bigr if b not in index.bigrams) / len(bigr)) if bigr else 0.0,
        "max_new_rarity": max((rar[w] for w in missing), default=0.0),
        "new_entities": float(sum(1 for u in ents if not index.entity_known(u))),
        "known_entities": float(sum(1 for u in ents if index.entity_known(u))),
        "new_speaker": float(
            sum(
                1
                for u in claim.units
                if u.kind == "attribution"
                and u.key.startswith("said:")
                and not named_in_pool(u.key.partition(":")[2], index)
            )
        ),
        "new_numbers": float(len(new_num)),
        "num_match": float(len(nums) - len(new_num)),
        "num_conflict": float(len(conflict)),
        "unit_swap": float(len(unit_swap)),
        "neg_flip": float(bool(aligned) and negated(claim.text) != negated(best_text)),
        "antonym": float(bool(aligned) and antonym_flip(claim.text, best_text)),
        "class_swap": float(
            class_swap(claim.text, " ".join(pool[i].text for i in aligned[:2])) if aligned else 0
        ),
        "rule_contra": 0.0,
        "rule_unsupported": 0.0,
        "len_words": math.log1p(len(ws)),
    }
    near = [i for i in single[:8] if sims[i] >= LOOSE_MIN]
    rule = hard_findings(claim, index, sims, near, aligned)
    if rule is not None:
        x["rule_contra" if rule.status == "contradicted" else "rule_unsupported"] = 1.0
    shown = tuple(
        dict.fromkeys(
            w for w in sorted(missing, key=lambda w: -rar[w]) if len(w) > 2 and w not in NUMBER_WORDS
        )
    )[:4]
    return Judged(x, top, aligned, rule, shown)
