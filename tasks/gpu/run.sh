#!/usr/bin/env bash
# The one-shot GPU check, run from the repository root on the GPU machine (docs/gpu.md):
#
#   bash tasks/gpu/run.sh [--rehearse] [--budget SECONDS] [--out DIR] [--pack DIR]
#
# Needs the folder `deno task gpu-pack` made (default .gpu/), no network. Writes into $OUT (or
# --out): gpu_check.json (rewritten after every step), torch.json (PyTorch timings), probe.json
# (the adapter per wgpu backend), diag.txt (driver files, libraries), nvsmi.csv (nvidia-smi every
# 500 ms), run.log. Exit codes: 0 complete, 2 pack missing or broken, 3 no usable adapter, 4 the
# check failed or is incomplete (the partial JSON is there).
# --rehearse (the development VM): any adapter, tiny sizes, PyTorch on CPU.
set -u
MODE=gpu BUDGET=300 OUTDIR=${OUT:-} PACK=.gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --rehearse) MODE=rehearse; shift ;;
    --budget) BUDGET=$2; shift 2 ;;
    --out) OUTDIR=$2; shift 2 ;;
    --pack) PACK=$2; shift 2 ;;
    *) echo "usage: bash tasks/gpu/run.sh [--rehearse] [--budget SECONDS] [--out DIR] [--pack DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "${OUTDIR:=$PACK/out}"
OUTDIR=$(cd "$OUTDIR" && pwd) REPO=$(pwd) T0=$(date +%s)
exec > >(tee "$OUTDIR/run.log") 2>&1
say() { echo "[gpu-run $(($(date +%s) - T0))s] $*"; }
fail() { # a verdict for failures before the check can write one
  printf '{"schema": "convention-gpu-check/2", "mode": "%s", "status": "failed", "verdict": ["%s"]}\n' \
    "$MODE" "$2" >"$OUTDIR/gpu_check.json"
  say "verdict: $2"
  exit "$1"
}

say "mode $MODE, budget ${BUDGET}s, out $OUTDIR, pack $PACK, host $(uname -n)"
for f in manifest.json check.js deno.xz; do
  [ -f "$PACK/$f" ] || fail 2 "pack missing: run 'deno task gpu-pack' and carry $PACK"
done
WORK=$(mktemp -d /tmp/convention-gpu.XXXXXX)
export DENO=$WORK/deno # also for torch_bench.py, which reads the preset with it
xz -dc "$PACK/deno.xz" >"$DENO" && chmod +x "$DENO" && "$DENO" --version ||
  fail 2 "the packed deno does not run on this machine"

