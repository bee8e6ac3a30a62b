"""Policy-gradient reinforcement learning by self-play: `gogo train rl` (config.RLConfig).

    gogo train rl --init sl/policy.safetensors --out rl/ --iterations 1000

AlphaGo's recipe (Silver et al. 2016): start from the SL policy; every iteration the current net
plays a mini-batch of games (half as Black, half as White) against one opponent drawn at random
from a pool of its earlier versions (the SL net first; the current weights join every pool_every
iterations), both sampling from their softmax; at the end every move of the current net is
reinforced by the outcome z = +1 / -1 (REINFORCE: the update follows sum_t z * grad log p(a_t|s_t)
over the games, divided by their number). The mean baseline subtracts the mini-batch's mean outcome
(the paper's value baseline came from a value net; a mean is the simple version), lowering the
variance without biasing the gradient. The log-probabilities are those of the distribution the
moves were drawn from: the softmax over the sensible points.

A run lives in one folder: checkpoint.safetensors (net, optimizer, torch RNG, iteration and pool;
atomic), pool/ (the opponent versions), policy.safetensors (the current weights with provenance),
args.json, log.csv, TensorBoard events and curves.png. Each iteration's opponent is drawn from an
RNG seeded by (seed, iteration), and its game g is played on a random stream of its own, seeded by
(seed, iteration, g) (selfplay.games.GameSeeds), so resuming after a kill goes on exactly as if
uninterrupted, and the games are the same however they are split: in one process (one batch,
played together), over torchrun's processes or over Ray workers. SIGTERM or Ctrl-C stop the run
after the iteration in progress, with a checkpoint.

Under torchrun (training/distributed.py) rank r plays the r-th of as many slices of the
iteration's games as there are ranks, computes the gradient of its games' share of the loss
(divided by the iteration's number of games), and the ranks sum their gradients, so all make the
same update: the update of one process, up to float rounding. The opponent is drawn from (seed,
iteration) on every rank, the pool's names are the same everywhere, and rank 0 alone writes the
run folder (the other ranks read the pool's snapshots from it); a stop any rank sees stops all
after the same iteration.
"""
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gogo import features, nets
from selfplay.arena import head_to_head
from selfplay.games import GameSeeds, InProcess, concatenate, first_mover_black, play
from selfplay.movers import NetPlayer
from gogo.errors import GogoError
from training import distributed, optim
from training.checkpoint import load_checkpoint, run_checkpoint, save_checkpoint
from training.config import as_options
from training.logs import TrainingLog
from training.stop import StopRequest

CHUNK = 4096  # positions per forward/backward pass (bounds memory; gradients accumulate)
POOL = "pool"
FIELDS = ["win_rate", "loss", "mean_length", "games_per_s", "pool_size", "opponent", "lr", "eval_vs_init",
          "weights_version"]
TEXT_FIELDS = ["weights_version"]  # the learner's weights version that played the iteration's games


def masked_log_probs(logits, sensible):
    """log p(a) of the softmax over the sensible points only (what the moves were drawn from)."""
    return F.log_softmax(logits.masked_fill(~sensible, float("-inf")), dim=1)


def advantages(outcomes, baseline):
    """Per game: the outcome for the learner, less with the mean baseline the mean outcome of the
    iteration's games (those of every rank)."""
    outcomes = outcomes.astype(np.float32)
    if baseline != "mean":
        return outcomes
    total, count = distributed.total([float(outcomes.sum()), len(outcomes)])
    return outcomes - np.float32(total / count)  # float32's own division: the rounding is the same


def policy_gradient_step(net, optimizer, positions, game_advantage, num_games, temperature, device):
    """One REINFORCE update from the learner's positions (planes, moves, games) of this rank's
    games, num_games the iteration's on all ranks (the gradients are summed over the ranks);
    returns this rank's part of the loss -sum_t A(game) log p(a_t|s_t) / num_games."""
    planes, moves, games = positions
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for start in range(0, len(moves), CHUNK):
        x = nets.to_device(torch.from_numpy(planes[start:start + CHUNK]), device)
        sensible = x[:, features.SENSIBLE].flatten(1) > 0
        target = torch.from_numpy(moves[start:start + CHUNK]).to(device)
        weight = torch.from_numpy(game_advantage[games[start:start + CHUNK]]).to(device)
        with nets.autocast(device):
            logits = net(x).float() / temperature
        chosen = masked_log_probs(logits, sensible).gather(1, target[:, None]).squeeze(1)
        loss = -(weight * chosen).sum() / num_games
        loss.backward()
        total += loss.item()
    distributed.sum_gradients(net)
    optimizer.step()
    return total


