"""PUCT search on diagram positions with a uniform prior and a scripted value."""
import math

import numpy as np

from gogo import coords, features
from gogo.go import rules
from gogo.go.board import BLACK, PASS, WHITE, Board
from gogo.search.mcts import Search


def material_evaluator(size, sign=1.0):
    """Uniform priors over sensible moves; value = tanh(area score / 4) for the player to move,
    komi ignored (sign=-1 flips it: the wrong sign, for the sign test)."""
    encoder = features.Encoder(size)

    def evaluate(grids, metas, komi):
        planes = encoder.encode_arrays(grids, metas)
        sensible = planes[:, features.SENSIBLE].reshape(len(grids), -1).astype(bool)
        priors = np.ones(sensible.shape, np.float32)
        values = np.empty(len(grids))
        for i in range(len(grids)):
            score = rules.area_score(grids[i], metas[i])
            mover = 1 if metas[i][rules.TO_MOVE] == BLACK else -1
            values[i] = sign * math.tanh(mover * score / 4)
        return priors, sensible, values

    return evaluate


# Flat priors: the paper's c_puct of 5 spreads the visits too thin to focus, and without a
# first-play reduction every reply gets tried once before any is read deeper.
C_PUCT, FPU = 1.0, 0.0


def best_move(board, visits=400, sign=1.0, batch=8):
    search = Search(material_evaluator(board.size, sign), batch=batch, c_puct=C_PUCT, fpu_reduction=FPU)
    moves, counts, q, priors = search.run(board, visits)
    return board.vertex(int(moves[np.argmax(counts)])), search


CAPTURE = """
    . . . . . . .
    . . . . . . .
    . X X X . . .
    X O O O X . .
    . X O X . . .
    . . . . . . .
    . . . . . . ."""  # White's four stones have one liberty, C2


def test_finds_the_capturing_move():
    move, _ = best_move(Board.from_diagram(CAPTURE, to_move=BLACK, komi=0))
    assert move == "C2"


def test_finds_the_saving_move():
    # two plies deep: any other move lets Black capture
    move, _ = best_move(Board.from_diagram(CAPTURE, to_move=WHITE, komi=0), visits=1000)
    assert move == "C2"


def test_visit_counts_add_up_and_virtual_loss_leaves_no_residue():
    b = Board.from_diagram(CAPTURE, to_move=BLACK, komi=0)
    _, search = best_move(b, visits=300, batch=16)
    tree, nodes = search.tree, search.tree.arrays
    assert search.visits == 300
    for node in range(tree.num_nodes):
        children = tree.children(node)
        if children and not nodes.terminal[node]:
            # a node's own evaluation is its first visit; every other visit went to a child
            assert nodes.visits[children].sum() == nodes.visits[node] - 1
        assert nodes.visits[node] >= 0 and abs(nodes.value_sum[node]) <= nodes.visits[node] + 1e-9


def test_the_value_sign_decides_the_move():
    b = Board.from_diagram(CAPTURE, to_move=BLACK, komi=0)
    bad, _ = best_move(b, sign=-1.0)  # values read for the wrong player
    assert bad != "C2"


AHEAD = """
    . . X O .
    . . X O .
    . . X O .
    . . X O .
    . . X O ."""  # Black's area 15, White's 10


def pass_search(komi):
    b = Board.from_diagram(AHEAD, to_move=WHITE, komi=komi)
    b.play(PASS, WHITE)  # White has passed: a Black pass ends the game
    search = Search(material_evaluator(5), batch=4, c_puct=C_PUCT, fpu_reduction=FPU)
    moves, counts, q, _ = search.run(b, 200)
    return moves, counts, q


def test_passes_to_end_a_won_game():
    moves, counts, q = pass_search(komi=0.5)
    assert moves[np.argmax(counts)] == PASS
    assert q[list(moves).index(PASS)] == 1.0


def test_never_passes_away_a_game_it_is_losing():
    moves, counts, q = pass_search(komi=10.5)  # Black is behind by 5.5 under area scoring
    assert moves[np.argmax(counts)] != PASS
    assert q[list(moves).index(PASS)] == -1.0
    assert Search(material_evaluator(5)).principal_variation() == []


