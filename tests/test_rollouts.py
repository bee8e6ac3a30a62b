"""The fast rollout policy: pattern keys on diagram positions, keys kept up to date as stones are
placed and captured, sampling that follows the softmax, training, the file, and rollouts in the
search. Diagrams: top row first, X black, O white."""
import json
import subprocess
import sys

import numpy as np
import pytest

from gogo import coords
from gogo.errors import GogoError
from gogo.go import playout, rules
from gogo.go.board import BLACK, WHITE, Board
from gogo.records.store import Filters, build_store, load_store
from gogo.rollouts import kernels, patterns, policy as rollout_policy, state as pattern_state
from training import rollout as rollout_training
from training.config import RolloutConfig

PRO9 = "tests/data/pro9"


def board(diagram, to_move=BLACK):
    return Board.from_diagram(diagram, to_move=to_move)


def key_at(b, vertex, colour):
    grid, meta = b.position.copy()
    st = pattern_state.new_state(grid.shape[1])
    pattern_state.reset(grid, meta, st)
    return kernels.mover_key(st, coords.parse_vertex(vertex, b.size), colour)


def flags_at(b, vertex, colour):
    return patterns.key_flags(key_at(b, vertex, colour))


def test_a_key_draws_the_neighbourhood_with_liberties():
    b = board("""
        . . . . .
        . X O . .
        . . . . .
        . . . . .
        . . . . .""")
    assert patterns.draw_3x3(key_at(b, "C3", BLACK)) == "X3 O3  .\n .  *  .\n .  .  ."
    assert patterns.draw_3x3(key_at(b, "C3", WHITE)) == "O3 X3  .\n .  *  .\n .  .  ."
    assert patterns.draw_3x3(key_at(b, "A1", BLACK)) == " #  .  .\n #  *  .\n #  #  #"


def test_flags_capture_save_atari_self_atari_and_eyes():
    b = board("""
        . X . . .
        X O . . .
        . X . . .
        . . . . .
        . . . . .""")
    assert flags_at(b, "C4", BLACK) & patterns.CAPTURE_FLAG  # O at B4 has one liberty: C4
    assert flags_at(b, "C4", WHITE) & patterns.SAVE_ATARI_FLAG
    assert not flags_at(b, "E1", BLACK) & (patterns.CAPTURE_FLAG | patterns.SELF_ATARI_FLAG)
    b = board("""
        . . . O .
        . . . . O
        . . . . .
        . . . . .
        . . . . .""")
    assert flags_at(b, "E5", WHITE) & patterns.EYE_FLAG  # White's eye in the corner
    assert not flags_at(b, "E5", BLACK) & patterns.LEGAL_FLAG  # suicide for Black
    b = board("""
        . . O . .
        . O . . .
        . . . . .
        . . . . .
        . . . . .""")
    assert flags_at(b, "B5", BLACK) & patterns.SELF_ATARI_FLAG  # one liberty left, at A5
    assert not flags_at(b, "A5", WHITE) & patterns.SELF_ATARI_FLAG


def test_key_flags_agree_with_the_rules_on_random_positions():
    rng = np.array([99], np.uint64)
    for size in (9, 19):
        grid, meta = rules.new_position(size)
        st = pattern_state.new_state(grid.shape[1])
        for _ in range(size * size):
            c = meta[rules.TO_MOVE]
            scratch = grid.copy(), meta.copy()
            p = playout.random_sensible_move(*scratch, c, rng)
            if p == rules.PASS:
                break
            rules.place_stone(grid, meta, p, c)
            pattern_state.reset(grid, meta, st)
            for i in range(meta[rules.NUM_EMPTY]):
                q = grid[rules.EMPTY_LIST, i]
                for colour in (BLACK, WHITE):
                    flags = patterns.key_flags(kernels.mover_key(st, q, colour))
                    status = rules.move_status(grid, meta, q, colour)
                    assert bool(flags & patterns.LEGAL_FLAG) == (status in (rules.LEGAL, rules.KO))
                    if flags & patterns.LEGAL_FLAG:
                        assert bool(flags & patterns.EYE_FLAG) == rules.is_eye(grid, meta, q, colour)


