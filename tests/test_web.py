"""The web board's server (gogo.web) through Starlette's test client, no browser: the page and its
assets, a game against the engine with live analysis, SGF upload and download, a review, and the
bad input a server left running must survive: an illegal move, a malformed SGF, a 10 MB body, a
socket closed mid-analysis, messages that are not what the page sends."""
import re
import time
import warnings
from pathlib import Path

import pytest
from sgfmill import sgf as sgfmill_sgf

from gogo.players.search import SearchPlayer
from gogo.records import sgf
from gogo.web.app import MAX_SGF_BYTES, STATIC, create_app

with warnings.catch_warnings():  # Starlette 1.x warns that its test client will move off httpx
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

GAME = Path(__file__).resolve().parent / "data" / "pro-9x9.sgf"


@pytest.fixture(scope="module")
def client():
    app = create_app(lambda: SearchPlayer(seed=1, mixing=0.0, uniform_rollouts=True))
    with TestClient(app) as client:
        yield client


def receive_until(socket, done, limit=500):
    """Messages up to the first for which done(message) holds; that one is the last. An error
    message that is not the one awaited fails the test."""
    messages = []
    while len(messages) < limit:
        messages.append(socket.receive_json())
        if done(messages[-1]):
            return messages
        assert messages[-1]["type"] != "error", messages[-1]["message"]
    raise AssertionError(f"no such message in {limit}: {[m['type'] for m in messages]}")


def is_state(message, **fields):
    return message["type"] == "state" and all(message[k] == v for k, v in fields.items())


def new_game(socket, **settings):
    """Start a game (40 visits a move unless told) and return its first state."""
    settings = {"type": "new", "size": 9, "komi": 7, "engine": "white", "visits": 40, **settings}
    socket.send_json(settings)
    return receive_until(socket, lambda m: is_state(m, moves=[], size=settings["size"], engine=settings["engine"])
                         and m["strength"]["visits"] == settings["visits"])[-1]


def test_the_page_and_its_assets_need_no_internet(client):
    page = client.get("/")
    assert page.status_code == 200 and "<svg id=\"board\"" in page.text
    for asset in STATIC.iterdir():
        response = client.get(f"/static/{asset.name}")
        assert response.status_code == 200
        external = [url for url in re.findall(r"https?://[^\s\"'`)]+", response.text) if "www.w3.org" not in url]
        assert not external, f"{asset.name} loads {external}"


def test_a_move_is_answered_by_the_engine_with_its_analysis_on_the_way(client):
    with client.websocket_connect("/ws") as socket:
        first = socket.receive_json()
        assert first["type"] == "state" and first["nets"]
        new_game(socket)
        socket.send_json({"type": "play", "row": 4, "col": 4})
        messages = receive_until(socket, lambda m: is_state(m, thinking=False) and len(m["moves"]) == 2)
        kinds = [m["type"] for m in messages]
        assert "policy" in kinds and "analysis" in kinds
        analysis = [m for m in messages if m["type"] == "analysis"][-1]
        assert analysis["visits"] >= 40 and 0 <= analysis["black_winrate"] <= 1
        assert analysis["pv"][0]["vertex"] == analysis["candidates"][0]["vertex"] == messages[-1]["moves"][1]
        policy = next(m for m in messages if m["type"] == "policy")
        assert abs(sum(p for _, _, p in policy["points"]) - 1) < 0.05
        assert messages[-1]["black"] == [[4, 4]] and messages[-1]["last"] == messages[-1]["white"][0]


def test_undo_takes_back_the_engines_move_too_and_pass_and_resign_end_the_game(client):
    with client.websocket_connect("/ws") as socket:
        new_game(socket)
        socket.send_json({"type": "play", "row": 2, "col": 2})
        receive_until(socket, lambda m: is_state(m, thinking=False) and len(m["moves"]) == 2)
        socket.send_json({"type": "undo"})
        assert receive_until(socket, lambda m: m["type"] == "state")[-1]["moves"] == []
        socket.send_json({"type": "resign"})
        assert receive_until(socket, lambda m: m["type"] == "state")[-1]["result"] == "W+R"


class HopelessRule:
    """A resign rule that finds every position lost."""

    def hopeless(self, board, value, trusted=True):
        return True

    def reset(self):
        pass


def test_gogo_resigns_when_its_resign_rule_says_so(client):
    with client.websocket_connect("/ws") as socket:
        new_game(socket)
        (game,) = client.app.state.games.values()
        game.player.resign_rule = HopelessRule()
        socket.send_json({"type": "play", "row": 4, "col": 4})
        state = receive_until(socket, lambda m: m["type"] == "state" and m["result"] is not None)[-1]
        assert state["result"] == "B+R" and state["moves"] == ["E5"]


def test_handicap_and_a_board_size_without_nets(client):
    with client.websocket_connect("/ws") as socket:
        state = new_game(socket, size=13, handicap=4, engine="white")
        assert len(state["black"]) == 4 and state["to_move"] == "W" and not state["nets"]
        assert not state["search"]  # these tests play without the rollout policy: random moves
        state = receive_until(socket, lambda m: is_state(m, thinking=False) and len(m["moves"]) == 1)[-1]
        assert len(state["white"]) == 1


def test_an_illegal_move_is_an_error_message_and_changes_nothing(client):
    with client.websocket_connect("/ws") as socket:
        new_game(socket, engine="off")
        socket.send_json({"type": "play", "row": 4, "col": 4})
        receive_until(socket, lambda m: is_state(m, moves=["E5"]))
        socket.send_json({"type": "play", "row": 4, "col": 4})
        messages = receive_until(socket, lambda m: m["type"] == "error")
        assert "illegal move: E5 for W (occupied)" in messages[-1]["message"]
        socket.send_json({"type": "play", "row": 9, "col": 0})  # off the 9x9 board
        assert "off" in receive_until(socket, lambda m: m["type"] == "error")[-1]["message"]
        socket.send_json({"type": "goto", "move": 0})
        assert receive_until(socket, lambda m: m["type"] == "state")[-1]["moves"] == ["E5"]


