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
from training.ownership import ownership_error
from training.sampler import EXPERT_VALUE_STREAM, Batch, PositionSampler

EVAL_BATCH = 256
PHASES = {"0-79": (0, 79), "80-159": (80, 159), "160+": (160, 10 ** 6)}  # moves played before the position


@torch.no_grad()
def net_metrics(net, batches, device, kind):
    """Metrics over sampler Batches: "positions"; "loss", "top1" and "top5" for a policy net;
    "mse", "value_std" (the spread of the values: 0 is a head that answers one constant) and
    "mse_by_phase" for a value net; all of them for a dual net; and "own" (the ownership head's
    cross-entropy per point) where the batches carry ownership labels and the net has the head."""
    net.eval()
    sums, value_batches = {}, []
    count = 0
    for batch in batches:
        planes, moves, results = batch[:3]
        owners = batch.ownership if kind == nets.DUAL and net.config.ownership else None
        x = nets.to_device(torch.from_numpy(planes), device)
        with nets.autocast(device):
            out = net(x) if owners is None else net(x, ownership=True)
        if owners is not None:
            labels = torch.from_numpy(owners).to(device)
            _add(sums, "own", ownership_error(out[2], labels, reduction="sum").item() / labels.shape[1])
        logits, values = out[:2] if kind == nets.DUAL else (None, out) if kind == nets.VALUE else (out, None)
        if values is not None:
            value_batches.append((values.float().cpu().numpy(), results, batch.move_numbers))
        if logits is not None:
            logits, target = logits.float(), torch.from_numpy(moves).to(device)
            top5 = logits.topk(5, dim=1).indices
            _add(sums, "loss", F.cross_entropy(logits, target, reduction="sum").item())
            _add(sums, "top1", (top5[:, 0] == target).sum().item())
            _add(sums, "top5", (top5 == target[:, None]).any(1).sum().item())
        count += len(moves)
    net.train()
    metrics = {"positions": count, **{name: float(total / max(count, 1)) for name, total in sums.items()}}
    if value_batches:
        values, results, move_numbers = (np.concatenate(part) for part in zip(*value_batches))
        squared = (values.astype(np.float64) - results) ** 2
        metrics.update(mse=float(squared.mean()), value_std=float(values.std()),
                       mse_by_phase=mse_by_phase(squared, move_numbers))
    return metrics


def mse_by_phase(squared, move_numbers):
    """{phase: the mean of the squared errors of the positions after that many moves (None if
    none)} for the PHASES: a value is hard to know early, and its error falls as the game goes on."""
    squared, move_numbers = np.asarray(squared, np.float64), np.asarray(move_numbers)
    out = {}
    for phase, (first, last) in PHASES.items():
        at = (move_numbers >= first) & (move_numbers <= last)
        out[phase] = float(squared[at].mean()) if at.any() else None
    return out


def _add(sums, name, value):
    sums[name] = sums.get(name, 0.0) + value


def held_out_batches(store, split, positions, batch, options):
    """A fixed set of at least `positions` positions of a split, in store order, as Batches (with
    ownership labels under the ownership option): the same every time. options: the sampler's
    data options."""
    sampler = PositionSampler(store, split=split, batch_size=batch, seed=0, epochs=1, drop_last=False,
                              symmetries=False, **options)
    batches, count = [], 0
    for batch_ in sampler:
        batches.append(batch_)
        count += len(batch_.moves)
        if count >= positions:
            break
    sampler.close()
    return batches


def limited(batches, positions):
    """The batches, cut at `positions` positions (all when None)."""
    seen = 0
    for batch in batches:
        if positions is not None and seen >= positions:
            return
        take = len(batch.moves) if positions is None else min(len(batch.moves), positions - seen)
        seen += take
        yield Batch(*(None if field is None else field[:take] for field in batch))


def eval_store(size, data, split, log=None):
    """(store, split or None for all of it) of the positions `gogo eval` measures. data: one game
    store (.npz) or SGF sources, which are read, filtered to the board size and replayed."""
    if len(data) == 1 and str(data[0]).endswith(".npz"):
        return load_store(data[0]), None if split == "all" else split
    store, report = build_store(data, filters=Filters(size=size, min_moves=1), val=0, test=0)
    if not report["games"]:
        raise GogoError(f"no {size}x{size} games in {', '.join(map(str, data))} (the net or policy is "
                        f"for {size}x{size})")
    if log:
        log(f"{report['games']} games from {len(data)} source(s)")
    return store, None


def eval_metrics(net, store, split, positions, stream, device):
    """net_metrics on `positions` of a split (drawn at random, seeded; None: all, in order)."""
    sampler = PositionSampler(store, split=split, batch_size=EVAL_BATCH, seed=0, shuffle=positions is not None,
                              symmetries=False, epochs=1, drop_last=False, size=net.config.board_size, **stream)
    metrics = net_metrics(net, limited(sampler, positions), device, net.config.kind)
    sampler.close()
    return metrics, int(len(sampler.games))


def held_out_metrics(weights, data, split="test", positions=None, device=None, log=None, value=False):
    """`gogo eval`: the metrics of the net in `weights` (None: the bundled 19x19 policy net, or with
    value the bundled 19x19 value net) on held-out positions, with where they come from. A policy
    net's are over every position; a value net's over one position per decided game
    (EXPERT_VALUE_STREAM); a dual net gets both, its value ones as value_*. log: called with a
    line of news."""
    weights = weights or nets.weights_for(nets.VALUE if value else nets.POLICY, 19)
    if weights is None:
        raise GogoError("no bundled 19x19 value net: give --weights")
    device = nets.pick_device(device)
    net = nets.to_device(nets.load(weights), device)
    kind = net.config.kind
    store, split = eval_store(net.config.board_size, data, split, log)
    result = {"weights": str(Path(weights)), "kind": kind, "data": list(data), "split": split or "all"}
    if kind != nets.VALUE:
        metrics, games = eval_metrics(net, store, split, positions, {"value_planes": kind == nets.DUAL}, device)
        result.update(games=games, positions=metrics["positions"],
                      **{k: metrics[k] for k in ("loss", "top1", "top5")})
    if kind != nets.POLICY:
        metrics, games = eval_metrics(net, store, split, positions, EXPERT_VALUE_STREAM, device)
        if kind == nets.VALUE:
            result.update(games=games, positions=metrics["positions"], mse=metrics["mse"])
        else:
            result.update(value_games=games, value_positions=metrics["positions"])
        result.update(value_mse=metrics["mse"], value_mse_quarter=metrics["mse"] / 4, value_std=metrics["value_std"],
                      value_mse_by_phase=metrics["mse_by_phase"])
    return result
