#!/usr/bin/env bash
# Set up, then run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
