"""Policy and value nets: shapes, the per-point bias, weight files, learning, the policy player."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from gogo import features, nets
from gogo.errors import GogoError
from gogo.go.board import BLACK, PASS, Board
from gogo.players.policy import PolicyPlayer
from gogo.records.sgf import read_game, replay

DATA = Path(__file__).parent / "data"


def tiny(kind=nets.POLICY, size=9):
    torch.manual_seed(0)
    return nets.build(nets.NetConfig.named("tiny", kind=kind, board_size=size))


def test_shapes():
    policy, value = tiny(), tiny(nets.VALUE)
    assert policy(torch.zeros(5, 48, 9, 9)).shape == (5, 81)
    out = value(torch.zeros(5, 49, 9, 9))
    assert out.shape == (5,) and (out.abs() <= 1).all()
    big = nets.build(nets.NetConfig.named("alphago"))
    conv = [m for m in big.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(conv) == 13 and conv[0].kernel_size == (5, 5) and conv[0].out_channels == 192
    assert all(c.kernel_size == (3, 3) for c in conv[1:12]) and conv[12].kernel_size == (1, 1)


def test_each_point_has_its_own_bias():
    net = tiny()
    x = torch.rand(2, 48, 9, 9)
    before = net(x).detach()
    with torch.no_grad():
        net.point_bias[17] += 1.5
    diff = net(x).detach() - before
    assert torch.allclose(diff[:, 17], torch.full((2,), 1.5))
    assert torch.count_nonzero(diff.abs() > 1e-6) == 2


def test_save_load_round_trip(tmp_path):
    for kind in (nets.POLICY, nets.VALUE):
        net = tiny(kind)
        path = tmp_path / f"{kind}.safetensors"
        nets.save(net, path, provenance={"data": "none", "steps": 0})
        loaded = nets.load(path, kind=kind, board_size=9)
        x = torch.rand(3, net.config.input_planes, 9, 9)
        assert torch.equal(net(x), loaded(x))
        assert nets.read_config(path).provenance == {"data": "none", "steps": 0}


def test_mismatched_files_are_refused(tmp_path):
    path = tmp_path / "policy.safetensors"
    nets.save(tiny(), path)
    with pytest.raises(GogoError, match="holds a policy net"):
        nets.load(path, kind=nets.VALUE)
    with pytest.raises(GogoError, match="9x9"):
        nets.load(path, board_size=19)
    tensors = {k: v.contiguous() for k, v in tiny().state_dict().items()}
    plain = tmp_path / "plain.safetensors"
    save_file(tensors, str(plain))
    with pytest.raises(GogoError, match="no gogo net config"):
        nets.load(plain)
    config = dict(kind="policy", filters=16, layers=3, board_size=9, feature_version=nets.FEATURE_VERSION)
    wrong = tmp_path / "wrong.safetensors"
    save_file(tensors, str(wrong), metadata={"gogo": json.dumps(config)})
    with pytest.raises(GogoError, match="shape"):
        nets.load(wrong)
    config.update(filters=8, feature_version=nets.FEATURE_VERSION + 1)
    save_file(tensors, str(wrong), metadata={"gogo": json.dumps(config)})
    with pytest.raises(GogoError, match="feature version"):
        nets.load(wrong)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a weights file")
    with pytest.raises(GogoError, match="junk.safetensors"):
        nets.load(junk)


def positions_and_moves(count):
    record = read_game(DATA / "pro-9x9.sgf")
    encoder = features.Encoder(9)
    planes, moves = [], []
    for i in range(count):
        color, move = record.moves[i]
        board = replay(record, moves=i)
        planes.append(encoder.encode(board))
        moves.append(move[0] * 9 + move[1])
    return np.stack(planes), np.array(moves)


def test_a_tiny_net_learns_a_handful_of_positions():
    planes, moves = positions_and_moves(8)
    torch.manual_seed(1)
    net = nets.build(nets.NetConfig(kind=nets.POLICY, filters=16, layers=3, board_size=9))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    x, y = torch.from_numpy(planes).float(), torch.from_numpy(moves)
    for _ in range(300):
        loss = torch.nn.functional.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert (net(x).argmax(1) == y).all()


def test_runner_policy_is_a_distribution():
    planes, _ = positions_and_moves(3)
    runner = nets.Runner(tiny(), device="cpu")
    p = runner.policy(planes)
    assert p.shape == (3, 81) and np.allclose(p.sum(1), 1)
    sharp = runner.policy(planes, temperature=0.5)
    assert sharp.max() >= p.max()


def test_policy_player_plays_a_two_headed_nets_policy_head(tmp_path):
    path = tmp_path / "dual.safetensors"
    dual = tiny(nets.DUAL)
    nets.save(dual, path)
    player = PolicyPlayer(path, device="cpu", seed=3, resign=False)
    board = Board(9)
    board.play(board.parse_vertex("E5"))
    planes = features.Encoder(9, value_net=True).encode(board)
    logits, _ = nets.Runner(dual, device="cpu")(planes[None])
    best = np.where(planes[features.SENSIBLE].ravel(), logits[0], -np.inf).argmax()
    assert player.genmove(board, board.to_move) == board.point_of_index(int(best))
    with pytest.raises(GogoError, match="value net has no moves"):
        nets.save(tiny(nets.VALUE), tmp_path / "value.safetensors")
        PolicyPlayer(tmp_path / "value.safetensors", device="cpu")


def test_policy_player_plays_sensible_moves_and_passes_when_none(tmp_path):
    path = tmp_path / "policy.safetensors"
    nets.save(tiny(), path)
    player = PolicyPlayer(path, device="cpu", seed=3)
    board = Board(9)
    for _ in range(30):
        move = player.genmove(board, board.to_move)
        assert move != PASS and board.is_sensible(move)
        board.play(move)
    full = Board.from_diagram("""
        . X . X . X . X .
        X X X X X X X X X
        . X . X . X . X .
        X X X X X X X X X
        . X . X . X . X .
        X X X X X X X X X
        . X . X . X . X .
        X X X X X X X X X
        . X . X . X . X .""")
    assert player.genmove(full, BLACK) == PASS
    assert player.genmove(Board(13), BLACK) != PASS  # another size: random moves, with a warning


def test_fresh_value_nets_pass_gradients_to_the_trunk():
    planes = torch.from_numpy(np.random.default_rng(0).integers(0, 2, (16, 49, 9, 9))).float()
    for seed in range(10):
        torch.manual_seed(seed)
        value = nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=9))
        value(planes).sum().backward()
        assert value.trunk[0].weight.grad.abs().sum() > 0, f"seed {seed}: the value head is dead"


def test_bundled_player_takes_the_net_for_the_board_size():
    from gogo.go.board import Board

    player = PolicyPlayer(device="cpu", seed=1)  # no weights: the bundled nets
    for size in (19, 9):
        board = Board(size)
        point = player.genmove(board, 1)
        assert board.is_legal(point, 1)
        model = player.model(size)
        assert model.runner.net.config.board_size == size and model.encoder.size == size
    big = player.model(19)  # the two-headed net: its policy head plays, its value head values
    assert big.dual and big.value_runner is None and big.mixing == 0.5
    assert big.runner.net.config.provenance == nets.read_config(nets.bundled_weights("dual", 19)).provenance
    small = player.model(9)  # the 9x9 two-headed net, and the 9x9 value net beside it values
    assert small.dual and small.value_runner is not None and small.mixing == 0.5
    assert small.runner.net.config.provenance == nets.read_config(nets.bundled_weights("dual", 9)).provenance
    assert player.model(13) is None  # no 13x13 net: random moves
    board = Board(13)
    assert board.is_legal(player.genmove(board, 1), 1)


def test_precision_follows_gogo_precision(monkeypatch):
    net = nets.build(nets.NetConfig.named("tiny", board_size=9))
    planes = np.random.default_rng(0).integers(0, 2, (4, 48, 9, 9)).astype(np.uint8)
    monkeypatch.setenv("GOGO_PRECISION", "fp32")
    assert not nets.uses_bf16(torch.device("cpu"))
    exact = nets.Runner(net, "cpu")(planes)
    monkeypatch.setenv("GOGO_PRECISION", "bf16")
    assert nets.uses_bf16(torch.device("cpu"))
    bf16 = nets.Runner(net, "cpu")(planes)
    assert bf16.dtype == np.float32 and np.allclose(bf16, exact, atol=0.1)
    monkeypatch.setenv("GOGO_PRECISION", "half")
    with pytest.raises(GogoError, match="GOGO_PRECISION"):
        nets.uses_bf16(torch.device("cpu"))
