"""Batched self-play (selfplay/): movers, games, SGF and game-store export, head to head, `gogo selfplay`."""
import json

import numpy as np
import torch

from cli import main as cli
from gogo import nets
from gogo.records import sgf
from gogo.go.board import Board
from gogo.records.store import load_store
from selfplay.arena import head_to_head
from selfplay.games import play
from selfplay.movers import PolicyMover, RandomMover, SearchMover, pick_moves

SIZE = 9


def tiny_policy(path, seed=0):
    torch.manual_seed(seed)
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=SIZE)), path)
    return path


def replayed(games, g):
    """The game replayed on a gogo Board (simple ko, as self-play plays)."""
    board = Board(SIZE, komi=games.komi, superko=False)
    for move, color in zip(games.moves[g], games.colors[g]):
        board.play(board.point_of_index(int(move)), int(color))
    return board


def test_pick_moves_keeps_to_sensible_points_and_passes_when_none():
    logits = np.array([[5.0, 1.0, 0.0], [0.0, 9.0, 0.0], [1.0, 1.0, 1.0]])
    sensible = np.array([[False, True, True], [True, False, True], [False, False, False]])
    rng = np.random.default_rng(0)
    for _ in range(50):
        moves = pick_moves(logits, sensible, rng)
        assert sensible[0, moves[0]] and sensible[1, moves[1]] and moves[2] == 3
    assert pick_moves(logits, sensible, rng, greedy=True).tolist() == [1, 0, 3]


def test_random_games_are_legal_finished_and_scored():
    games = play([RandomMover()], lambda m, g, c: np.zeros(len(g), int), 6, SIZE, 7.5,
                      np.random.default_rng(1))
    assert len(games) == 6
    for g in range(6):
        board = replayed(games, g)
        assert board.passes == 2  # two passes in a row ended it
        assert games.score[g] == board.score()
        assert games.winner[g] == np.sign(board.score())
        assert list(games.colors[g][:4]) == [1, 2, 1, 2]


def test_movers_are_assigned_per_colour_and_positions_recorded(tmp_path):
    net = nets.load(tiny_policy(tmp_path / "p.safetensors"))
    movers = [PolicyMover(net, "cpu"), RandomMover()]
    games = play(movers, lambda m, g, colors: np.where(colors == 1, 0, 1), 4, SIZE, 7.5,
                      np.random.default_rng(2), record=(0,))
    planes, moves, which = games.positions[0]
    black_moves = sum(int(((games.colors[g] == 1) & (games.moves[g] < SIZE * SIZE)).sum()) for g in range(4))
    assert len(moves) == len(which) == len(planes) == black_moves
    assert planes.shape[1:] == (48, SIZE, SIZE)
    first = np.flatnonzero(which == 0)[0]
    assert moves[first] == games.moves[0][0]  # Black's first move of game 0
    assert planes[first, 2].all()  # the empty board: every point empty


def test_same_seed_same_games(tmp_path):
    net = nets.load(tiny_policy(tmp_path / "p.safetensors"))
    runs = [play([PolicyMover(net, "cpu")], lambda m, g, c: np.zeros(len(g), int), 3, SIZE, 7.5,
                      np.random.default_rng(5)) for _ in range(2)]
    for a, b in zip(runs[0].moves, runs[1].moves):
        assert np.array_equal(a, b)


def test_gogo_selfplay_writes_sgf_and_a_store_that_agree(tmp_path, capsys):
    weights = tiny_policy(tmp_path / "p.safetensors")
    out = tmp_path / "games"
    assert cli.main(["selfplay", "--weights", str(weights), "--games", "5", "--batch", "3", "--out", str(out),
                     "--device", "cpu", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["games"] == 5 and summary["games_per_hour"] > 0
    store = load_store(out / "games.npz")
    assert len(store) == 5
    for g in range(5):
        record = sgf.read_game((out / f"game-{g:06d}.sgf").read_bytes())
        assert record.moves == store.record(g).moves
        assert record.winner == store.record(g).winner
        board = sgf.replay(record)
        expected = board.score()
        assert record.result == ("0" if expected == 0 else f"{'B' if expected > 0 else 'W'}+{abs(expected):g}")


def test_head_to_head_counts_every_game(tmp_path):
    a = nets.load(tiny_policy(tmp_path / "a.safetensors", seed=1))
    b = nets.load(tiny_policy(tmp_path / "b.safetensors", seed=2))
    result = head_to_head(a, b, 6, seed=1, device="cpu")
    assert result["games"] == 6 and 0 <= result["a_wins"] <= 6
    low, high = result["a_win_rate_95"]
    assert low <= result["a_win_rate"] <= high


def test_search_games_are_legal(tmp_path):
    from gogo.players.search import SearchPlayer

    weights = tiny_policy(tmp_path / "p.safetensors")
    mover = SearchMover(SearchPlayer(weights=weights, visits=4, device="cpu", seed=1, resign=False))
    games = play([mover], lambda m, g, c: np.zeros(len(g), int), 2, SIZE, 7.5, np.random.default_rng(0),
                      max_moves=30)
    for g in range(2):
        assert len(games.moves[g]) <= 30
        replayed(games, g)  # raises on an illegal move


def test_gogo_selfplay_with_random_weights_of_a_named_config(capsys):
    assert cli.main(["selfplay", "--net", "tiny", "--size", str(SIZE), "--games", "2", "--device", "cpu",
                     "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["weights"] == "random tiny" and summary["size"] == SIZE and summary["games"] == 2
