"""gogo against GNU Go 3.8 over GTP: handicap placement, a rules differential, a full game.

Skipped when GNU Go is not installed (CI installs it; locally: apt-get install gnugo, or set
$GNUGO). The differential plays GOGO_DIFF_GAMES games (default 50, half 9x9 and half 19x19)
from seed GOGO_DIFF_SEED (default 1); tools/gnugo_diff.py runs the same code from the command
line for any number of games.
"""
import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from gogo.go.board import max_fixed_handicap
from gogo.gtp.engine import GtpEngine
from gogo.records import sgf
from gogo.gtp.client import GtpClient, gnugo_path
from selfplay.match import run_match

ROOT = Path(__file__).resolve().parent.parent
GNUGO = gnugo_path()
GOGO = [shutil.which("gogo")] if shutil.which("gogo") else [sys.executable, "-m", "cli.main"]
SCORE = re.compile(r"^(0|[BW]\+\d+(\.\d+)?)$")

pytestmark = pytest.mark.skipif(
    GNUGO is None, reason="GNU Go not found: install gnugo (/usr/games/gnugo) or set $GNUGO")


def load_tool(name):
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gnugo():
    client = GtpClient([GNUGO, "--mode", "gtp"])
    ok, version = client.send("version")
    assert ok
    yield client
    client.close()


def test_fixed_handicap_vertices_match_gnugo(gnugo):
    engine = GtpEngine(size=9)
    for size in range(7, 20):
        for n in range(1, max_fixed_handicap(size) + 2):
            ours = []
            for command in (f"boardsize {size}", "clear_board", f"fixed_handicap {n}"):
                response = engine.handle(command)
                ours.append((response[0] == "=", response[2:].strip()))
            theirs = gnugo.send_many([f"boardsize {size}", "clear_board", f"fixed_handicap {n}"])
            (ok1, a), (ok2, b) = ours[-1], theirs[-1]
            legal = 2 <= n <= max_fixed_handicap(size)
            assert ok1 == ok2 == legal, (size, n, a, b)
            if legal:
                assert sorted(a.split()) == sorted(b.split()), (size, n, a, b)
                ok, stones = gnugo.send("list_stones black")
                assert sorted(stones.split()) == sorted(a.split())


def test_differential_random_games():
    tool = load_tool("gnugo_diff")
    games = int(os.environ.get("GOGO_DIFF_GAMES", 50))
    seed = int(os.environ.get("GOGO_DIFF_SEED", 1))
    stats = tool.run_games(games, sizes=(9, 19), seed=seed, gnugo=GNUGO)
    summary = stats.as_dict()
    print({k: v for k, v in summary.items() if k != "disagreement_details"})
    assert not stats.disagreements, stats.disagreements[0]
    assert sum(stats.games.values()) == games
    if games >= 50:  # every kind of illegal attempt was really tried
        for kind in ("occupied", "suicide", "ko", "superko"):
            assert stats.attempts[kind] > 0, kind
        assert stats.handicap_games > 0 and stats.eye_fills > 0
    assert stats.superko_undos == stats.attempts["superko"]


def test_full_games_against_gnugo_through_the_match_referee(tmp_path):
    gogo = GOGO + ["gtp", "--random", "--seed", "1"]
    summary = run_match(gogo, [GNUGO, "--mode", "gtp", "--level", "1"], games=2, size=9,
                        sgf_dir=tmp_path, parallel=2, opening_moves=3)
    assert summary["games"] == 2 and [g["a_color"] for g in summary["games_detail"]] == ["black", "white"]
    for detail in summary["games_detail"]:
        assert detail["end"] in ("passes", "resign"), detail
        assert SCORE.match(detail["result"]) or detail["result"] in ("B+R", "W+R"), detail
        # the record holds the game as played, with its result, and loads back into the engine
        path = tmp_path / f"game-{detail['index']:04d}.sgf"
        record = sgf.read_game(path)
        assert len(record.moves) == detail["moves"] and record.result == detail["result"]
        assert {record.black_player, record.white_player} == {"gogo", "GNU Go"}
        assert GtpEngine(size=19).handle(f"loadsgf {path}") == "= \n\n"
    openings = [sgf.read_game(tmp_path / f"game-{i:04d}.sgf").moves[:3] for i in range(2)]
    assert openings[0] == openings[1] and len(openings[0]) == 3  # one opening, each engine Black once
    a_won = [d["result"][0] == d["a_color"][0].upper() for d in summary["games_detail"]]
    assert summary["a_wins"] == sum(a_won)
    # random play against GNU Go: GNU Go wins both
    assert summary["a_wins"] == 0, summary
