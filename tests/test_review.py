"""`gogo review` on a real game (a professional 9x9 game from the shared expert data): the
reviewed SGF opens in sgfmill with a comment on every move and gogo's lines as variations, and
the PNG holds the graph; and the review's winrates and drops, position by position."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from sgfmill import sgf as sgfmill_sgf

from cli.main import main as gogo
from gogo.go.board import BLACK, WHITE
from gogo.players.search import SearchPlayer
from gogo.records import sgf
from gogo.review.game import biggest_drops, review_moves, review_positions
from npm_packages import npm_install

GAME = Path(__file__).resolve().parent / "data" / "pro-9x9.sgf"
SABAKI_SGF = Path(__file__).resolve().parent / "js" / "sabaki_sgf.js"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    status = gogo(["review", str(GAME), "--out", str(out / "reviewed.sgf"), "--visits", "24",
                   "--png", str(out / "graph.png"), "--quiet"])
    assert status == 0
    return out


def test_the_reviewed_sgf_has_a_comment_on_every_move_and_gogos_lines(reviewed):
    game = sgfmill_sgf.Sgf_game.from_bytes((reviewed / "reviewed.sgf").read_bytes())
    nodes = game.get_main_sequence()
    original = sgf.read_game(GAME)
    assert [node.get_move() for node in nodes[1:]] == [("b" if c == BLACK else "w", p) for c, p in original.moves]
    assert nodes[0].get("C").startswith("Reviewed by gogo") and "Biggest drops" in nodes[0].get("C")
    assert nodes[0].get("PB") == "Izumo Tetsuya" and nodes[0].get("RE") == "W+T"
    assert all("Black's winrate after the move" in node.get("C") for node in nodes[1:])
    variations = [node[1] for node in nodes[:-1] if len(node) > 1]
    assert variations, "gogo never preferred another move"
    for line in variations:
        assert line.get("C").startswith("gogo's line")
        colour, point = line.get_move()
        parent = line.parent
        played = parent[0].get_move()
        assert colour == played[0] and point != played[1]  # the same player's alternative to the move
    assert sgf.read_game((reviewed / "reviewed.sgf").read_bytes()).moves == original.moves  # main line kept


def test_sabaki_reads_the_comments_and_the_variations(reviewed, tmp_path):
    """Through Sabaki's own SGF parser, @sabaki/sgf from npm."""
    node_modules = npm_install(tmp_path, "@sabaki/sgf@3")
    done = subprocess.run(["node", str(SABAKI_SGF), str(reviewed / "reviewed.sgf")], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "NODE_PATH": str(node_modules)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert len(seen["main"]) == 51 and seen["main"][0]["comment"].startswith("Reviewed by gogo")
    assert all(node["comment"].startswith("Black's winrate after the move") for node in seen["main"][1:])
    assert seen["variations"] and all(v["comment"].startswith("gogo's line") for v in seen["variations"])
    for variation in seen["variations"]:
        played = seen["main"][variation["after"] + 1]
        assert variation["move"] != played["move"][0]
        assert "gogo preferred" in played["comment"]


def test_the_png_holds_the_graph(reviewed):
    data = (reviewed / "graph.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_the_review_position_by_position():
    record = sgf.read_game(b"(;GM[1]SZ[9]KM[7];B[ee];W[aa];B[cc];W[ii])")
    positions = review_positions(record, SearchPlayer(seed=1, mixing=0.0, uniform_rollouts=True), visits=32)
    assert len(positions) == 5 and all(0 <= p.black_winrate <= 1 for p in positions)
    assert [p.to_move for p in positions] == [BLACK, WHITE, BLACK, WHITE, BLACK]
    assert all(p.visits >= 32 and p.pv[0] == p.best for p in positions)
    moves = review_moves(record, positions)
    assert moves[1].drop == pytest.approx(positions[2].black_winrate - positions[1].black_winrate)
    assert moves[1].drop > 0.02  # W A9, the corner point, is a mistake even at 32 visits
    assert biggest_drops(moves, at_least=-1)[0].drop == max(m.drop for m in moves)


def test_a_game_that_does_not_replay_is_an_error(tmp_path, capsys):
    bad = tmp_path / "bad.sgf"
    bad.write_bytes(b"(;GM[1]SZ[9];B[ee];W[ee])")
    assert gogo(["review", str(bad), "--out", str(tmp_path / "out.sgf")]) == 2
    assert "move 2 (W at E5): occupied" in capsys.readouterr().err
    assert not (tmp_path / "out.sgf").exists()
