#!/usr/bin/env bash
# gpu-check.sh - the one prepared check for a machine with an NVIDIA H100/H200:
# builds joulemark with CUDA, runs the GPU tests (every kernel against the CPU
# fp64 reference; none may skip), lists the GPU (sysinfo), runs our GEMM vs
# cuBLAS at the layer shapes (configs/gpu-gemm.json) and the dense vs MoE
# pair (configs/gpu-default.json), and prints the figures docs/gpu.md asks
# for. Budget: under 10 minutes in all (each step has its own timeout).
# Usage: tests/gpu/gpu-check.sh [OUTDIR]   (default: $OUT, else results/gpu-check-<UTC>)
set -u -o pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
OUTDIR="${1:-${OUT:-$SRC/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}}"
BUILD="${JM_GPU_BUILD:-$SRC/build-gpu-check}"
JOBS="$(nproc 2>/dev/null || echo 4)"
mkdir -p "$OUTDIR"
LOG="$OUTDIR/gpu-check.log"
exec > >(tee -a "$LOG") 2>&1
status=0
step() { echo; echo "=== $(date -u +%H:%M:%S) $*"; }
fail() { echo "FAILED: $*"; status=1; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,power.limit,driver_version --format=csv \
    || echo "nvidia-smi not available"
export PATH="/usr/local/cuda/bin:$PATH"
nvcc --version | tail -1 || fail "nvcc not found"

step "configure and build (JM_CUDA=ON, sm_90)"
timeout 120 cmake -S "$SRC" -B "$BUILD" -DJM_CUDA=ON -DJM_WERROR=ON >"$OUTDIR/cmake.log" 2>&1 \
    || { tail -30 "$OUTDIR/cmake.log"; fail "configure"; exit 1; }
grep "CUDA backend" "$OUTDIR/cmake.log"
timeout 240 cmake --build "$BUILD" -j"$JOBS" >"$OUTDIR/build.log" 2>&1 \
    || { tail -40 "$OUTDIR/build.log"; fail "build"; exit 1; }
JM="$BUILD/harness/joulemark"

step "sysinfo (GPUs through NVML)"
"$JM" sysinfo | tail -8

step "GPU tests (the kernel tests may not skip here)"
for t in "$BUILD"/tests/gpu_test_*; do
    timeout 120 "$t" --verbose --jobs 1 >"$OUTDIR/$(basename "$t").log" 2>&1 || fail "$(basename "$t")"
    grep -E "^\[(FAIL|SKIP)|Synthesis" "$OUTDIR/$(basename "$t").log"
    if [ "$(basename "$t")" = gpu_test_gpu_kernels ] && grep -q "^\[SKIP" "$OUTDIR/$(basename "$t").log"; then
        fail "GPU kernel tests skipped on a GPU machine"
    fi
done
# a failing kernel test: rerun the GPU kernel tests under compute-sanitizer (when installed)
if grep -q "^\[FAIL" "$OUTDIR"/gpu_test_gpu_kernels.log 2>/dev/null && command -v compute-sanitizer >/dev/null; then
    step "compute-sanitizer memcheck of the GPU kernel tests"
    timeout 150 compute-sanitizer --tool memcheck --target-processes all \
        "$BUILD/tests/gpu_test_gpu_kernels" --jobs 1 >"$OUTDIR/memcheck.log" 2>&1
    grep -E "ERROR SUMMARY|Invalid|out of bounds" "$OUTDIR/memcheck.log" | head -20
fi

summarise() { # results.json -> TFLOP/s, tokens/J per workload; ratios per comparison
    python3 - "$1" <<'PY' || echo "(python3 missing: see $1)"
import json, sys
r = json.load(open(sys.argv[1]))
for w in r["workloads"]:
    s = w.get("summary", {})
    tps = s.get("tokens_per_s", {}).get("median")
    tpj = s.get("tokens_per_j", {}).get("median")
    shape = w.get("shape", {})
    tf = (w["flops_per_token"] * tps / 1e12) if tps else float("nan")
    print(f'{w["name"]:24s} {shape.get("backend","?"):7s} {shape.get("precision","?"):5s} '
          f'{tf:8.2f} TFLOP/s  {tps or float("nan"):12.1f} tokens/s  {tpj or float("nan"):10.2f} tokens/J')
for c in r.get("comparisons", []):
    q = c.get("energy_per_token_ratio", {})
    print(f'{c["baseline"]} / {c["candidate"]}: energy per token ratio {q.get("median")} '
          f'({q.get("ci_coverage")} {q.get("ci_method")} CI {q.get("ci_low")} .. {q.get("ci_high")}, '
          f'{q.get("scale")} scale), source {c.get("energy_source")}')
PY
}

step "our GEMM vs cuBLAS (configs/gpu-gemm.json)"
timeout 200 "$JM" run "$SRC/configs/gpu-gemm.json" -o "$OUTDIR/gemm" --force \
    >"$OUTDIR/gemm-run.log" 2>&1 || fail "gemm run (exit $?)"
tail -25 "$OUTDIR/gemm-run.log"
[ -f "$OUTDIR/gemm/results.json" ] && summarise "$OUTDIR/gemm/results.json"

step "dense vs MoE (configs/gpu-default.json)"
timeout 220 "$JM" run "$SRC/configs/gpu-default.json" -o "$OUTDIR/default" --force \
    >"$OUTDIR/default-run.log" 2>&1 || fail "default run (exit $?)"
tail -25 "$OUTDIR/default-run.log"
[ -f "$OUTDIR/default/results.json" ] && summarise "$OUTDIR/default/results.json"

step "done: status $status, logs and results in $OUTDIR"
exit $status
