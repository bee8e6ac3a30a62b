"""GTP analysis: lz-analyze / analyze streaming until new input, lz-genmove_analyze, heatmaps."""
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from gogo import nets
from gogo.players.search import SearchPlayer
from gogo.gtp.engine import GtpEngine

INFO = re.compile(r"move ([A-HJ-T]\d+|pass) visits (\d+) winrate (\d+) prior (\d+) lcb (\d+) "
                  r"order (\d+) pv ([A-HJ-T0-9 pas]+)")


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("nets") / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), path)
    return path


def engine_with_search(weights, visits=40):
    return GtpEngine(SearchPlayer(weights, visits=visits, device="cpu", seed=1), size=9)


def stops_after(updates):
    calls = iter(range(updates))
    return lambda: next(calls, None) is None


def test_lz_analyze_streams_info_lines_until_interrupted(weights):
    engine = engine_with_search(weights)
    engine.handle("play b e5")
    response = engine.handle("7 lz-analyze w 0", interrupted=stops_after(30))
    assert response.startswith("=7 \n") and response.endswith("\n\n")
    lines = response.splitlines()[1:-1]
    assert lines and all(line.startswith("info move ") for line in lines)
    moves = [INFO.fullmatch(part.strip()) for part in lines[-1].split("info ")[1:]]
    assert moves and all(moves)
    visits = [int(m.group(2)) for m in moves]
    assert visits == sorted(visits, reverse=True) and [int(m.group(6)) for m in moves] == list(range(len(moves)))
    assert all(0 <= int(m.group(3)) <= 10000 and int(m.group(5)) <= int(m.group(3)) for m in moves)
    assert "E5" not in [m.group(1) for m in moves]
    assert engine.handle("showboard").startswith("= ")  # the engine answers normally afterwards


def test_genmove_analyze_plays_its_move(weights):
    engine = engine_with_search(weights, visits=24)
    response = engine.handle("lz-genmove_analyze b 1", interrupted=lambda: False)
    assert response.endswith("\n\n")
    lines = response.splitlines()[:-1]
    assert lines[0] == "= " and lines[-1].startswith("play ")
    assert all(line.startswith("info move ") for line in lines[1:-1])
    move = lines[-1].split()[1]
    assert engine.handle("list_stones black") == f"= {move}\n\n"
    assert engine.handle("genmove_analyze").startswith("? ")  # a colour is required


def test_gogui_heatmaps(weights):
    engine = engine_with_search(weights)
    commands = engine.handle("gogui-analyze_commands")[2:].split()
    assert "gfx/Policy" in commands[0]
    for command in ("gogo-policy_heatmap", "gogo-visit_heatmap"):
        engine.handle("lz-analyze b 0", interrupted=stops_after(5))
        body = engine.handle(command)
        assert body.startswith("= ")
        assert all(re.fullmatch(r"COLOR #[0-9a-f]{6} [A-HJ-T]\d", line) for line in body[2:].split("\n") if line)


def test_analysis_over_the_wire_stops_on_new_input(weights):
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "gtp", "--weights", str(weights), "--visits",
                                "1000", "--size", "9"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, bufsize=1)
    process.stdin.write("lz-analyze b 10\n")
    process.stdin.flush()
    assert process.stdout.readline() == "= \n"
    first = process.stdout.readline()
    assert first.startswith("info move ")
    time.sleep(0.5)
    process.stdin.write("name\n")
    process.stdin.flush()
    line = first
    while line.strip():  # info lines until the empty line that ends the analysis
        line = process.stdout.readline()
    assert process.stdout.readline() == "= gogo\n"
    process.stdin.write("quit\n")
    process.stdin.flush()
    assert process.wait(timeout=30) == 0


def test_lizzie_sequence(tmp_path):
    """What Lizzie sends: lz-analyze with only an interval, after every move."""
    torch.manual_seed(0)
    path = tmp_path / "policy19.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=19)), path)
    engine = GtpEngine(SearchPlayer(path, visits=16, device="cpu", seed=1), size=19)
    for line in ["name", "version", "boardsize 19", "komi 7.5", "clear_board"]:
        assert engine.handle(line).startswith("= ")
    for move in ["B Q16", "W D4", "B Q4"]:
        assert engine.handle(f"play {move}") == "= \n\n"
        response = engine.handle("lz-analyze 10", interrupted=stops_after(20))
        assert response.startswith("= \n") and "info move " in response
    assert engine.handle("genmove w").startswith("= ")


def test_q5go_sequence(weights):
    """What q5Go sends: numbered commands and known_command checks before using extensions."""
    engine = engine_with_search(weights)
    script = [("1 protocol_version", "=1 2"), ("2 name", "=2 gogo"), ("3 known_command lz-analyze", "=3 true"),
              ("4 known_command kata-analyze", "=4 false"), ("5 boardsize 9", "=5 "), ("6 clear_board", "=6 "),
              ("7 komi 7.5", "=7 "), ("8 play B C3", "=8 ")]
    for command, answer in script:
        assert engine.handle(command) == answer + "\n\n", command
    response = engine.handle("9 lz-analyze W 50", interrupted=stops_after(10))
    assert response.startswith("=9 \n") and response.endswith("\n\n")
    assert engine.handle("10 genmove W").startswith("=10 ")


def test_pondering_thinks_on_the_opponents_time_and_the_tree_is_reused(weights):
    engine = engine_with_search(weights, visits=30)
    engine.pondering = True
    assert engine.handle("genmove b").startswith("= ")
    engine.ponder(interrupted=stops_after(20))  # White to move: the search reads White's options
    search = engine.player.search
    assert search.visits > 30
    children = search.children()
    white_reply = int(children.moves[np.argmax(children.visits)])
    engine.handle(f"play w {engine.board.vertex(white_reply)}")
    assert search.reuse(engine.board) > 0  # Black's next search starts from the pondered subtree
