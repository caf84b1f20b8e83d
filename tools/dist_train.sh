#!/usr/bin/env bash
# Distributed training with torchrun: tools/dist_train.sh CONFIG NPROC [train.py args]
#   NPROC: processes on this node (GPUs; on a CPU-only machine, gloo processes).
#   Multi-node: NNODES=2 NODE_RANK=0|1 MASTER_ADDR=<node 0 address> PORT=29500 on every node.
set -euo pipefail
TOOLS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/dist_checks.sh
source "$TOOLS/dist_checks.sh"
USAGE="usage: tools/dist_train.sh CONFIG NPROC [train.py args], e.g. tools/dist_train.sh configs/skcl_resnet32_cifar100lt.py 4"
[[ $# -ge 2 ]] || dist_fail "$USAGE"
CONFIG=${1:?$USAGE}
NPROC=${2:?$USAGE}
[[ "$NPROC" =~ ^[1-9][0-9]*$ ]] || { echo "NPROC='$NPROC' must be a positive number of processes; $USAGE" >&2; exit 2; }
[[ -f "$CONFIG" || "$CONFIG" == *::* ]] || { echo "CONFIG '$CONFIG' is not a file; $USAGE" >&2; exit 2; }
dist_checks "$USAGE" "${@:3}"
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
    "$TOOLS/train.py" "$CONFIG" --launcher pytorch "${@:3}"
