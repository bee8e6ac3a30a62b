"""Where and in what precision the nets run: the device, bfloat16 autocast where the hardware does
bfloat16 natively, and the memory layout that suits it."""
import functools
import os

import torch

from gogo.errors import GogoError


def pick_device(device=None):
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@functools.cache
def cpu_has_bf16():
    cpu = torch.cpu
    return any(getattr(cpu, check, lambda: False)() for check in ("_is_amx_tile_supported",
                                                                  "_is_avx512_bf16_supported"))


def uses_bf16(device):
    """Whether nets run in bfloat16 autocast on this device: on CUDA, and on CPUs that do bfloat16
    in hardware (AMX or AVX512-BF16: 3-4x float32 there, where elsewhere it would be emulated and
    slower). GOGO_PRECISION=fp32 or bf16 overrides the choice."""
    choice = os.environ.get("GOGO_PRECISION", "auto").lower()
    if choice not in ("auto", "fp32", "bf16"):
        raise GogoError(f"GOGO_PRECISION={choice!r}: use auto, fp32 or bf16")
    if choice != "auto":
        return choice == "bf16"
    return device.type == "cuda" or (device.type == "cpu" and cpu_has_bf16())


def autocast(device):
    """The mixed-precision context the nets run in on this device (see uses_bf16)."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=uses_bf16(device))


def to_device(module_or_planes, device):
    """A net, or a batch of planes made float, on the device in the memory layout its convolutions
    run fastest in there: channels-last under bfloat16."""
    x = module_or_planes.to(device, non_blocking=True)
    if isinstance(x, torch.Tensor):
        x = x.float()
    return x.to(memory_format=torch.channels_last) if uses_bf16(device) else x


