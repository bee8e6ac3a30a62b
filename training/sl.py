"""Supervised training on expert games: `gogo train sl`.

The policy net learns to predict the expert's move (cross-entropy over the points). With --value
the value net learns the game's outcome from the mover's view (mean squared error), taking one
position per game per epoch: on whole games it overfits, as the AlphaGo paper found.

A run lives in one folder: checkpoint.safetensors (net, optimizer, data position and RNG; written
atomically every --checkpoint-every steps), the exported weights (policy.safetensors or
value.safetensors), log.csv, TensorBoard events and curves.png. `--resume` continues a killed run
exactly: the same batches, the same updates, the same loss curve.
"""
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gogo import nets
from training.checkpoint import load_checkpoint, run_checkpoint, save_checkpoint
from training.data import PositionSampler, load_store
from training.logs import TrainingLog

PAPER_LR, PAPER_BATCH = 0.003, 16  # SGD step size for minibatches of 16 (Silver et al. 2016)
DEFAULTS = dict(batch=256, steps=10000, checkpoint_every=500, log_every=50, val_every=500,
                val_positions=4096, adamw_lr=1e-3, weight_decay=1e-4, momentum=0.9)
POLICY_FIELDS = ["train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "lr", "positions_per_s"]
VALUE_FIELDS = ["train_mse", "val_mse", "lr", "positions_per_s"]


def add_arguments(parser):
    parser.add_argument("--store", required=True, help="game store from `gogo data`")
    parser.add_argument("--out", required=True, help="run folder (created; reused with --resume)")
    parser.add_argument("--value", action="store_true", help="train the value net on game outcomes")
    add_training_arguments(parser)


def add_training_arguments(parser):
    """The net, optimizer, schedule and run options (shared with `gogo train value`)."""
    parser.add_argument("--net", default="small", help=f"net config: {', '.join(nets.NAMED_CONFIGS)}")
    parser.add_argument("--filters", type=int, help="override the config's filters")
    parser.add_argument("--layers", type=int, help="override the config's layers")
    parser.add_argument("--init", help="start from these weights (e.g. SL weights for a value net)")
    parser.add_argument("--batch", type=int, default=DEFAULTS["batch"])
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"], help="total optimizer steps")
    parser.add_argument("--optimizer", choices=["sgd", "adamw"], default="sgd")
    parser.add_argument("--lr", type=float, help="learning rate (default: SGD the paper's 0.003 "
                        "scaled by batch/16 and by 1-momentum; AdamW 1e-3)")
    parser.add_argument("--halve-every", type=int, default=0,
                        help="halve the learning rate every this many steps (0: never)")
    parser.add_argument("--checkpoint-every", type=int, default=DEFAULTS["checkpoint_every"])
    parser.add_argument("--log-every", type=int, default=DEFAULTS["log_every"])
    parser.add_argument("--val-every", type=int, default=DEFAULTS["val_every"])
    parser.add_argument("--val-positions", type=int, default=DEFAULTS["val_positions"])
    parser.add_argument("--workers", type=int, default=1, help="data worker processes (0: in-process)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--compile", action="store_true", help="torch.compile the net")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def learning_rate(args):
    if args.lr is not None:
        return args.lr
    if args.optimizer == "adamw":
        return DEFAULTS["adamw_lr"]
    return PAPER_LR * args.batch / PAPER_BATCH * (1 - DEFAULTS["momentum"])


def make_net(args, board_size):
    kind = nets.VALUE if args.value else nets.POLICY
    if args.init:
        net = nets.load(args.init, board_size=board_size)
        if net.config.kind != kind:  # SL policy weights can seed a value net's trunk
            seeded = nets.build(nets.NetConfig(kind=kind, filters=net.config.filters,
                                               layers=net.config.layers, board_size=board_size))
            trunk = {k: v for k, v in net.state_dict().items() if k.startswith("trunk.") and not k.startswith("trunk.0.")}
            seeded.load_state_dict(trunk, strict=False)
            net = seeded
        return net
    config = nets.NetConfig.named(args.net, kind=kind, board_size=board_size)
    config.filters = args.filters or config.filters
    config.layers = args.layers or config.layers
    return nets.build(config)


def make_optimizer(args, net):
    lr = learning_rate(args)
    if args.optimizer == "adamw":
        return torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=DEFAULTS["weight_decay"])
    return torch.optim.SGD(net.parameters(), lr=lr, momentum=DEFAULTS["momentum"],
                           weight_decay=DEFAULTS["weight_decay"])


def validation_set(store, args, options, split="val", positions=None):
    """A fixed set of held-out positions (args.val_positions unless given): no symmetries, the
    same every time."""
    sampler = PositionSampler(store, split=split, batch_size=args.batch, seed=0, epochs=1,
                              drop_last=False, **options(args, symmetries=False))
    batches, count = [], 0
    for batch in sampler:
        batches.append(batch[:3])
        count += len(batch.moves)
        if count >= (positions or args.val_positions):
            break
    sampler.close()
    return batches


def data_options(args, symmetries=True):
    """Sampler options shared by training and validation. Value targets: one position per game,
    and only games won on the board or by resignation (time and forfeit say little about the
    position)."""
    if args.value:
        return dict(symmetries=symmetries, value_planes=True, one_per_game=True,
                    require_winner=True, exclude_win_by=("time", "forfeit"))
    return dict(symmetries=symmetries)


