"""Supervised training on expert games: `gogo train sl` (config.SLConfig).

The policy net learns to predict the expert's move (cross-entropy over the points). With value
the value net learns the game's outcome from the mover's view (mean squared error), taking one
position per game per epoch: on whole games it overfits, as the AlphaGo paper found. With dual a
two-headed net learns both from every position, the value's error weighted by value_weight
(AlphaGo Zero's supervised net: 0.01), which keeps the correlated positions of a game from
dominating the shared trunk.

A run lives in one folder: checkpoint.safetensors (net, optimizer, data position and RNG; written
atomically every checkpoint_every steps), the exported weights (policy.safetensors,
value.safetensors or dual.safetensors), args.json, log.csv, TensorBoard events and curves.png. Resuming continues a
killed run exactly: the same batches, the same updates, the same loss curve.

Under torchrun (training/distributed.py) each rank trains on its slice of every batch, DDP
averages the gradients, the log rows sum the ranks' metrics, rank 0 alone validates and writes the
run folder, and a stop on any rank stops all at the same step.
"""
import json
import sys
import time
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F

from gogo import nets
from gogo.errors import GogoError
from gogo.records.store import load_store
from training import distributed, optim
from training.checkpoint import load_checkpoint, run_checkpoint, save_checkpoint
from training.config import as_options
from training.logs import TrainingLog
from training.metrics import held_out_batches, net_metrics
from training.ownership import ownership_error
from training.sampler import EXPERT_DUAL_STREAM, EXPERT_VALUE_STREAM, PositionSampler
from training.stop import StopRequest
from training.surgery import resized, seeded_by, widened, with_ownership_head, with_value_norm

# train_seconds: the run's training time so far (wall clock, validation left out), for curves
# against time
FIELDS = {
    nets.POLICY: ["train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "lr", "positions_per_s",
                  "train_seconds"],
    nets.VALUE: ["train_mse", "val_mse", "lr", "positions_per_s", "train_seconds"],
    nets.DUAL: ["train_loss", "train_top1", "train_mse", "val_loss", "val_top1", "val_top5", "val_mse", "lr",
                "positions_per_s", "train_seconds"],
}
DUAL_HEADS = ("value_head.", "fc.", "ownership_head.")  # a dual net's parameters beside the policy's
DEAD_VALUE_STD = 1e-4  # a value head whose answers spread less than this answers one constant
OWNERSHIP_FIELDS = ["train_own", "val_own"]  # the ownership head's binary cross-entropy per point
STREAMS = {nets.POLICY: {}, nets.VALUE: EXPERT_VALUE_STREAM, nets.DUAL: EXPERT_DUAL_STREAM}
CURVES = {nets.POLICY: {"loss": ["train_loss", "val_loss"], "accuracy": ["train_top1", "val_top1", "val_top5"]},
          nets.VALUE: {"loss": ["val_mse", "train_mse"]},
          nets.DUAL: {"policy loss": ["train_loss", "val_loss"], "accuracy": ["train_top1", "val_top1", "val_top5"],
                      "value": ["train_mse", "val_mse"]}}


def net_kind(config):
    return nets.DUAL if config.dual else nets.VALUE if config.value else nets.POLICY


def make_net(config, board_size):
    kind = net_kind(config)
    ownership = config.ownership_weight > 0
    if (ownership or config.head_lr_scale != 1.0) and kind != nets.DUAL:
        raise GogoError("--ownership-weight and --head-lr-scale need a two-headed net (--dual)")
    if config.init:
        net = resized(nets.load(config.init), board_size)  # a 19x19 net can seed a 9x9 one
        if net.config.kind != kind:  # SL policy weights can seed a value or dual net
            if net.config.kind != nets.POLICY:
                raise GogoError(f"{config.init}: a {net.config.kind} net cannot seed a {kind} net")
            net = seeded_by(net, kind)
        if kind == nets.DUAL and not net.config.value_norm:
            net = with_value_norm(net)
        if ownership and not net.config.ownership:
            net = with_ownership_head(net)
        if config.layers and config.layers != net.config.layers:
            raise GogoError(f"{config.init}: a {net.config.layers}-layer net cannot seed a {config.layers}-layer one")
        if config.filters and config.filters != net.config.filters:
            net = widened(net, config.filters)
        return net
    net_config = nets.NetConfig.named(config.net, kind=kind, board_size=board_size)
    net_config.filters = config.filters or net_config.filters
    net_config.layers = config.layers or net_config.layers
    net_config.ownership = ownership
    return nets.build(net_config)


