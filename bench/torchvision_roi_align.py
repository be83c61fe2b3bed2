#!/usr/bin/env python3
"""Times torchvision.ops.roi_align on the case the maskrcnn4j RoIAlign benchmark uses.

512 boxes, 256 channels, a 200x304 map at spatial scale 1/4, sampling ratio 2, aligned=False,
7x7 and 14x14, forward and forward+backward. Boxes come from a fixed seed. Prints one JSON line per case.
Run with Debian's python3-torchvision:  /usr/bin/python3 bench/torchvision_roi_align.py
"""
import json
import statistics
import time

import torch
import torchvision


def boxes(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * torch.tensor([1100.0, 700.0])
    wh = 16 + torch.rand(n, 2, generator=g) * 300
    b = torch.cat([torch.zeros(n, 1), xy, xy + wh], dim=1)
    return b


def timed(fn, warmup=3, runs=10):
    for _ in range(warmup):
        fn()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        t.append((time.perf_counter() - s) * 1000)
    return statistics.median(t), min(t), max(t)


def main():
    torch.manual_seed(0)
    feats = torch.randn(1, 256, 200, 304)
    rois = boxes(512)
    for size in (7, 14):
        def fwd():
            torchvision.ops.roi_align(feats, rois, (size, size), 0.25, 2, False)

        f = feats.clone().requires_grad_(True)

        def fwd_bwd():
            out = torchvision.ops.roi_align(f, rois, (size, size), 0.25, 2, False)
            out.sum().backward()
            f.grad = None

        for name, fn in (("forward", fwd), ("forward+backward", fwd_bwd)):
            med, lo, hi = timed(fn)
            print(json.dumps({"engine": "torchvision " + torchvision.__version__, "op": "roi_align",
                              "output": size, "pass": name, "median_ms": round(med, 1),
                              "min_ms": round(lo, 1), "max_ms": round(hi, 1),
                              "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
