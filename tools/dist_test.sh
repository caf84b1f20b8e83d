#!/usr/bin/env bash
# Distributed testing with torchrun: tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args]
#   NPROC: processes on this node (GPUs; on a CPU-only machine, gloo processes).
#   Multi-node: NNODES=2 NODE_RANK=0|1 MASTER_ADDR=<node 0 address> PORT=29500 on every node.
set -euo pipefail
TOOLS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/dist_checks.sh
source "$TOOLS/dist_checks.sh"
USAGE="usage: tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args]"
[[ $# -ge 3 ]] || dist_fail "$USAGE"
CONFIG=${1:?$USAGE}
CHECKPOINT=${2:?$USAGE}
NPROC=${3:?$USAGE}
[[ "$NPROC" =~ ^[1-9][0-9]*$ ]] || { echo "NPROC='$NPROC' must be a positive number of processes; $USAGE" >&2; exit 2; }
[[ -f "$CONFIG" || "$CONFIG" == *::* ]] || { echo "CONFIG '$CONFIG' is not a file; $USAGE" >&2; exit 2; }
dist_checks "$USAGE" "${@:4}"
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}

PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
exec python -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --master_port="$PORT" \
    --nproc_per_node="$NPROC" \
    "$TOOLS/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
