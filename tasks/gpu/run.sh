#!/usr/bin/env bash
# The one-shot GPU check, run from the repository root on the GPU machine:
#
#   bash tasks/gpu/run.sh [--rehearse] [--budget SECONDS] [--out DIR] [--pack DIR]
#
# It needs the folder made by `deno task gpu-pack` (default .gpu/, carried to the
# GPU machine), no network, and writes into $OUT (or --out):
#   gpu_check.json  the results, rewritten after every step (partial results survive a kill)
#   torch.json      the PyTorch reference timings
#   probe.json      the adapter each wgpu backend gave
#   diag.txt        diagnostics: nvidia-smi, Vulkan ICD and EGL vendor files, library paths
#   nvsmi.csv       nvidia-smi samples (memory used, utilisation) every 500 ms
#   run.log         everything printed
# Exit codes: 0 done, 2 pack missing or broken, 3 no usable adapter, 4 the check failed or was
# cut at the budget (partial JSON is there).
#
# --rehearse: on a machine without an NVIDIA GPU (the development VM): the software adapter is
# accepted, tiny sizes, PyTorch on CPU.
set -u
MODE=gpu
BUDGET=300
OUTDIR=${OUT:-}
PACK=.gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --rehearse) MODE=rehearse; shift ;;
    --budget) BUDGET=$2; shift 2 ;;
    --out) OUTDIR=$2; shift 2 ;;
    --pack) PACK=$2; shift 2 ;;
    *) echo "usage: bash tasks/gpu/run.sh [--rehearse] [--budget SECONDS] [--out DIR] [--pack DIR]" >&2; exit 2 ;;
  esac
done
[ -n "$OUTDIR" ] || OUTDIR=$PACK/out
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
REPO=$(pwd)
T0=$(date +%s)
LOG=$OUTDIR/run.log
: >"$LOG"
exec > >(tee -a "$LOG") 2>&1

say() { echo "[gpu-run $(($(date +%s) - T0))s] $*"; }
left() { echo $((BUDGET - ($(date +%s) - T0))); }
# A verdict JSON for failures that happen before the check itself can write one.
early_verdict() {
  printf '{\n  "schema": "convention-gpu-check/2",\n  "mode": "%s",\n  "status": "failed",\n  "verdict": ["%s"]\n}\n' "$MODE" "$1" >"$OUTDIR/gpu_check.json"
  say "verdict: $1"
}

say "mode $MODE, budget ${BUDGET}s, out $OUTDIR, pack $PACK, host $(uname -n) $(uname -m)"
if [ ! -f "$PACK/manifest.json" ] || [ ! -f "$PACK/check.js" ] || [ ! -f "$PACK/deno.xz" ]; then
  early_verdict "pack missing: run 'deno task gpu-pack' and carry $PACK"
  exit 2
fi

WORK=$(mktemp -d /tmp/convention-gpu.XXXXXX)
say "unpacking into $WORK"
if command -v xz >/dev/null 2>&1; then
  xz -dc "$PACK/deno.xz" >"$WORK/deno"
else
  python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
    "$PACK/deno.xz" "$WORK/deno"
fi
chmod +x "$WORK/deno"
DENO=$WORK/deno
if ! "$DENO" --version; then
  early_verdict "the packed deno does not run on this machine"
  exit 2
fi