def test_keys_kept_up_to_date_equal_keys_computed_afresh():
    rng = np.array([7], np.uint64)
    for size in (9, 19):
        grid, meta = rules.new_position(size)
        st = pattern_state.new_state(grid.shape[1])
        pattern_state.reset(grid, meta, st)
        captures = 0
        for _ in range(3 * size * size):
            c = meta[rules.TO_MOVE]
            scratch = grid.copy(), meta.copy()
            p = playout.random_sensible_move(*scratch, c, rng)
            if p == rules.PASS:
                break
            captures += pattern_state.play(grid, meta, st, p, c)
            fresh = pattern_state.new_state(grid.shape[1])
            pattern_state.reset(grid, meta, fresh)
            empty = grid[rules.COLOR] == rules.EMPTY
            stones = (grid[rules.COLOR] == BLACK) | (grid[rules.COLOR] == WHITE)
            assert np.array_equal(st.key[empty], fresh.key[empty])
            heads = grid[rules.HEAD, stones]
            assert np.array_equal(st.liberties[heads], fresh.liberties[heads])
        assert captures > 0


def test_the_eight_images_of_a_key_share_one_canonical_key():
    keys = np.random.default_rng(1).integers(0, 8, size=(200, 8))
    keys = (keys << (3 * np.arange(8))).sum(axis=1)
    images = patterns.images_3x3(keys)
    for s in range(8):
        assert np.array_equal(patterns.canonical_3x3(images[s]), patterns.canonical_3x3(keys))
    response = keys | (np.int64(3) << patterns.PLACE_SHIFT)
    images = patterns.images_response(response)
    for s in range(8):
        assert np.array_equal(patterns.canonical_response(images[s]), patterns.canonical_response(response))
    # a key read from a board and from its mirror image are images of each other
    b = board("""
        . . . . .
        X O . . .
        . . . . .
        . . . . .
        . . . . .""")
    mirror = board("""
        . . . . .
        . . . O X
        . . . . .
        . . . . .
        . . . . .""")
    assert patterns.canonical_3x3([key_at(b, "B3", BLACK)]) == patterns.canonical_3x3([key_at(mirror, "D3", BLACK)])


def test_sampling_follows_the_softmax_of_the_move_logits():
    """The rollouts' cached weights and response bonuses give the same distribution as the logits
    computed afresh (RolloutPolicy.move_logits)."""
    b = board("""
        . . . . . . .
        . . X O . . .
        . . X O . . .
        . . . X O . .
        . . . . . . .
        . . . . . . .
        . . . . . . .""", to_move=BLACK)
    b.play(coords.parse_vertex("E3", 7), WHITE)
    b = b.with_to_move(BLACK)
    games = build_store([PRO9], None, Filters(size=9, min_moves=0), val=0, test=0)[0]
    keys3, keys_r = rollout_training.harvest(games, games.games(), 9, 5000, 1)
    rng = np.random.default_rng(3)
    policy = rollout_policy.RolloutPolicy(rng.normal(0, 1, kernels.FIRST_PATTERN + len(keys3) + len(keys_r)),
                                          keys3, keys_r)
    logits = policy.move_logits(b)
    points = np.array(sorted(logits))
    expected = np.exp([logits[p] for p in points])
    expected /= expected.sum()
    grid, meta = b.position.copy()
    st = pattern_state.new_state(grid.shape[1])
    w = kernels.new_weights(grid.shape[1], meta[rules.STRIDE])
    pattern_state.reset(grid, meta, st)
    kernels.reset_weights(grid, meta, st, policy.tables, w)
    last = kernels.last_move(grid, meta)
    assert last == coords.parse_vertex("E3", 7)
    draws = 40000
    seed = np.array([12345], np.uint64)
    counts = {}
    for _ in range(draws):
        p = kernels.sample_move(grid, meta, st, policy.tables, w, BLACK, last, seed)
        counts[p] = counts.get(p, 0) + 1
    assert set(counts) <= set(points.tolist())
    observed = np.array([counts.get(p, 0) for p in points]) / draws
    assert np.abs(observed - expected).max() < 0.01, (observed, expected)


