#!/usr/bin/env bash
# Install gogo and its dependencies into the current Python environment.
#   ./install.sh          the engine
#   ./install.sh --train  the engine plus the training stack's extras (TensorBoard, plots)
#   ./install.sh --test   the engine, the training extras and the test suite
# PyTorch: an already-installed torch is kept. Otherwise a machine with an
# NVIDIA GPU gets the standard (CUDA) build, and one without gets the CPU
# build: a local wheel if pip is configured with one, else PyTorch's CPU index.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
TORCH_VERSION=2.13.0

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
    if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
        "$PYTHON" -m pip install "torch==$TORCH_VERSION"
    elif "$PYTHON" -m pip download --no-index --no-deps -q -d "$(mktemp -d)" "torch==$TORCH_VERSION" 2>/dev/null; then
        "$PYTHON" -m pip install "torch==$TORCH_VERSION"
    else
        "$PYTHON" -m pip install "torch==$TORCH_VERSION" --index-url https://download.pytorch.org/whl/cpu
    fi
fi

case "${1:-}" in
    --test) "$PYTHON" -m pip install -e ".[test]" ;;
    --train) "$PYTHON" -m pip install -e ".[train]" ;;
    *) "$PYTHON" -m pip install -e . ;;
esac
