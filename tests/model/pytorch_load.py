"""Loads weights saved by `convention` (safetensors) into the PyTorch reference
module with load_state_dict(strict=True) and prints its inference logits for a
batch, as JSON. Used by tests/model/pytorch_load_test.ts.

    /usr/bin/python3 tests/model/pytorch_load.py WEIGHTS.safetensors BATCH.safetensors
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tasks", "pytorch"))
from convention_ref import ConvEntionRef, load_safetensors  # noqa: E402


def main():
    weights, meta = load_safetensors(sys.argv[1])
    batch, _ = load_safetensors(sys.argv[2])
    model = ConvEntionRef(json.loads(meta["config"]))
    model.load_state_dict(weights, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(batch["frames"], batch["bands"].long())
    print(json.dumps({"logits": logits.flatten().tolist()}))


if __name__ == "__main__":
    main()
