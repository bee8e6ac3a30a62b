"""Net surgery: a trained net turned into a larger one that computes exactly what it did, so
training goes on from its knowledge instead of from scratch.

- seeded_by: a policy net's trunk (and head) as the start of a value or two-headed net;
- with_ownership_head / with_value_norm: a two-headed net given a new head;
- widened: a net with more filters in every trunk layer (Net2Net's "wider" operation, in the
  form where each new filter starts with random input weights and zero output weights);
- resized: a net for another board size (a 19x19 net's knowledge of shape as a 9x9 net's start).
"""
import dataclasses

import torch

from gogo import nets
from gogo.errors import GogoError


def grown(config, tensors, layer):
    """A net of `config` holding `tensors` (the others as built), where the layer named `layer`
    takes more inputs than its tensor has: the old inputs keep their weights and the new ones
    start at zero, so the net computes what the tensors' net did."""
    net = nets.build(config)
    tensors = dict(tensors)
    first = tensors.pop(f"{layer}.weight")
    net.load_state_dict(tensors, strict=False)
    weight = net.get_parameter(f"{layer}.weight")
    with torch.no_grad():
        weight.zero_()
        weight[:, :first.shape[1]] = first
    return net


def seeded_by(policy, kind):
    """A value or dual net whose trunk is the policy net's (a dual net: and its policy head), the
    first layer included: its weights on the 48 shared planes are the policy's, those on the 49th
    (the player's colour) start at zero, so the seeded trunk computes exactly the policy's
    features until training changes it."""
    keep = ("trunk.", "head.", "point_bias") if kind == nets.DUAL else ("trunk.",)
    seed = {k: v for k, v in policy.state_dict().items() if k.startswith(keep)}
    return grown(dataclasses.replace(policy.config, kind=kind, value_norm=True, provenance={}), seed, "trunk.0")


def with_ownership_head(dual):
    """The dual net with a new ownership head: the same outputs until training changes it (the
    value layer's weights on the ownership estimates start at zero)."""
    return grown(dataclasses.replace(dual.config, ownership=True, provenance={}), dual.state_dict(), "fc.0")


def with_value_norm(dual):
    """The dual net with a new, normalised value head (models.py says why); its trunk, policy
    head and ownership head are kept, its value layers start afresh (the old ones are dead)."""
    net = nets.build(dataclasses.replace(dual.config, value_norm=True, provenance={}))
    net.load_state_dict({k: v for k, v in dual.state_dict().items() if not k.startswith(("value_head.", "fc."))},
                        strict=False)
    return net


def widened(net, filters):
    """The net with `filters` filters in every trunk layer, computing exactly what `net` does.

    Every tensor of the wide net holds the narrow one in its leading corner. A new filter keeps
    its fresh random input weights (and bias, batch-norm scale), so it computes a feature of its
    own from the start, while every weight from a new filter into an old one (or into a head)
    is zero: the old filters and the heads see what they saw. Training then gives the new
    filters their say. Plain and residual trunks alike (a residual block's skip adds the new
    filters to themselves only)."""
    if filters < net.config.filters:
        raise GogoError(f"cannot narrow a {net.config.filters}-filter net to {filters} filters")
    wide = nets.build(dataclasses.replace(net.config, filters=filters, provenance={}))
    narrow_tensors = net.state_dict()
    with torch.no_grad():
        for name, tensor in wide.state_dict().items():
            old = narrow_tensors[name]
            if old.dim() == 0:
                tensor.copy_(old)
                continue
            corner = tuple(slice(0, size) for size in old.shape)
            if old.dim() >= 2 and old.shape[1] < tensor.shape[1]:
                tensor[:old.shape[0], old.shape[1]:] = 0  # new filters into old ones: silent
            tensor[corner] = old
    return wide


def edge_matched_points(size, source_size):
    """For each point of a size x size board (row-major), the point of the source board at the
    same distance from its nearest edges: the near half of each line keeps its distance from the
    first edge, the far half from the last, so corners map to corners and edges to edges."""
    lines = [i if i <= (size - 1) // 2 else source_size - size + i for i in range(size)]
    return [row * source_size + col for row in lines for col in lines]


def resized(net, board_size):
    """The net for board_size x board_size boards. The convolutions are size-free and carry over as
    they are; the layers with one weight per point (the policy's point bias, the value head's first
    fully connected layer) take each point's weights from the source point at the same distance
    from the edges (edge_matched_points), so the resized net starts from what the net knew about
    corners, edges and centre, and training on the new size adapts them."""
    source_size = net.config.board_size
    if board_size == source_size:
        return net
    if board_size > source_size:
        raise GogoError(f"cannot resize a {source_size}x{source_size} net up to {board_size}x{board_size}")
    points = torch.tensor(edge_matched_points(board_size, source_size))
    small = nets.build(dataclasses.replace(net.config, board_size=board_size, provenance={}))
    tensors = net.state_dict()
    with torch.no_grad():
        for name, tensor in small.state_dict().items():
            source = tensors[name]
            if name == "point_bias":
                source = source[points]
            elif name == "fc.0.weight":  # (hidden, planes x points): each input plane's points
                source = source.unflatten(1, (-1, source_size * source_size))[:, :, points].flatten(1)
            tensor.copy_(source)
    return small