def test_search_player_with_a_tiny_net_plays_legal_moves(tmp_path):
    import torch

    from gogo import nets
    from gogo.players.search import SearchPlayer

    torch.manual_seed(0)
    path = tmp_path / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), path)
    player = SearchPlayer(path, visits=32, device="cpu", seed=1)
    board = Board(9, komi=7.5)
    for _ in range(6):
        move = player.genmove(board, board.to_move)
        assert move == PASS or board.is_legal(move)
        board.play(move)
    moves, visits, _, _ = player.search.children()
    assert visits.sum() == 31  # the root's first visit evaluates the root itself


def test_tree_reuse_keeps_the_subtree():
    b = Board.from_diagram(CAPTURE, to_move=BLACK, komi=0)
    search = Search(material_evaluator(7), batch=8, c_puct=C_PUCT, fpu_reduction=FPU)
    moves, visits, q, _ = search.run(b, 400)
    best = int(np.argmax(visits))
    child_children = len(search.tree.children(search.tree.children(0)[best]))
    b.play(int(moves[best]))
    assert search.reuse(b) == visits[best]
    kept = search.children()
    assert len(kept.moves) == child_children
    assert kept.visits.sum() == visits[best] - 1
    # a position the tree does not lead to starts afresh
    other = Board.from_diagram(CAPTURE, to_move=WHITE, komi=0)
    assert search.reuse(other) == 0


def test_dirichlet_noise_changes_the_root_priors_only():
    b = Board.from_diagram(CAPTURE, to_move=BLACK, komi=0)
    plain = Search(material_evaluator(7), batch=8)
    noisy = Search(material_evaluator(7), batch=8, dirichlet_alpha=0.3, seed=1)
    _, _, _, p_plain = plain.run(b, 50)
    _, _, _, p_noisy = noisy.run(b, 50)
    assert np.isclose(p_noisy.sum(), 1) and not np.allclose(p_plain, p_noisy)


def test_think_time():
    from gogo.players.search import think_time
    from gogo.players.base import TimeSettings

    b = Board(19)
    assert think_time(None, None, b) is None
    assert think_time(TimeSettings(0, 1, 0), None, b) is None  # GTP's "no time limit"
    absolute = think_time(TimeSettings(600, 0, 0), None, b)
    assert 3 < absolute < 600 / 20
    assert think_time(TimeSettings(600, 0, 0), (60, 0), b) < absolute  # less left, less spent
    assert think_time(TimeSettings(0, 30, 5), (30, 5), b) == 30 / 5 - 0.5  # byo-yomi: period / stones
    assert think_time(TimeSettings(0, 30, 5), (2, 5), b) == 0.05  # never below the floor


def test_search_player_keeps_to_its_time(tmp_path):
    import time

    import torch

    from gogo import nets
    from gogo.players.search import SearchPlayer
    from gogo.players.base import TimeSettings

    torch.manual_seed(0)
    path = tmp_path / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), path)
    player = SearchPlayer(path, visits=10 ** 6, device="cpu", seed=1)
    player.set_time_settings(TimeSettings(0, 6, 5))  # byo-yomi: 1.2 s a move, 0.7 s after the margin
    player.set_time_left(BLACK, 6, 5)
    board = Board(9)
    player.genmove(board, BLACK)  # compiles
    start = time.perf_counter()
    player.genmove(board, BLACK)
    assert time.perf_counter() - start < 1.5


def test_leaf_values_mix_value_net_and_playouts_by_lambda(monkeypatch):
    import torch

    from gogo import nets
    from gogo.search.leaves import NetEvaluator

    torch.manual_seed(0)
    policy = nets.build(nets.NetConfig.named("tiny", board_size=9))
    value = nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=9))
    board = Board(9)
    grids, metas = board.position.grid[None], board.position.meta[None]
    alone = NetEvaluator(policy, value, "cpu", mixing=0.0)(grids, metas, 7.5)[2]
    mixed = NetEvaluator(policy, value, "cpu", mixing=0.25)
    monkeypatch.setattr(mixed, "_rollout_values", lambda grids, metas, komi, seed: np.ones(len(grids)))
    assert np.allclose(mixed(grids, metas, 7.5)[2], 0.75 * alone + 0.25)
    playouts_only = NetEvaluator(policy, None, "cpu")
    monkeypatch.setattr(playouts_only, "_rollout_values", lambda grids, metas, komi, seed: -np.ones(len(grids)))
    assert playouts_only(grids, metas, 7.5)[2].tolist() == [-1.0]
    uniform = NetEvaluator(policy, None, "cpu")(grids, metas, 7.5)[2]  # real uniform playouts
    assert uniform.shape == (1,) and abs(uniform[0]) <= 1


