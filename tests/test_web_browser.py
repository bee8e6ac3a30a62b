"""End to end in a real headless browser (Debian's chromium, driven by Playwright): play three
moves by clicking and see gogo answer with its heatmap, an illegal click and a bad SGF told on the
page, load an SGF and step through it, review it and see the graph, save the game and read it
back with `gogo replay`. A screenshot of each state goes to docs/web/."""
import json
import os
import shutil
from pathlib import Path

import pytest

from cli.main import main as gogo
from web_server import ServerThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "web"
GAME = Path(__file__).resolve().parent / "data" / "pro-9x9.sgf"

if not os.environ.get("CI"):  # CI installs both (.ci/run); elsewhere they may be missing
    pytest.importorskip("playwright")
    if not os.path.exists(CHROMIUM):
        pytest.skip("no chromium", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page():
    with ServerThread() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 760}, accept_downloads=True)
        page.set_default_timeout(30_000)
        page.goto(server.url)
        page.wait_for_function("window.gogo.state !== null")
        yield page
        browser.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def state(page):
    return page.evaluate("window.gogo.state")


def wait_for_human_turn(page, moves):
    page.wait_for_function(f"window.gogo.state.moves.length === {moves} && !window.gogo.state.thinking")


def test_play_three_moves_and_see_the_engine_answer_with_its_heatmap(page):
    page.select_option("#size", "9")
    page.fill("#visits", "60")
    page.click("#start")
    page.wait_for_function("window.gogo.state.moves.length === 0 && window.gogo.state.engine === 'white'")
    page.check("#analyse")
    for number, (row, col) in enumerate([(4, 4), (2, 6), (6, 2)]):
        free = [(r, c) for r, c in [(row, col), (row + 1, col), (row, col + 1), (row - 1, col)]
                if [r, c] not in state(page)["black"] + state(page)["white"]]
        page.click(f"#pt-{free[0][0]}-{free[0][1]}")
        wait_for_human_turn(page, 2 * number + 2)
    assert len(state(page)["white"]) == 3
    page.wait_for_selector("#board .heat")
    page.wait_for_selector("#candidates tbody tr")
    assert page.locator("#last-move").count() == 1
    shot(page, "play")


def test_an_illegal_click_is_told_on_the_page(page):
    row, col = state(page)["white"][0]
    before = state(page)["moves"]
    page.click(f"#pt-{row}-{col}")
    page.wait_for_selector("#message.error")
    assert "illegal move" in page.inner_text("#message")
    assert state(page)["moves"] == before
    shot(page, "illegal-move")


def test_a_bad_sgf_is_told_on_the_page(page):
    moves = state(page)["moves"]
    page.fill("#paste", "(;GM[1]SZ[9];B[ee];W[ee])")
    page.click("#load-paste")
    page.wait_for_function("document.getElementById('message').textContent.includes('occupied')")
    assert state(page)["moves"] == moves


def test_load_an_sgf_and_step_through_it(page):
    page.uncheck("#analyse")
    page.set_input_files("#file", str(GAME))
    page.wait_for_function("window.gogo.state.moves.length === 50 && window.gogo.state.cursor === 0")
    for _ in range(12):
        page.click("#forward")
    page.wait_for_function("window.gogo.state.cursor === 12")
    assert len(state(page)["black"]) + len(state(page)["white"]) == 12
    shot(page, "loaded")


def test_review_the_game_and_go_to_a_move_from_the_graph(page):
    page.fill("#review-visits", "16")
    page.click("#start-review")
    page.wait_for_selector("#graph .graph-line", timeout=120_000)
    assert page.locator("#graph .drop").count() >= 1
    page.click("#graph", position={"x": 5, "y": 20})
    page.wait_for_function("window.gogo.state.cursor <= 1")
    drop = page.evaluate("window.gogo.review.drops[0].move")
    page.evaluate(f"document.querySelectorAll('#moves li')[{drop - 1}].click()")
    page.wait_for_function(f"window.gogo.state.cursor === {drop}")
    assert "lost" in page.inner_text("#review-move")
    shot(page, "review")


def test_save_the_game_and_read_it_back_with_gogo_replay(page, tmp_path, capsys):
    with page.expect_download() as download:
        page.click("#save")
    path = tmp_path / "saved.sgf"
    download.value.save_as(path)
    assert gogo(["replay", str(path), "--json", "--workers", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["good"] == 1 and report["moves"] == 50
    shot(page, "saved")
