#!/usr/bin/env python3
"""The torchvision baseline of `maskrcnn bench`: exactly the work the Java bench times, in torchvision.

Items (same names, inputs and order as `maskrcnn bench`):
  inference            maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91,
                       box_score_thresh=0.01).eval() on one image (default: the fixtures' input.png,
                       240x320 -> 800x1066, batch 800x1088), under torch.no_grad()
  train_step           one SGD step (lr 1e-4, momentum 0.9, weight decay 1e-4) on the same image with a
                       fixed target: a rectangle (label 1) and an ellipse (label 2) with their masks. Batch
                       norm runs in its inference form (running statistics), as maskrcnn4j's BatchNorm2d does
  roi_align_OxO_fwd    roi_align(features [1,256,200,304], 512 rois, (O,O), 1/4, 2, aligned=False).sum()
  roi_align_OxO_fwd_bwd  the same with features.requires_grad, .backward(), for O = 7 and 14
  nms_4000             torchvision.ops.nms on 4000 boxes, IoU 0.7
Weights, rois, features and nms boxes come from the fixtures' SplitMix64 formula (no file needed), so
both engines get bit-identical inputs; each item reports a check value (detections, kept boxes, sums)
that should agree with maskrcnn4j's.

Also measured and printed: torch/torchvision versions, threads, the sgemm GFLOP/s of a 1024x1024
matmul, the allocator (LD_PRELOAD, whether jemalloc is mapped, MALLOC_CONF), BLAS (torch.__config__ and
the BLAS library actually mapped), and the peak resident memory (VmHWM) after each item.

Run with Debian's python3-torchvision, at its best (what `maskrcnn bench --compare` does):
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \\
  MALLOC_CONF=retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1,narenas:1,oversize_threshold:0 \\
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torchvision_baseline.py --json tv.json
"""
import argparse
import json
import os
import platform
import re
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision.ops import nms, roi_align

def _fixture_image():
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (os.environ.get("MASKRCNN4J_FIXTURES"), os.path.join(here, "..", "..", "shared", "fixtures", "torchvision"),
              "/work/shared/fixtures/torchvision"):
        if d and os.path.isfile(os.path.join(d, "input.png")):
            return os.path.normpath(os.path.join(d, "input.png"))
    return "/work/shared/fixtures/torchvision/input.png"


FIXTURE_IMAGE = _fixture_image()
GROUPS = {
    "inference": ["inference"],
    "train": ["train_step"],
    "roi": ["roi_align_7x7_fwd", "roi_align_7x7_fwd_bwd", "roi_align_14x14_fwd", "roi_align_14x14_fwd_bwd"],
    "nms": ["nms_4000"],
}
LR, MOMENTUM, WEIGHT_DECAY = 1e-4, 0.9, 1e-4
ROI_BOXES, ROI_C, ROI_H, ROI_W = 512, 256, 200, 304
NMS_BOXES, NMS_IOU = 4000, 0.7

# ------------------------------------------------------------------------------------------ formula
_GOLD, _M1, _M2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def formula_r(seed, count, start=0):
    """r_i in [-1, 1) for i = start..start+count-1: SplitMix64 of seed + (i+1)*golden, top 24 bits."""
    out = np.empty(count, dtype=np.float64)
    ch = 1 << 22
    with np.errstate(over="ignore"):
        for s in range(0, count, ch):
            i = np.arange(start + s + 1, start + min(count, s + ch) + 1, dtype=np.uint64)
            x = np.uint64(seed % (1 << 64)) + i * _GOLD
            x = (x ^ (x >> np.uint64(30))) * _M1
            x = (x ^ (x >> np.uint64(27))) * _M2
            x = x ^ (x >> np.uint64(31))
            out[s:s + len(i)] = (x >> np.uint64(40)).astype(np.float64) * (2.0 ** -24) * 2.0 - 1.0
    return out


def formula_u01(seed, count):
    return (formula_r(seed, count) + 1.0) / 2.0