def test_lambda_can_follow_the_leafs_move_number(monkeypatch):
    import pytest
    import torch

    from gogo import nets
    from gogo.errors import GogoError
    from gogo.go import rules
    from gogo.search.leaves import NetEvaluator, format_mixing, mixing_at, parse_mixing

    schedule = parse_mixing("0:0,100:0.5,200:1")
    assert schedule == ((0, 0.0), (100, 0.5), (200, 1.0)) and parse_mixing("0.25") == 0.25
    assert format_mixing(schedule) == "0:0,100:0.5,200:1"
    assert mixing_at(schedule, [0, 50, 150, 300]).tolist() == [0.0, 0.25, 0.75, 1.0]
    for bad in ("0:0,50", "x", "0:0.5,0:0.7", "100:0,50:1", "0:1.5"):
        with pytest.raises(GogoError, match="lambda"):
            parse_mixing(bad)
    torch.manual_seed(0)
    policy = nets.build(nets.NetConfig.named("tiny", board_size=9))
    value = nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=9))
    board = Board(9)
    grids = np.repeat(board.position.grid[None], 3, axis=0)
    metas = np.repeat(board.position.meta[None], 3, axis=0)
    metas[:, rules.MOVE_NUMBER] = [0, 100, 250]  # the same stones, at three points of a game
    net_values = NetEvaluator(policy, value, "cpu", mixing=0.0)(grids, metas, 7.5)[2]
    scheduled = NetEvaluator(policy, value, "cpu", mixing=schedule)
    monkeypatch.setattr(scheduled, "_rollout_values", lambda grids, metas, komi, seed: np.ones(len(grids)))
    expected = np.array([1.0, 0.5, 0.0]) * net_values + np.array([0.0, 0.5, 1.0])
    assert np.allclose(scheduled(grids, metas, 7.5)[2], expected, atol=1e-6)


def test_a_dual_net_gives_priors_and_values_in_one_forward_pass(tmp_path, monkeypatch):
    import torch

    from gogo import nets
    from gogo.players.search import SearchPlayer
    from gogo.search.leaves import NetEvaluator

    torch.manual_seed(0)
    dual = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    board = Board(9)
    grids, metas = board.position.grid[None], board.position.meta[None]
    evaluator = NetEvaluator(dual, None, "cpu", mixing=0.0)
    calls = []
    forward = dual.forward
    monkeypatch.setattr(dual, "forward", lambda planes: calls.append(planes.shape) or forward(planes))
    priors, _, values = evaluator(grids, metas, 7.5)
    assert calls == [(1, 49, 9, 9)]  # one pass, on the value planes
    logits, expected = forward(torch.from_numpy(evaluator.encoder.encode_arrays(grids, metas)).float())
    assert np.allclose(values, expected.detach().numpy(), atol=1e-5)
    assert np.allclose(priors, nets.softmax(logits.detach().numpy(), 1 / 0.67), atol=1e-5)
    assert np.isclose(evaluator.move_probabilities(board).sum(), 1, atol=1e-5)
    path = tmp_path / "dual.safetensors"
    nets.save(dual, path)
    player = SearchPlayer(weights=path, visits=8, device="cpu", seed=1)
    assert player.evaluator.dual and player.evaluator.value is None and player.evaluator.mixing == 0.5
    assert board.vertex(player.genmove(board, BLACK)) != "resign"


