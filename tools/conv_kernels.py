#!/usr/bin/env python3
"""Where a training step's convolution time goes on this CPU: one 3x3 convolution of F -> F
filters on a batch of 19x19 boards, timed by its parts (the forward pass, the forward with the
input gradient, the forward with the weight gradient, all three), next to a matrix multiply of
the convolution's own shape (points x 9F by 9F x F) and the 2048x2048 multiply of `gogo bench
train`'s peaks, for several widths, in bfloat16 (where the CPU does it) and float32. Prints one
JSON object of TFLOP/s; docs/benchmarks.md reads it.

    OMP_NUM_THREADS=2 python3 tools/conv_kernels.py [--filters 64 128 256] [--batch 128]
"""
import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cli.bench_peaks import flop_rate, matmul_peak  # noqa: E402
from gogo.nets.device import cpu_has_bf16  # noqa: E402

BOARD = 19
SECONDS = 2.0


def conv_parts(filters, batch, dtype):
    """TFLOP/s of each part of one convolution in `dtype` (channels-last, no autocast)."""
    conv = torch.nn.Conv2d(filters, filters, 3, padding=1, bias=False).to(dtype)
    conv = conv.to(memory_format=torch.channels_last)

    def tensor():
        return torch.randn(batch, filters, BOARD, BOARD).to(dtype).to(memory_format=torch.channels_last)

    x, grad = tensor(), tensor()
    forward_flops = 2 * 9 * filters * filters * BOARD * BOARD * batch

    def run(input_grad, weight_grad):
        x.requires_grad_(input_grad)
        conv.weight.requires_grad_(weight_grad)

        def step():
            x.grad = conv.weight.grad = None
            if input_grad or weight_grad:
                conv(x).backward(grad)
            else:
                with torch.no_grad():
                    conv(x)
        return flop_rate(step, (1 + input_grad + weight_grad) * forward_flops, SECONDS, lambda: None) / 1e12

    a = torch.randn(batch * BOARD * BOARD, 9 * filters).to(dtype)
    b = torch.randn(9 * filters, filters).to(dtype)
    shaped = flop_rate(lambda: torch.mm(a, b), forward_flops, SECONDS, lambda: None) / 1e12
    return {"forward": run(False, False), "forward_input_grad": run(True, False),
            "forward_weight_grad": run(False, True), "forward_backward": run(True, True),
            "matmul_of_conv_shape": shaped}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tools/conv_kernels.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--filters", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args(argv)
    cpu = torch.device("cpu")
    precisions = {"fp32": torch.float32, **({"bf16": torch.bfloat16} if cpu_has_bf16() else {})}
    result = {"threads": torch.get_num_threads(), "batch": args.batch}
    for name, dtype in precisions.items():
        result[name] = {"matmul_2048": round(matmul_peak(cpu, dtype) / 1e12, 3)}
        for filters in args.filters:
            parts = conv_parts(filters, args.batch, dtype)
            result[name][f"conv_{filters}"] = {k: round(v, 3) for k, v in parts.items()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
