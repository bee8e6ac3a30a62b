"""AlphaGo's policy and value networks, their weight files, and a batching evaluator.

Policy net: a 5x5 convolution with k filters, then (layers - 2) 3x3 convolutions with k filters,
then a 1x1 convolution to one filter with a separate bias for every point, and a softmax over the
points (no pass: passing is the player's decision). ReLU after every hidden convolution.
Value net: the same trunk on 49 planes, one more 3x3 convolution, a 1x1 convolution to one
filter (linear), a 256-unit fully connected layer (ReLU) and one tanh output.

Weights are safetensors files. Their metadata holds, under the key "gogo", a JSON object: the
net's kind, filters, layers, board size, input planes, feature version and free-form provenance.
Loading checks all of it against the tensors, so a file that does not match fails with an error
that names the file and the reason. Nothing is ever unpickled.
"""
import functools
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from gogo.features import NUM_PLANES, NUM_VALUE_PLANES

FEATURE_VERSION = 1  # bump when the meaning of any input plane changes
NAMED_CONFIGS = {  # filters, layers (the paper's "13 layers" for the policy net)
    "alphago": (192, 13),
    "small": (64, 13),
    "tiny": (8, 3),
}
POLICY, VALUE = "policy", "value"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_POLICY_WEIGHTS = WEIGHTS_DIR / "policy.safetensors"  # 19x19


def bundled_weights(name, size):
    """A bundled weights file for a board size, or None if there is none: gogo/weights/NAME.safetensors
    on 19x19, NAME-SIZExSIZE.safetensors on other sizes. Names: "policy" (what the policy player
    plays), "sl-policy" (the search's priors where an RL net is the "policy"), "value"."""
    path = WEIGHTS_DIR / (f"{name}.safetensors" if size == 19 else f"{name}-{size}x{size}.safetensors")
    return path if path.exists() else None


def bundled_search_weights(size):
    """(prior policy, value net or None) for the search on a board size; (None, None) when no
    policy net is bundled for it. The priors come from the SL net, as in AlphaGo, where there is one."""
    prior = bundled_weights("sl-policy", size) or bundled_weights(POLICY, size)
    return (prior, bundled_weights(VALUE, size)) if prior else (None, None)


@dataclass
class NetConfig:
    kind: str = POLICY
    filters: int = 64
    layers: int = 13
    board_size: int = 19
    feature_version: int = FEATURE_VERSION
    provenance: dict = field(default_factory=dict)

    @property
    def input_planes(self):
        return NUM_PLANES if self.kind == POLICY else NUM_VALUE_PLANES

    @classmethod
    def named(cls, name, kind=POLICY, board_size=19):
        if name not in NAMED_CONFIGS:
            raise ValueError(f"unknown net config {name!r}; choose from {', '.join(NAMED_CONFIGS)}")
        filters, layers = NAMED_CONFIGS[name]
        return cls(kind=kind, filters=filters, layers=layers, board_size=board_size)


def _trunk(in_planes, filters, layers):
    """The 5x5 convolution and the 3x3 convolutions that follow it, each with a ReLU."""
    modules = [nn.Conv2d(in_planes, filters, 5, padding=2), nn.ReLU(inplace=True)]
    for _ in range(layers - 2):
        modules += [nn.Conv2d(filters, filters, 3, padding=1), nn.ReLU(inplace=True)]
    return nn.Sequential(*modules)


class PolicyNet(nn.Module):
    """Planes (B, 48, N, N) -> move logits (B, N*N)."""

    def __init__(self, config):
        super().__init__()
        if config.layers < 2:
            raise ValueError("a policy net needs at least 2 layers")
        self.config = config
        n = config.board_size
        self.trunk = _trunk(config.input_planes, config.filters, config.layers)
        self.head = nn.Conv2d(config.filters, 1, 1, bias=False)
        self.point_bias = nn.Parameter(torch.zeros(n * n))

    def forward(self, planes):
        return self.head(self.trunk(planes)).flatten(1) + self.point_bias


