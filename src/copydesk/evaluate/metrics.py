"""Metrics for `copydesk eval`: clustering (B-cubed, ARI), ranking and classification."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering ``pred`` against ``gold`` (item-aligned)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred must have the same length")
    n = len(gold)
    if n == 0:
        return 0.0, 0.0, 0.0
    joint = Counter(zip(gold, pred, strict=True))
    g_size, p_size = Counter(gold), Counter(pred)
    p = sum(c * c / p_size[pc] for (_gc, pc), c in joint.items()) / n
    r = sum(c * c / g_size[gc] for (gc, _pc), c in joint.items()) / n
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def ari(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score([str(g) for g in gold], [str(p) for p in pred]))


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """ROC AUC of ``scores`` for positive ``labels`` (None when only one class is present)."""
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def balanced_accuracy(labels: Sequence[int], preds: Sequence[int]) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return float(balanced_accuracy_score(labels, preds))


def f1_accuracy(labels: Sequence[int], preds: Sequence[int]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(f1_score(labels, preds)), float(accuracy_score(labels, preds))


def macro_f1(labels: Sequence[str], preds: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(labels, preds, average="macro"))