@pytest.fixture(scope="module")
def pro_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "pro9.npz"
    build_store([PRO9], path, Filters(size=9, min_moves=0), val=0, test=0.25)
    return path


def test_training_learns_resumes_and_writes_a_loadable_policy(pro_store, tmp_path, monkeypatch):
    monkeypatch.setattr(rollout_training, "GAMES_PER_CHUNK", 2)
    out = tmp_path / "rollout.safetensors"
    config = RolloutConfig(store=str(pro_store), out=str(out), minutes=None, positions=300, min_count=2,
                           harvest_positions=5000)
    rollout_training.train(config, log=lambda line: None)
    trained = rollout_policy.load(out)
    assert trained.config["fitted_positions"] >= 300 and "adagrad_state" in trained.extra
    resumed = rollout_training.train(RolloutConfig(**{**config.__dict__, "positions": 10 ** 6, "resume": True}),
                                     log=lambda line: None)
    again = rollout_policy.load(out)
    assert again.config["fitted_games"] > trained.config["fitted_games"]
    assert not np.array_equal(again.weights, trained.weights)
    store = load_store(pro_store)
    uniform = rollout_training.evaluate(rollout_policy.RolloutPolicy.uniform(), store, "train", 9)
    fitted = rollout_training.evaluate(again, store, "train", 9)
    assert fitted["top1"] > 3 * uniform["top1"]
    if len(store.games("test", 9)):
        assert resumed["positions"] == rollout_training.evaluate(again, store, "test", 9)["positions"]


