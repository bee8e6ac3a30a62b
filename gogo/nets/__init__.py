"""AlphaGo's policy and value networks: architectures and config (models), weight files (weights),
device and precision (device), running a net on planes (runner), and the bundled weights with the
rule for which file a player uses (bundled). The API is re-exported here: `nets.load`,
`nets.Runner`, `nets.weights_for`, ...

May import: gogo's leaf modules, gogo.go, gogo.features.
"""
from gogo.nets.bundled import DEFAULT_POLICY_WEIGHTS, PRIORS, WEIGHTS_DIR, bundled_weights, weights_for
from gogo.nets.device import autocast, pick_device, to_device, uses_bf16
from gogo.nets.models import (DUAL, FEATURE_VERSION, KINDS, NAMED_CONFIGS, POLICY, POLICY_KINDS, TRUNKS, VALUE,
                              DualNet, NetConfig, PolicyNet, ValueNet, build)
from gogo.nets.runner import Runner, softmax
from gogo.nets.weights import load, read_config, save

__all__ = ["DEFAULT_POLICY_WEIGHTS", "PRIORS", "WEIGHTS_DIR", "bundled_weights", "weights_for", "autocast",
           "pick_device", "to_device", "uses_bf16", "DUAL", "FEATURE_VERSION", "KINDS", "NAMED_CONFIGS", "POLICY",
           "POLICY_KINDS", "TRUNKS", "VALUE", "DualNet", "NetConfig", "PolicyNet", "ValueNet", "build", "Runner", "softmax", "load", "read_config", "save"]
