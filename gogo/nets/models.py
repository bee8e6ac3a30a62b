"""AlphaGo's policy and value networks and their config.

Policy net: a 5x5 convolution with k filters, then (layers - 2) 3x3 convolutions with k filters,
then a 1x1 convolution to one filter with a separate bias for every point, and a softmax over the
points (no pass: passing is the player's decision). ReLU after every hidden convolution.
Value net: the same trunk on 49 planes, one more 3x3 convolution, a 1x1 convolution to one
filter (linear), a 256-unit fully connected layer (ReLU) and one tanh output.
"""
from dataclasses import dataclass, field

import torch
from torch import nn

from gogo.errors import GogoError
from gogo.features import NUM_PLANES, NUM_VALUE_PLANES

FEATURE_VERSION = 1  # bump when the meaning of any input plane changes
NAMED_CONFIGS = {  # filters, layers (the paper's "13 layers" for the policy net)
    "alphago": (192, 13),
    "small": (64, 13),
    "tiny": (8, 3),
}
POLICY, VALUE = "policy", "value"


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
            raise GogoError(f"unknown net config {name!r}; choose from {', '.join(NAMED_CONFIGS)}")
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


