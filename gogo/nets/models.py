"""AlphaGo's policy and value networks, a two-headed net, and their config.

Trunks ("layers" counts the trunk's convolutions and the policy head's):
- plain (AlphaGo's): a 5x5 convolution with k filters, then (layers - 2) 3x3 convolutions with
  k filters, a ReLU after each;
- residual: the 5x5 convolution, then (layers - 1) // 2 residual blocks of two 3x3 convolutions
  with batch norm (conv, BN, ReLU, conv, BN, add the block's input, ReLU), as AlphaGo Zero's:
  about the same cost as the plain trunk of the same layers.
Heads:
- policy: a 1x1 convolution to one filter with a separate bias for every point, then a softmax
  over the points (no pass: passing is the player's decision);
- value (the value net): one more 3x3 convolution, a 1x1 convolution to one filter (linear), a
  256-unit fully connected layer (ReLU) and one tanh output;
- dual: both on one trunk, the value head without its extra 3x3 convolution; one forward pass
  gives the move logits and the value. With config.value_norm (every new dual net) the value
  plane is batch-normalised and rectified before the 256-unit layer, as in AlphaGo Zero, and that
  layer's units leak (slope 0.01 below zero). On the plain trunk the raw plane sits far from zero
  (about -3 +- 0.7); a few Adam steps at a high rate moved every unit of the layer below zero for
  every position, and the head of state/dual19 answered one constant. With the batch norm alone,
  units still died (64 of 256 alive after 3,000 steps at lr 1e-3), and a dead unit never learns
  again; a leaking one does;
- ownership (a dual net's third head, with config.ownership): a 3x3 convolution to 32 filters
  (ReLU) and a 1x1 convolution to one, each point's logit that the player to move owns it at the
  end (trained on final ownership, it teaches the trunk territory; the hidden layer lets it read
  territory off a trunk trained for moves); the value head's 256-unit layer then reads the
  ownership estimates (in [-1, 1]) beside its own plane, so that a value can be the territory
  added up.
Policy nets see 48 planes; value and dual nets 49 (the 49th: the player's colour).
"""
from dataclasses import dataclass, field

import torch
from torch import nn

from gogo.errors import GogoError
from gogo.features import NUM_PLANES, NUM_VALUE_PLANES

FEATURE_VERSION = 1  # bump when the meaning of any input plane changes
NAMED_CONFIGS = {  # filters, layers, trunk (the paper's "13 layers" for the policy net)
    "alphago": (192, 13, "plain"),
    "small": (64, 13, "plain"),
    "res-small": (64, 13, "residual"),
    "tiny": (8, 3, "plain"),
    "res-tiny": (8, 3, "residual"),
}
OWNERSHIP_FILTERS = 32
VALUE_LEAK = 0.01  # the normalised value head's 256 units: a unit below zero for every input still learns
POLICY, VALUE, DUAL = "policy", "value", "dual"
KINDS = (POLICY, VALUE, DUAL)
POLICY_KINDS = (POLICY, DUAL)  # the nets with a policy: those that can play
TRUNKS = ("plain", "residual")


@dataclass
class NetConfig:
    kind: str = POLICY
    filters: int = 64
    layers: int = 13
    board_size: int = 19
    feature_version: int = FEATURE_VERSION
    provenance: dict = field(default_factory=dict)
    trunk: str = "plain"  # TRUNKS
    ownership: bool = False  # a dual net's ownership head
    value_norm: bool = True  # a dual net's value plane batch-normalised (files from before: False)

    @property
    def input_planes(self):
        return NUM_PLANES if self.kind == POLICY else NUM_VALUE_PLANES

    @classmethod
    def named(cls, name, kind=POLICY, board_size=19):
        if name not in NAMED_CONFIGS:
            raise GogoError(f"unknown net config {name!r}; choose from {', '.join(NAMED_CONFIGS)}")
        filters, layers, trunk = NAMED_CONFIGS[name]
        return cls(kind=kind, filters=filters, layers=layers, board_size=board_size, trunk=trunk)


class ResidualBlock(nn.Module):
    def __init__(self, filters):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(filters, filters, 3, padding=1, bias=False), nn.BatchNorm2d(filters),
                                  nn.ReLU(inplace=True), nn.Conv2d(filters, filters, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(filters))

    def forward(self, x):
        return torch.relu(x + self.body(x))


