"""The machine's own ceilings, for `gogo bench train`: a large matrix multiply (what the hardware
reaches at best) and one 3x3 convolution of the net's shape, forward and backward (what torch's
convolution kernels reach on this machine, in the run's precision, threads and memory layout).
A training step's FLOP/s over each says how much of the machine it uses and where the rest goes.
"""
import time

import numpy as np
import torch

from gogo.nets.device import cpu_has_bf16

MATMUL_SIZE = 2048  # large enough that the multiply runs at the kernels' best
PEAK_SECONDS = 2.0  # per measurement, after a warm-up


def flop_rate(step, flops, seconds, synchronize):
    """FLOP/s of `step` (which does `flops` FLOPs) over about `seconds`, after two warm-up calls."""
    for _ in range(2):
        step()
    synchronize()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    synchronize()
    return count * flops / (time.perf_counter() - start)


def _synchronizer(device):
    return torch.cuda.synchronize if device.type == "cuda" else (lambda: None)


def matmul_peak(device, dtype, seconds=PEAK_SECONDS, size=MATMUL_SIZE):
    """FLOP/s of a size x size matrix multiply in torch."""
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    return flop_rate(lambda: torch.mm(a, b), 2 * size ** 3, seconds, _synchronizer(device))


def numpy_matmul_peak(seconds=PEAK_SECONDS, size=MATMUL_SIZE):
    """FLOP/s of the same multiply in numpy's BLAS (OpenBLAS in numpy's wheels), a second opinion
    on the CPU's ceiling: torch's CPU BLAS is Intel's MKL, which runs slower on AMD CPUs."""
    a = np.random.default_rng(0).random((size, size), np.float32)
    return flop_rate(lambda: a @ a, 2 * size ** 3, seconds, lambda: None)


def conv_peak(device, bf16, filters, board_size, batch, seconds=PEAK_SECONDS):
    """FLOP/s of one filters -> filters 3x3 convolution on a batch of board_size boards, forward
    and backward (input and weight gradients: 3 times the forward FLOPs, as a training step), in
    the precision and memory layout the nets train in (gogo.nets.to_device, autocast)."""
    conv = torch.nn.Conv2d(filters, filters, 3, padding=1).to(device)
    x = torch.randn(batch, filters, board_size, board_size, device=device, requires_grad=True)
    if bf16:
        conv = conv.to(memory_format=torch.channels_last)
        x = x.detach().to(memory_format=torch.channels_last).requires_grad_()

    dtype = torch.bfloat16 if bf16 else torch.float32
    grad = torch.randn(batch, filters, board_size, board_size, device=device).to(dtype)
    if bf16:
        grad = grad.to(memory_format=torch.channels_last)

    def step():  # the output's gradient given, so no cast or sum of it dilutes the kernels' rate
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            out = conv(x)
        out.backward(grad)

    flops = 3 * 2 * 9 * filters * filters * board_size * board_size * batch
    return flop_rate(step, flops, seconds, _synchronizer(device))


def bf16_native(device):
    """Whether the device does bfloat16 in hardware (then its bf16 peak is worth measuring)."""
    return device.type == "cuda" or cpu_has_bf16()


def peaks(device, bf16, filters, board_size, batch, seconds=PEAK_SECONDS):
    """The ceilings in TFLOP/s: the matrix multiply in fp32 (torch, and numpy on a CPU), in bf16
    where the hardware does it, and the net-shaped convolution in the run's precision."""
    result = {"matmul_fp32_tflops": matmul_peak(device, torch.float32, seconds) / 1e12}
    if device.type == "cpu":
        result["matmul_fp32_numpy_tflops"] = numpy_matmul_peak(seconds) / 1e12
    if bf16_native(device):
        result["matmul_bf16_tflops"] = matmul_peak(device, torch.bfloat16, seconds) / 1e12
    result["conv_tflops"] = conv_peak(device, bf16, filters, board_size, batch, seconds) / 1e12
    return {key: round(value, 4) for key, value in result.items()}


def matmul_ceiling(measured, bf16):
    """The best matrix multiply measured in the run's precision."""
    if bf16:
        return measured["matmul_bf16_tflops"]
    return max(measured["matmul_fp32_tflops"], measured.get("matmul_fp32_numpy_tflops", 0.0))
