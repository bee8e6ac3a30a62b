"""The game store (gogo/records/store.py), `gogo data`, and the position sampler (training/sampler.py)."""
import io
import json
import multiprocessing
import random
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from gogo import features as F
from gogo.errors import GogoError
from gogo.go import rules
from gogo.records import sgf, sgf_sources
from gogo.go.board import BLACK, PASS, WHITE, Board
from gogo.features import Encoder, inverse_symmetry, move_symmetry_table, transform_planes
from training.sampler import PositionSampler
from training.stop import StopRequest
from training.positions import gather_table, replay_into
from gogo.records.store import Filters, build_store, load_store, rank_code, rank_name, split_of

DATA = Path(__file__).parent / "data"


def game(props=b"", moves=b"", size=9):
    return b"(;GM[1]FF[4]SZ[%d]%s%s)" % (size, props, moves)


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


ODD = game(b"KM[6.5]RE[W+3.5]BR[3k]WR[2d]",  # passes, two moves of one colour, a capture
           b";B[cc];B[dd];W[];W[ee];B[ff];W[dc];B[];W[cb];B[ec];W[bc];B[gg];W[cd];W[tt]")
HANDICAP = game(b"HA[2]KM[0.5]RE[B+R]", b";W[cc];B[dd];W[ee]")  # fixed stones, no AB
ANY = Filters(size=None, min_moves=0)


def random_games(count, size=9, seed=0, moves=(30, 70)):
    """SGF bytes of random games of sensible moves (some passes), with results."""
    rng = random.Random(seed)
    out = {}
    for i in range(count):
        board = Board(size, superko=False)
        for _ in range(rng.randint(*moves)):
            options = board.sensible_points()
            board.play(PASS if not options or rng.random() < 0.03 else rng.choice(options))
        out[f"g{i:03d}.sgf"] = sgf.write_game(board, result=rng.choice(["B+R", "W+2.5", "0", "?"]))
    return out


@pytest.fixture(scope="module")
def store9(tmp_path_factory):
    folder = write(tmp_path_factory.mktemp("g9") / "games", random_games(40))
    store, _ = build_store([folder], tmp_path_factory.mktemp("s") / "s.npz",
                           Filters(size=9, min_moves=0), val=0.1, test=0.1)
    return load_store(store.path)


# --- the store ---------------------------------------------------------------------------------

def test_store_round_trip(tmp_path):
    folder = write(tmp_path / "src", {"odd.sgf": ODD, "hcp.sgf": HANDICAP})
    sources = [DATA / "kgs-handicap.sgf", DATA / "pro-setup.sgf", DATA / "pro-9x9.sgf", folder]
    _, report = build_store(sources, tmp_path / "s.npz", ANY)
    assert report["games"] == 5 and report["rejected"] == report["filtered"] == 0
    store = load_store(tmp_path / "s.npz")
    with np.load(tmp_path / "s.npz", allow_pickle=False) as z:
        assert z["moves"].dtype == np.int16 and z["colors"].dtype == np.int8
        assert z["key"].shape == (5, 16) and z["komi"].dtype == np.float32
    originals = [r for r in sgf_sources.iter_sources(sources)]
    assert [store.name(i) for i in range(5)] == [r.source for r in originals]
    for i, original in enumerate(originals):
        back = store.record(i)
        assert back.moves == original.moves and back.size == original.size
        assert bytes(store.key[i]) == sgf.game_key(original)
        assert back.winner == original.winner and back.margin == original.margin
        assert back.komi == original.komi and back.win_by == original.win_by
        a, b = sgf.replay(original), sgf.replay(back)
        assert a.diagram() == b.diagram() and a.setup_stones == b.setup_stones
    odd = store.record(4)
    assert [c for c, _ in odd.moves][:4] == [BLACK, BLACK, WHITE, WHITE] and odd.moves[2][1] is None
    assert (odd.black_rank, odd.white_rank) == ("3k", "2d")
    moves, colors = store.game_moves(4)
    assert moves[2] == 81 and moves[-1] == 81 and colors[1] == BLACK
    assert sgf.replay(odd).prisoners(WHITE) == 1
    hcp = store.record(3)
    assert hcp.handicap == 2 and len(hcp.setup_black) == 2 and not hcp.setup_white  # placed stones
    assert store.handicap[0] == 3 and len(store.game_setup(0)[0]) == 3
    assert store.record(1).setup_white and store.handicap[1] == 0  # old Chinese 4-stone opening
    assert np.isnan(store.komi[1]) and store.winner[1] == 1 and store.margin[1] == 14


