"""REINFORCE self-play training (training/rl.py) on tiny 9x9 nets."""
import csv
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from gogo import features, nets
from gogo.errors import GogoError
from gogo.go.board import Board
from training import rl
from training.config import RLConfig

SIZE = 9


def tiny_policy(path, seed=0):
    torch.manual_seed(seed)
    net = nets.build(nets.NetConfig.named("tiny", board_size=SIZE))
    nets.save(net, path)
    return path


def rl_config(tmp_path, init, **overrides):
    options = dict(iterations=4, games=8, pool_every=1, checkpoint_every=1, eval_every=0, lr=0.01, seed=3,
                   device="cpu")
    options.update(overrides)
    return RLConfig(init=str(init), out=str(tmp_path / "run"), **options)


def opening_positions():
    """Two positions (empty board, one after a few moves) as planes, with a sensible move each."""
    encoder = features.Encoder(SIZE)
    board = Board(SIZE)
    first = encoder.encode(board)
    for move in ((2, 2), (6, 6), (2, 6)):
        board.play(board.point(*move))
    second = encoder.encode(board)
    return np.stack([first, second]), np.array([40, 10])


def move_log_probs(net, planes, moves):
    with torch.no_grad():
        x = torch.from_numpy(planes).float()
        logits = net(x)
        sensible = x[:, features.SENSIBLE].flatten(1) > 0
        return rl.masked_log_probs(logits, sensible)[torch.arange(len(moves)), torch.from_numpy(moves)].numpy()


def test_update_raises_won_moves_and_lowers_lost_ones(tmp_path):
    net = nets.load(tiny_policy(tmp_path / "p.safetensors"))
    planes, moves = opening_positions()
    before = move_log_probs(net, planes, moves)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    games = np.array([0, 1])  # position 0 from a won game, position 1 from a lost one
    rl.policy_gradient_step(net, optimizer, (planes, moves, games), np.array([1.0, -1.0], np.float32), 2, 1.0,
                            torch.device("cpu"))
    after = move_log_probs(net, planes, moves)
    assert after[0] > before[0]
    assert after[1] < before[1]


def test_mean_baseline_centres_the_outcomes():
    assert rl.advantages(np.array([1, 1, -1, 1]), "mean").tolist() == [0.5, 0.5, -1.5, 0.5]
    assert rl.advantages(np.array([1, -1]), "none").tolist() == [1, -1]


def test_pool_samples_past_versions(tmp_path):
    pool = rl.Pool(tmp_path / "pool", torch.device("cpu"))
    net = nets.load(tiny_policy(tmp_path / "p.safetensors"))
    for i in range(4):
        pool.add(net, f"iteration-{i:06d}.safetensors", {"iteration": i})
    rng = np.random.default_rng(0)
    drawn = {pool.draw(rng) for _ in range(200)}
    assert drawn == set(pool.names)


def test_run_grows_the_pool_logs_and_resumes_exactly(tmp_path):
    init = tiny_policy(tmp_path / "sl.safetensors")
    rl.train(rl_config(tmp_path, init))
    run = tmp_path / "run"
    pool = sorted(p.name for p in (run / "pool").iterdir())
    assert pool == [f"iteration-{i:06d}.safetensors" for i in range(5)]
    with open(run / "log.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]
    assert [int(r["pool_size"]) for r in rows] == [1, 2, 3, 4]
    assert all(0 <= int(r["opponent"]) < int(r["pool_size"]) for r in rows)
    assert (run / "curves.png").exists()
    assert json.loads((run / "args.json").read_text())["kind"] == "rl"
    straight = load_file(str(run / "policy.safetensors"))

    other = tmp_path / "other"
    other.mkdir()
    rl.train(rl_config(other, init, iterations=2))
    rl.train(rl_config(other, init, resume=True))
    again = load_file(str(other / "run" / "policy.safetensors"))
    for name, tensor in straight.items():
        assert torch.equal(tensor, again[name]), name


def test_refuses_to_overwrite_or_resume_nothing(tmp_path):
    init = tiny_policy(tmp_path / "sl.safetensors")
    with pytest.raises(GogoError, match="no checkpoint"):
        rl.train(rl_config(tmp_path, init, resume=True))
