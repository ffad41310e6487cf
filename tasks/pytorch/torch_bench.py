#!/usr/bin/env python3
"""PyTorch reference timing, for the GPU check (step 3) and `deno task bench model`.

Times one training step (forward, cross-entropy, backward, Adam) of the
ConvEntion preset built by the project's PyTorch reference module
(tasks/pytorch/convention_ref.py) at the same batches as the WebGPU check:
median of several steps after warm-up, CUDA synchronised around each step.

On CUDA it times two precisions: "default" (PyTorch's defaults: cuDNN
convolutions may use TF32 on Ampere/Hopper, matmuls do not) and "fp32"
(TF32 off everywhere, the arithmetic WebGPU does).

usage: python3 tasks/pytorch/torch_bench.py --device cuda|cpu --sizes full|tiny
       [--preset NAME] [--batches 32,128] [--threads N] [--budget-s 60] [--out torch.json]
On the CPU each run also has the process CPU time per step (`cpuMs`); the JSON ends with the
peak RSS (`peakRssMB`).
Writes the JSON after every measurement, so a kill keeps what was done.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, doc):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def synthetic_batch(c, batch, device, seed):
    """Frames N(0, 1), band ids 1..B with up to a quarter of the tail padding, as in the WebGPU
    check, and uniform labels."""
    import torch

    length, size, bands = c["length"], c["stamp"], len(c["bands"])
    g = torch.Generator().manual_seed(seed)
    frames = torch.randn(batch, length, size, size, generator=g)
    band_ids = torch.randint(1, bands + 1, (batch, length), generator=g)
    for b in range(batch):
        pad = int(torch.randint(0, length // 4 + 1, (1,), generator=g))
        if pad:
            band_ids[b, length - pad:] = 0
            frames[b, length - pad:] = 0
    labels = torch.randint(0, c["numClasses"], (batch,), generator=g)
    return frames.to(device), band_ids.to(device), labels.to(device)


def time_batch(ref, config, batch, device, precision, deadline):
    """Median ms per training step at one batch and precision."""
    import torch

    cuda = device == "cuda"
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default
        torch.backends.cudnn.allow_tf32 = precision == "default"  # default True
    model = ref.ConvEntionRef(config).to(device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    frames, band_ids, labels = synthetic_batch(config, batch, device, 100 + batch)
    cpu = []

    def step():
        if cuda:
            torch.cuda.synchronize()
        t, c = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(frames, band_ids), labels)
        loss.backward()
        opt.step()
        loss.item()  # read back, as the WebGPU loop does
        if cuda:
            torch.cuda.synchronize()
        cpu.append((time.process_time() - c) * 1000)
        return (time.perf_counter() - t) * 1000

    warm = [step() for _ in range(2)]
    times = []
    per = warm[-1] / 1000
    while len(times) < 10 and (len(times) < 3 or time.monotonic() + per < deadline):
        times.append(step())
    med = statistics.median(times)
    run = {
        "batch": batch,
        "precision": precision,
        "warmupMs": warm,
        "stepMs": times,
        "medianMs": med,
        "objectsPerS": batch / (med / 1000),
    }
    if device == "cpu":
        run["cpuMs"] = statistics.median(cpu[2:])
    if cuda:
        run["maxMemoryAllocatedMiB"] = torch.cuda.max_memory_allocated() / 2**20
        torch.cuda.reset_peak_memory_stats()
        del model, opt, frames, band_ids, labels
        torch.cuda.empty_cache()
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--sizes", default="full", choices=["full", "tiny"])
    ap.add_argument("--preset", default=None, help="default: paper for --sizes full, else tiny")
    ap.add_argument("--batches", default=None)
    ap.add_argument("--budget-s", type=float, default=60)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", default="torch.json")
    a = ap.parse_args()
    t0 = time.monotonic()
    deadline = t0 + a.budget_s
    preset = a.preset or ("paper" if a.sizes == "full" else "tiny")
    batches = [int(b) for b in (a.batches or ("32,128" if a.sizes == "full" else "2,4")).split(",")]
    doc = {"device": a.device, "deviceName": "", "torchVersion": "", "preset": preset, "runs": []}
    write(a.out, doc)
    try:
        import torch

        doc["torchVersion"] = torch.__version__
        if a.threads:
            torch.set_num_threads(a.threads)
        doc["threads"] = torch.get_num_threads()
        if a.device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
        doc["deviceName"] = torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"
        sys.path.insert(0, HERE)
        import convention_ref as ref  # the project's PyTorch reference module
        config = ref.preset(preset)
        torch.manual_seed(0)
        precisions = ["default", "fp32"] if a.device == "cuda" else ["default"]
        plan = [(b, p) for b in batches for p in precisions]
        for i, (b, p) in enumerate(plan):
            left = deadline - time.monotonic()
            if left <= 0:
                doc.setdefault("skipped", []).append(f"batch {b} {p}: budget")
                continue
            # an even share of what is left for each remaining measurement
            share = time.monotonic() + left / (len(plan) - i)
            try:
                doc["runs"].append(time_batch(ref, config, b, a.device, p, share))
            except Exception as err:  # noqa: BLE001 - recorded, the next batch still runs
                doc["runs"].append({"batch": b, "precision": p, "error": f"{type(err).__name__}: {err}"})
            write(a.out, doc)
            r = doc["runs"][-1]
            print(f"[torch] batch {b} {p}: " + (f"{r['medianMs']:.1f} ms/step" if "medianMs" in r else r["error"]),
                  flush=True)
    except Exception as err:  # noqa: BLE001
        doc["error"] = f"{type(err).__name__}: {err}"
        doc["traceback"] = traceback.format_exc()
        print(f"[torch] error: {doc['error']}", flush=True)
    doc["seconds"] = time.monotonic() - t0
    doc["peakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write(a.out, doc)


if __name__ == "__main__":
    main()