class ValueNet(nn.Module):
    """Planes (B, 49, N, N) -> the expected outcome for the player to move, in [-1, 1]."""

    def __init__(self, config):
        super().__init__()
        if config.layers < 2:
            raise ValueError("a value net needs at least 2 layers")
        self.config = config
        n = config.board_size
        self.trunk = _trunk(config.input_planes, config.filters, config.layers)
        # no ReLU after the 1x1 convolution: on one plane it is often dead for every position at
        # initialisation (all negative), and then the value net can never learn
        self.extra = nn.Sequential(nn.Conv2d(config.filters, config.filters, 3, padding=1), nn.ReLU(inplace=True),
                                   nn.Conv2d(config.filters, 1, 1))
        self.fc = nn.Sequential(nn.Linear(n * n, 256), nn.ReLU(inplace=True), nn.Linear(256, 1), nn.Tanh())

    def forward(self, planes):
        return self.fc(self.extra(self.trunk(planes)).flatten(1)).squeeze(1)


def build(config):
    return (PolicyNet if config.kind == POLICY else ValueNet)(config)


def save(net, path, provenance=None):
    """Write the net's weights and config atomically (a temporary file, then a rename)."""
    config = net.config
    if provenance is not None:
        config.provenance = provenance
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tensors = {name: t.detach().to("cpu", torch.float32).contiguous() for name, t in net.state_dict().items()}
    save_file(tensors, str(tmp), metadata={"gogo": json.dumps(asdict(config))})
    tmp.replace(path)


def read_config(path):
    """The NetConfig stored in a weights file (ValueError naming the file if there is none)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
    except (OSError, SafetensorError) as error:
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from None
    if "gogo" not in metadata:
        raise ValueError(f"{path}: no gogo net config in the file's metadata")
    try:
        fields = json.loads(metadata["gogo"])
        config = NetConfig(**fields)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: bad gogo net config ({error})") from None
    if config.kind not in (POLICY, VALUE):
        raise ValueError(f"{path}: unknown net kind {config.kind!r}")
    if config.feature_version != FEATURE_VERSION:
        raise ValueError(f"{path}: made for feature version {config.feature_version}, "
                         f"this gogo encodes version {FEATURE_VERSION}")
    return config


def load(path, kind=None, board_size=None):
    """A net built from its weights file; checks kind, board size and every tensor's shape."""
    config = read_config(path)
    if kind is not None and config.kind != kind:
        raise ValueError(f"{path}: holds a {config.kind} net, a {kind} net is needed")
    if board_size is not None and config.board_size != board_size:
        raise ValueError(f"{path}: a net for {config.board_size}x{config.board_size}, "
                         f"the board is {board_size}x{board_size}")
    net = build(config)
    tensors = load_file(str(path))
    expected = net.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise ValueError(f"{path}: tensors do not match a {config.kind} net with {config.filters} filters "
                         f"and {config.layers} layers (missing {missing[:3]}, unexpected {extra[:3]})")
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape:
            raise ValueError(f"{path}: tensor {name} has shape {tuple(tensor.shape)}, "
                             f"the config needs {tuple(expected[name].shape)}")
    net.load_state_dict(tensors)
    return net


def pick_device(device=None):
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@functools.cache
def _cpu_has_bf16():
    cpu = torch.cpu
    return any(getattr(cpu, check, lambda: False)() for check in ("_is_amx_tile_supported",
                                                                  "_is_avx512_bf16_supported"))


def uses_bf16(device):
    """Whether nets run in bfloat16 autocast on this device: on CUDA, and on CPUs that do bfloat16
    in hardware (AMX or AVX512-BF16: 3-4x float32 there, where elsewhere it would be emulated and
    slower). GOGO_PRECISION=fp32 or bf16 overrides the choice."""
    choice = os.environ.get("GOGO_PRECISION", "auto").lower()
    if choice not in ("auto", "fp32", "bf16"):
        raise ValueError(f"GOGO_PRECISION={choice!r}: use auto, fp32 or bf16")
    if choice != "auto":
        return choice == "bf16"
    return device.type == "cuda" or (device.type == "cpu" and _cpu_has_bf16())


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


class Evaluator:
    """Runs a net on batches of uint8 planes, in bfloat16 where the device does it natively
    (uses_bf16), else float32."""

    def __init__(self, net, device=None):
        self.device = pick_device(device)
        self.net = to_device(net, self.device).eval()

    @torch.inference_mode()
    def __call__(self, planes):
        """planes: uint8 array (B, C, N, N) -> float32 numpy (logits for a policy net,
        values for a value net)."""
        x = to_device(torch.from_numpy(np.ascontiguousarray(planes)), self.device)
        with autocast(self.device):
            out = self.net(x)
        return out.float().cpu().numpy()

    def policy(self, planes, temperature=1.0):
        """Move probabilities (B, N*N) with a softmax temperature."""
        logits = self(planes) / temperature
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)
