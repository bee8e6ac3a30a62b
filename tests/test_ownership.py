"""Final-ownership labels (training/ownership.py), the sampler's symmetric labels and a dual net's
ownership head, on a tiny 9x9 store."""
import csv
import json

import numpy as np
import pytest
import torch

from cli.main import main
from gogo import features, nets
from gogo.errors import GogoError
from gogo.go.board import Board
from gogo.records.store import Filters, build_store, load_store
from gogo.rollouts import policy as rollout_policy
from test_data import random_games, write
from test_train import train_config
from training import optim, ownership, sl, surgery
from training.sampler import EXPERT_DUAL_STREAM, PositionSampler


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    games = write(tmp_path_factory.mktemp("games") / "sgf", random_games(24, seed=7))
    path = tmp_path_factory.mktemp("store") / "tiny.npz"
    build_store([games], path, Filters(size=9, min_moves=0), val=0.2, test=0.2)
    assert main(["data", "--ownership", str(path), "--rollouts", "4", "--workers", "2"]) == 0
    return path


def test_rollout_ownership_of_a_settled_position_is_its_area():
    # every empty point is an eye of a living group: no rollout can change an owner
    settled = Board.from_diagram("""
        X X X X O O O O O
        X . X X O . O . O
        X X X X O O O O O
        X X . X O O O O O
        X X X X O . O . O
        X . X X O O O O O
        X X X X O O O O O
        X X . X O . O O O
        X X X X O O O O O
    """)
    owner = rollout_policy.bundled(9).ownership(settled, 8)
    assert (owner[:, :4] == 1).all() and (owner[:, 4:] == -1).all()
    # an empty board's owners depend on the rollout
    empty = rollout_policy.bundled(9).ownership(Board(9), 16)
    assert np.abs(empty).max() < 1 and np.abs(empty.mean()) < 0.5


def test_labels_match_the_store_and_a_changed_store_is_refused(store, tmp_path):
    loaded = load_store(store)
    labels = ownership.load_labels(loaded)
    assert labels.shape == (loaded.num_games, 81) and labels.dtype == np.int8
    assert np.abs(labels).max() <= ownership.SCALE and (labels != 0).any()
    # the label of each game is its last position played out: replaying one by hand agrees
    policy = rollout_policy.bundled(9)
    assert (ownership.final_ownership(loaded, [3], 4, 1, policy, 9)[0] == labels[3]).all()
    moved = tmp_path / "moved.npz"
    moved.write_bytes(store.read_bytes())
    with pytest.raises(GogoError, match="moved.ownership.npz: no ownership labels.*gogo data --ownership"):
        ownership.load_labels(load_store(moved))
    ownership.labels_path(moved).write_bytes(ownership.labels_path(store).read_bytes())
    other = write(tmp_path / "other", random_games(6, seed=9))
    build_store([other], moved, Filters(size=9, min_moves=0), val=0.2, test=0.2)
    with pytest.raises(GogoError, match="made for another store"):
        ownership.load_labels(load_store(moved))


def test_batches_carry_labels_from_the_movers_view_under_the_positions_symmetry(store):
    loaded = load_store(store)
    labels = ownership.load_labels(loaded)
    sampler = PositionSampler(loaded, batch_size=32, seed=3, ownership=True, **EXPERT_DUAL_STREAM)
    batch = next(iter(sampler))
    for k in range(len(batch.moves)):
        flat = loaded.move_offsets[batch.games[k]] + batch.move_numbers[k]
        sign = 1 if loaded.colors[flat] == 1 else -1
        plane = (labels[batch.games[k]].reshape(1, 9, 9) * sign).astype(np.int8)
        expected = features.transform_planes(plane, int(batch.symmetries[k])).ravel()
        assert (batch.ownership[k] == expected).all()


def test_a_dual_net_with_an_ownership_head_learns_it_from_a_dual_net_without(store, tmp_path):
    plain = tmp_path / "dual"
    sl.train(train_config(store, plain, "--steps", "5", "--dual"))
    out = tmp_path / "owned"
    sl.train(train_config(store, out, "--steps", "40", "--dual", "--init", str(plain / "dual.safetensors"),
                          "--ownership-weight", "1.5", "--optimizer", "adamw", "--lr", "0.003",
                          "--head-lr-scale", "3"))
    net = nets.load(out / "dual.safetensors")
    assert net.config.ownership
    with open(out / "log.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    own = [float(r["train_own"]) for r in rows if r["train_own"]]
    assert own[-1] < own[0] and rows[-1]["val_own"], own
    # the engine's forward pass is unchanged: (logits, values)
    logits, values = net(torch.zeros(2, features.NUM_VALUE_PLANES, 9, 9))
    assert logits.shape == (2, 81) and values.shape == (2,)
    assert json.loads((out / "args.json").read_text())["ownership_weight"] == 1.5


def test_an_added_ownership_head_leaves_the_nets_outputs_as_they_were():
    torch.manual_seed(1)
    dual = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    owned = surgery.with_ownership_head(dual)
    planes = torch.rand(3, features.NUM_VALUE_PLANES, 9, 9).round()
    (logits, values), (logits2, values2, owners) = dual(planes), owned(planes, ownership=True)
    assert torch.equal(logits, logits2) and torch.allclose(values, values2) and owners.shape == (3, 81)


def test_the_heads_of_a_dual_net_learn_at_their_own_rate():
    net = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    opt = optim.make_optimizer(net, "adamw", 0.01, sl.DUAL_HEADS, 4.0)
    optim.set_learning_rate(opt, 0.001)
    trunk, heads = opt.param_groups
    assert trunk["lr"] == 0.001 and heads["lr"] == 0.004
    names = {id(p): n for n, p in net.named_parameters()}
    assert sorted(names[id(p)].split(".")[0] for p in heads["params"]) == ["fc"] * 4 + ["value_head"] * 3
    assert len(trunk["params"]) + len(heads["params"]) == len(list(net.parameters()))
    assert len(optim.make_optimizer(net, "adamw", 0.01).param_groups) == 1


def test_an_ownership_weight_needs_a_dual_net(store, tmp_path):
    with pytest.raises(GogoError, match="--dual"):
        sl.train(train_config(store, tmp_path / "run", "--steps", "2", "--head-lr-scale", "2"))
    with pytest.raises(GogoError, match="--dual"):
        sl.train(train_config(store, tmp_path / "run", "--steps", "2", "--ownership-weight", "1"))
