#!/usr/bin/env bash
# Every figure of the one-GPU afternoon in one run (about 8 minutes on one GPU):
# training step eager / compiled / CUDA graphs, head + loss fraction, epoch time
# with workers vs device-resident data, N concurrent seeds, ImageNet-LT images/s
# with CPU vs GPU JPEG decoding. Writes OUT_DIR/report.{json,md} and each tool's
# JSON and log (docs/fast_training.md).
#   bash tools/gpu_report.sh OUT_DIR [--small] [--device cuda|cpu] [--parts ...]
#        [--budget 480] [--jobs 4]
# --small: tiny sizes, to check on a CPU that the whole report runs.
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: bash tools/gpu_report.sh OUT_DIR [--small] [--device cuda|cpu] [--parts ...]" >&2
    exit 2
fi
exec python "$(dirname "$0")/analysis_tools/gpu_report.py" "$@"