def losses(kind, output, moves, results, value_weight, owners=None, ownership_weight=0.0):
    """(the loss to minimise, the policy's cross-entropy, the value's MSE, the ownership's binary
    cross-entropy per point; each None where the net does not learn it) of a net's output on a
    batch. owners: the final-ownership labels (int8, x127, +: the mover), for a dual net's
    ownership head (output's third part)."""
    if kind == nets.DUAL:
        logits, values = output[:2]
        policy_loss, value_loss = F.cross_entropy(logits.float(), moves), F.mse_loss(values.float(), results)
        loss, ownership_loss = policy_loss + value_weight * value_loss, None
        if owners is not None:
            ownership_loss = ownership_error(output[2], owners)
            loss = loss + ownership_weight * ownership_loss
        return loss, policy_loss, value_loss, ownership_loss
    if kind == nets.VALUE:
        value_loss = F.mse_loss(output.float(), results)
        return value_loss, None, value_loss, None
    policy_loss = F.cross_entropy(output.float(), moves)
    return policy_loss, policy_loss, None, None


def train_step(model, optimizer, planes, moves, results, device, kind, value_weight=0.0, owners=None,
               ownership_weight=0.0):
    """One optimizer step on a batch: planes (a uint8 tensor), the moves played and the results
    (tensors on the device; the one the net's kind does not learn may be None), and for an
    ownership head its labels. Returns losses() and the move logits (None for a value net)."""
    x = nets.to_device(planes, device)
    with nets.autocast(device):
        output = model(x) if owners is None else model(x, ownership=True)
    losses_ = losses(kind, output, moves, results, value_weight, owners, ownership_weight)
    optimizer.zero_grad(set_to_none=True)
    losses_[0].backward()
    optimizer.step()
    logits = output[0] if kind == nets.DUAL else None if kind == nets.VALUE else output
    return losses_, logits


def train(config, options=None, recorded=None):
    """Train as config (an SLConfig) says. options: the sampler's data options (default
    sampler.EXPERT_VALUE_STREAM for a value net; training/value.py's: the last position of each game). recorded:
    the options args.json keeps (default: this config's). Returns True when the run ended as
    configured (its steps, or its minutes), False when a signal stopped it first."""
    torch.manual_seed(config.seed)
    kind = net_kind(config)
    options = STREAMS[kind] if options is None else options
    ownership = config.ownership_weight > 0
    if ownership:
        options = dict(options, ownership=True)
    out = Path(config.out)
    checkpoint = run_checkpoint(out, config.resume)
    main = distributed.is_main()
    if main:
        out.mkdir(parents=True, exist_ok=True)
    store = load_store(config.store)
    sampler = PositionSampler(store, split="train", batch_size=config.batch, seed=config.seed,
                              workers=config.workers, symmetries=True,
                              shard=(distributed.rank(), distributed.world()), **options)
    device = distributed.device(config.device)
    # a resumed run's net is the checkpoint's (its --init file need not exist any more)
    net = nets.build(nets.read_config(checkpoint)) if config.resume else make_net(config, sampler.size)
    net = nets.to_device(net, device)
    base_lr = optim.learning_rate(config.optimizer, config.lr, config.batch)
    optimizer = optim.make_optimizer(net, config.optimizer, base_lr, DUAL_HEADS, config.head_lr_scale)
    state = {"step": 0, "positions": 0, "elapsed": 0.0}
    if config.resume:
        state = load_checkpoint(checkpoint, net, optimizer)
        sampler.load_state_dict(state["sampler"])
    elif main:
        (out / "args.json").write_text(json.dumps(recorded or as_options("sl", config), indent=1))
    fields = FIELDS[kind] + (OWNERSHIP_FIELDS if ownership else [])
    log = TrainingLog(out, fields, resume_step=state["step"] if config.resume else None) if main else None
    model = torch.compile(net) if config.compile else net
    trained = distributed.wrap(model, device)
    val_batches = None
    if not len(store.games("val", sampler.size)):  # a small collection may have none: train on, unmeasured
        if main:
            print(f"gogo train: no validation games in {config.store} (see gogo data --val): no validation",
                  file=sys.stderr)
    elif main:  # rank 0 validates alone, on the net itself (DDP's forward would wait for the others)
        val_batches = held_out_batches(store, "val", config.val_positions, config.batch, options)
    progress = None
    if main and not config.no_progress:
        from tqdm import tqdm

        progress = tqdm(total=config.steps, initial=state["step"], unit="step", dynamic_ncols=True)
    window = Window()
    batches = iter(sampler)
    net.train()
    with StopRequest(config.minutes) as stop:
        while state["step"] < config.steps:
            batch = next(batches)
            planes, moves, results = batch[:3]
            lr = optim.halved(base_lr, state["step"], config.halve_every)
            optim.set_learning_rate(optimizer, lr)
            moves_t, results_t = torch.from_numpy(moves).to(device), torch.from_numpy(results).to(device)
            owners = torch.from_numpy(batch.ownership).to(device) if ownership else None
            losses_, logits = train_step(trained, optimizer, torch.from_numpy(planes), moves_t, results_t, device,
                                         kind, config.value_weight, owners, config.ownership_weight)
            window.add(losses_, logits, moves_t)
            state["step"] += 1
            state["positions"] += len(moves) * distributed.world()
            if progress is not None:
                progress.update(1)
            step = state["step"]
            last = step == config.steps or distributed.any_rank(stop())  # a stop is answered once, here
            if step % config.log_every == 0 or step % config.val_every == 0 or last:
                validate = val_batches and (step % config.val_every == 0 or last)
                row = window.row(state, lr)
                if validate:
                    metrics = net_metrics(model, val_batches, device, kind)
                    row.update({f"val_{n}": f"{v:.5f}" for n, v in metrics.items() if f"val_{n}" in fields})
                    if main and metrics.get("value_std", 1.0) < DEAD_VALUE_STD:
                        print(f"gogo train: step {step}: the value head answers one constant on the validation "
                              "positions (its units are dead); a lower learning rate may revive a new run",
                              file=sys.stderr)
                if main:
                    log.write(step, **{f: row.get(f, "") for f in fields})
                if progress is not None:
                    progress.set_postfix(pos_s=row["positions_per_s"], loss=row.get("train_loss", row.get("train_mse")))
                window = Window()
            if main and (step % config.checkpoint_every == 0 or last):
                state["sampler"] = sampler.state_dict()
                save_checkpoint(checkpoint, net, optimizer, state)
                export(net, out, config, state, log)
            if last:
                break
    if main and state["step"] < config.steps:
        print(f"gogo train: stopped cleanly at step {state['step']} ({stop.reason or 'another rank stopped'}); "
              "--resume goes on from there", file=sys.stderr)
    if progress is not None:
        progress.close()
    if main:
        log.close()
    sampler.close()
    return state["step"] >= config.steps or str(stop.reason).endswith("minutes")


