"""Pairwise claim verifier: P(supported), P(contradicted), P(not stated) of a claim given its evidence.

A MiniLM-L6 cross-encoder fine-tuned in this project (``scripts/train_verifier.py`` on pairs built by
``scripts/build_verifier_data.py``), exported to int8 ONNX by ``scripts/export_verifier.py`` with the
same graph builder and quantisation as :mod:`copydesk.featurize.embed`, and shipped as
``copydesk/data/verifier.onnx`` (training data, procedure and measured figures in ``verifier.json``).
Runtime: onnxruntime + tokenizers, no torch. The input is ``[CLS] claim [SEP] evidence [SEP]``
(evidence = the claim's best one or two evidence sentences), truncated longest-first to
``max_tokens``; the model was trained at 96 tokens.

Every int8 product is quantised per token row, so a pair's probabilities do not depend on the
other pairs in its batch beyond float rounding; pairs are sorted by length and batched.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .embed import weights_dir
from .inference import OnnxPasses, PerProcess, length_batches, padded, thread_count

__all__ = ["LABELS", "MAX_TOKENS", "PairClassifier", "get_pair_classifier", "model_path", "warm_pair_classifier"]

LABELS = ("supported", "contradicted", "not_stated")  # column order of :meth:`PairClassifier.predict`
MAX_TOKENS = 96  # the training sequence length
PAIR_BATCH = 16
BATCH_TOKENS = 2048


def model_path() -> Path:
    return Path(str(resources.files("copydesk"))) / "data" / "verifier.onnx"


def model_meta() -> dict:
    p = model_path().with_suffix(".json")
    return json.loads(p.read_text()) if p.exists() else {}


class PairClassifier:
    """Scores (claim, evidence) pairs with the shipped int8 cross-encoder."""

    labels = LABELS

    def __init__(
        self, threads: int | None = None, path: Path | str | None = None, max_tokens: int = MAX_TOKENS
    ) -> None:
        from tokenizers import Tokenizer

        n = thread_count(threads)
        if not 8 <= max_tokens <= 512:
            raise ValueError("max_tokens must be in [8, 512]")
        self.threads = n
        self.max_tokens = max_tokens
        self.path = Path(path) if path is not None else model_path()
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path} missing: run scripts/export_verifier.py")
        self._passes = OnnxPasses(self.path, n, "nli")  # one thread a pass, ``threads`` passes at once
        tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
        tok.enable_truncation(max_tokens, strategy="longest_first")
        tok.no_padding()
        self._tok = tok

    def predict(
        self, claims: Sequence[str], evidences: Sequence[str], batch_size: int = PAIR_BATCH
    ) -> np.ndarray:
        """(n, 3) float32 probabilities in :data:`LABELS` order; rows sum to 1. Empty input -> (0, 3)."""
        if isinstance(claims, str) or isinstance(evidences, str):
            raise TypeError("claims and evidences must be sequences of strings")
        if len(claims) != len(evidences):
            raise ValueError("claims and evidences differ in length")
        out = np.zeros((len(claims), len(LABELS)), dtype=np.float32)
        if not len(claims):
            return out
        encs = self._tok.encode_batch([(c or "", e or "") for c, e in zip(claims, evidences, strict=True)])
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encs]
        types = [np.asarray(e.type_ids, dtype=np.int64) for e in encs]

        def run(chunk: list[int]) -> None:
            input_ids, mask = padded(ids, chunk)
            token_types, _ = padded(types, chunk)
            (probs,) = self._passes.run(
                {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": token_types}
            )
            out[chunk] = probs

        self._passes.each(run, length_batches(ids, batch_size, BATCH_TOKENS))
        return out


_CLASSIFIER: PerProcess[PairClassifier] = PerProcess(PairClassifier)


def warm_pair_classifier() -> None:
    """Start loading the classifier in a background thread (see :meth:`PerProcess.warm`)."""
    _CLASSIFIER.warm()


def get_pair_classifier(threads: int | None = None) -> PairClassifier:
    """Process-wide cached classifier (the model loads once per process, again in a forked child);
    ``threads`` only applies to the call that creates it."""
    return _CLASSIFIER.get(threads)