def _trunk(config):
    """The 5x5 convolution, then the plain 3x3 convolutions or the residual blocks."""
    if config.layers < 2:
        raise ValueError(f"a {config.kind} net needs at least 2 layers")
    if config.trunk not in TRUNKS:
        raise GogoError(f"unknown trunk {config.trunk!r}; choose from {', '.join(TRUNKS)}")
    filters = config.filters
    modules = [nn.Conv2d(config.input_planes, filters, 5, padding=2), nn.ReLU(inplace=True)]
    if config.trunk == "residual":
        modules += [ResidualBlock(filters) for _ in range((config.layers - 1) // 2)]
    else:
        for _ in range(config.layers - 2):
            modules += [nn.Conv2d(filters, filters, 3, padding=1), nn.ReLU(inplace=True)]
    return nn.Sequential(*modules)


def _value_fc(board_size, planes=1, leak=0.0):
    hidden = nn.LeakyReLU(leak, inplace=True) if leak else nn.ReLU(inplace=True)
    return nn.Sequential(nn.Linear(planes * board_size * board_size, 256), hidden, nn.Linear(256, 1), nn.Tanh())


class PolicyNet(nn.Module):
    """Planes (B, 48, N, N) -> move logits (B, N*N)."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        n = config.board_size
        self.trunk = _trunk(config)
        self.head = nn.Conv2d(config.filters, 1, 1, bias=False)
        self.point_bias = nn.Parameter(torch.zeros(n * n))

    def forward(self, planes):
        return self.logits(self.trunk(planes))

    def logits(self, features):
        """The policy head on the trunk's output."""
        return self.head(features).flatten(1) + self.point_bias


class ValueNet(nn.Module):
    """Planes (B, 49, N, N) -> the expected outcome for the player to move, in [-1, 1]."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.trunk = _trunk(config)
        # no ReLU after the 1x1 convolution: on one plane it is often dead for every position at
        # initialisation (all negative), and then the value net can never learn
        self.extra = nn.Sequential(nn.Conv2d(config.filters, config.filters, 3, padding=1), nn.ReLU(inplace=True),
                                   nn.Conv2d(config.filters, 1, 1))
        self.fc = _value_fc(config.board_size)

    def forward(self, planes):
        return self.fc(self.extra(self.trunk(planes)).flatten(1)).squeeze(1)


class DualNet(PolicyNet):
    """Planes (B, 49, N, N) -> (move logits (B, N*N), the expected outcome for the player to move
    (B,)): the policy net's trunk and head, and a value head on the same trunk."""

    def __init__(self, config):
        super().__init__(config)
        if config.value_norm:
            self.value_head = nn.Sequential(nn.Conv2d(config.filters, 1, 1, bias=False), nn.BatchNorm2d(1),
                                            nn.ReLU(inplace=True))
        else:  # the head of the dual nets saved before value_norm
            self.value_head = nn.Conv2d(config.filters, 1, 1)
        self.fc = _value_fc(config.board_size, 2 if config.ownership else 1, VALUE_LEAK if config.value_norm else 0.0)
        if config.ownership:
            self.ownership_head = nn.Sequential(nn.Conv2d(config.filters, OWNERSHIP_FILTERS, 3, padding=1),
                                                nn.ReLU(inplace=True), nn.Conv2d(OWNERSHIP_FILTERS, 1, 1))

    def forward(self, planes, ownership=False):
        """(logits, values), and with ownership=True the ownership logits (B, N*N) as well."""
        features = self.trunk(planes)
        value_input = self.value_head(features).flatten(1)
        if self.config.ownership:
            owner_logits = self.ownership_head(features).flatten(1)
            value_input = torch.cat([value_input, torch.tanh(owner_logits / 2)], 1)
        outputs = self.logits(features), self.fc(value_input).squeeze(1)
        if ownership:
            outputs += (owner_logits,)
        return outputs


def build(config):
    if config.kind not in KINDS:
        raise GogoError(f"unknown net kind {config.kind!r}; choose from {', '.join(KINDS)}")
    return {POLICY: PolicyNet, VALUE: ValueNet, DUAL: DualNet}[config.kind](config)


