"""Builds the detector's training set from real photos only.

Fakes are reconstructions of real photos through small autoencoders trained here, one per
up-sampling family that generators use (transposed convolution, nearest + conv as in the SD VAE,
bilinear + conv, pixel shuffle), at 2x, 4x and 8x. Each fake has a real twin cut from the same
place, and both classes go through the same random post-processing (resize, blur, noise, JPEG
60-100 at a random grid offset), so that size and compression carry no label.

Writes WORK/crops-{train,val}.u8 (N x 128 x 128 x 3, uint8 RGB) with .json sidecars (labels,
family, source file). Autoencoder weights are cached in WORK/ae-*.pt so a rerun resumes.
"""
import argparse
import hashlib
import io
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageFilter

CROP = 128


def list_reals(root):
    files = []
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            if n.lower().endswith((".jpg", ".jpeg", ".png")):
                files.append(os.path.join(dirpath, n))
    return sorted(files)


def is_validation(path):
    """A fixed 10% of real files (by name hash) are held out with their fakes."""
    return hashlib.sha256(os.path.basename(path).encode()).digest()[0] < 26


def load_rgb(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# --- autoencoders -------------------------------------------------------------------------------

class Upsample(nn.Module):
    def __init__(self, kind, cin, cout):
        super().__init__()
        self.kind = kind
        if kind == "tconv":
            self.op = nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1)
        elif kind == "shuffle":
            self.op = nn.Sequential(nn.Conv2d(cin, cout * 4, 3, padding=1), nn.PixelShuffle(2))
        else:
            self.op = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        if self.kind == "nearest":
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        elif self.kind == "bilinear":
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        return self.op(x)


class AutoEncoder(nn.Module):
    """levels x (stride-2 conv) down to a narrow latent, the same number of up-sampling layers back."""

    def __init__(self, levels, up, width=48, latent=12):
        super().__init__()
        enc, c = [], 3
        for i in range(levels):
            out = latent if i == levels - 1 else width
            enc += [nn.Conv2d(c, out, 4, stride=2, padding=1)]
            if i < levels - 1:
                enc += [nn.LeakyReLU(0.1)]
            c = out
        dec = []
        for i in range(levels):
            dec += [Upsample(up, c, width), nn.LeakyReLU(0.1), nn.Conv2d(width, width, 3, padding=1),
                    nn.LeakyReLU(0.1)]
            c = width
        dec += [nn.Conv2d(width, 3, 3, padding=1)]
        self.enc, self.dec = nn.Sequential(*enc), nn.Sequential(*dec)

    def forward(self, x):
        return self.dec(self.enc(x))


FAMILIES = {
    # name: (levels, up-sampler). Latent channels grow with depth so 8x models stay sharp enough.
    "tconv-4x": (2, "tconv"),
    "nearest-8x": (3, "nearest"),
    "bilinear-4x": (2, "bilinear"),
    "shuffle-4x": (2, "shuffle"),
    "tconv-8x": (3, "tconv"),
    "nearest-2x": (1, "nearest"),
}


def make_ae(name):
    levels, up = FAMILIES[name]
    return AutoEncoder(levels, up, latent={1: 6, 2: 12, 3: 32}[levels])


def random_crops(images, n, size, rng):
    out = np.empty((n, size, size, 3), np.float32)
    for i in range(n):
        im = images[rng.randrange(len(images))]
        y = rng.randrange(im.shape[0] - size + 1)
        x = rng.randrange(im.shape[1] - size + 1)
        out[i] = im[y:y + size, x:x + size]
    return torch.from_numpy(out / 255.0).permute(0, 3, 1, 2)


