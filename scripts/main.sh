#!/usr/bin/env bash
# The main job: set up, release step_by_step, grade example submissions, print scores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
exec .venv/bin/python -m autograder.demo "$@"