def test_ranks_and_split():
    assert [rank_code(r) for r in ("30k", "1k", "1d", "6d", "9d", "1p", "9p", "", None, "?")] == \
        [1, 30, 31, 36, 39, 51, 59, 0, 0, 0]
    assert all(rank_name(rank_code(r)) == r for r in ("5k", "7d", "3p"))
    keys = [bytes(random.Random(i).getrandbits(8) for _ in range(16)) for i in range(4000)]
    splits = np.array([split_of(k, val=0.1, test=0.05) for k in keys])
    assert 0.03 < (splits == 2).mean() < 0.07 and 0.08 < (splits == 1).mean() < 0.12
    assert [split_of(k, 0.1, 0.05) for k in keys] == splits.tolist()


def test_filters_dedupe_and_split_by_key(tmp_path):
    files = {
        "a.sgf": game(b"BR[7d]WR[6d]", b";B[cc];W[gg];B[cg];W[gc]"),
        "a_again.sgf": game(b"BR[1k]WR[1k]PB[x]", b";B[cc];W[gg];B[cg];W[gc]"),  # duplicate
        "pro.sgf": game(b"BR[9p]WR[1p]", b";B[ee];W[gg];B[cg];W[gc]"),
        "weak.sgf": game(b"BR[7d]WR[5d]", b";B[dd];W[gg];B[cg];W[gc]"),
        "unranked.sgf": game(b"BR[7d]", b";B[ff];W[gg];B[cg];W[gc]"),
        "hcp.sgf": game(b"HA[2]AB[cc][gg]BR[6d]WR[8d]", b";W[ee];B[cg];W[gc];B[dd]"),
        "short.sgf": game(b"BR[7d]WR[7d]", b";B[cc]"),
        "big.sgf": game(b"BR[7d]WR[7d]", b";B[cc];W[gg];B[cg];W[gc]", size=13),
    }
    folder = write(tmp_path / "src", files)
    build = lambda **kw: build_store([folder], filters=Filters(**kw))[1]  # noqa: E731
    r = build(size=9, min_moves=2)
    assert r["games"] == 5 and r["filtered_by"] == {"too few moves": 1, "board size": 1, "duplicate": 1}
    r = build(size=9, min_moves=2, min_rank="6d")
    assert r["games"] == 3 and r["filtered_by"]["rank"] == 3  # a_again, weak, unranked
    assert r["filtered_by"].get("duplicate", 0) == 0
    assert build(size=9, min_moves=2, min_rank="6d", allow_unranked=True)["games"] == 4
    assert build(size=9, min_moves=2, handicap="even")["games"] == 4
    assert build(size=9, min_moves=2, handicap="handicap")["games"] == 1
    assert build(size=13, min_moves=0)["games"] == 1
    assert build(size=None, min_moves=0)["games"] == 7
    # the split is a function of the key alone, whatever the order or company of the games
    store, _ = build_store([folder], filters=Filters(size=None, min_moves=0), val=0.3, test=0.3)
    alone, _ = build_store([folder / "pro.sgf", folder / "big.sgf"], filters=ANY, val=0.3, test=0.3)
    splits = {bytes(k): s for k, s in zip(store.key, store.split)}
    assert all(splits[bytes(k)] == s for k, s in zip(alone.key, alone.split))
    assert all(s == split_of(k, 0.3, 0.3) for k, s in zip(store.key, store.split))
    again, _ = build_store([folder], filters=Filters(size=None, min_moves=0), val=0.3, test=0.3)
    assert (again.split == store.split).all() and store.fingerprint == again.fingerprint


