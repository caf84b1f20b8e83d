#!/usr/bin/env bash
# Checks shared by tools/dist_train.sh and tools/dist_test.sh (sourced, not run):
#   dist_checks USAGE [the tool's extra arguments]
# Reads NNODES, NODE_RANK, MASTER_ADDR and PORT as the caller's environment gives them.
dist_fail() { echo "$1" >&2; exit 2; }

dist_checks() {
    local usage=$1 arg
    shift
    for arg in "$@"; do
        case "$arg" in
            --launcher|--launcher=*)
                dist_fail "remove $arg: this script starts the processes with torchrun and passes --launcher pytorch itself (--launcher none would make every process train alone); $usage" ;;
        esac
    done
    local nnodes=${NNODES:-1} node_rank=${NODE_RANK:-0} port=${PORT:-29500}
    [[ "$nnodes" =~ ^[1-9][0-9]*$ ]] || dist_fail "NNODES='$nnodes' must be a positive number of nodes; $usage"
    [[ "$node_rank" =~ ^[0-9]+$ ]] && (( node_rank < nnodes )) \
        || dist_fail "NODE_RANK='$node_rank' must be a whole number from 0 to NNODES-1 ($((nnodes - 1))); $usage"
    [[ "$port" =~ ^[0-9]+$ ]] && (( port >= 1 && port <= 65535 )) \
        || dist_fail "PORT='$port' must be a TCP port number (1-65535, e.g. 29500); $usage"
    if (( nnodes > 1 )) && [[ -z "${MASTER_ADDR:-}" ]]; then
        dist_fail "NNODES=$nnodes needs MASTER_ADDR: the address of node 0 that every node can reach (the default 127.0.0.1 reaches only this machine, so the nodes would wait for each other forever). Run on every node with the same MASTER_ADDR and PORT, NODE_RANK 0 to $((nnodes - 1))."
    fi
}
