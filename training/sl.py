"""Supervised training on expert games: `gogo train sl` (config.SLConfig).

The policy net learns to predict the expert's move (cross-entropy over the points). With value
the value net learns the game's outcome from the mover's view (mean squared error), taking one
position per game per epoch: on whole games it overfits, as the AlphaGo paper found.

A run lives in one folder: checkpoint.safetensors (net, optimizer, data position and RNG; written
atomically every checkpoint_every steps), the exported weights (policy.safetensors or
value.safetensors), args.json, log.csv, TensorBoard events and curves.png. Resuming continues a
killed run exactly: the same batches, the same updates, the same loss curve.
"""
import json
import sys
import time
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F

from gogo import nets
from gogo.records.store import load_store
from training import optim
from training.checkpoint import load_checkpoint, run_checkpoint, save_checkpoint
from training.config import as_options
from training.logs import TrainingLog
from training.metrics import held_out_batches, net_metrics
from training.sampler import EXPERT_VALUE_STREAM, PositionSampler
from training.stop import StopRequest

# train_seconds: the run's training time so far (wall clock, validation left out), for curves
# against time
POLICY_FIELDS = ["train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "lr", "positions_per_s",
                 "train_seconds"]
VALUE_FIELDS = ["train_mse", "val_mse", "lr", "positions_per_s", "train_seconds"]


def make_net(config, board_size):
    kind = nets.VALUE if config.value else nets.POLICY
    if config.init:
        net = nets.load(config.init, board_size=board_size)
        if net.config.kind != kind:  # SL policy weights can seed a value net's trunk
            net = value_net_seeded_by(net)
        return net
    net_config = nets.NetConfig.named(config.net, kind=kind, board_size=board_size)
    net_config.filters = config.filters or net_config.filters
    net_config.layers = config.layers or net_config.layers
    return nets.build(net_config)


def value_net_seeded_by(policy):
    """A value net whose trunk is the policy net's, the first layer included: its weights on the
    48 shared planes are the policy's, those on the 49th (the player's colour) start at zero, so
    the seeded trunk computes exactly the policy's features until training changes it."""
    value = nets.build(nets.NetConfig(kind=nets.VALUE, filters=policy.config.filters,
                                      layers=policy.config.layers, board_size=policy.config.board_size))
    trunk = {k: v for k, v in policy.state_dict().items() if k.startswith("trunk.")}
    first = trunk.pop("trunk.0.weight")
    value.load_state_dict(trunk, strict=False)
    with torch.no_grad():
        value.trunk[0].weight.zero_()
        value.trunk[0].weight[:, :first.shape[1]] = first
    return value


def train_step(model, optimizer, planes, targets, device, value):
    """One optimizer step on a batch: planes (a uint8 tensor) and the targets on the device (the
    moves played, or for a value net the results). Returns the loss tensor and the net's output."""
    x = nets.to_device(planes, device)
    with nets.autocast(device):
        output = model(x).float()
    loss = F.mse_loss(output, targets) if value else F.cross_entropy(output, targets)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss, output


