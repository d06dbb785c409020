#!/usr/bin/env bash
# Every benchmark, each printing its figures beside its baseline (a few minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1
$PY bench/startup.py
$PY bench/prepare.py
$PY bench/cache.py
$PY bench/latency.py
$PY bench/concurrency.py