def test_search_player_takes_the_bundled_nets_for_the_board_size():
    from gogo import nets
    from gogo.players.search import SearchPlayer
    from gogo.search.leaves import default_mixing

    player = SearchPlayer(visits=16, device="cpu", seed=1)  # no weights: the bundled nets
    assert player.use(9)  # the two-headed net's priors and the separate value net
    assert player.evaluator.policy.net.config.provenance == nets.read_config(
        nets.bundled_weights("dual", 9)).provenance
    assert player.evaluator.value is not None and player.evaluator.rollout_policy is not None
    assert player.evaluator.mixing == default_mixing(True, True)
    assert player.use(19)  # the two-headed net: priors and its value head, mixed with rollouts
    assert player.evaluator.dual and player.evaluator.value is None
    assert player.evaluator.mixing == default_mixing(True, True)
    assert player.evaluator.policy.net.config.provenance == nets.read_config(nets.bundled_weights("dual", 19)).provenance
    assert player.use(13) and player.can_search(13)  # no nets: the rollout policy alone
    assert player.evaluator.value is None and player.evaluator.rollout_policy is not None
    assert not SearchPlayer(visits=16, device="cpu", uniform_rollouts=True).can_search(13)
    for size in (9, 13):  # one player across games of different sizes
        board = Board(size, komi=7.5)
        player.new_game(board)
        for _ in range(3):
            move = player.genmove(board, board.to_move)
            assert move == PASS or board.is_legal(move)
            board.play(move)


def test_search_player_refuses_a_value_net_for_another_size(tmp_path):
    import pytest
    import torch

    from gogo import nets
    from gogo.errors import GogoError
    from gogo.players.search import SearchPlayer

    torch.manual_seed(0)
    policy, value = tmp_path / "policy.safetensors", tmp_path / "value.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), policy)
    nets.save(nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=7)), value)
    with pytest.raises(GogoError, match="value.safetensors: a value net for 7x7"):
        SearchPlayer(policy, value, device="cpu")
    with pytest.raises(GogoError, match="holds a policy net"):
        SearchPlayer(policy, policy, device="cpu")


def test_search_player_without_visits_uses_the_time_it_has(tmp_path, monkeypatch):
    import torch

    from gogo import nets
    from gogo.players import search
    from gogo.players.base import TimeSettings
    from gogo.players.search import SearchPlayer

    monkeypatch.setattr(search, "DEFAULT_VISITS", 8)
    torch.manual_seed(0)
    path = tmp_path / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), path)
    player = SearchPlayer(path, device="cpu", seed=1)
    board = Board(9)
    player.genmove(board, BLACK)  # no time limit: DEFAULT_VISITS
    assert player.search.children().visits.sum() == 7
    player.new_game(board)
    player.set_time_settings(TimeSettings(0, 3, 5))  # 0.6 s a move, 0.1 s after the margin
    player.genmove(board, BLACK)
    assert player.search.children().visits.sum() > 8  # a time limit and no --visits: as many as the time allows


def test_players_resign_after_several_hopeless_moves_only():
    from gogo.players.base import RESIGN_MOVES, ResignRule

    rule = ResignRule()
    board = Board(9)
    for vertex in ("C3", "G7", "C7", "G3", "E5", "E3", "E7", "C5", "G5"):  # past the opening
        board.play(coords.parse_vertex(vertex, 9))
    lost, fine = -0.95, -0.5
    answers = [rule.hopeless(board, value, trusted) for value, trusted in
               ((lost, True), (lost, True), (fine, True), (lost, True), (-0.99, False), (lost, True), (lost, True))]
    assert answers == [False] * 7  # a fine move, or one read too little, starts the count again
    assert [rule.hopeless(board, lost) for _ in range(RESIGN_MOVES)][-1]
    rule.reset()
    assert not rule.hopeless(board, lost)
    never = ResignRule(enabled=False)
    assert not any(never.hopeless(board, lost) for _ in range(5))
    early = ResignRule()
    assert not any(early.hopeless(Board(9), lost) for _ in range(5))
    big = Board(19)  # the bundled 19x19 value head is less sure of itself: a lower bar there
    for _ in range(40):
        big.play(PASS)
    default = ResignRule()
    assert [default.hopeless(big, -0.85) for _ in range(RESIGN_MOVES)][-1]
    strict = ResignRule(-0.9)
    assert not any(strict.hopeless(big, -0.85) for _ in range(RESIGN_MOVES))


def lost_for_white():
    """A 9x9 game White has lost beyond doubt, past the opening, White to move."""
    lost = Board.from_diagram("""
        O O . O O O . O O
        O O O O O O O O O
        X X X X X X X X X
        X . X . X . X . X
        X X X X X X X X X
        X . X . X . X . X
        X X X X X X X X X
        X . X . X . X . X
        X X X X X X X X X""", to_move=WHITE, komi=7.5)
    for _ in range(10):
        lost.play(PASS)
    return lost


