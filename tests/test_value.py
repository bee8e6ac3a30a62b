"""`gogo train value` on 9x9 with tiny nets: the paper's one position per game, its result, determinism,
resume of the generation, the training run, and the sampler's last_position option."""
import json
import math
import shutil

import numpy as np
import pytest
import torch

from cli.main import main
from gogo import nets
from gogo.errors import GogoError
from gogo.go.rules import BLACK
from gogo.records.store import Filters, build_store, load_store
from test_data import game, write
from training import value
from training.config import ValueConfig
from training.sampler import PositionSampler

GAMES = 24


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    folder = tmp_path_factory.mktemp("weights")
    paths = []
    for seed, name in enumerate(["sl", "rl"]):
        torch.manual_seed(seed)
        nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), folder / f"{name}.safetensors")
        paths.append(str(folder / f"{name}.safetensors"))
    return paths


def value_config(weights, out, games=GAMES, seed=3):
    return ValueConfig(sl=weights[0], rl=weights[1], games=games, out=str(out), seed=seed, batch_games=10,
                       held_out=0.25)


def generate(weights, out, games=GAMES):
    return value.generate(value_config(weights, out, games))


@pytest.fixture(scope="module")
def run_folder(weights, tmp_path_factory):
    out = tmp_path_factory.mktemp("value")
    generate(weights, out)
    return out


def test_u_is_uniform_over_1_to_u_max():
    assert value.u_max(19) == 450 and value.u_max(9) == 101
    u = value.draw_u(np.random.default_rng(0), 100000, 9)
    assert u.min() == 1 and u.max() == 101 and abs(u.mean() - 51) < 0.5


def test_the_random_move_is_move_u():
    u = np.array([1, 5, 5])
    assign = value.schedule(u)
    games = np.arange(3)
    # move_number counts from 0: move 5 is move_number 4
    assert assign(0, games, None).tolist() == [value.RANDOM_MOVER, value.SL_MOVER, value.SL_MOVER]
    assert assign(4, games, None).tolist() == [value.RL_MOVER, value.RANDOM_MOVER, value.RANDOM_MOVER]
    assert assign(5, games, None).tolist() == [value.RL_MOVER] * 3


def test_one_position_per_game_after_move_u(run_folder):
    store = load_store(run_folder / value.DATA)
    stats = store.info["generation"]
    assert store.num_games == stats["positions"] == GAMES
    assert stats["games_played"] == GAMES + stats["games_dropped"]
    assert (store.lengths == store.random_move + 1).all()  # moves 1..U and the one from the kept position
    assert store.random_move.min() >= 1 and store.random_move.max() <= value.u_max(9)
    assert len(np.unique(store.random_move)) > GAMES // 2
    sampler = PositionSampler(store, split=None, batch_size=GAMES, last_position=True, epochs=2)
    for batch in sampler:
        assert sorted(batch.games.tolist()) == list(range(GAMES))
        assert (batch.move_numbers == store.random_move[batch.games]).all()  # the position after move U


def test_results_are_the_final_winner_from_the_kept_position(run_folder):
    store = load_store(run_folder / value.DATA)
    batches = value.load_chunks(run_folder / value.CHUNKS, 9, 7.5)
    whole = [(g, int(w)) for games, u in batches for g, w, n in zip(games.moves, games.winner, u) if len(g) > n]
    for i in range(GAMES):  # the stored game is the start of a played game, with that game's winner
        moves, colors = store.game_moves(i)
        assert (whole[i][0][:len(moves)] == moves).all() and store.winner[i] == whole[i][1] != 0
    sampler = PositionSampler(store, split=None, batch_size=GAMES, last_position=True, value_planes=True,
                              symmetries=False, shuffle=False, epochs=1)
    batch = next(sampler)
    black_to_play = store.random_move % 2 == 0  # after an even number of moves, Black moves
    assert (batch.planes[:, -1, 0, 0] == black_to_play).all()  # the value net's colour plane
    assert (batch.results == np.where(black_to_play, 1, -1) * store.winner).all()