def train(config, options=None, recorded=None):
    """Train as config (an SLConfig) says. options: the sampler's data options (default
    sampler.EXPERT_VALUE_STREAM for a value net; training/value.py's: the last position of each game). recorded:
    the options args.json keeps (default: this config's)."""
    torch.manual_seed(config.seed)
    options = (EXPERT_VALUE_STREAM if config.value else {}) if options is None else options
    out = Path(config.out)
    checkpoint = run_checkpoint(out, config.resume)
    out.mkdir(parents=True, exist_ok=True)
    store = load_store(config.store)
    sampler = PositionSampler(store, split="train", batch_size=config.batch, seed=config.seed,
                              workers=config.workers, symmetries=True, **options)
    device = nets.pick_device(config.device)
    net = nets.to_device(make_net(config, sampler.size), device)
    base_lr = optim.learning_rate(config.optimizer, config.lr, config.batch)
    optimizer = optim.make_optimizer(net, config.optimizer, base_lr)
    state = {"step": 0, "positions": 0, "elapsed": 0.0}
    if config.resume:
        state = load_checkpoint(checkpoint, net, optimizer)
        sampler.load_state_dict(state["sampler"])
    else:
        (out / "args.json").write_text(json.dumps(recorded or as_options("sl", config), indent=1))
    fields = VALUE_FIELDS if config.value else POLICY_FIELDS
    log = TrainingLog(out, fields, resume_step=state["step"] if config.resume else None)
    model = torch.compile(net) if config.compile else net
    val_batches = None
    if len(store.games("val", sampler.size)):
        val_batches = held_out_batches(store, "val", config.val_positions, config.batch, options)
    else:  # a small collection may have no game in the validation split: train on, unmeasured
        print(f"gogo train: no validation games in {config.store} (see gogo data --val): no validation",
              file=sys.stderr)
    progress = None
    if not config.no_progress:
        from tqdm import tqdm

        progress = tqdm(total=config.steps, initial=state["step"], unit="step", dynamic_ncols=True)
    window = Window()
    batches = iter(sampler)
    net.train()
    with StopRequest(config.minutes) as stop:
        while state["step"] < config.steps:
            planes, moves, results = next(batches)[:3]
            lr = optim.halved(base_lr, state["step"], config.halve_every)
            optim.set_learning_rate(optimizer, lr)
            targets = torch.from_numpy(results if config.value else moves).to(device)
            loss, output = train_step(model, optimizer, torch.from_numpy(planes), targets, device, config.value)
            window.add(loss, output, targets, config.value)
            state["step"] += 1
            state["positions"] += len(moves)
            if progress is not None:
                progress.update(1)
            step = state["step"]
            last = step == config.steps or stop()  # a stop request is answered once, here
            if step % config.log_every == 0 or step % config.val_every == 0 or last:
                validate = val_batches and (step % config.val_every == 0 or last)
                row = window.row(state, lr, config.value)
                if validate:
                    metrics = net_metrics(model, val_batches, device, config.value)
                    row.update({f"val_{n}": f"{v:.5f}" for n, v in metrics.items() if n != "positions"})
                log.write(step, **{f: row.get(f, "") for f in fields})
                if progress is not None:
                    progress.set_postfix(pos_s=row["positions_per_s"], loss=row.get("train_loss", row.get("train_mse")))
                window = Window()
            if step % config.checkpoint_every == 0 or last:
                state["sampler"] = sampler.state_dict()
                save_checkpoint(checkpoint, net, optimizer, state)
                export(net, out, config, state, log)
            if last:
                break
    if stop.reason:
        print(f"gogo train: stopped cleanly at step {state['step']} ({stop.reason}); --resume goes on from there",
              file=sys.stderr)
    if progress is not None:
        progress.close()
    log.close()
    sampler.close()


class Window:
    """The training metrics between two log rows."""

    def __init__(self):
        self.loss, self.hits, self.count, self.start = 0.0, 0, 0, time.perf_counter()

    def add(self, loss, output, targets, value):
        self.loss += loss.item() * len(targets)
        self.count += len(targets)
        if not value:
            self.hits += (output.argmax(1) == targets).sum().item()

    def row(self, state, lr, value):
        """The log row of the window; adds its time to state["elapsed"]."""
        seconds = time.perf_counter() - self.start
        state["elapsed"] += seconds
        row = {"lr": f"{lr:.6g}", "positions_per_s": f"{self.count / max(seconds, 1e-9):.1f}",
               "train_seconds": f"{state['elapsed']:.1f}"}
        if value:
            row["train_mse"] = f"{self.loss / self.count:.5f}"
        else:
            row.update(train_loss=f"{self.loss / self.count:.5f}", train_top1=f"{self.hits / self.count:.5f}")
        return row


def export(net, out, config, state, log):
    """The run's weights as a plain weights file with provenance, and the curves."""
    last = {k: v for row in log.rows() for k, v in row.items() if v not in ("", None)}
    provenance = {"store": str(Path(config.store).resolve()), "steps": state["step"],
                  "positions": state["positions"], "batch": config.batch, "optimizer": config.optimizer,
                  "date": date.today().isoformat(), "device": str(nets.pick_device(config.device)),
                  "train_seconds": round(state["elapsed"], 1), "last_metrics": last}
    nets.save(net, out / f"{net.config.kind}.safetensors", provenance=provenance)
    curves = {"loss": ["val_mse", "train_mse"]} if config.value else {
        "loss": ["train_loss", "val_loss"], "accuracy": ["train_top1", "val_top1", "val_top5"]}
    log.plot(curves)