def test_the_policy_player_resigns_a_lost_game_by_its_rollouts():
    from gogo.players.base import RESIGN
    from gogo.players.policy import PolicyPlayer

    lost = lost_for_white()
    player = PolicyPlayer(seed=1)
    answers = [player.genmove(lost, WHITE) for _ in range(3)]
    assert answers[-1] == RESIGN and RESIGN not in answers[:-1]
    assert PolicyPlayer(seed=1, resign=False).genmove(lost, WHITE) != RESIGN


def test_the_policy_player_resigns_by_its_value_head_mixed_with_rollouts(tmp_path):
    """A two-headed net's value head enters the resign decision with the rollouts, half and
    half: a head sure of a win keeps the player from resigning a game the rollouts call lost."""
    import torch

    from gogo import nets
    from gogo.players.base import RESIGN
    from gogo.players.policy import PolicyPlayer

    lost = lost_for_white()
    answers = {}
    for belief in (+1, -1):
        dual = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
        with torch.no_grad():
            dual.fc[-2].weight.zero_()
            dual.fc[-2].bias.fill_(20.0 * belief)  # tanh: the head says won (+1) or lost (-1)
        path = tmp_path / f"dual{belief}.safetensors"
        nets.save(dual, path)
        player = PolicyPlayer(path, device="cpu", seed=1)
        answers[belief] = [player.genmove(lost, WHITE) for _ in range(3)]
    assert RESIGN not in answers[+1]
    assert answers[-1][-1] == RESIGN


def test_the_search_never_ends_a_game_lost_once_dead_stones_are_removed(monkeypatch):
    """The search scores two passes by Tromp-Taylor, which counts dead stones as alive; the player
    checks a pass that would end the game with dead stones removed (players.base.wins_if_game_ends)."""
    from types import SimpleNamespace

    from gogo.players import search as search_player

    board = Board(9)
    board.play(coords.parse_vertex("E5", 9), BLACK)
    board.play(PASS, WHITE)
    player = search_player.SearchPlayer(visits=8, device="cpu", seed=1)
    asked = []

    class Stub:
        visits, batch = 8, 8

        def run(self, position, visits):
            pass

        def best_child(self, board, color, allow_pass=True):
            asked.append(allow_pass)
            return SimpleNamespace(move=PASS if allow_pass else coords.parse_vertex("C3", 9), visits=8, q=0.5)

    monkeypatch.setattr(player, "use", lambda size: True)
    player.search = Stub()
    monkeypatch.setattr(search_player, "wins_if_game_ends", lambda board, color: False)
    assert player.genmove(board, BLACK) == coords.parse_vertex("C3", 9) and asked == [True, False]
    monkeypatch.setattr(search_player, "wins_if_game_ends", lambda board, color: True)
    assert player.genmove(board, BLACK) == PASS
    board.play(coords.parse_vertex("C7", 9), BLACK)  # White's move now: Black did not pass
    asked.clear()
    assert player.genmove(board, WHITE) == PASS and asked == [True]


def searched_root(move_choice, children):
    """A Search whose root holds `children`: (point, visits, mean value for the root's player)."""
    search = Search(material_evaluator(7), move_choice=move_choice)
    tree = search.tree.arrays
    tree.first[0], tree.count[0], tree.used[0] = 1, len(children), 1 + len(children)
    for node, (point, visits, q) in enumerate(children, start=1):
        tree.move[node], tree.visits[node], tree.value_sum[node] = point, visits, q * visits
        tree.prior[node], tree.first[node], tree.count[node], tree.terminal[node] = 0.1, -1, 0, 0
    tree.visits[0] = sum(visits for _, visits, _ in children)
    return search


def test_lcb_plays_the_surer_of_the_well_visited_moves():
    b = Board(7)
    a, c, d = (b.parse_vertex(vertex) for vertex in ("D4", "C3", "E5"))
    # D4: most visits, winrate 55%; C3: fewer visits, 65% (lower bound 53% against 45%);
    # E5: 95% but 5 visits, under a tenth of D4's 100, so it does not compete
    children = [(a, 100, 0.1), (c, 60, 0.3), (d, 5, 0.9)]
    assert searched_root("visits", children).best_child(b, BLACK).move == a
    ranked = searched_root("lcb", children).ranked_children()
    assert [child.move for child in ranked] == [c, a, d]
    assert searched_root("lcb", children).best_child(b, BLACK).move == c
