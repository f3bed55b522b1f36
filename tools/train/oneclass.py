#!/usr/bin/python3
"""Ablation (not shipped): a one-class model of camera photos.

Instead of learning "real vs our synthesised fakes", model only what camera
photos look like: a Gaussian (shrunk covariance) over the baseline's 35
spectral features of every real-train photo under the three conditions of
`needle eval-detector`, scoring an image by its Mahalanobis distance from it.
No fake is needed, so the model cannot learn our autoencoders' traces; the
question is whether generated images sit farther from camera statistics than
unseen camera photos do. Prints AUC and TPR at 1% FPR per condition, per
generator (>= 5 images) and per source on the dev manifest.

  tools/train/oneclass.py [--shrink 0.1] [--build build] [--shared ../shared]
Run from the project root; features come from build/detector-features --files.
"""
import argparse, csv, os, subprocess, sys
import numpy as np

CONDITIONS = ["as-is", "format-matched", "laundered"]


def features(tool, root, files):
    """{(file, condition): vector} via the product's own feature code."""
    out = subprocess.run([tool, "--files"], input="\n".join(files) + "\n", cwd=root,
                         capture_output=True, text=True)
    if out.stderr:
        sys.stderr.write(out.stderr)
    rows = {}
    for line in out.stdout.splitlines():
        parts = line.split(",")
        rows[(parts[0], int(parts[1]))] = np.array([float(x) for x in parts[2:]])
    return rows


def auc(pos, neg):
    pos, neg = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shrink", type=float, default=0.1, help="covariance shrinkage towards identity (0-1)")
    ap.add_argument("--build", default="build")
    ap.add_argument("--shared", default="../shared")
    a = ap.parse_args()
    tool = os.path.abspath(os.path.join(a.build, "detector-features"))
    train_root = os.path.join(a.shared, "corpus", "real-train")
    dev_root = os.path.join(a.shared, "corpus", "aigen-dev")

    train_files = [r["file"] for r in csv.DictReader(open(os.path.join(train_root, "manifest.csv")))]
    X = np.array(list(features(tool, train_root, train_files).values()))
    mu, sd = X.mean(0), X.std(0) + 1e-9
    C = np.cov(((X - mu) / sd).T)
    P = np.linalg.inv((1 - a.shrink) * C + a.shrink * np.eye(C.shape[0]))
    print(f"fitted on {len(X)} feature vectors ({len(train_files)} real-train photos x 3 conditions), "
          f"shrinkage {a.shrink}")

    man = list(csv.DictReader(open(os.path.join(dev_root, "manifest.csv"))))
    dev = features(tool, dev_root, [r["file"] for r in man])
    for c, name in enumerate(CONDITIONS):
        score = {}
        for r in man:
            v = dev.get((r["file"], c))
            if v is not None:
                z = (v - mu) / sd
                score[r["file"]] = float(z @ P @ z)
        reals = [score[r["file"]] for r in man if r["label"] == "real" and r["file"] in score]
        gens = [score[r["file"]] for r in man if r["label"] == "generated" and r["file"] in score]
        threshold = np.sort(reals)[len(reals) - 1 - int(0.01 * len(reals))]  # at most 1% of reals above it
        print(f"{name}: n {len(reals) + len(gens)}, AUC {auc(gens, reals):.3f}, "
              f"TPR@1%FPR {np.mean(np.asarray(gens) > threshold):.3f}")
        by_gen, by_src = {}, {}
        for r in man:
            if r["file"] not in score:
                continue
            if r["label"] == "generated":
                by_gen.setdefault(r["generator"], []).append(score[r["file"]])
            by_src.setdefault(r.get("source_repo", ""), {}).setdefault(r["label"], []).append(score[r["file"]])
        print("  per generator: " + ", ".join(f"{g} {auc(v, reals):.2f}" for g, v in
                                              sorted(by_gen.items(), key=lambda kv: -len(kv[1])) if len(v) >= 5))
        print("  per source: " + ", ".join(f"{s} {auc(v['generated'], v['real']):.2f}" for s, v in by_src.items()
                                           if "real" in v and "generated" in v))


if __name__ == "__main__":
    main()