# --- loaders: the Vulkan and EGL loaders (and X11 client libraries the NVIDIA ICD links to) ---
# Extract every .deb into a private prefix; expose only the libraries this machine lacks
# (GPU_PRIVATE_LIBS=all exposes all of them).
ROOT=$WORK/root
LIBDIR=$WORK/lib
mkdir -p "$ROOT" "$LIBDIR"
for deb in "$PACK"/debs/*.deb; do
  [ -f "$deb" ] || continue
  if command -v dpkg-deb >/dev/null 2>&1; then
    dpkg-deb -x "$deb" "$ROOT"
  else
    python3 "$REPO/tasks/gpu/deb_extract.py" "$deb" "$ROOT"
  fi
done
have_system_lib() { ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$1 "; }
for so in "$ROOT"/usr/lib/x86_64-linux-gnu/*.so.*; do
  [ -e "$so" ] || continue
  name=$(basename "$so")
  # only sonames (libX.so.N), not fully versioned files
  case "$name" in *.so.[0-9]) ;; *.so.[0-9][0-9]) ;; *) continue ;; esac
  if [ "${GPU_PRIVATE_LIBS:-missing}" = all ] || ! have_system_lib "$name"; then
    ln -sf "$so" "$LIBDIR/$name"
    echo "private lib: $name"
  fi
done

# --- NVIDIA driver files ---
ICD=""
EGLV=""
NVLIB=""
if [ "$MODE" = gpu ]; then
  for f in ${VK_DRIVER_FILES:-} ${VK_ICD_FILENAMES:-} \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
    /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then ICD=$f; break; fi
  done
  if [ -z "$ICD" ]; then
    ICD=$(find /usr/local/nvidia /usr/share/vulkan /etc/vulkan /usr/lib/x86_64-linux-gnu/nvidia /usr/lib64 \
      -maxdepth 5 -name 'nvidia_icd*.json' 2>/dev/null | head -1)
  fi
  for f in ${__EGL_VENDOR_LIBRARY_FILENAMES:-} \
    /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json \
    /usr/share/glvnd/egl_vendor.d/10_nvidia.json /etc/glvnd/egl_vendor.d/10_nvidia.json; do
    if [ -f "$f" ]; then EGLV=$f; break; fi
  done
  # Where the NVIDIA user-space driver lives (libGLX_nvidia.so.0 is the Vulkan ICD).
  NVLIB=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')
  if [ -z "$NVLIB" ]; then
    NVLIB=$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib -maxdepth 3 \
      -name 'libGLX_nvidia.so.0' 2>/dev/null | head -1)
  fi
  if [ -z "$ICD" ] && [ -n "$NVLIB" ]; then
    # No ICD manifest anywhere: write one that names the driver library by its full path.
    mkdir -p "$WORK/icd"
    ICD=$WORK/icd/nvidia_icd.json
    printf '{"file_format_version": "1.0.1", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' \
      "$NVLIB" >"$ICD"
    say "no NVIDIA ICD manifest found; wrote $ICD"
  fi
  if [ -n "$ICD" ]; then export VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD; fi
  if [ -n "$EGLV" ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$EGLV; fi
fi
EXTRA=$LIBDIR
if [ -n "$NVLIB" ]; then EXTRA=$EXTRA:$(dirname "$NVLIB"); fi
export LD_LIBRARY_PATH=$EXTRA${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export DENO_DIR=$WORK/deno_dir DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
# The first Python that has torch (GPU image: python3; dev VM: /usr/bin/python3).
PY=""
for c in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$c" -c 'import torch' >/dev/null 2>&1; then PY=$c; break; fi
done
[ -n "$PY" ] || PY=python3

{
  echo "== date"; date -u
  echo "== uname"; uname -a
  echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "(no nvidia-smi)"
  echo "== ICD: ${ICD:-none}"; [ -n "$ICD" ] && cat "$ICD"
  echo "== EGL vendor: ${EGLV:-none}"; [ -n "$EGLV" ] && cat "$EGLV"
  echo "== libGLX_nvidia: ${NVLIB:-none}"
  [ -n "$NVLIB" ] && { ldd "$NVLIB" 2>&1 | grep -i 'not found' || echo "ldd: all dependencies found"; }
  echo "== LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "== private libs"; ls "$LIBDIR"
  echo "== system vulkan/egl loaders"; ldconfig -p 2>/dev/null | grep -E 'libvulkan|libEGL\.so|libGLdispatch' || echo "(none)"
  echo "== deno"; "$DENO" --version
  echo "== python"; $PY -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>&1
  echo "== pack manifest"; cat "$PACK/manifest.json"
  echo "== cpu"; nproc; free -g 2>/dev/null | head -2
} >"$OUTDIR/diag.txt" 2>&1
say "diagnostics in $OUTDIR/diag.txt"; sed -n '1,400p' "$OUTDIR/diag.txt" | grep -E '^(==|NVIDIA|\|)|private lib|not found' | head -40

SMI_PID=""
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=timestamp,name,memory.used,memory.total,utilization.gpu,clocks.sm,power.draw \
    --format=csv,nounits -lms 500 >"$OUTDIR/nvsmi.csv" 2>/dev/null &
  SMI_PID=$!
fi
stop_smi() { if [ -n "$SMI_PID" ]; then kill "$SMI_PID" 2>/dev/null; wait "$SMI_PID" 2>/dev/null; SMI_PID=""; fi; }
trap stop_smi EXIT

RUN=("$DENO" run --no-config --no-lock --allow-read --allow-write --allow-env --allow-sys --allow-run)

# --- which wgpu backend gives the adapter we want ---
say "probing adapters"
: >"$OUTDIR/probe.json"
CHOSEN=""
if [ "$MODE" = gpu ]; then CANDIDATES="vulkan gl default"; else CANDIDATES="default"; fi
for b in $CANDIDATES; do
  if [ "$b" = default ]; then unset DENO_WEBGPU_BACKEND; else export DENO_WEBGPU_BACKEND=$b; fi
  line=$(timeout 60 "${RUN[@]}" "$PACK/check.js" probe --mode "$MODE" --out "$WORK/probe-$b" 2>"$WORK/probe-$b.err" | tail -1)
  [ -s "$WORK/probe-$b.err" ] && sed 's/^/    /' "$WORK/probe-$b.err" | tail -5
  echo "{\"backend\": \"$b\", \"adapter\": ${line:-null}}" >>"$OUTDIR/probe.json"
  say "  $b: $line"
  if [ "$MODE" = rehearse ]; then
    if echo "$line" | grep -q '"found":true'; then CHOSEN=$b; break; fi
  elif echo "$line" | grep -q '"nvidia":true' && echo "$line" | grep -q '"isFallbackAdapter":false'; then
    CHOSEN=$b
    break
  fi
done
if [ -z "$CHOSEN" ]; then
  early_verdict "no usable WebGPU adapter (mode $MODE): see probe.json and diag.txt"
  exit 3
fi
if [ "$CHOSEN" = default ]; then unset DENO_WEBGPU_BACKEND; else export DENO_WEBGPU_BACKEND=$CHOSEN; fi
say "using wgpu backend: $CHOSEN"

# --- PyTorch reference first, with its own time cap, so its numbers exist even if WebGPU stalls ---
if [ "$MODE" = gpu ]; then TORCH_DEV=cuda; SIZES=full; TORCH_CAP=$((BUDGET / 5)); else TORCH_DEV=cpu; SIZES=tiny; TORCH_CAP=$((BUDGET / 4)); fi
say "pytorch reference on $TORCH_DEV (at most ${TORCH_CAP}s)"
PYTHONUNBUFFERED=1 timeout -k 5 "$TORCH_CAP" $PY "$REPO/tasks/pytorch/torch_bench.py" --device "$TORCH_DEV" \
  --sizes "$SIZES" --budget-s $((TORCH_CAP - 5)) --out "$OUTDIR/torch.json" || say "pytorch step ended with code $?"

# --- the check itself, with what is left of the budget ---
REMAIN=$(($(left) - 10))
[ "$REMAIN" -gt 30 ] || REMAIN=30
say "webgpu check, budget ${REMAIN}s"
timeout -k 10 $((REMAIN + 20)) "${RUN[@]}" "$PACK/check.js" run --mode "$MODE" --sizes "$SIZES" \
  --budget-s "$REMAIN" --out "$OUTDIR" --torch-json "$OUTDIR/torch.json"
CODE=$?
stop_smi
say "check exited with code $CODE"
"${RUN[@]}" "$PACK/check.js" summary --mode "$MODE" --out "$OUTDIR" || true
rm -rf "$WORK"
say "done in $(($(date +%s) - T0))s"
[ "$CODE" -eq 0 ] || exit 4
exit 0