class Window:
    """The training metrics between two log rows."""

    def __init__(self):
        self.policy_loss = self.value_loss = self.ownership_loss = None
        self.hits, self.count, self.start = 0, 0, time.perf_counter()

    def add(self, losses_, logits, moves):
        _, policy_loss, value_loss, ownership_loss = losses_
        n = len(moves)
        self.count += n
        if policy_loss is not None:
            self.policy_loss = (self.policy_loss or 0.0) + policy_loss.item() * n
            self.hits += (logits.argmax(1) == moves).sum().item()
        if value_loss is not None:
            self.value_loss = (self.value_loss or 0.0) + value_loss.item() * n
        if ownership_loss is not None:
            self.ownership_loss = (self.ownership_loss or 0.0) + ownership_loss.item() * n

    def row(self, state, lr):
        """The log row of the window, over the positions of all ranks; adds its time to
        state["elapsed"]."""
        policy_loss, value_loss, ownership_loss, self.hits, self.count = distributed.total(
            [self.policy_loss or 0.0, self.value_loss or 0.0, self.ownership_loss or 0.0, self.hits, self.count])
        self.policy_loss = None if self.policy_loss is None else policy_loss
        self.value_loss = None if self.value_loss is None else value_loss
        self.ownership_loss = None if self.ownership_loss is None else ownership_loss
        seconds = time.perf_counter() - self.start
        state["elapsed"] += seconds
        row = {"lr": f"{lr:.6g}", "positions_per_s": f"{self.count / max(seconds, 1e-9):.1f}",
               "train_seconds": f"{state['elapsed']:.1f}"}
        if self.policy_loss is not None:
            row.update(train_loss=f"{self.policy_loss / self.count:.5f}",
                       train_top1=f"{self.hits / self.count:.5f}")
        if self.value_loss is not None:
            row["train_mse"] = f"{self.value_loss / self.count:.5f}"
        if self.ownership_loss is not None:
            row["train_own"] = f"{self.ownership_loss / self.count:.5f}"
        return row


def export(net, out, config, state, log):
    """The run's weights as a plain weights file with provenance, and the curves."""
    last = {k: v for row in log.rows() for k, v in row.items() if v not in ("", None)}
    provenance = {"store": str(Path(config.store).resolve()), "steps": state["step"],
                  "positions": state["positions"], "batch": config.batch, "optimizer": config.optimizer,
                  "date": date.today().isoformat(), "device": str(nets.pick_device(config.device)),
                  "train_seconds": round(state["elapsed"], 1), "last_metrics": last}
    nets.save(net, out / f"{net.config.kind}.safetensors", provenance=provenance)
    log.plot(dict(CURVES[net.config.kind], **({"ownership": OWNERSHIP_FIELDS} if config.ownership_weight > 0 else {})))
