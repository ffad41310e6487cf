"""PyTorch reference timing for `deno task bench model`: the same preset, batch
and thread count, one Adam step (forward, cross-entropy, backward, update) per
iteration, median of several after warm-up. Prints one JSON object.

    /usr/bin/python3 tasks/pytorch/bench_ref.py --preset paper --batch 8 --threads 2 --steps 3
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from convention_ref import PRESETS, ConvEntionRef  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = PRESETS[a.preset]
    model = ConvEntionRef(cfg)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    b, l, s = a.batch, cfg["length"], cfg["stamp"]
    frames = torch.randn(b, l, s, s)
    bands = torch.randint(1, 6, (b, l))
    labels = torch.randint(0, cfg["numClasses"], (b,))
    times, cpu = [], []
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(frames, bands), labels)
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    ms = statistics.median(times)
    print(json.dumps({
        "preset": a.preset,
        "batch": b,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "attention": "n^2 maps (the authors' form)",
        "msPerStep": ms,
        "msPerStepAll": times,
        "cpuMsPerStep": statistics.median(cpu),
        "objectsPerSecond": b / ms * 1000,
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
