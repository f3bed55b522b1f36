"""Trains the spectral baseline: logistic regression on the C++ features of the training crops.

Features come from build/detector-features (the product's own code), so training and inference
cannot drift apart. Writes models/baseline-v1.json; the threshold is set afterwards by
`needle eval-detector --calibrate`, like the network's.
"""
import argparse
import io
import json
import os
import subprocess

import numpy as np

from train import auc, load_split


def features(tool, work, split):
    meta = json.load(open(os.path.join(work, f"crops-{split}.json")))
    out = subprocess.run([tool, os.path.join(work, f"crops-{split}.u8"), str(meta["n"]), str(meta["size"])],
                         check=True, capture_output=True, text=True).stdout
    names = out.splitlines()[0].split(",")
    x = np.loadtxt(io.StringIO(out), delimiter=",", skiprows=1)
    return names, x


def fit_logistic(x, y, l2=1e-2, iters=50):
    """Newton's method (IRLS) with an L2 penalty on the weights."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = l2 * np.eye(d + 1)
    reg[-1, -1] = 0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-xb @ w))
        g = xb.T @ (p - y) / n + reg @ w
        h = (xb * (p * (1 - p))[:, None]).T @ xb / n + reg
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w[:-1], w[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", default="../../build/train")
    ap.add_argument("--models", default="../../models")
    ap.add_argument("--tool", default="../../build/detector-features")
    args = ap.parse_args()
    names, xt = features(args.tool, args.work, "train")
    _, xv = features(args.tool, args.work, "val")
    _, yt, _ = load_split(args.work, "train")
    _, yv, _ = load_split(args.work, "val")
    mean, scale = xt.mean(0), xt.std(0) + 1e-9
    w, b = fit_logistic((xt - mean) / scale, yt)
    pv = 1 / (1 + np.exp(-(((xv - mean) / scale) @ w + b)))
    val_auc = auc(pv, yv)
    print(f"baseline validation AUC {val_auc:.4f}")
    path = os.path.join(args.models, "baseline-v1.json")
    cfg = json.load(open(path)) if os.path.exists(path) else {}
    cfg.update({"version": "needle-spectral-baseline-v1", "features": names, "mean": mean.tolist(),
                "scale": scale.tolist(), "weights": w.tolist(), "bias": float(b),
                "training": {"train_crops": int(len(xt)), "val_crops": int(len(xv)), "val_auc": round(val_auc, 4)}})
    cfg.setdefault("threshold", 0.5)
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