def test_messages_the_page_never_sends_are_errors_and_the_socket_serves_on(client):
    with client.websocket_connect("/ws") as socket:
        socket.receive_json()
        socket.send_text("{not json")
        assert "not JSON" in receive_until(socket, lambda m: m["type"] == "error")[-1]["message"]
        for bad in ({"type": "explode"}, ["play"], {"type": "play", "row": "x"}, {"type": "new", "size": 25, "komi": 7},
                    {"type": "new", "size": 9, "komi": "nan"}, {"type": "goto", "move": 99}):
            socket.send_json(bad)
            receive_until(socket, lambda m: m["type"] == "error")
        new_game(socket)


def test_load_step_save_and_read_back(client):
    with client.websocket_connect("/ws") as socket:
        game = socket.receive_json()["game"]
        response = client.post(f"/api/games/{game}/sgf", content=GAME.read_bytes())
        assert response.status_code == 200 and response.json() == {"moves": 50}
        state = receive_until(socket, lambda m: is_state(m, cursor=0))[-1]
        assert len(state["moves"]) == 50 and state["engine"] == "off"
        socket.send_json({"type": "goto", "move": 20})
        receive_until(socket, lambda m: is_state(m, cursor=20))
        saved = client.get(f"/api/games/{game}/sgf")
        assert saved.headers["content-disposition"].startswith("attachment")
        assert sgf.read_game(saved.content).moves == sgf.read_game(GAME).moves


def test_a_malformed_sgf_is_refused_with_the_reason(client):
    with client.websocket_connect("/ws") as socket:
        game = socket.receive_json()["game"]
        for data, reason in ((b"(;GM[1]SZ[9];B[ee];W[ee])", "move 2 (W at E5): occupied"),
                             (b"not an sgf at all", "does not parse"), (b"(;SZ[9];B[zz])", "not a point")):
            response = client.post(f"/api/games/{game}/sgf", content=data)
            assert response.status_code == 400 and reason in response.json()["error"]
        assert client.get(f"/api/games/{game}/sgf").status_code == 200


def test_a_10_mb_body_is_refused_and_the_server_serves_on(client):
    with client.websocket_connect("/ws") as socket:
        game = socket.receive_json()["game"]
        response = client.post(f"/api/games/{game}/sgf", content=b"(;" + b" " * (10 << 20) + b")")
        assert response.status_code == 413 and "10.0 MiB" in response.json()["error"]
        assert 10 << 20 > MAX_SGF_BYTES
        assert client.get("/").status_code == 200
        new_game(socket)


def test_an_unknown_game_is_404(client):
    assert client.get("/api/games/nope/sgf").status_code == 404
    assert client.post("/api/games/nope/sgf", content=b"(;)").status_code == 404


def test_a_socket_closed_mid_analysis_cancels_the_search(client):
    games = client.app.state.games
    with client.websocket_connect("/ws") as socket:
        new_game(socket, engine="off")
        socket.send_json({"type": "analyse", "on": True})
        receive_until(socket, lambda m: m["type"] == "analysis")
        game = next(iter(games.values()))
        task = game.task
        assert task is not None and not task.done()
    deadline = time.monotonic() + 10
    while (games or not task.done()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not games and task.done() and game.cancel.is_set()
    assert game.player.search.visits < 5000  # stopped, not searched to the end
    with client.websocket_connect("/ws") as socket:
        new_game(socket)


def test_a_review_streams_its_progress_then_the_graph(client):
    with client.websocket_connect("/ws") as socket:
        game = socket.receive_json()["game"]
        short = b"(;GM[1]SZ[9]KM[7];B[ee];W[gc];B[cg];W[gg];B[cc];W[fe])"
        client.post(f"/api/games/{game}/sgf", content=short)
        socket.send_json({"type": "review", "visits": 16})
        messages = receive_until(socket, lambda m: m["type"] == "review")
        progress = [m for m in messages if m["type"] == "review_progress"]
        assert [m["done"] for m in progress] == list(range(1, 8)) and progress[-1]["total"] == 7
        review = messages[-1]
        assert len(review["winrates"]) == len(review["positions"]) == 7
        assert all(0 <= w <= 1 for w in review["winrates"])
        assert review["positions"][0]["best"] == review["positions"][0]["pv"][0]
        state = receive_until(socket, lambda m: m["type"] == "state")[-1]
        assert state["reviewed"]
        socket.send_json({"type": "play", "row": 0, "col": 0})  # the game changes: the review is gone
        assert not receive_until(socket, lambda m: m["type"] == "state")[-1]["reviewed"]


def test_saved_games_keep_the_result(client):
    with client.websocket_connect("/ws") as socket:
        game = new_game(socket, engine="off")["game"]
        for _ in range(2):
            socket.send_json({"type": "pass"})
        state = receive_until(socket, lambda m: is_state(m, cursor=2))[-1]
        assert state["result"] == "W+7"
        root = sgfmill_sgf.Sgf_game.from_bytes(client.get(f"/api/games/{game}/sgf").content).get_root()
        assert root.get("RE") == "W+7"


def test_a_strength_in_seconds(client):
    with client.websocket_connect("/ws") as socket:
        new_game(socket, engine="black", seconds=0.3)
        started = time.monotonic()
        state = receive_until(socket, lambda m: is_state(m, thinking=False) and len(m["moves"]) == 1)[-1]
        assert time.monotonic() - started < 10 and state["strength"]["seconds"] == 0.3