def test_a_file_that_is_not_a_rollout_policy_is_named(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not safetensors")
    with pytest.raises(GogoError, match="bad.safetensors"):
        rollout_policy.load(bad)
    with pytest.raises(GogoError, match="policy.safetensors: no rollout policy config"):
        rollout_policy.load("gogo/weights/policy.safetensors")


def test_rollouts_end_the_game_and_score_it():
    policy = rollout_policy.bundled(19) or rollout_policy.RolloutPolicy.uniform()
    b = Board(9)
    moves, scores = policy.rollout_scores(b, 20, seed=5)
    assert 20 * 40 < moves < 20 * 3 * 81
    assert np.all(np.abs(scores) <= 81)
    values = policy.values(*map(np.stack, zip(b.position, b.position)), 8, 1, 7.5)
    assert values.shape == (2,) and np.all(np.abs(values) <= 1)


def test_the_bundled_policy_predicts_expert_moves():
    path = rollout_policy.bundled_path(19)
    assert path is not None, "gogo/weights/rollout.safetensors is bundled"
    test = rollout_policy.load(path).config.get("provenance", {})
    result = subprocess.run([sys.executable, "-m", "cli", "eval", "--rollout", "--data", PRO9, "--size", "9",
                             "--json"],
                            capture_output=True, text=True, check=True)
    measured = json.loads(result.stdout)
    assert measured["kind"] == "rollout" and measured["positions"] > 500
    assert measured["top1"] > 0.15, measured  # uniform random picks about 2% of 9x9 moves
    assert measured["value_positions"] > 5 and measured["value_rollouts"] == 16  # one per decided game
    assert 0 <= measured["value_mse"] <= 4 and measured["value_mse_quarter"] == measured["value_mse"] / 4
    assert list(measured["value_mse_by_phase"]) == ["0-79", "80-159", "160+"]
    assert test == {} or "top1" in test.get("test", {})


def test_bench_rollouts_reports_both_kinds_of_playout():
    result = subprocess.run([sys.executable, "-m", "cli", "bench", "rollouts", "--size", "9", "--seconds", "1",
                             "--json"], capture_output=True, text=True, check=True)
    bench = json.loads(result.stdout)
    assert bench["rollouts_per_second"] > 0 and bench["uniform_playouts_per_second"] > 0
    assert bench["moves_per_second_vs_uniform"] > 0


def test_the_search_mixes_rollout_values_with_the_value_net():
    from gogo import nets
    from gogo.search.leaves import NetEvaluator, default_mixing

    policy = nets.build(nets.NetConfig.named("tiny", kind=nets.POLICY, board_size=9))
    value = nets.build(nets.NetConfig.named("tiny", kind=nets.VALUE, board_size=9))
    rollout = rollout_policy.RolloutPolicy.uniform()
    b = Board(9)
    grids, metas = map(np.stack, zip(*[b.position] * 3))
    assert default_mixing(True, True) == 0.5 and default_mixing(False, False) == 1.0
    alone = NetEvaluator(policy, value, "cpu", mixing=0.0)(grids, metas, 7.5)[2]
    rollouts_only = NetEvaluator(policy, None, "cpu", rollout_policy=rollout)
    assert rollouts_only.mixing == 1.0
    mixed = NetEvaluator(policy, value, "cpu", rollout_policy=rollout)
    assert mixed.mixing == 0.5
    values = mixed(grids, metas, 7.5)[2]
    rollout_part = 2 * (values - 0.5 * alone)
    assert np.all(np.abs(rollout_part) <= 1 + 1e-6)
    assert not np.allclose(values, alone)


def test_the_vital_point_of_captured_stones_is_the_nakade_feature():
    b = board("""
        . X X X .
        X O O O .
        . X X X .
        . . . . .
        . . . . .""")
    grid, meta = b.position.copy()
    st = pattern_state.new_state(grid.shape[1])
    pattern_state.reset(grid, meta, st)
    assert pattern_state.play(grid, meta, st, coords.parse_vertex("E4", 5), BLACK) == 3
    assert pattern_state.vital_point(st, meta[rules.STRIDE]) == coords.parse_vertex("C4", 5)
    policy = rollout_policy.RolloutPolicy.uniform()
    points = np.empty(grid.shape[1], np.int64)
    features = np.empty((grid.shape[1], kernels.MAX_FEATURES), np.int64)
    counts = np.empty(grid.shape[1], np.int64)
    n = kernels.candidate_features(grid, meta, st, policy.tables, WHITE, coords.parse_vertex("E4", 5),
                                   points, features, counts, np.full(grid.shape[1], -1, np.int64))
    vital = list(points[:n]).index(coords.parse_vertex("C4", 5))
    assert kernels.NAKADE in features[vital, :counts[vital]]
    pattern_state.pass_move(meta, st, WHITE)
    assert pattern_state.vital_point(st, meta[rules.STRIDE]) == -1


def test_bench_search_with_rollouts_beside_the_nets():
    from cli.bench import bench_search

    result = bench_search(9, 0.5, net="tiny", batch=4, device="cpu", mixing=0.5)
    assert result["visits_per_second"] > 0 and result["lambda"] == 0.5 and result["rollouts_per_leaf"] == 4
    assert bench_search(9, 0.2, net="tiny", batch=4, device="cpu", mixing=0.5, rollouts=9)["rollouts_per_leaf"] == 9
    with pytest.raises(GogoError, match="--rollouts 0: give at least 1"):
        bench_search(9, 0.2, net="tiny", batch=4, device="cpu", mixing=0.5, rollouts=0)


def test_the_rollout_policy_gives_priors_where_there_are_no_nets():
    from gogo.search.leaves import RolloutEvaluator

    b = board("""
        . . . . .
        . X O . .
        . . X . .
        . . . . .
        . . . . .""", to_move=WHITE)
    policy = rollout_policy.bundled(5)
    grids, metas = map(np.stack, zip(*[b.position] * 2))
    priors, sensible, values = RolloutEvaluator(policy, rollouts=2)(grids, metas, 0.5)
    logits = policy.move_logits(b)
    assert sensible[0].sum() == len(logits) and abs(priors[0].sum() - 1) < 1e-5
    best = max(logits, key=logits.get)
    assert int(np.argmax(priors[0])) == coords.index_of_point(best, 5)
    assert values.shape == (2,)