class Pool:
    """The opponents: weight files in RUN/pool, loaded on demand (a few kept in memory). Rank 0
    writes them; every rank adds the same names and reads the files."""

    def __init__(self, folder, device, keep=4):
        self.folder, self.device, self.keep = Path(folder), device, keep
        self.names, self.loaded = [], {}

    def add(self, net, name, provenance):
        if distributed.is_main():
            self.folder.mkdir(parents=True, exist_ok=True)
            nets.save(net, self.folder / name, provenance=provenance)
        distributed.barrier()  # the file is there before any rank draws it
        self.names.append(name)

    def net(self, name):
        if name not in self.loaded:
            if len(self.loaded) >= self.keep:
                self.loaded.pop(next(iter(self.loaded)))
            self.loaded[name] = nets.to_device(nets.load(self.folder / name, kind=nets.POLICY), self.device)
        return self.loaded[name]

    def draw(self, rng):
        return self.names[int(rng.integers(len(self.names)))]


def learner_games(movers, count, size, komi, rng):
    """A batch of an iteration's games: the learner (mover 0) against the opponent, the learner
    Black in the iteration's even-numbered games (rng: the batch's GameStreams, which number them),
    its positions recorded; extra: which games the learner was Black in."""
    learner_black = rng.numbers % 2 == 0
    games = play(movers, first_mover_black(learner_black), count, size, komi, rng, record=(0,))
    return games, {"learner_black": learner_black}


def iteration_batches(config, iteration, batches_at_once):
    """This rank's batches of the iteration's games: game g on its own stream seeded by (seed,
    iteration, g), so the games do not depend on the split; rank r plays the r-th of as many
    contiguous slices as there are ranks, in batches_at_once batches (the place's: one in a
    process, played together; one per Ray worker)."""
    mine = np.array_split(np.arange(config.games), distributed.world())[distributed.rank()]
    parts = [part for part in np.array_split(mine, batches_at_once) if len(part)]
    return {b: (GameSeeds((config.seed, iteration), int(part[0])), len(part)) for b, part in enumerate(parts)}


def play_iteration(net, pool, config, iteration, place):
    """The iteration's games (this rank's share), learner vs a pool opponent drawn from (seed,
    iteration), on the place (selfplay.games); returns (games, the learner's outcomes, the opponent)."""
    opponent = pool.draw(np.random.default_rng([config.seed, iteration]))
    players = [NetPlayer(net, config.temperature), NetPlayer(pool.net(opponent), config.temperature)]
    batches = iteration_batches(config, iteration, place.batches_at_once)
    played = place.play(learner_games, players, batches, net.config.board_size, config.komi)
    games = concatenate([g for g, _ in played.values()])
    learner_black = np.concatenate([extra["learner_black"] for _, extra in played.values()])
    outcomes = games.winner * np.where(learner_black, 1, -1)
    net.train()
    return games, outcomes, opponent


