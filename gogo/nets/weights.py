"""Weight files: safetensors, with the net's config as JSON in the metadata under the key "gogo"
(kind, filters, layers, board size, input planes, feature version and free-form provenance).

Loading checks all of it against the tensors, so a file that does not match fails with a GogoError
that names the file and the reason. Nothing is ever unpickled.
"""
import json
from dataclasses import asdict

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from gogo.errors import GogoError
from gogo.files import atomic_path
from gogo.nets.models import DUAL, FEATURE_VERSION, KINDS, NetConfig, build


def save(net, path, provenance=None):
    """Write the net's weights and config atomically (gogo.files)."""
    config = net.config
    if provenance is not None:
        config.provenance = provenance
    tensors = {name: t.detach().to("cpu", torch.float32).contiguous() for name, t in net.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"gogo": json.dumps(asdict(config))})


def read_config(path):
    """The NetConfig stored in a weights file (GogoError naming the file if there is none)."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
    except (OSError, SafetensorError) as error:
        raise GogoError(f"{path}: not a readable safetensors file ({error})") from None
    if "gogo" not in metadata:
        raise GogoError(f"{path}: no gogo net config in the file's metadata")
    try:
        fields = json.loads(metadata["gogo"])
        if fields.get("kind") == DUAL:
            fields.setdefault("value_norm", False)  # saved before the normalised value head
        config = NetConfig(**fields)
    except (AttributeError, TypeError, ValueError) as error:
        raise GogoError(f"{path}: bad gogo net config ({error})") from None
    if config.kind not in KINDS:
        raise GogoError(f"{path}: unknown net kind {config.kind!r}")
    if config.feature_version != FEATURE_VERSION:
        raise GogoError(f"{path}: made for feature version {config.feature_version}, "
                         f"this gogo encodes version {FEATURE_VERSION}")
    return config


def load(path, kind=None, board_size=None):
    """A net built from its weights file; checks kind (one, or a tuple of those that will do),
    board size and every tensor's shape."""
    config = read_config(path)
    kinds = (kind,) if isinstance(kind, str) else kind
    if kinds is not None and config.kind not in kinds:
        raise GogoError(f"{path}: holds a {config.kind} net, a {' or '.join(kinds)} net is needed")
    if board_size is not None and config.board_size != board_size:
        raise GogoError(f"{path}: a net for {config.board_size}x{config.board_size}, "
                         f"the board is {board_size}x{board_size}")
    net = build(config)
    tensors = load_file(str(path))
    expected = net.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise GogoError(f"{path}: tensors do not match a {config.kind} net with {config.filters} filters "
                         f"and {config.layers} layers (missing {missing[:3]}, unexpected {extra[:3]})")
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape:
            raise GogoError(f"{path}: tensor {name} has shape {tuple(tensor.shape)}, "
                             f"the config needs {tuple(expected[name].shape)}")
    net.load_state_dict(tensors)
    return net