def train_ae(name, images, work, seconds, log):
    path = os.path.join(work, f"ae-{name}.pt")
    ae = make_ae(name)
    if os.path.exists(path):
        ae.load_state_dict(torch.load(path))
        return ae.eval()
    torch.manual_seed(hash(name) % 1000)
    rng = random.Random(name)
    opt = torch.optim.Adam(ae.parameters(), lr=2e-3)
    start, step = time.time(), 0
    while time.time() - start < seconds:
        x = random_crops(images, 16, 64, rng)
        loss = F.l1_loss(ae(x), x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 200 == 0:
            log(f"  ae {name} step {step} l1 {loss.item():.4f}")
    log(f"  ae {name}: {step} steps, final l1 {loss.item():.4f}")
    torch.save(ae.state_dict(), path)
    return ae.eval()


# --- post-processing shared by both classes -----------------------------------------------------

def reconstruct(ae, region):
    h, w = region.shape[:2]
    x = torch.from_numpy(region.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    with torch.no_grad():
        y = ae(x)[0].permute(1, 2, 0).clamp(0, 1).numpy()
    return (y[:h, :w] * 255.0 + 0.5).astype(np.uint8)


def detail(a):
    """Mean |Laplacian| of luma: how much fine detail a region holds."""
    y = a.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
    return float(np.abs(lap).mean())


def match_detail(a, target, sharpen):
    """Blur (or unsharp-mask) `a` until its detail is about `target`, by bisection.

    The autoencoders' reconstructions are smoother than real generator output, so the network can
    learn "smooth = synthetic". Pairing each fake with a real of the same detail level, or each
    real with a fake sharpened to its level, leaves the up-sampling traces as the only reliable
    difference. Off by default: trained this way (--match-detail) the network ranked the dev
    corpus at chance (AUC 0.50-0.57 vs v1's 0.60-0.67; models/MODEL_CARD.md, ablation).
    """
    im = Image.fromarray(a)
    lo, hi = (0.0, 400.0) if sharpen else (0.0, 4.0)
    op = (lambda v: im.filter(ImageFilter.UnsharpMask(1.5, int(v), 0))) if sharpen else \
         (lambda v: im.filter(ImageFilter.GaussianBlur(v)))
    for _ in range(7):
        mid = (lo + hi) / 2
        more_detail = detail(np.asarray(op(mid))) > target
        # Sharpening adds detail with strength; blurring removes it.
        if more_detail == sharpen:
            hi = mid
        else:
            lo = mid
    return np.asarray(op((lo + hi) / 2))


def post_process(region, rng):
    """Resize, blur, noise, JPEG at a random grid offset; returns a CROP x CROP uint8 array."""
    im = Image.fromarray(region)
    if rng.random() < 0.3:
        s = rng.uniform(0.5, 1.5)
        size = (max(CROP + 8, int(im.width * s)), max(CROP + 8, int(im.height * s)))
        im = im.resize(size, Image.BOX if s < 1 else Image.BICUBIC)
    if rng.random() < 0.1:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    a = np.asarray(im)
    if rng.random() < 0.1:
        a = np.clip(a + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(1, 3), a.shape),
                    0, 255).astype(np.uint8)
    y = rng.randrange(a.shape[0] - (CROP + 8) + 1)
    x = rng.randrange(a.shape[1] - (CROP + 8) + 1)
    a = a[y:y + CROP + 8, x:x + CROP + 8]
    if rng.random() < 0.75:
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, "JPEG", quality=rng.randint(60, 100),
                                subsampling=rng.choice([0, 2]))
        a = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    oy, ox = rng.randrange(8), rng.randrange(8)
    return np.ascontiguousarray(a[oy:oy + CROP, ox:ox + CROP])


def build_split(files, aes, per_image, rng, log, match=False):
    crops, meta = [], []
    names = list(aes)
    for i, path in enumerate(files):
        im = load_rgb(path)
        side = CROP + 24  # room for the post-processing crop and the AE's borders
        if im.shape[0] < side or im.shape[1] < side:
            continue
        for _ in range(per_image):
            y = rng.randrange(im.shape[0] - side + 1) // 8 * 8
            x = rng.randrange(im.shape[1] - side + 1) // 8 * 8
            region = im[y:y + side, x:x + side]
            fam = names[rng.randrange(len(names))]
            h8, w8 = (side + 7) // 8 * 8, (side + 7) // 8 * 8
            fake = reconstruct(aes[fam], np.pad(region, ((0, h8 - side), (0, w8 - side), (0, 0)), "reflect"))
            fake = fake[:side, :side]
            if match:
                d_real, d_fake = detail(region), detail(fake)
                if d_real > d_fake:
                    if rng.random() < 0.5:
                        region = match_detail(region, d_fake, sharpen=False)
                    else:
                        fake = match_detail(fake, d_real, sharpen=True)
            crops.append(post_process(region, rng))
            meta.append({"label": 0, "family": "real", "file": path})
            crops.append(post_process(fake, rng))
            meta.append({"label": 1, "family": fam, "file": path})
        if i % 200 == 0:
            log(f"  {i}/{len(files)} files, {len(crops)} crops")
    return np.stack(crops), meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reals", default="../../../shared/corpus/real-train")
    ap.add_argument("--work", default="../../build/train")
    ap.add_argument("--ae-seconds", type=float, default=100)
    ap.add_argument("--per-image", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit-files", type=int, default=0, help="smoke test: use only this many files")
    ap.add_argument("--match-detail", action="store_true",
                    help="pair each fake with a real of the same detail level (the v2 ablation in MODEL_CARD.md)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    log = lambda s: print(s, flush=True)

    files = list_reals(args.reals)
    if args.limit_files:
        files = files[::max(1, len(files) // args.limit_files)]
    train_files = [f for f in files if not is_validation(f)]
    val_files = [f for f in files if is_validation(f)]
    log(f"{len(files)} real files: {len(train_files)} train, {len(val_files)} validation")

    ae_images = [im for im in (load_rgb(f) for f in train_files[::3]) if min(im.shape[:2]) >= 64]
    aes = {name: train_ae(name, ae_images, args.work, args.ae_seconds, log) for name in FAMILIES}
    del ae_images

    rng = random.Random(1234)
    for split, split_files in (("train", train_files), ("val", val_files)):
        # In chunks of 50 files: one pass over all files grew to 24 GB of RSS here (the
        # process was OOM-killed) while chunked passes stay flat at ~0.3 GB plus the crops.
        parts, meta = [], []
        for k in range(0, len(split_files), 50):
            c, m = build_split(split_files[k:k + 50], aes, args.per_image, rng, lambda s: None,
                               match=args.match_detail)
            parts.append(c)
            meta += m
            log(f"  {split}: {min(k + 50, len(split_files))}/{len(split_files)} files, {len(meta)} crops")
        crops = np.concatenate(parts)
        crops.tofile(os.path.join(args.work, f"crops-{split}.u8"))
        with open(os.path.join(args.work, f"crops-{split}.json"), "w") as f:
            json.dump({"n": len(meta), "size": CROP, "items": meta}, f)
        log(f"{split}: {len(meta)} crops")


if __name__ == "__main__":
    main()