def test_corrupt_records_are_reported_and_skipped(tmp_path, capsys):
    from cli.main import main
    folder = write(tmp_path / "src", {
        "good.sgf": game(b"", b";B[cc];W[gg]"),
        "corrupt.sgf": b"(;GM[1]SZ[9];B[cc];W[",
        "illegal.sgf": game(b"", b";B[ee];W[ee]"),
        "offboard.sgf": game(b"", b";B[zz]"),
    })
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["data", str(folder), "--out", str(tmp_path / "s.npz"), "--size", "9",
                       "--min-moves", "1", "--workers", "2", "--json"])
    assert status == 0
    report = json.loads(out.getvalue())
    assert (report["games_read"], report["games"], report["rejected"]) == (4, 1, 3)
    assert set(report["rejections"]) == {"parse error", "illegal move: occupied", "bad coordinate"}
    assert report["rejections"]["illegal move: occupied"]["examples"][0]["source"].endswith("illegal.sgf")
    assert report["bytes"] == (tmp_path / "s.npz").stat().st_size
    with redirect_stdout(io.StringIO()) as info:
        assert main(["data", "--info", str(tmp_path / "s.npz")]) == 0
    assert json.loads(info.getvalue())["games"] == 1


# --- the sampler ---------------------------------------------------------------------------

def reference_planes(store, game, move_number, value_planes=False):
    """The planes of a store position through the Python board and gogo.features.Encoder."""
    record = store.record(game)
    board = sgf.replay(record, moves=move_number)
    board.to_move = record.moves[move_number][0]
    return Encoder(record.size, value_net=value_planes).encode(board)


def test_numba_replay_agrees_with_the_board(tmp_path):
    store, _ = build_store([DATA / "kgs-handicap.sgf", write(tmp_path, {"o.sgf": ODD})], filters=ANY)
    for g in range(2):
        n = int(store.size[g])
        grid, meta = rules.new_position(n)
        empty = (grid.copy(), meta.copy())
        moves, colors = store.game_moves(g)
        points, setup_colors = store.game_setup(g)
        for upto in range(0, len(moves) + 1, 7):
            assert replay_into(grid, meta, *empty, moves, colors, points, setup_colors, n, upto)
            board = sgf.replay(store.record(g), moves=upto)
            assert (grid == board.position.grid).all()
            keep = np.arange(len(meta)) != rules.TO_MOVE
            assert (meta[keep] == board.position.meta[keep]).all()
    grid, meta = rules.new_position(19)
    bad = store.moves.copy()
    bad[1] = bad[0]  # a stone on an occupied point
    assert not replay_into(grid, meta, grid.copy(), meta.copy(), bad, store.colors, points[:0],
                           setup_colors[:0], 19, 5)


def test_sampler_planes_equal_the_encoder(tmp_path):
    store, _ = build_store([DATA / "kgs-handicap.sgf", DATA / "pro-setup.sgf"], filters=ANY,
                           val=0, test=0)
    sampler = PositionSampler(store, split="train", batch_size=50, shuffle=False, symmetries=False,
                              value_planes=True, include_passes=True, epochs=1, drop_last=False)
    seen = 0
    for batch in sampler:
        assert batch.planes.shape[1:] == (49, 19, 19) and batch.planes.dtype == np.uint8
        for k in range(len(batch.moves)):
            g, m = int(batch.games[k]), int(batch.move_numbers[k])
            if m % 3 == 0 or m < 12:
                assert (batch.planes[k] == reference_planes(store, g, m, True)).all(), (g, m)
            assert batch.moves[k] == store.game_moves(g)[0][m]
            color = store.game_moves(g)[1][m]
            assert batch.results[k] == store.winner[g] * (1 if color == BLACK else -1)
            assert batch.planes[k, F.PLAYER_COLOR].all() == (color == BLACK)
        seen += len(batch.moves)
    assert seen == store.num_moves == 217 + 260
    assert sampler.state_dict()["position"] == seen


def test_symmetries_apply_to_planes_and_moves(store9):
    table = move_symmetry_table(9)
    gather = gather_table(9)
    planes = np.arange(2 * 81).reshape(2, 9, 9)
    for s in range(8):
        assert (planes.reshape(2, 81)[:, gather[s]] == transform_planes(planes, s).reshape(2, 81)).all()
    sampler = PositionSampler(store9, batch_size=64, seed=5)
    batch = next(sampler)
    assert len(set(batch.symmetries.tolist())) > 4
    for k in range(0, 64, 3):
        g, m, s = int(batch.games[k]), int(batch.move_numbers[k]), int(batch.symmetries[k])
        plain = reference_planes(store9, g, m)
        assert (batch.planes[k] == transform_planes(plain, s)).all()
        assert (transform_planes(batch.planes[k], inverse_symmetry(s)) == plain).all()
        move = int(store9.game_moves(g)[0][m])
        assert batch.moves[k] == table[s, move]
        assert batch.planes[k, F.EMPTY_POINTS].reshape(-1)[batch.moves[k]] == 1
        after = batch.planes[k, F.LIBERTIES_AFTER:F.LIBERTIES_AFTER + 8].reshape(8, -1)
        assert after[:, batch.moves[k]].sum() == 1  # a legal move there


