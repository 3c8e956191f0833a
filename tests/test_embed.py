"""Tests for copydesk.featurize.embed: graph correctness, int8 accuracy, batching, caching."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from copydesk.featurize import embed
from copydesk.featurize.inference import PerProcess, token_batches

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

CEASEFIRE = "The U.S. and Ukraine have jointly proposed a 30-day ceasefire to Russia, but Putin has outlined strict conditions for peace."
CEASEFIRE_PARAPHRASE = (
    "Both nations, alongside Ukraine, have put forward the proposal of a 30-day ceasefire, "
    "although Putin has laid out stringent conditions that must be fulfilled for such a truce to be effective."
)
UNRELATED = (
    "Perennial party girl Tara Reid checked herself into Promises Treatment Center, her rep told People."
)


def seed_sentences(n: int = 20) -> list[str]:
    """First ``n`` distinct sentences of 6+ words from the example seed articles, in file order."""
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").splitlines():
            for sent in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", para.strip()):
                if len(sent.split()) >= 6 and sent not in out:
                    out.append(sent)
    step = max(1, len(out) // n)  # spread over all files, not just the first
    return out[::step][:n]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh cache directory holding the suite's one model build."""
    d = tmp_path_factory.mktemp("copydesk-cache")
    embed.ensure_model(d)
    return d


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> embed.Embedder:
    return embed.Embedder(path=embed.model_path(model_dir))


@pytest.fixture(scope="session")
def weights() -> tuple[dict[str, np.ndarray], dict]:
    return embed.load_weights()


