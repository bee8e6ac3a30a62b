"""A net's accuracy on held-out positions: the validation of `gogo train`, the value run's val and
test error, and `gogo eval` (cli/eval.py).

Policy nets: cross-entropy, top-1 and top-5 move prediction; value nets: mean squared error
against the game's outcome from the mover's view, on the raw scale of outcomes +1/-1 (where always
answering 0 scores 1.0) and on the AlphaGo paper's scale of outcomes 1/0 (a quarter of it: 0.25 for
always 0.5). `gogo eval` measures a value net on one position per game, of the games won on the
board or by resignation (training.sampler.EXPERT_VALUE_STREAM). Held-out positions are used once
each, without symmetries. `gogo eval` reads them from a game store (its test split by default) or from SGF
files, folders and archives, which are read, filtered to the net's board size and replayed on the
fly (gogo.records.store.build_store).
"""
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gogo import nets
from gogo.errors import GogoError
from gogo.records.store import Filters, build_store, load_store
from training.sampler import EXPERT_VALUE_STREAM, PositionSampler

EVAL_BATCH = 256


@torch.no_grad()
def net_metrics(net, batches, device, value):
    """Metrics over (planes, moves, results) batches: {"positions", "loss", "top1", "top5"} for a
    policy net, {"positions", "mse"} for a value net."""
    net.eval()
    totals = np.zeros(3)
    count = 0
    for planes, moves, results in batches:
        x = nets.to_device(torch.from_numpy(planes), device)
        with nets.autocast(device):
            out = net(x).float()
        if value:
            totals[0] += F.mse_loss(out, torch.from_numpy(results).to(device), reduction="sum").item()
        else:
            target = torch.from_numpy(moves).to(device)
            totals[0] += F.cross_entropy(out, target, reduction="sum").item()
            top5 = out.topk(5, dim=1).indices
            totals[1] += (top5[:, 0] == target).sum().item()
            totals[2] += (top5 == target[:, None]).any(1).sum().item()
        count += len(moves)
    net.train()
    names = ["mse"] if value else ["loss", "top1", "top5"]
    return {"positions": count, **{n: float(v / max(count, 1)) for n, v in zip(names, totals)}}


def held_out_batches(store, split, positions, batch, options):
    """A fixed set of at least `positions` positions of a split, in store order, as (planes,
    moves, results) batches: the same every time. options: the sampler's data options."""
    sampler = PositionSampler(store, split=split, batch_size=batch, seed=0, epochs=1, drop_last=False,
                              symmetries=False, **options)
    batches, count = [], 0
    for batch_ in sampler:
        batches.append(batch_[:3])
        count += len(batch_.moves)
        if count >= positions:
            break
    sampler.close()
    return batches


def limited(batches, positions):
    """The (planes, moves, results) of the batches, up to `positions` positions (all when None)."""
    seen = 0
    for batch in batches:
        if positions is not None and seen >= positions:
            return
        take = len(batch.moves) if positions is None else min(len(batch.moves), positions - seen)
        seen += take
        yield batch.planes[:take], batch.moves[:take], batch.results[:take]


def eval_sampler(net, data, split, positions, log=None):
    """A sampler over the positions `gogo eval` measures, and where they come from. data: one
    game store (.npz) or SGF sources; split: of a store, or "all"; positions: this many drawn at
    random (seeded), else every position in order."""
    size = net.config.board_size
    value = net.config.kind == nets.VALUE
    if len(data) == 1 and str(data[0]).endswith(".npz"):
        store, split = load_store(data[0]), None if split == "all" else split
    else:
        store, report = build_store(data, filters=Filters(size=size, min_moves=1), val=0, test=0)
        split = None
        if not report["games"]:
            raise GogoError(f"no {size}x{size} games in {', '.join(map(str, data))} (the net is for {size}x{size})")
        if log:
            log(f"{report['games']} games from {len(data)} source(s)")
    stream = EXPERT_VALUE_STREAM if value else {}
    sampler = PositionSampler(store, split=split, batch_size=EVAL_BATCH, seed=0, shuffle=positions is not None,
                              symmetries=False, epochs=1, drop_last=False, size=size, **stream)
    return sampler, {"data": list(data), "split": split or "all", "games": int(len(sampler.games))}


def held_out_metrics(weights, data, split="test", positions=None, device=None, log=None, value=False):
    """`gogo eval`: the metrics of the net in `weights` (None: the bundled 19x19 policy net, or with
    value the bundled 19x19 value net) on held-out positions (see eval_sampler), with where they
    come from. log: called with a line of news."""
    weights = weights or nets.weights_for(nets.VALUE if value else nets.POLICY, 19)
    if weights is None:
        raise GogoError("no bundled 19x19 value net: give --weights")
    net = nets.load(weights)
    sampler, where = eval_sampler(net, data, split, positions, log)
    device = nets.pick_device(device)
    value = net.config.kind == nets.VALUE
    metrics = net_metrics(net.to(device), limited(sampler, positions), device, value)
    sampler.close()
    if value:
        metrics.update(value_mse=metrics["mse"], value_mse_quarter=metrics["mse"] / 4)
    return {"weights": str(Path(weights)), "kind": net.config.kind, **where, **metrics}
