"""ConvEntion reference module in PyTorch, with the state_dict names and
layouts of the Deno/TF.js implementation (lib/model/, docs/model.md).

It follows the authors' formulation: conv3d on [G, C, h, w, t] volumes with
kernels (kh, kw, kt), and the n^2 attention maps M(Q_i + K_j). Weights saved
by `convention` (safetensors) load with `load_safetensors` + `load_state_dict`.

Input: frames [B, l, h, w] float, bands [B, l] long (0 = padding frame). A preset's config is
`preset(name)` (lib/model/config.ts, read with Deno); a saved model's is in its metadata.
Run with /usr/bin/python3 (Debian python3-torch 1.13, CPU).
"""
import json
import math
import os
import struct
import subprocess

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def preset(name):
    """The preset `name` of lib/model/config.ts, the one definition, read with Deno (`$DENO`,
    else `deno` on the PATH)."""
    code = f'import {{ PRESETS }} from "./lib/model/config.ts"; console.log(JSON.stringify(PRESETS["{name}"]))'
    deno = os.environ.get("DENO", "deno")
    out = subprocess.run([deno, "eval", "--no-config", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0 or out.stdout.strip() in ("", "undefined"):
        raise RuntimeError(f"no preset {name!r} from lib/model/config.ts: {out.stderr.strip()[-300:]}")
    return json.loads(out.stdout)


def conv_out(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def geometry(c):
    """Token count and token spatial size of a config."""
    t, h, w = c["group"], c["stamp"], c["stamp"]
    for layer in c["cnn"]:
        (kh, kw, kt), (sh, sw, st), (ph, pw, pt) = layer["kernel"], layer["stride"], layer["padding"]
        t, h, w = conv_out(t, kt, st, pt), conv_out(h, kh, sh, ph), conv_out(w, kw, sw, pw)
    assert t == 1, "the 3D-CNN must collapse time to 1"
    return c["length"] // c["group"], h, w


class Conv3dBlock(nn.Module):
    """conv3d + BatchNorm3d + ReLU on [G, C, h, w, t]."""

    def __init__(self, cin, spec):
        super().__init__()
        self.conv = nn.Conv3d(cin, spec["out"], tuple(spec["kernel"]), tuple(spec["stride"]),
                              tuple(spec["padding"]))
        self.bn = nn.BatchNorm3d(spec["out"])

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class ConvAttention(nn.Module):
    """The authors' n^2 convolutional attention on [B, n, d, h, w]."""

    def __init__(self, d, heads, ka, ko):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Conv2d(d, 3 * d, 1)
        self.m = nn.Conv2d(d, heads, ka, padding=ka // 2)
        self.out = nn.Conv2d(d, d, ko, padding=ko // 2)

    def forward(self, y):
        b, n, d, h, w = y.shape
        qkv = self.qkv(y.reshape(b * n, d, h, w)).reshape(b, n, 3 * d, h, w)
        q, k, v = qkv[:, :, :d], qkv[:, :, d:2 * d], qkv[:, :, 2 * d:]
        pairs = q[:, :, None] + k[:, None]  # [b, n_i, n_j, d, h, w]
        maps = self.m(pairs.reshape(b * n * n, d, h, w)).reshape(b, n, n, self.heads, h, w)
        att = torch.softmax(maps, dim=2)  # over j, per pixel and head
        v = v.reshape(b, n, self.heads, d // self.heads, h, w)
        o = torch.einsum("bijgyx,bjgcyx->bigcyx", att, v).reshape(b * n, d, h, w)
        return self.out(o).reshape(b, n, d, h, w)


class FeedForward(nn.Module):
    def __init__(self, d, hidden, k):
        super().__init__()
        self.conv1 = nn.Conv2d(d, hidden, k, padding=k // 2)
        self.bn1 = nn.BatchNorm2d(hidden)
        self.conv2 = nn.Conv2d(hidden, d, k, padding=k // 2)
        self.bn2 = nn.BatchNorm2d(d)

    def forward(self, y):
        return self.bn2(F.relu(self.conv2(self.bn1(F.relu(self.conv1(y))))))


class BertBlock(nn.Module):
    def __init__(self, c, n, h, w):
        super().__init__()
        d = c["d"]
        self.norm1 = nn.LayerNorm([n, d, h, w])
        self.attn = ConvAttention(d, c["heads"], c["attnKernel"], c["outKernel"])
        self.norm2 = nn.LayerNorm([n, d, h, w])
        self.ff = FeedForward(d, c["ffHidden"], c["ffKernel"])

    def forward(self, x):
        b, n, d, h, w = x.shape
        x = x + self.attn(self.norm1(x))
        f = self.ff(self.norm2(x).reshape(b * n, d, h, w))
        return x + f.reshape(b, n, d, h, w)


class Classifier(nn.Module):
    def __init__(self, flat, dense, classes, p):
        super().__init__()
        self.fc1 = nn.Linear(flat, dense)
        self.fc2 = nn.Linear(dense, classes)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(self.drop(x)))))


def positional_encoding(n, d):
    pe = torch.zeros(n, d, dtype=torch.float64)
    for i in range(n):
        for k in range(d):
            angle = i / math.pow(10000, 2 * (k // 2) / d)
            pe[i, k] = math.sin(angle) if k % 2 == 0 else math.cos(angle)
    return pe


class ConvEntionRef(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        n, h, w = geometry(c)
        self.n, self.hw = n, (h, w)
        s = c["stamp"]
        self.embedding = nn.Embedding(c["bandRows"], s * s, padding_idx=0)
        cin, layers = 2, []
        for spec in c["cnn"]:
            layers.append(Conv3dBlock(cin, spec))
            cin = spec["out"]
        self.cnn = nn.ModuleList(layers)
        self.bert = nn.ModuleList([BertBlock(c, n, h, w) for _ in range(c["blocks"])])
        self.classifier = Classifier(c["d"] * h * w, c["dense"], c["numClasses"], c["dropout"])
        self.register_buffer("pe", positional_encoding(n, c["d"]).float()[:, :, None, None],
                             persistent=False)

    def forward(self, frames, bands):
        c = self.c
        b, l, s, _ = frames.shape
        g, n = c["group"], self.n
        e = self.embedding(bands).reshape(b, l, s, s)
        x = torch.stack([frames, e], dim=2)  # [b, l, 2, s, s]: pixels, band embedding
        x = x.reshape(b * n, g, 2, s, s).permute(0, 2, 3, 4, 1)  # [G, 2, h, w, t]
        for layer in self.cnn:
            x = layer(x)
        h, w = self.hw
        x = x.squeeze(-1).reshape(b, n, c["d"], h, w) + self.pe.to(x.dtype)
        for blk in self.bert:
            x = blk(x)
        x = x.amax(dim=1).flatten(1)  # max over tokens, [b, d*h*w]
        return self.classifier(x)


# --- safetensors by hand: 8-byte little-endian header length, JSON, raw data ---

_DT = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}
_NAME = {v: k for k, v in _DT.items()}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().tobytes()  # numpy writes native (little-endian on x86) order
        header[name] = {"dtype": _NAME[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        dtype = _DT[e["dtype"]]
        b, end = e["data_offsets"]
        buf = bytearray(raw[8 + n + b:8 + n + end])
        t = torch.frombuffer(buf, dtype=dtype) if end > b else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(e["shape"]).clone()
    return out, meta