def reference_vectors(texts: list[str], weights: tuple[dict[str, np.ndarray], dict]) -> np.ndarray:
    """fp32 numpy forward pass, mean pooling and L2 norm: what sentence-transformers computes."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(embed.weights_dir() / "tokenizer.json"))
    tok.enable_truncation(128)
    tok.no_padding()
    rows = []
    with embed.single_threaded_blas():
        for enc in tok.encode_batch(texts):
            v = embed._reference_forward(*weights, enc.ids).mean(axis=0)
            rows.append(v / np.linalg.norm(v))
    return np.asarray(rows, dtype=np.float32)


def test_fp32_graph_matches_numpy_reference(weights: tuple[dict[str, np.ndarray], dict]) -> None:
    """The ONNX graph before quantisation is the same function as the numpy BERT, padding included."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    w, config = weights
    tok = Tokenizer.from_file(str(embed.weights_dir() / "tokenizer.json"))
    tok.enable_padding()
    texts = [CEASEFIRE, "Why?", UNRELATED]
    encs = tok.encode_batch(texts)
    act_max: dict[str, np.ndarray] = {}
    with embed.single_threaded_blas():
        expected = [
            embed._reference_forward(w, config, e.ids[: sum(e.attention_mask)], act_max) for e in encs
        ]
    smoothed, scales = embed._smooth(w, config, act_max)
    session = ort.InferenceSession(
        embed._bert_graph(smoothed, config, scales).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    ids = np.array([e.ids for e in encs], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
    (hidden,) = session.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )
    assert ids.shape[1] > len(expected[1])  # padding and masking are exercised
    for row, ref in enumerate(expected):  # unsmoothed weights: smoothing must be exact
        np.testing.assert_allclose(hidden[row, : len(ref)], ref, atol=2e-4)


def test_int8_linear_computes_the_per_token_arithmetic_exactly() -> None:
    """One quantised linear layer gives, bit for bit, the documented row arithmetic: u8 = round half
    to even(x / s) + 128 with s = max(max|x_row|, 1e-8) / 127, an exact integer product, then
    (acc * s) * channel scale. Stored vectors depend on these bits, so a faster graph layout must keep
    them; rows dominated by a negative value, all-zero rows and exact halves are included."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    d_in, d_out = 48, 40
    w = rng.normal(size=(d_in, d_out)).astype(np.float32)

    def quantised_linear(lead: list[str]) -> ort.InferenceSession:
        """x @ w over an input with leading axes ``lead``, through quantize_per_token."""
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], ["y"])],
            "linear",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [*lead, d_in])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [*lead, d_out])],
            [numpy_helper.from_array(w, "w")],
        )
        model = embed.quantize_per_token(
            helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        )
        return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])

    x = (rng.normal(size=(3, 5, d_in)) * rng.uniform(0.01, 50, size=(3, 5, 1))).astype(np.float32)
    x[0, 1] = 0.0  # all-zero row: the 1e-8 floor
    x[1, 2, 3] = -80.0  # the row's largest magnitude is negative
    x[2, 0] = (np.arange(d_in, dtype=np.float32) - 24) * 0.5 + 0.25  # x / s lands on exact halves ...
    x[2, 0, 0] = 63.5  # ... with max|x| 63.5, so s = 0.5
    (y,) = quantised_linear(["batch", "seq"]).run(None, {"x": x})

    s = np.maximum(np.abs(x).max(axis=-1, keepdims=True), np.float32(1e-8)) / np.float32(127.0)
    u8 = np.round(x / s) + np.float32(128.0)  # numpy rounds halves to even, as ONNX does
    w_scale = (np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0).astype(np.float32)
    w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int64)
    acc = (u8.astype(np.int64) - 128) @ w_q
    expected = (acc.astype(np.float32) * s) * w_scale
    assert y.shape == (3, 5, d_out)
    assert np.array_equal(y, expected), float(np.abs(y - expected).max())

    # A (batch, features) input, as the pair verifier's head has after pooling: rows are rows.
    (y2,) = quantised_linear(["batch"]).run(None, {"x": x.reshape(15, d_in)})
    assert np.array_equal(y2, expected.reshape(15, d_out))


def test_int8_close_to_fp32_reference(
    embedder: embed.Embedder, weights: tuple[dict[str, np.ndarray], dict]
) -> None:
    texts = seed_sentences(20)
    assert len(texts) == 20
    cos = np.sum(embedder.encode(texts) * reference_vectors(texts, weights), axis=1)
    assert cos.min() >= 0.99, list(zip(cos.round(4), texts, strict=True))


def test_shape_dtype_and_norm(embedder: embed.Embedder) -> None:
    out = embedder.encode([CEASEFIRE, UNRELATED])
    assert out.shape == (2, embed.DIM) and out.dtype == np.float32
    assert embedder.dim == 384
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_paraphrase_beats_unrelated(embedder: embed.Embedder) -> None:
    other_claim = "Russia has stated it will demand guarantees that Ukraine remains neutral and is permanently barred from joining NATO."
    a, para, claim, unrelated = embedder.encode([CEASEFIRE, CEASEFIRE_PARAPHRASE, other_claim, UNRELATED])
    assert a @ para > a @ claim > a @ unrelated
    assert a @ para > 0.7 and a @ unrelated < 0.2


def test_order_independent(embedder: embed.Embedder) -> None:
    a, b, c = CEASEFIRE, "Why?", UNRELATED
    x = embedder.encode([a, b, c])
    y = embedder.encode([c, a, b])
    assert np.array_equal(y, x[[2, 0, 1]])


def test_batches_give_the_same_bits_as_one_text_a_pass(embedder: embed.Embedder) -> None:
    """Activations are quantised per token, so neither batch-mates nor padding change a vector: the
    batched encoder gives exactly what one text per forward pass gives, in the input order."""
    texts = seed_sentences(40)
    alone = embedder.encode(texts, batch_size=1)
    for size in (3, 16, 64):
        assert np.array_equal(embedder.encode(texts, batch_size=size), alone), size
    # Mixed lengths in one padded batch (a short headline beside a long sentence).
    mixed = [texts[0], "Why?", " ".join(texts[:4])]
    assert np.array_equal(embedder.encode(mixed, batch_size=3, max_tokens=128),
                          embedder.encode(mixed, batch_size=1, max_tokens=128))


def test_empty_input_and_blank_strings(embedder: embed.Embedder) -> None:
    empty = embedder.encode([])
    assert empty.shape == (0, embed.DIM) and empty.dtype == np.float32
    out = embedder.encode(["", CEASEFIRE, "   \n\t", UNRELATED])
    assert not np.isnan(out).any()
    assert not out[0].any() and not out[2].any()
    np.testing.assert_allclose(out[[1, 3]], embedder.encode([CEASEFIRE, UNRELATED]), atol=1e-5)
    blank = embedder.encode(["", " "])
    assert blank.shape == (2, embed.DIM) and not blank.any()


def test_truncation(embedder: embed.Embedder) -> None:
    long_text = " ".join(seed_sentences(40))
    a = embedder.encode([long_text], max_tokens=16)
    b = embedder.encode([long_text], max_tokens=256)
    assert a.shape == b.shape == (1, embed.DIM)
    assert float(a[0] @ b[0]) < 0.999
    with pytest.raises(ValueError):
        embedder.encode([long_text], max_tokens=1000)
    with pytest.raises(TypeError):
        embedder.encode(long_text)  # type: ignore[arg-type]


def test_cached_model_is_reused(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = embed.model_path(model_dir)
    before = path.stat().st_mtime_ns
    monkeypatch.setenv("COPYDESK_CACHE", str(model_dir))
    monkeypatch.setattr(embed, "build_model", lambda p: pytest.fail("rebuilt a cached model"))
    assert embed.ensure_model() == path
    fresh = embed.Embedder(threads=1)
    assert fresh.path == path and fresh.threads == 1
    assert path.stat().st_mtime_ns == before
    assert not list(model_dir.glob(".build-*"))  # no temp files left behind


def test_get_embedder_is_a_singleton(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPYDESK_CACHE", str(model_dir))
    monkeypatch.setattr(embed, "_EMBEDDER", PerProcess(embed.Embedder))  # a fresh one, restored after
    got: list[embed.Embedder] = []
    threads = [threading.Thread(target=lambda: got.append(embed.get_embedder(threads=1))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(e is got[0] for e in got)
    assert embed.get_embedder() is got[0]


def test_a_fork_waits_for_a_model_loading_in_the_background() -> None:
    """``PerProcess.warm`` loads in a background thread (the claim verifier while candidates are scored); a
    fork in the meantime (the placement workers) must wait for it, so the child never inherits a half-built
    model or a lock the loading thread held, and builds its own model."""
    built: list[int] = []

    def make(threads: int | None) -> int:
        time.sleep(0.4)
        built.append(os.getpid())
        return os.getpid()

    pp: PerProcess[int] = PerProcess(make)
    t0 = time.perf_counter()
    pp.warm()
    pp.warm()  # a second warm starts nothing
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: when it started, and the model it gets
        try:
            started = time.perf_counter()
            os.write(w, f"{started} {pp.get()} {len(built)}".encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        started_s, child_value, child_built = fh.read().split()
    os.waitpid(pid, 0)
    assert float(started_s) - t0 >= 0.4  # the fork waited for the load
    assert int(child_value) == pid and int(child_built) == 2  # the child built its own (after the parent's)
    assert built == [os.getpid()] and pp.get() == os.getpid()  # the parent's load ran once, here


def test_a_failed_background_load_is_raised_by_the_callers_own_get(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that cannot load fails where the caller asks for it, with its message, and the background
    attempt raises nothing of its own (no traceback from a thread)."""
    tries: list[int] = []
    uncaught: list[object] = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)

    def make(threads: int | None) -> int:
        tries.append(1)
        raise FileNotFoundError("verifier.onnx missing: run scripts/export_verifier.py")

    pp: PerProcess[int] = PerProcess(make)
    pp.warm()
    with pytest.raises(FileNotFoundError, match="verifier.onnx missing"):
        pp.get()
    deadline = time.perf_counter() + 10
    while len(tries) < 2 and time.perf_counter() < deadline:  # the background attempt and the caller's
        time.sleep(0.01)
    time.sleep(0.05)  # the background thread returns after its attempt
    assert len(tries) == 2 and not uncaught