# The Vulkan and EGL loaders from the pack's .debs, in a private folder, when the machine has no
# Vulkan loader (GPU_PRIVATE_LIBS=1 forces them).
LIBS=""
if [ -n "${GPU_PRIVATE_LIBS:-}" ] || ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  for deb in "$PACK"/debs/*.deb; do dpkg-deb -x "$deb" "$WORK/root"; done
  LIBS=$WORK/root/usr/lib/x86_64-linux-gnu
  say "private loaders: $(ls "$LIBS" | grep -c '\.so\.') files"
fi
# The NVIDIA driver's Vulkan ICD and EGL vendor files (the H200 image keeps them in /usr/local/nvidia).
ICD="" EGLV=""
for f in ${VK_DRIVER_FILES:-} /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
  /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] && { ICD=$f; break; }
done
for f in ${__EGL_VENDOR_LIBRARY_FILENAMES:-} /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json \
  /usr/share/glvnd/egl_vendor.d/10_nvidia.json; do
  [ -f "$f" ] && { EGLV=$f; break; }
done
if [ "$MODE" = gpu ]; then
  [ -n "$ICD" ] && export VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD
  [ -n "$EGLV" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$EGLV
fi
NVLIB=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')
[ -z "$NVLIB" ] && [ -e /usr/local/nvidia/lib64/libGLX_nvidia.so.0 ] && NVLIB=/usr/local/nvidia/lib64/libGLX_nvidia.so.0
for d in ${NVLIB:+"$(dirname "$NVLIB")"} $LIBS; do LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; done
export LD_LIBRARY_PATH
export DENO_DIR=$WORK/deno_dir DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
PY=python3
for c in ${PYTHON:-} python3 /usr/bin/python3; do
  "$c" -c 'import torch' >/dev/null 2>&1 && { PY=$c; break; }
done
{
  date -u; uname -a; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "== ICD: ${ICD:-none}"; [ -n "$ICD" ] && cat "$ICD"
  echo "== EGL vendor: ${EGLV:-none}"; [ -n "$EGLV" ] && cat "$EGLV"
  echo "== libGLX_nvidia: ${NVLIB:-none}"; [ -n "$NVLIB" ] && ldd "$NVLIB" | grep 'not found'
  echo "== LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "== python"; $PY -c 'import sys, torch; print(sys.version, torch.__version__, torch.cuda.is_available())'
  echo "== pack manifest"; cat "$PACK/manifest.json"
} >"$OUTDIR/diag.txt" 2>&1
grep -E '^==|NVIDIA-SMI|not found' "$OUTDIR/diag.txt"

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=timestamp,name,memory.used,memory.total,utilization.gpu,clocks.sm,power.draw \
    --format=csv,nounits -lms 500 >"$OUTDIR/nvsmi.csv" 2>/dev/null &
  SMI=$!
  trap 'kill $SMI 2>/dev/null' EXIT
fi
RUN=("$DENO" run --no-config --no-lock --allow-read --allow-write --allow-env --allow-sys --allow-run)

# Which wgpu backend gives the adapter: vulkan first on the GPU machine.
CHOSEN="" CANDIDATES=default
[ "$MODE" = gpu ] && CANDIDATES="vulkan gl default"
: >"$OUTDIR/probe.json"
for b in $CANDIDATES; do
  if [ "$b" = default ]; then unset DENO_WEBGPU_BACKEND; else export DENO_WEBGPU_BACKEND=$b; fi
  line=$(timeout 60 "${RUN[@]}" "$PACK/check.js" probe --mode "$MODE" | tail -1)
  echo "{\"backend\": \"$b\", \"adapter\": ${line:-null}}" >>"$OUTDIR/probe.json"
  say "probe $b: $line"
  case "$MODE:$line" in
    rehearse:*'"found":true'* | gpu:*'"isFallbackAdapter":false'*'"nvidia":true'*) CHOSEN=$b; break ;;
  esac
done
[ -n "$CHOSEN" ] || fail 3 "no usable WebGPU adapter (mode $MODE): see probe.json and diag.txt"
say "using wgpu backend: $CHOSEN"

# PyTorch first, with its own time cap, so its numbers exist even if WebGPU stalls.
if [ "$MODE" = gpu ]; then DEV=cuda SIZES=full CAP=$((BUDGET / 5)); else DEV=cpu SIZES=tiny CAP=$((BUDGET / 4)); fi
say "pytorch reference on $DEV (at most ${CAP}s)"
PYTHONUNBUFFERED=1 timeout -k 5 "$CAP" $PY "$REPO/tasks/pytorch/torch_bench.py" --device "$DEV" \
  --sizes "$SIZES" --budget-s $((CAP - 5)) --out "$OUTDIR/torch.json" || say "pytorch ended with code $?"

REMAIN=$((BUDGET - ($(date +%s) - T0) - 10))
[ "$REMAIN" -gt 30 ] || REMAIN=30
say "webgpu check, budget ${REMAIN}s"
timeout -k 10 $((REMAIN + 20)) "${RUN[@]}" "$PACK/check.js" run --mode "$MODE" \
  --budget-s "$REMAIN" --out "$OUTDIR" --torch-json "$OUTDIR/torch.json"
say "check exited with code $?"
"${RUN[@]}" "$PACK/check.js" summary --mode "$MODE" --out "$OUTDIR"
CODE=$?
rm -rf "$WORK"
say "done in $(($(date +%s) - T0))s"
[ "$CODE" -eq 0 ] || exit 4