def formula_state_dict(model):
    """The fixtures' weights (phase 0): every entry from its state_dict name alone."""
    bn = {n for n, m in model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}
    out = {}
    for name, t in model.state_dict().items():
        mod, _, leaf = name.rpartition(".")
        if leaf == "num_batches_tracked":
            out[name] = torch.zeros_like(t)
            continue
        r = formula_r(sum((k + 1) * ord(c) for k, c in enumerate(name)), t.numel())
        if mod in bn:
            v = {"weight": 1.0 + 0.1 * r, "bias": 0.05 * r, "running_mean": 0.05 * r,
                 "running_var": 1.0 + 0.25 * np.abs(r)}[leaf]
        elif t.dim() >= 2:
            v = np.sqrt(3.0 / (t.numel() // t.shape[0])) * r
        else:
            v = 0.01 * r
        out[name] = torch.from_numpy(v.astype(np.float32).reshape(t.shape))
    return out


def read_safetensors(path):
    dt = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "F16": np.float16}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    out = {}
    for k, info in header.items():
        b, e = info["data_offsets"]
        a = np.frombuffer(data[8 + n + b:8 + n + e], dtype=np.dtype(dt[info["dtype"]]).newbyteorder("<"))
        out[k] = torch.from_numpy(a.reshape(info["shape"]).astype(a.dtype.newbyteorder("="))).clone()
    return out


# ------------------------------------------------------------------------------------------ workloads
def train_target(h, w):
    """A rectangle (label 1) and an ellipse (label 2) in image pixels; for 240x320 the fixture's red
    rectangle [20, 30, 120, 110] and yellow ellipse centred (230, 70) with radii (60, 40)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    x0, y0, x1, y1 = w * 1.0 / 16, h * 1.0 / 8, w * 3.0 / 8, h * 11.0 / 24
    rect = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
    cx, cy, rx, ry = w * 23.0 / 32, h * 7.0 / 24, w * 3.0 / 16, h * 1.0 / 6
    ell = ((x - cx) / rx) * ((x - cx) / rx) + ((y - cy) / ry) * ((y - cy) / ry) <= 1.0
    boxes = torch.tensor([[x0, y0, x1, y1], [cx - rx, cy - ry, cx + rx, cy + ry]], dtype=torch.float64).float()
    masks = torch.from_numpy(np.stack([rect, ell]).astype(np.uint8))
    return {"boxes": boxes, "labels": torch.tensor([1, 2], dtype=torch.int64), "masks": masks}


def roi_inputs():
    """Features [1, 256, 200, 304] = r(seed 12); 512 rois [0, x1, y1, x1 + w, y1 + h] from u(seed 11)."""
    feats = torch.from_numpy(formula_r(12, ROI_C * ROI_H * ROI_W).astype(np.float32).reshape(1, ROI_C, ROI_H, ROI_W))
    u = formula_u01(11, 4 * ROI_BOXES).reshape(ROI_BOXES, 4)
    x1, y1 = u[:, 0] * 1100.0, u[:, 1] * 700.0
    x2, y2 = x1 + (16.0 + u[:, 2] * 300.0), y1 + (16.0 + u[:, 3] * 300.0)
    rois = np.stack([np.zeros(ROI_BOXES), x1, y1, x2, y2], 1).astype(np.float32)
    return feats, torch.from_numpy(rois)


def nms_inputs():
    """4000 boxes [x1, y1, x1 + w, y1 + h] from u(seed 21), scores u(seed 22)."""
    u = formula_u01(21, 4 * NMS_BOXES).reshape(NMS_BOXES, 4)
    x1, y1 = u[:, 0] * 1000.0, u[:, 1] * 800.0
    boxes = np.stack([x1, y1, x1 + (8.0 + u[:, 2] * 120.0), y1 + (8.0 + u[:, 3] * 120.0)], 1).astype(np.float32)
    return torch.from_numpy(boxes), torch.from_numpy(formula_u01(22, NMS_BOXES).astype(np.float32))


# ------------------------------------------------------------------------------------------ environment
def proc_status_mb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024.0, 1)
    except OSError:
        pass
    return None


def mapped_libs():
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()
                if len(p) >= 6 and ".so" in p[5]:
                    libs.add(p[5])
    except OSError:
        pass
    return sorted(libs)


def allocator_info(libs):
    je = [p for p in libs if "jemalloc" in os.path.basename(p)]
    tc = [p for p in libs if "tcmalloc" in os.path.basename(p)]
    name = "jemalloc" if je else "tcmalloc" if tc else "glibc malloc"
    return {"allocator": name, "jemalloc": bool(je), "ld_preload": os.environ.get("LD_PRELOAD", ""),
            "malloc_conf": os.environ.get("MALLOC_CONF", "")}


def blas_info(libs):
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    pat = re.compile(r"(blas|openblas|mkl|blis|dnnl|mkldnn|gomp|iomp)", re.I)
    mapped = [os.path.realpath(p) for p in libs if pat.search(os.path.basename(p))]
    return {"blas_info": m.group(1) if m else "?", "blas_libs": sorted(set(mapped)), "torch_config": cfg}


def sgemm_gflops(n=1024, reps=5):
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(n, n, generator=g), torch.rand(n, n, generator=g)
    for _ in range(2):
        torch.mm(a, b)
    best = min(_time(lambda: torch.mm(a, b)) for _ in range(reps))
    return round(2.0 * n ** 3 / best / 1e9, 1)


def _time(fn):
    s = time.perf_counter()
    fn()
    return time.perf_counter() - s


def timed(fn, check, warmup, runs):
    """Times fn (warm-up runs first); check(value of the last run) is computed after the clock stops."""
    value = None
    for _ in range(warmup):
        value = fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        value = fn()
        t.append((time.perf_counter() - s) * 1000.0)
    return {"median_ms": round(statistics.median(t), 3), "min_ms": round(min(t), 3), "max_ms": round(max(t), 3),
            "runs_ms": [round(v, 3) for v in t]}, check(value)


# ------------------------------------------------------------------------------------------ items
def build_model(weights):
    from torchvision.models.detection import maskrcnn_resnet50_fpn
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91, box_score_thresh=0.01)
    model.load_state_dict(read_safetensors(weights) if weights else formula_state_dict(model))
    return model


def run_items(args, items, result):
    from torchvision.io import ImageReadMode, read_image
    img = read_image(args.image, ImageReadMode.RGB)
    x = img.float() / 255.0
    model = None
    if "inference" in items or "train_step" in items:
        model = build_model(args.weights)
        result["settings"]["peak_rss_after_setup_mb"] = proc_status_mb("VmHWM")
        print("  model ready: peak RSS so far %.0f MB" % result["settings"]["peak_rss_after_setup_mb"], flush=True)

    def record(item, fn, check):
        print("  %-24s ..." % item, end="", flush=True)
        try:
            stats, c = timed(fn, check, args.warmup, args.runs)
            entry = dict(item=item, **stats, check=c)
            print(" median %9.1f ms  min %9.1f  max %9.1f  %s" % (stats["median_ms"], stats["min_ms"],
                                                                  stats["max_ms"], c), flush=True)
        except Exception as e:  # report and go on, like the Java bench
            entry = dict(item=item, error="%s: %s" % (type(e).__name__, e))
            print(" failed: " + entry["error"], flush=True)
        entry["peak_rss_mb"] = proc_status_mb("VmHWM")
        result["items"].append(entry)

    if "inference" in items:
        model.eval()

        def infer():
            with torch.no_grad():
                return model([x])[0]

        def infer_check(out):
            n = len(out["scores"])
            return "detections=%d top=%.4f" % (n, float(out["scores"][0]) if n else 0.0)
        record("inference", infer, infer_check)

    if "train_step" in items:
        model.train()
        for m in model.modules():  # maskrcnn4j's BatchNorm2d always uses the running statistics
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()
        target = train_target(x.shape[1], x.shape[2])
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=LR, momentum=MOMENTUM,
                              weight_decay=WEIGHT_DECAY)
        first = []

        def step():
            losses = model([x], [target])
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            first.append(loss.detach())
        record("train_step", step, lambda _: "loss=%.4f (first step)" % float(first[0]))
    model = None

    if any(i.startswith("roi_align") for i in items):
        feats, rois = roi_inputs()
        for o in (7, 14):
            def fwd(o=o):
                with torch.no_grad():
                    return roi_align(feats, rois, (o, o), 0.25, 2, False).sum()

            f = feats.clone().requires_grad_(True)

            def fwd_bwd(o=o, f=f):
                roi_align(f, rois, (o, o), 0.25, 2, False).sum().backward()
                g = f.grad
                f.grad = None
                return g
            if "roi_align_%dx%d_fwd" % (o, o) in items:
                record("roi_align_%dx%d_fwd" % (o, o), fwd, lambda v: "sum=%.5e" % float(v))
            if "roi_align_%dx%d_fwd_bwd" % (o, o) in items:
                record("roi_align_%dx%d_fwd_bwd" % (o, o), fwd_bwd,
                       lambda g: "grad_sum=%.5e" % float(g.double().sum()))
        feats = f = None

    if "nms_4000" in items:
        boxes, scores = nms_inputs()
        record("nms_4000", lambda: nms(boxes, scores, NMS_IOU), lambda keep: "kept=%d" % len(keep))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5, help="timed runs per item (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's choice)")
    p.add_argument("--image", default=FIXTURE_IMAGE, help="image file (default: the fixtures' input.png)")
    p.add_argument("--weights", help="a safetensors state_dict (default: the fixtures' formula weights)")
    p.add_argument("--items", default="inference,train,roi,nms", help="comma list of: " + ",".join(GROUPS))
    p.add_argument("--json", help="write the results here ('-' for stdout)")
    args = p.parse_args(argv)
    items = []
    for g in args.items.split(","):
        g = g.strip()
        if g not in GROUPS:
            p.error("unknown item group '%s'; choose from %s" % (g, ",".join(GROUPS)))
        items += GROUPS[g]
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    libs = mapped_libs()
    result = {"engine": "torchvision",
              "version": "torchvision %s / torch %s" % (torchvision.__version__, torch.__version__),
              "threads": torch.get_num_threads(),
              "python": platform.python_version()}
    result.update(allocator_info(libs))
    result.update(blas_info(mapped_libs()))
    result["sgemm_gflops"] = sgemm_gflops()
    result["settings"] = {"runs": args.runs, "warmup": args.warmup, "image": args.image,
                          "weights": args.weights or "formula (fixtures, phase 0)", "lr": LR}
    result["items"] = []
    print("torchvision baseline: %s, %d threads" % (result["version"], result["threads"]))
    print("  allocator: %s (LD_PRELOAD=%s, MALLOC_CONF=%s)" % (result["allocator"], result["ld_preload"] or "-",
                                                             result["malloc_conf"] or "-"))
    print("  BLAS: BLAS_INFO=%s, mapped: %s" % (result["blas_info"], ", ".join(result["blas_libs"]) or "-"))
    for line in result["torch_config"].splitlines():
        if re.search(r"MKL|CPU capability|OpenMP|LAPACK", line) and "Build settings" not in line:
            print("    " + line.strip())
    print("  sgemm 1024x1024: %.1f GFLOP/s" % result["sgemm_gflops"], flush=True)
    run_items(args, items, result)
    result["peak_rss_mb"] = proc_status_mb("VmHWM")
    print("  peak resident memory (VmHWM): %s MB" % result["peak_rss_mb"])
    if args.json == "-":
        json.dump(result, sys.stdout, indent=1)
        print()
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
