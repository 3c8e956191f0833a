"""ONNX Runtime plumbing shared by the sentence encoder (:mod:`.embed`) and the claim verifier (:mod:`.nli`).

Both run an int8 BERT on the CPU the same way: one session with one thread inside each forward pass
and ``threads`` passes at once on a thread pool (ORT's ``Run`` is thread-safe and releases the GIL; a
pass computes the same bits whatever thread runs it, so results do not depend on ``threads``); inputs
sorted by token count and cut into batches within a row and a padded-token limit; one instance a
process, created on first use and dropped in a forked child (an ORT session and its thread pool do
not survive fork).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    import onnxruntime as ort

__all__ = [
    "OnnxPasses", "PerProcess", "default_threads", "length_batches", "padded", "thread_count", "token_batches",
]

T = TypeVar("T")


def default_threads() -> int:
    """Inference threads: ``COPYDESK_THREADS``, else every CPU."""
    return int(os.environ.get("COPYDESK_THREADS", os.cpu_count() or 1))


def token_batches(
    order: list[int], lengths: list[int], batch_size: int, batch_tokens: int
) -> Iterator[list[int]]:
    """Cut ``order`` (ascending length) into batches within both the row and the padded-token limit."""
    batch: list[int] = []
    for j in order:
        if batch and (len(batch) == batch_size or (len(batch) + 1) * lengths[j] > batch_tokens):
            yield batch
            batch = []
        batch.append(j)
    if batch:
        yield batch


def length_batches(rows: Sequence[np.ndarray], batch_size: int, batch_tokens: int) -> list[list[int]]:
    """Indices of ``rows`` sorted by length and cut by :func:`token_batches` (padding is minimal)."""
    order = sorted(range(len(rows)), key=lambda j: len(rows[j]))
    return list(token_batches(order, [len(x) for x in rows], batch_size, batch_tokens))


def padded(rows: Sequence[np.ndarray], chunk: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``chunk`` of ``rows`` right-padded with 0 to the last one's length (a chunk ascends in
    length), as int64, and the attention mask (1 on real tokens)."""
    width = len(rows[chunk[-1]])
    out = np.zeros((len(chunk), width), dtype=np.int64)
    mask = np.zeros((len(chunk), width), dtype=np.int64)
    for row, j in enumerate(chunk):
        out[row, : len(rows[j])] = rows[j]
        mask[row, : len(rows[j])] = 1
    return out, mask


def thread_count(threads: int | None) -> int:
    """``threads``, or :func:`default_threads` if None; ``ValueError`` below 1."""
    n = threads if threads is not None else default_threads()
    if n < 1:
        raise ValueError("threads must be >= 1")
    return n


class OnnxPasses:
    """An ORT CPU session over the model at ``path`` (one thread inside each pass, graph
    optimisations on), run by ``threads`` passes at once; ``name`` names the pool's threads."""

    def __init__(self, path: Path, threads: int, name: str) -> None:
        import onnxruntime as ort

        self.threads = threads
        self._name = name
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session: ort.InferenceSession = ort.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The model's outputs for one pass."""
        return self._session.run(None, feeds)

    def each(self, run: Callable[[list[int]], None], chunks: list[list[int]]) -> None:
        """Call ``run`` on every chunk: in this thread if one thread or one chunk, else on the pool,
        longest chunk first so long and short passes interleave and the threads finish together."""
        if self.threads == 1 or len(chunks) < 2:
            for chunk in chunks:
                run(chunk)
        else:
            list(self._executor().map(run, chunks[::-1]))

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=f"copydesk-{self._name}")
            return self._pool


class PerProcess(Generic[T]):
    """One ``make(threads)`` a process, created on first :meth:`get` (thread-safe) and forgotten in a
    forked child, which builds its own. ``threads`` only applies to the call that creates it.

    :meth:`warm` builds it in a background thread; a fork first waits for that thread, so no child
    inherits a model half loaded (or a lock its loading thread held)."""

    def __init__(self, make: Callable[[int | None], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        os.register_at_fork(before=self._settle, after_in_child=self._reset)

    def _settle(self) -> None:
        t = self._warming
        if t is not None and t is not threading.current_thread():
            t.join()

    def _reset(self) -> None:
        self._value = None
        self._lock = threading.Lock()
        self._warming = None

    def warm(self, threads: int | None = None) -> None:
        """Start building the value in a background thread, unless it is built or being built."""
        with self._lock:
            if self._value is not None or self._warming is not None:
                return
            self._warming = threading.Thread(target=self._quiet_get, args=(threads,), name="copydesk-warm", daemon=True)
            self._warming.start()

    def _quiet_get(self, threads: int | None) -> None:
        """:meth:`get` for :meth:`warm`: a failure is left to the caller's own :meth:`get`, which tries again and
        raises it where it is handled (not as a traceback from a background thread)."""
        try:
            self.get(threads)
        except Exception:  # noqa: BLE001
            pass

    def get(self, threads: int | None = None) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._make(threads)
                value = self._value
        return value
