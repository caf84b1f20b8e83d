#!/usr/bin/env bash
# Slurm training: tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]
#   GPUS (total, default 8), GPUS_PER_NODE (default 8), CPUS_PER_TASK (default 5),
#   SRUN_ARGS (extra srun options, e.g. "--quotatype=auto"). One task per GPU; each
#   task is one process of the run (mmengine reads SLURM_PROCID / SLURM_NTASKS).
#   GPUS_PER_NODE=0 runs CPU tasks (gloo) without asking for GPUs.
set -euo pipefail
USAGE="usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args]"
PARTITION=${1:?$USAGE}
JOB_NAME=${2:?$USAGE}
CONFIG=${3:?$USAGE}
WORK_DIR=${4:?$USAGE}
[[ -f "$CONFIG" || "$CONFIG" == *::* ]] || { echo "CONFIG '$CONFIG' is not a file; $USAGE" >&2; exit 2; }
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
TOOLS=$(cd "$(dirname "$0")" && pwd)
GRES=""
TASKS_PER_NODE=$GPUS_PER_NODE
if [ "$GPUS_PER_NODE" -gt 0 ]; then GRES="--gres=gpu:$GPUS_PER_NODE"; else TASKS_PER_NODE=1; fi

PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    $GRES \
    --ntasks="$GPUS" \
    --ntasks-per-node="$TASKS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    python -u "$TOOLS/train.py" "$CONFIG" --work-dir="$WORK_DIR" --launcher=slurm "${@:5}"