def test_passes_are_left_out_unless_asked(store9):
    pass_move = 81
    total = sum(int((store9.game_moves(g)[0] != pass_move).sum()) for g in store9.games("train"))
    sampler = PositionSampler(store9, batch_size=16, epochs=1, drop_last=False)
    batches = list(sampler)
    assert sum(len(b.moves) for b in batches) == total == sampler.positions_per_epoch
    assert all((b.moves != pass_move).all() for b in batches)
    pairs = {(int(g), int(m)) for b in batches for g, m in zip(b.games, b.move_numbers)}
    assert len(pairs) == total  # every position exactly once per epoch
    assert len(sampler) == len(batches)
    sampler.reset()  # e.g. a validation pass run again
    assert all(same(a, b) for a, b in zip(sampler, batches))


@pytest.mark.parametrize("workers", [0, 2])
def test_a_corrupt_store_is_caught(store9, workers):
    store = load_store(store9.path)
    game = store.games("train")[0]
    moves, _ = store.game_moves(game)
    moves[5] = moves[4]  # a stone on an occupied point
    sampler = PositionSampler(store, batch_size=8, shuffle=False, workers=workers)
    with pytest.raises((GogoError, RuntimeError), match="does not replay"):
        next(sampler)
    sampler.close()


def test_data_workers_die_on_one_sigterm_under_a_clean_stop(store9):
    # multiprocessing's exit sends its daemon workers one SIGTERM and waits: a worker that kept the
    # trainer's clean-stop handler lived on, and a run that raised hung instead of exiting

    with StopRequest():
        sampler = PositionSampler(store9, batch_size=8, workers=1)
        next(sampler)
        workers = multiprocessing.active_children()
        assert workers
        for worker in workers:
            worker.terminate()
            worker.join(10)
            assert worker.exitcode is not None
    sampler.close()


def test_one_position_per_game(store9):
    train = store9.games("train")
    sampler = PositionSampler(store9, batch_size=8, one_per_game=True, epochs=3, drop_last=False)
    batches = list(sampler)
    games = np.concatenate([b.games for b in batches])
    numbers = np.concatenate([b.move_numbers for b in batches])
    assert len(games) == 3 * len(train)
    for epoch in range(3):
        part = slice(epoch * len(train), (epoch + 1) * len(train))
        assert sorted(games[part].tolist()) == sorted(train.tolist())
    first = dict(zip(games[:len(train)].tolist(), numbers[:len(train)].tolist()))
    second = dict(zip(games[len(train):2 * len(train)].tolist(), numbers[len(train):2 * len(train)].tolist()))
    assert first != second  # a new position per game each epoch
    assert sampler.state_dict()["epoch"] == 3


def same(a, b):
    return all((x is None and y is None) or (x is not None and y is not None and (x == y).all())
               for x, y in zip(a, b))


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_gives_the_same_batches(store9, workers):
    options = dict(batch_size=32, seed=11, block_games=8, chunk_size=64, workers=workers)
    reference = PositionSampler(store9, **options)
    expected = [next(reference) for _ in range(60)]  # more than one epoch
    reference.close()
    assert reference.state_dict()["epoch"] >= 1
    for k in (0, 7, 45):
        first = PositionSampler(store9, **options)
        for _ in range(k):
            next(first)
        state = json.loads(json.dumps(first.state_dict()))  # as a checkpoint would keep it
        first.close()
        resumed = PositionSampler(store9, **options)
        resumed.load_state_dict(state)
        got = [next(resumed) for _ in range(8)]
        resumed.close()
        assert all(same(a, b) for a, b in zip(got, expected[k:k + 8]))
    # the stream does not depend on the workers or the chunk size
    other = PositionSampler(store9, **{**options, "workers": 0, "chunk_size": 32})
    assert all(same(next(other), b) for b in expected[:20])
    with pytest.raises(GogoError, match="another stream"):
        PositionSampler(store9, **{**options, "seed": 12}).load_state_dict(state)
