"""Writes the PyTorch cross-check fixtures of tests/model/pytorch_crosscheck_test.ts.

    /usr/bin/python3 tasks/pytorch/make_fixtures.py   # from the repository root

fixtures/model/tiny_weights.safetensors: the `tiny` preset's state_dict with
fixed random values (also random LayerNorm affine and BatchNorm statistics so
every path matters; embedding row 0 stays zero, the padding row).
fixtures/model/tiny_io.safetensors: a batch (frames, bands with padding frames,
labels) and, computed in float64:
  logits_eval        inference mode (running statistics, no dropout)
  logits_train       training mode with dropout off (BatchNorm batch statistics)
  loss_train         mean cross-entropy of logits_train
  grad.<name>        gradient of loss_train for every trainable parameter
  after.<name>       BatchNorm running_mean / running_var after that forward
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from convention_ref import ConvEntionRef, preset, save_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "model")


def main():
    torch.manual_seed(20240601)
    cfg = preset("tiny")
    model = ConvEntionRef(cfg)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                t.fill_(7)
            elif name.endswith("running_var"):
                t.copy_(torch.rand_like(t) * 1.5 + 0.25)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn_like(t) * 0.3)
            elif ".norm" in name or ".bn" in name:
                t.copy_((torch.randn_like(t) * 0.2 + (1.0 if name.endswith("weight") else 0.0)))
            elif name == "embedding.weight":
                t.copy_(torch.randn_like(t))
                t[0].zero_()
            else:
                t.copy_(torch.randn_like(t) * (1.5 / max(1, t[0].numel()) ** 0.5))
    weights = {k: v.clone() for k, v in model.state_dict().items()}

    b, l, s = 3, cfg["length"], cfg["stamp"]
    frames = torch.randn(b, l, s, s)
    bands = torch.randint(1, 6, (b, l))
    # padding frames at the end of two objects (zeros, band 0)
    for i, keep in enumerate([l, l - 4, l - 7]):
        bands[i, keep:] = 0
        frames[i, keep:] = 0
    labels = torch.tensor([0, 2, 3])

    m64 = ConvEntionRef(cfg).double()
    m64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in weights.items()})
    m64.eval()
    with torch.no_grad():
        logits_eval = m64(frames.double(), bands)
    m64.train()
    m64.classifier.drop.eval()  # dropout off, BatchNorm in training mode
    logits_train = m64(frames.double(), bands)
    loss = torch.nn.functional.cross_entropy(logits_train, labels)
    loss.backward()

    io = {
        "frames": frames,
        "bands": bands.to(torch.int64),
        "labels": labels.to(torch.int64),
        "logits_eval": logits_eval.float(),
        "logits_train": logits_train.detach().float(),
        "loss_train": loss.detach().float().reshape([]),
    }
    for name, p in m64.named_parameters():
        io["grad." + name] = p.grad.float()
    for name, t in m64.state_dict().items():
        if name.endswith("running_mean") or name.endswith("running_var"):
            io["after." + name] = t.float()

    os.makedirs(OUT, exist_ok=True)
    meta = {"config": json.dumps(cfg), "torch": torch.__version__, "preset": "tiny"}
    save_safetensors(os.path.join(OUT, "tiny_weights.safetensors"), weights, meta)
    save_safetensors(os.path.join(OUT, "tiny_io.safetensors"), io, meta)
    print(f"wrote {OUT}/tiny_weights.safetensors ({len(weights)} tensors), "
          f"tiny_io.safetensors ({len(io)} tensors); loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
