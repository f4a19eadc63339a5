#!/usr/bin/env bash
# One prepared GPU check of amem's infomorphic training (issue 16 item 3), <= 5 minutes.
#
#   bash benchmarks/gpu_check.sh            # on a machine with a CUDA GPU (run from the repo root)
#   bash benchmarks/gpu_check.sh --dry-run  # print the steps, run nothing heavy
#
# Steps: use amem from this checkout (PYTHONPATH; pip install --no-deps -e . only where amem is
# not importable at all, so a shared install is never repointed), report
# the machine, run the CUDA tests (pytest -m cuda), then time the Fig. 2C protocol (infomorphic,
# N = 100, alphas 0.01:2.01:0.05, SEEDS seeds; default 5 to fit the budget, SEEDS=20 is the
# paper's) with --device cuda beside the same command on the CPU, each under a time limit.
# Without CUDA it says "no CUDA", runs the GPU code path's CPU tests, and exits 0.
# Output: everything is printed and also written to $OUT/gpu_check.txt (OUT: a fresh temporary
# folder when unset), with the capacity runs' records under $OUT/fig2c_{cuda,cpu}.
set -uo pipefail

DRY=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "gpu_check.sh: unknown argument '$arg'; use --dry-run or nothing" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.." || exit 2
OUT="${OUT:-$(mktemp -d -t amem-gpu-check-XXXXXX)}"
mkdir -p "$OUT"
LOG="$OUT/gpu_check.txt"
SEEDS="${SEEDS:-5}"
LIMIT="${LIMIT:-110}"   # seconds for each timed protocol run (two runs plus tests fit 5 minutes)
PY="${PYTHON:-python3}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-$OUT/mpl}"
exec > >(tee -a "$LOG") 2>&1

step() { echo; echo "== $*"; }
run() {  # print a command; run it unless --dry-run
  echo "+ $*"
  if [ "$DRY" -eq 0 ]; then "$@"; fi
}

step "amem GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "output: $LOG"
uptime || true

step "amem from this checkout"
# PYTHONPATH makes this checkout's code win; amem is pip-installed (--no-deps, so no network is
# needed) only where it is not importable at all: an existing (shared) install is left alone.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ "$DRY" -eq 0 ]; then
  if ! "$PY" -c "import amem" 2>/dev/null; then
    run "$PY" -m pip install --quiet --no-deps --no-build-isolation -e . \
      || echo "pip install -e . failed; relying on PYTHONPATH=$PWD"
  fi
  "$PY" - <<'PYEOF' || { echo "amem, numba or torch cannot be imported: install them first"; exit 1; }
import amem, numpy, numba, torch
print(f"amem from {amem.__file__}; torch {torch.__version__}, numba {numba.__version__}, "
      f"numpy {numpy.__version__}")
PYEOF
else
  echo "+ PYTHONPATH=$PWD (and $PY -m pip install --no-deps -e . only if amem is not importable)"
fi

CUDA=0
if [ "$DRY" -eq 0 ] && "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
    2>/dev/null; then
  CUDA=1
fi

if [ "$CUDA" -eq 0 ]; then
  step "no CUDA: torch sees no CUDA GPU here (or --dry-run); the CUDA steps would be:"
  echo "+ $PY -m pytest -m cuda tests/ -q"
  echo "+ timeout $LIMIT $PY -m amem.bench capacity --model infomorphic --n 100" \
       "--alphas 0.01:2.01:0.05 --seeds $SEEDS --device cuda --out $OUT/fig2c_cuda --no-plot"
  echo "+ the same with --device cpu (--out $OUT/fig2c_cpu)"
  step "CPU fallback: the GPU code path (torch autograd + torch Adam) tested on the CPU"
  run "$PY" -m pytest tests/test_infomorphic.py -q -k "gpu_path or torch_adam or cuda"
  echo; echo "gpu_check: no CUDA, nothing timed on a GPU (exit 0)"
  exit 0
fi

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null || true
nproc

step "CUDA tests"
"$PY" -m pytest -m cuda tests/ -q -p no:cacheprovider
TESTS=$?

timed() {  # label, device
  local label=$1 device=$2 t0 t1 rc
  rm -rf "$OUT/fig2c_$label"
  t0=$(date +%s%N)
  timeout "$LIMIT" "$PY" -m amem.bench capacity --model infomorphic --n 100 \
    --alphas 0.01:2.01:0.05 --seeds "$SEEDS" --device "$device" --out "$OUT/fig2c_$label" \
    --no-plot
  rc=$?
  t1=$(date +%s%N)
  echo "fig2c $label ($device, $SEEDS seeds): exit $rc, $(( (t1 - t0) / 1000000 )) ms wall" \
       "(whole process; exit 124 = over the ${LIMIT} s limit)"
}

step "Fig. 2C protocol, $SEEDS seeds: GPU, then CPU"
timed cuda cuda
timed cpu cpu

step "done: CUDA tests exit $TESTS; output in $LOG"
exit "$TESTS"
