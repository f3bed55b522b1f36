"""Trains the detector on WORK/crops-*.u8 (from synth.py), calibrates it, exports ONNX.

Resumable: a checkpoint is written after every epoch (WORK/detector-ckpt.pt) and a rerun continues
from it. Writes models/detector-v1.onnx and the network part of models/detector-v1.json (Platt
scaling fitted on the held-out validation crops; the operating threshold is set afterwards on real
camera photos by `needle eval-detector --calibrate`).
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from model import Detector, count_parameters

TRAIN_CROP = 120  # random 120 px windows of the 128 px crops: shifts the 2x2 phase and the JPEG grid


def load_split(work, split):
    with open(os.path.join(work, f"crops-{split}.json")) as f:
        meta = json.load(f)
    s = meta["size"]
    x = np.fromfile(os.path.join(work, f"crops-{split}.u8"), np.uint8).reshape(meta["n"], s, s, 3)
    y = np.array([it["label"] for it in meta["items"]], np.float32)
    fam = [it["family"] for it in meta["items"]]
    return x, y, fam


def batch_tensor(x, idx, rng, train):
    b = x[idx]
    if train:
        oy, ox = rng.integers(0, b.shape[1] - TRAIN_CROP + 1, 2)
        b = b[:, oy:oy + TRAIN_CROP, ox:ox + TRAIN_CROP]
        if rng.random() < 0.5:
            b = b[:, :, ::-1]
        b = np.rot90(b, rng.integers(0, 4), axes=(1, 2))
    t = torch.from_numpy(np.ascontiguousarray(b)).permute(0, 3, 1, 2).float() / 255.0
    return t


def auc(scores, labels):
    """ROC AUC by the rank-sum statistic (ties get half credit)."""
    order = np.argsort(scores, kind="mergesort")
    s, l = scores[order], labels[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1
        i = j + 1
    pos = l == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def predict(model, x):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), 256):
            out.append(model(batch_tensor(x, np.arange(i, min(i + 256, len(x))), None, False)).numpy().ravel())
    return np.concatenate(out)


def fit_platt(logits, labels):
    """p = sigmoid(a * logit + b), by Newton's method on the log loss."""
    a, b = 1.0, 0.0
    for _ in range(50):
        z = a * logits + b
        p = 1 / (1 + np.exp(-z))
        g = np.array([((p - labels) * logits).sum(), (p - labels).sum()])
        w = p * (1 - p) + 1e-9
        h = np.array([[(w * logits * logits).sum(), (w * logits).sum()], [(w * logits).sum(), w.sum()]])
        step = np.linalg.solve(h + 1e-6 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def strip_identity(path):
    """OpenCV 4.6 rejects Identity nodes; rewire their consumers to the Identity's input."""
    import onnx
    g = onnx.load(path)
    rename = {n.output[0]: n.input[0] for n in g.graph.node if n.op_type == "Identity"}
    keep = [n for n in g.graph.node if n.op_type != "Identity"]
    for n in keep:
        for i, name in enumerate(n.input):
            while name in rename:
                name = rename[name]
            n.input[i] = name
    del g.graph.node[:]
    g.graph.node.extend(keep)
    onnx.checker.check_model(g)
    onnx.save(g, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="../../build/train")
    ap.add_argument("--models", default="../../models")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    log = lambda s: print(s, flush=True)

    xt, yt, _ = load_split(args.work, "train")
    xv, yv, fv = load_split(args.work, "val")
    log(f"train {len(xt)} crops, val {len(xv)} crops")
    model = Detector()
    log(f"{Detector.VERSION}: {count_parameters(model)} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = len(xt) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.epochs * steps_per_epoch)
    ckpt_path = os.path.join(args.work, "detector-ckpt.pt")
    epoch, history = 0, []
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        epoch, history = ck["epoch"], ck["history"]
        log(f"resumed after epoch {epoch}")

    rng = np.random.default_rng(11)
    while epoch < args.epochs:
        start = time.time()
        model.train()
        perm = rng.permutation(len(xt))
        total = 0.0
        for s in range(steps_per_epoch):
            idx = np.sort(perm[s * args.batch:(s + 1) * args.batch])
            logits = model(batch_tensor(xt, idx, rng, True)).ravel()
            loss = F.binary_cross_entropy_with_logits(logits, torch.from_numpy(yt[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        epoch += 1
        val = predict(model, xv)
        history.append({"epoch": epoch, "loss": total / steps_per_epoch, "val_auc": auc(val, yv),
                        "seconds": round(time.time() - start, 1)})
        log(json.dumps(history[-1]))
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "epoch": epoch, "history": history}, ckpt_path)

    val = predict(model, xv)
    a, b = fit_platt(val, yv)
    fams = sorted(set(fv) - {"real"})
    real = np.array([f == "real" for f in fv])
    per_family = {f: round(auc(np.concatenate([val[real], val[np.array(fv) == f]]),
                               np.concatenate([yv[real], yv[np.array(fv) == f]])), 4) for f in fams}
    log(f"validation AUC {auc(val, yv):.4f}; per family {per_family}; platt a={a:.4f} b={b:.4f}")

    os.makedirs(args.models, exist_ok=True)
    onnx_path = os.path.join(args.models, "detector-v1.onnx")
    export = model.for_export()
    torch.onnx.export(export, torch.rand(1, 3, 256, 256), onnx_path, input_names=["image"],
                      output_names=["logit"], opset_version=11,
                      dynamic_axes={"image": {0: "n", 2: "h", 3: "w"}, "logit": {0: "n"}})
    strip_identity(onnx_path)
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    cfg_path = os.path.join(args.models, "detector-v1.json")
    cfg = json.load(open(cfg_path)) if os.path.exists(cfg_path) else {}
    cfg.update({
        "version": Detector.VERSION,
        "onnx": "detector-v1.onnx",
        "onnx_sha256": sha,
        "input": "RGB, float 0..1, NCHW, even sides, native resolution (never resized)",
        "tile": 256,
        "min_side": 32,
        "platt": {"a": a, "b": b},
        "training": {"parameters": count_parameters(model), "epochs": args.epochs,
                     "train_crops": int(len(xt)), "val_crops": int(len(xv)),
                     "val_auc": round(auc(val, yv), 4), "val_auc_per_family": per_family,
                     "history": history},
    })
    cfg.setdefault("threshold", 0.5)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    log(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes) and {cfg_path}")


if __name__ == "__main__":
    main()