def train(config, place=None):
    """Train as config (an RLConfig) says, in config.out (see the module docstring); the games are
    played on the place (selfplay.games: InProcess on the config's device unless given, e.g.
    selfplay.cluster.Workers). Returns the iterations done (fewer than config.iterations after a
    stop)."""
    out = Path(config.out)
    checkpoint = run_checkpoint(out, config.resume)
    if config.games < distributed.world():
        raise GogoError(f"{config.games} games an iteration cannot be split over {distributed.world()} processes")
    torch.manual_seed(config.seed)
    device = distributed.device(config.device)
    place = place or InProcess(device)
    net = nets.to_device(nets.load(config.init, kind=nets.POLICY), device)
    optimizer = optim.make_optimizer(net, config.optimizer, config.lr)
    pool = Pool(out / POOL, device)
    main = distributed.is_main()
    state = {"iteration": 0, "games": 0, "elapsed": 0.0, "pool": []}
    if config.resume:
        state = load_checkpoint(checkpoint, net, optimizer)
        pool.names = list(state["pool"])
    else:
        if main:
            out.mkdir(parents=True, exist_ok=True)
            (out / "args.json").write_text(json.dumps(as_options("rl", config), indent=1))
        pool.add(net, "iteration-000000.safetensors", {"init": str(Path(config.init).resolve())})
    log = None
    if main:
        log = TrainingLog(out, FIELDS, resume_step=state["iteration"] if config.resume else None,
                          text_fields=TEXT_FIELDS)
    initial = nets.load(config.init, kind=nets.POLICY) if main else None  # what rank 0 evaluates against
    with StopRequest() as stop:
        while state["iteration"] < config.iterations:
            start = time.perf_counter()
            games, outcomes, opponent = play_iteration(net, pool, config, state["iteration"], place)
            loss = policy_gradient_step(net, optimizer, games.positions[0], advantages(outcomes, config.baseline),
                                        config.games, config.temperature, device)
            seconds = time.perf_counter() - start
            loss, won, moves = distributed.total([loss, int((outcomes > 0).sum()), games.num_moves])
            state["iteration"] += 1
            state["games"] += config.games
            state["elapsed"] += seconds
            i = state["iteration"]
            row = {"win_rate": f"{won / config.games:.4f}", "loss": f"{loss:.5f}",
                   "mean_length": f"{moves / config.games:.1f}", "games_per_s": f"{config.games / seconds:.2f}",
                   "pool_size": len(pool.names), "opponent": pool.names.index(opponent), "lr": config.lr,
                   "eval_vs_init": "", "weights_version": games.versions[0].split("+")[0]}  # the learner's
            if main:
                write_row(row, i, net, initial, config, device, log)
            if i % config.pool_every == 0:
                pool.add(net, f"iteration-{i:06d}.safetensors", {"init": str(Path(config.init).resolve()),
                                                                  "iteration": i})
            last = i == config.iterations or distributed.any_rank(stop())  # a stop is answered once, here
            if main and (i % config.checkpoint_every == 0 or last):
                state["pool"] = pool.names
                save_checkpoint(checkpoint, net, optimizer, state)
                export(net, out, config, state, log)
            if last:
                break
    if main:
        if state["iteration"] < config.iterations:
            print(f"gogo train rl: stopped cleanly at iteration {state['iteration']} "
                  f"({stop.reason or 'another rank stopped'}); --resume goes on from there", file=sys.stderr)
        log.close()
    return state["iteration"]


def write_row(row, i, net, initial, config, device, log):
    """Log the iteration's row (rank 0), with the match against the initial net when it is due."""
    if config.eval_every and (i % config.eval_every == 0 or i == config.iterations):
        result = head_to_head(net, initial, config.eval_games, config.komi, seed=config.seed + 10**6 + i,
                              device=device)
        row["eval_vs_init"] = f"{result['a_win_rate']:.4f}"
        net.train()
    log.write(i, **row)
    print(f"iteration {i}: won {row['win_rate']} vs pool[{row['opponent']}], loss {float(row['loss']):.4f}, "
          f"{row['games_per_s']} games/s" + (f", vs init {row['eval_vs_init']}" if row["eval_vs_init"] else ""),
          file=sys.stderr, flush=True)


def export(net, out, config, state, log):
    last = {k: v for row in log.rows() for k, v in row.items() if v not in ("", None)}
    provenance = {"init": str(Path(config.init).resolve()), "method": "REINFORCE vs opponent pool",
                  "iterations": state["iteration"], "games": state["games"], "games_per_iteration": config.games,
                  "baseline": config.baseline, "optimizer": config.optimizer, "lr": config.lr,
                  "date": date.today().isoformat(), "device": str(nets.pick_device(config.device)),
                  "train_seconds": round(state["elapsed"], 1), "last_metrics": last}
    nets.save(net, out / "policy.safetensors", provenance=provenance)
    log.plot({"win rate": ["win_rate", "eval_vs_init"], "loss": ["loss"]})