@torch.no_grad()
def evaluate(net, batches, device, value):
    """Metrics over (planes, moves, results) batches: policy loss, top-1, top-5, or value MSE."""
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


def run(args, options=data_options):
    """Train as args say; options(args, symmetries) gives the sampler's data options (e.g.
    training/value.py's: the last position of each game)."""
    torch.manual_seed(args.seed)
    out = Path(args.out)
    checkpoint = run_checkpoint(out, args.resume, "gogo train sl")
    out.mkdir(parents=True, exist_ok=True)
    store = load_store(args.store)
    sampler = PositionSampler(store, split="train", batch_size=args.batch, seed=args.seed,
                              workers=args.workers, **options(args))
    device = nets.pick_device(args.device)
    net = nets.to_device(make_net(args, sampler.size), device)
    optimizer = make_optimizer(args, net)
    state = {"step": 0, "positions": 0, "elapsed": 0.0}
    if args.resume:
        state = load_checkpoint(checkpoint, net, optimizer)
        sampler.load_state_dict(state["sampler"])
    else:
        (out / "args.json").write_text(json.dumps(vars(args), indent=1))
    fields = VALUE_FIELDS if args.value else POLICY_FIELDS
    log = TrainingLog(out, fields, resume_step=state["step"] if args.resume else None)
    model = torch.compile(net) if args.compile else net
    val_batches = None
    if len(store.games("val", sampler.size)):
        val_batches = validation_set(store, args, options)
    else:  # a small collection may have no game in the validation split: train on, unmeasured
        print(f"gogo train: no validation games in {args.store} (see gogo data --val): no validation",
              file=sys.stderr)
    base_lr = learning_rate(args)
    progress = None
    if not args.no_progress:
        from tqdm import tqdm

        progress = tqdm(total=args.steps, initial=state["step"], unit="step", dynamic_ncols=True)
    window_loss, window_hits, window_count, window_start = 0.0, 0, 0, time.perf_counter()
    batches = iter(sampler)
    net.train()
    while state["step"] < args.steps:
        planes, moves, results = next(batches)[:3]
        lr = base_lr * 0.5 ** (state["step"] // args.halve_every) if args.halve_every else base_lr
        for group in optimizer.param_groups:
            group["lr"] = lr
        x = nets.to_device(torch.from_numpy(planes), device)
        with nets.autocast(device):
            output = model(x).float()
        if args.value:
            loss = F.mse_loss(output, torch.from_numpy(results).to(device))
        else:
            target = torch.from_numpy(moves).to(device)
            loss = F.cross_entropy(output, target)
            window_hits += (output.argmax(1) == target).sum().item()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        state["step"] += 1
        state["positions"] += len(moves)
        window_loss += loss.item() * len(moves)
        window_count += len(moves)
        if progress is not None:
            progress.update(1)
        step = state["step"]
        if step % args.log_every == 0 or step % args.val_every == 0 or step == args.steps:
            now = time.perf_counter()
            state["elapsed"] += now - window_start
            rate = window_count / max(now - window_start, 1e-9)
            row = {"lr": f"{lr:.6g}", "positions_per_s": f"{rate:.1f}"}
            if args.value:
                row["train_mse"] = f"{window_loss / window_count:.5f}"
            else:
                row.update(train_loss=f"{window_loss / window_count:.5f}",
                           train_top1=f"{window_hits / window_count:.5f}")
            if val_batches and (step % args.val_every == 0 or step == args.steps):
                metrics = evaluate(model, val_batches, device, args.value)
                row.update({f"val_{n}": f"{v:.5f}" for n, v in metrics.items() if n != "positions"})
            log.write(step, **{f: row.get(f, "") for f in fields})
            if progress is not None:
                progress.set_postfix(pos_s=f"{rate:.0f}", loss=f"{window_loss / window_count:.3f}")
            window_loss, window_hits, window_count, window_start = 0.0, 0, 0, time.perf_counter()
        if step % args.checkpoint_every == 0 or step == args.steps:
            state["sampler"] = sampler.state_dict()
            save_checkpoint(checkpoint, net, optimizer, state)
            export(net, out, args, state, log)
    if progress is not None:
        progress.close()
    log.close()
    sampler.close()
    return 0


def export(net, out, args, state, log):
    """The run's weights as a plain weights file with provenance, and the curves."""
    last = {k: v for row in log.rows() for k, v in row.items() if v not in ("", None)}
    provenance = {"store": str(Path(args.store).resolve()), "steps": state["step"],
                  "positions": state["positions"], "batch": args.batch, "optimizer": args.optimizer,
                  "date": date.today().isoformat(), "device": str(nets.pick_device(args.device)),
                  "train_seconds": round(state["elapsed"], 1), "last_metrics": last}
    nets.save(net, out / f"{net.config.kind}.safetensors", provenance=provenance)
    curves = {"loss": ["val_mse", "train_mse"]} if args.value else {
        "loss": ["train_loss", "val_loss"], "accuracy": ["train_top1", "val_top1", "val_top5"]}
    log.plot(curves)