def test_generation_is_deterministic_and_resumes(weights, run_folder, tmp_path):
    again = tmp_path / "again"
    (again / value.CHUNKS).mkdir(parents=True)
    shutil.copy(run_folder / value.CHUNKS / "chunk-00000.npz", again / value.CHUNKS)  # a run killed after one batch
    shutil.copy(run_folder / value.CHUNKS / "chunk-00002.npz", again / value.CHUNKS)  # (a worker's, out of turn)
    generate(weights, again)
    first, second = load_store(run_folder / value.DATA), load_store(again / value.DATA)
    for name in ["moves", "move_offsets", "winner", "key", "split", "random_move", "weights_version"]:
        assert (getattr(first, name) == getattr(second, name)).all(), name
    with pytest.raises(GogoError, match="other settings"):
        value.generate(value_config(weights, again, seed=4))


def test_a_two_headed_net_plays_the_games_and_a_value_net_cannot(weights, tmp_path):
    dual, value_net = tmp_path / "dual.safetensors", tmp_path / "value.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9)), dual)
    nets.save(nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=9)), value_net)
    value.generate(value_config([str(dual), str(dual)], tmp_path / "run", games=10))
    assert len(load_store(tmp_path / "run" / value.DATA).winner) == 10
    with pytest.raises(GogoError, match="value.safetensors: holds a value net, a policy or dual net is needed"):
        value.generate(value_config([str(value_net), weights[1]], tmp_path / "other", games=10))


def test_gogo_train_value(weights, tmp_path, capsys):
    out = tmp_path / "run"
    command = ["train", "value", "--sl", weights[0], "--rl", weights[1], "--games", "40", "--batch-games", "20",
               "--held-out", "0.25", "--out", str(out), "--net", "tiny", "--batch", "8", "--steps", "10",
               "--workers", "0", "--no-progress", "--log-every", "5", "--val-every", "5", "--checkpoint-every", "5"]
    assert main(command) == 0
    for name in ["value.safetensors", "log.csv", "checkpoint.safetensors", value.DATA, value.SUMMARY]:
        assert (out / name).exists(), name
    assert nets.read_config(out / "value.safetensors").kind == nets.VALUE
    summary = json.loads((out / value.SUMMARY).read_text())
    assert math.isfinite(summary["test_mse"]) and summary["test_positions"] > 0 and summary["positions"] == 40
    capsys.readouterr()
    assert main(command) == 2  # a GogoError, as a message
    error = capsys.readouterr().err
    assert error.startswith("gogo train: ") and "already holds a run" in error
    assert main(command + ["--resume"]) == 0  # nothing left to do: the same numbers
    assert json.loads((out / value.SUMMARY).read_text()) == summary


def test_sampler_last_position(tmp_path):
    folder = write(tmp_path / "sgf", {"a.sgf": game(b"RE[B+R]", b";B[cc];W[dd];B[ee]"),
                                      "b.sgf": game(b"RE[W+R]", b";B[cc];W[dd];B[];W[]"),  # ends with passes
                                      "c.sgf": game(b"RE[B+R]", b"")})  # no moves: no position
    store, _ = build_store([folder], tmp_path / "s.npz", Filters(size=9, min_moves=0), val=0, test=0)
    sampler = PositionSampler(store, batch_size=1, last_position=True, symmetries=False, shuffle=False,
                              epochs=3, drop_last=False)
    batches = list(sampler)
    assert sampler.positions_per_epoch == 2 and len(batches) == 6
    last = {int(b.games[0]): int(b.move_numbers[0]) for b in batches}
    lengths = {g: int(store.lengths[g]) - 1 for g in last}
    assert last == lengths and sorted(lengths.values()) == [2, 3]
    colors = {g: int(store.game_moves(g)[1][n]) for g, n in last.items()}
    assert {int(b.games[0]): float(b.results[0]) for b in batches} == {
        g: float(store.winner[g]) * (1 if colors[g] == BLACK else -1) for g in last}
    assert sampler.stream["last_position"] and sampler.stream["one_per_game"]
    assert "last_position" not in PositionSampler(store, batch_size=1).stream  # old states still match
