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
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .embed import default_threads, token_batches, weights_dir

if TYPE_CHECKING:
    import onnxruntime as ort

__all__ = ["LABELS", "MAX_TOKENS", "PairClassifier", "get_pair_classifier", "model_path"]

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
        import onnxruntime as ort
        from tokenizers import Tokenizer

        n = threads if threads is not None else default_threads()
        if n < 1:
            raise ValueError("threads must be >= 1")
        if not 8 <= max_tokens <= 512:
            raise ValueError("max_tokens must be in [8, 512]")
        self.threads = n
        self.max_tokens = max_tokens
        self.path = Path(path) if path is not None else model_path()
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path} missing: run scripts/export_verifier.py")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one thread a pass, ``threads`` passes at once (as embed.py)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session: ort.InferenceSession = ort.InferenceSession(
            str(self.path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
        tok.enable_truncation(max_tokens, strategy="longest_first")
        tok.no_padding()
        self._tok = tok
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

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
        order = sorted(range(len(ids)), key=lambda j: len(ids[j]))
        chunks = list(token_batches(order, [len(x) for x in ids], batch_size, BATCH_TOKENS))

        def run(chunk: list[int]) -> None:
            width = len(ids[chunk[-1]])
            input_ids = np.zeros((len(chunk), width), dtype=np.int64)
            token_types = np.zeros_like(input_ids)
            mask = np.zeros_like(input_ids)
            for row, j in enumerate(chunk):
                input_ids[row, : len(ids[j])] = ids[j]
                token_types[row, : len(ids[j])] = types[j]
                mask[row, : len(ids[j])] = 1
            (probs,) = self._session.run(
                None, {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": token_types}
            )
            out[chunk] = probs

        if self.threads == 1 or len(chunks) < 2:
            for chunk in chunks:
                run(chunk)
        else:
            list(self._executor().map(run, chunks[::-1]))
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="copydesk-nli")
            return self._pool


_instance: PairClassifier | None = None
_instance_lock = threading.Lock()


def _reset_after_fork() -> None:
    global _instance, _instance_lock
    _instance = None
    _instance_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_after_fork)


def get_pair_classifier(threads: int | None = None) -> PairClassifier:
    """Process-wide cached classifier (the model loads once per process)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = PairClassifier(threads=threads)
    return _instance