def test_batches_respect_row_and_token_limits() -> None:
    lengths = [3, 5, 5, 10, 40, 40, 41]
    order = list(range(len(lengths)))
    batches = list(token_batches(order, lengths, batch_size=3, batch_tokens=80))
    assert [j for b in batches for j in b] == order
    assert all(len(b) <= 3 and len(b) * lengths[b[-1]] <= 80 for b in batches)
    assert list(token_batches([0], [500], batch_size=4, batch_tokens=10)) == [[0]]  # one text always fits


def test_parallel_passes_and_repeated_texts_give_the_same_bits(model_dir: Path) -> None:
    """Vectors do not depend on how many passes run at once, nor on a text appearing twice in a call
    (each distinct text is encoded once): incremental, resumed and one-shot runs must agree exactly."""
    texts = seed_sentences(40)
    one = embed.Embedder(threads=1, path=embed.model_path(model_dir))
    two = embed.Embedder(threads=2, path=embed.model_path(model_dir))
    a = one.encode(texts, max_tokens=64)
    b = two.encode(texts, max_tokens=64)
    assert np.array_equal(a, b)
    doubled = two.encode(texts + texts[::-1], max_tokens=64)
    assert np.array_equal(doubled[: len(texts)], a) and np.array_equal(doubled[len(texts) :], a[::-1])
    assert np.array_equal(two.encode(texts[5:6], max_tokens=64)[0], a[5])
