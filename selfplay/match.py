"""Games between two GTP engines, with a win rate, a confidence interval and Elo: the library of
`gogo match` (cli/match.py) and of the pipeline's games against GNU Go.

The engines swap colours every game: engine A takes Black in even-numbered games, engine B in
odd-numbered ones. A game ends with two passes, a resignation, an illegal move (the offender
loses) or max_moves moves (by default the cap of a random playout, gogo.go.playout: a game still
going then is wandering). Finished games are scored by a referee: GNU Go's final_score when GNU Go
is installed (it removes dead stones well), else gogo's own Monte Carlo dead-stone scoring, on the
moves replayed into it. Each game can be written as SGF with its result; the summary gives A's
wins, its win rate with a 95% Wilson interval and the Elo difference that rate implies.

With an SGF folder, every finished game is also one line of its journal (JOURNAL: the match's
settings and the game's index, colours, result, end, moves and seconds), so that a match stopped
or killed part-way resumes (`resume=True`): the games of the journal count, the others are played.
A game's opening depends on its index only, so a resumed match plays the games an unbroken one
would have: a 40-game 19x19 match can be spread over several sessions.
"""
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gogo.errors import GogoError
from gogo.go import playout, scoring
from gogo.go.board import BLACK, WHITE, Board
from gogo.gtp.client import GtpClient, gnugo_path
from gogo.records import sgf
from gogo.stats import elo, wilson_interval

COLORS = {BLACK: "black", WHITE: "white"}
JOURNAL = "games.jsonl"  # in the SGF folder: one JSON line per finished game
GAME_FIELDS = ("index", "a_color", "a_won", "result", "end", "seconds")  # a game's part of its journal line


def referee_score(board, moves):
    """'B+3.5' / 'W+R'-style result of a finished game on `board` (its moves already played)."""
    gnugo = gnugo_path()
    if gnugo is None:
        return scoring.format_score(scoring.score_without(board, scoring.dead_chains(board)))
    with GtpClient([gnugo, "--mode", "gtp", "--chinese-rules"]) as referee:
        setup = [f"boardsize {board.size}", "clear_board", f"komi {board.komi}"]
        answers = referee.send_many(setup + [f"play {c} {v}" for c, v in moves] + ["final_score"])
    ok, text = answers[-1]
    if not ok or not all(ok for ok, _ in answers):
        raise RuntimeError(f"the GNU Go referee refused the game: {answers}")
    return text


def random_opening(size, moves, seed):
    """`moves` uniformly random sensible moves from the empty board, as (colour name, vertex)."""
    board = Board(size)
    opening = []
    for k in range(moves):
        color = board.to_move
        point = playout.random_move(board, color, seed * 1000 + k + 1)
        board.play(point, color)
        opening.append((COLORS[color], board.vertex(point).lower()))
    return opening


def play_game(black, white, size=19, komi=7.5, max_moves=None, stderr=subprocess.DEVNULL, opening=()):
    """One game between engine command lines `black` and `white`, from the `opening` moves
    ((colour name, vertex) pairs, played for both engines). Returns a dict: moves, end ('passes',
    'resign', 'illegal', 'max_moves'), result ('B+3.5', 'W+R', ...), winner, names."""
    max_moves = max_moves or playout.MAX_MOVES_PER_POINT * size * size
    board = Board(size, komi=komi)
    engines = {c: GtpClient(cmd, stderr=stderr) for c, cmd in ((BLACK, black), (WHITE, white))}
    game = {"moves": list(opening), "end": "max_moves", "names": {}}
    start = time.perf_counter()
    try:
        for name, vertex in opening:
            board.play(board.parse_vertex(vertex), BLACK if name == "black" else WHITE)
        setup = [f"boardsize {size}", "clear_board", f"komi {komi}"] + [f"play {c} {v}" for c, v in opening]
        for color, engine in engines.items():
            answers = engine.send_many(["name"] + setup)
            if not all(ok for ok, _ in answers):
                raise RuntimeError(f"{COLORS[color]} engine refused the setup: {answers}")
            game["names"][COLORS[color]] = answers[0][1]
        color = board.to_move
        while len(game["moves"]) < max_moves and game["end"] == "max_moves":
            ok, vertex = engines[color].send(f"genmove {COLORS[color]}")
            vertex = vertex.lower()
            if not ok:
                raise RuntimeError(f"{COLORS[color]} engine failed to move: {vertex}")
            if vertex == "resign":
                game.update(end="resign", result=f"{'W' if color == BLACK else 'B'}+R")
                break
            try:
                board.play(board.parse_vertex(vertex), color)
            except ValueError:  # IllegalMove is a ValueError, and so is a vertex off the board
                game.update(end="illegal", result=f"{'W' if color == BLACK else 'B'}+F", illegal=vertex)
                break
            game["moves"].append((COLORS[color], vertex))
            ok, text = engines[3 - color].send(f"play {COLORS[color]} {vertex}")
            if not ok:
                raise RuntimeError(f"{COLORS[3 - color]} engine refused {COLORS[color]} {vertex}: {text}")
            if board.passes == 2:
                game["end"] = "passes"
            color = 3 - color
    finally:
        for engine in engines.values():
            engine.close()
    if "result" not in game:
        game["result"] = referee_score(board, game["moves"])
    game["winner"] = {"B": "black", "W": "white"}.get(game["result"][:1])
    game["seconds"] = round(time.perf_counter() - start, 1)
    game["board"] = board
    return game


def write_sgf(game, path):
    record = sgf.record_from_board(game["board"], result=game["result"],
                                   black_player=game["names"].get("black"),
                                   white_player=game["names"].get("white"))
    Path(path).write_bytes(sgf.write_game(record))


def run_match(engine_a, engine_b, games, size=19, komi=7.5, parallel=1, sgf_dir=None, max_moves=None,
              log=None, opening_moves=0, resume=False):
    """Play `games` games, A taking Black in even-numbered ones. With opening_moves, games 2k and
    2k+1 start from the same random opening of that many moves, one with each engine as Black:
    deterministic engines then still play different games, and the openings are balanced. With
    resume, the games already in sgf_dir's journal count and only the others are played.
    Returns the summary dict."""
    settings = {"engine_a": " ".join(engine_a), "engine_b": " ".join(engine_b), "size": size, "komi": komi,
                "opening_moves": opening_moves, "max_moves": max_moves}
    done = {}
    if resume and not sgf_dir:
        raise GogoError("resuming a match needs the SGF folder it writes its journal to (--sgf-dir)")
    if sgf_dir:
        Path(sgf_dir).mkdir(parents=True, exist_ok=True)
        journal = Path(sgf_dir) / JOURNAL
        if resume:
            done = read_journal(journal, settings)
        elif journal.exists() and journal.stat().st_size:
            raise GogoError(f"{journal}: a match was played into this folder already; resume it, or choose "
                            "another folder")
    lock = threading.Lock()

    def one(index):
        black, white = (engine_a, engine_b) if index % 2 == 0 else (engine_b, engine_a)
        game = play_game(black, white, size, komi, max_moves, opening=random_opening(size, opening_moves, index // 2))
        a_color = "black" if index % 2 == 0 else "white"
        game.update(index=index, a_color=a_color, a_won=game["winner"] == a_color)
        entry = {k: game[k] for k in GAME_FIELDS} | {"moves": len(game["moves"])}
        if sgf_dir:
            write_sgf(game, Path(sgf_dir) / f"game-{index:04d}.sgf")
            with lock, open(journal, "a") as handle:
                handle.write(json.dumps(settings | entry) + "\n")
        if log:
            log(f"game {index}: A ({a_color}) {'won' if game['a_won'] else 'lost'} {game['result']} "
                f"after {entry['moves']} moves, {game['seconds']} s")
        return entry

    todo = [index for index in range(games) if index not in done]
    if log and done:
        log(f"resuming: {len(done)} of {games} games in {journal}, {len(todo)} to play")
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:  # the engines do the work
        played = list(pool.map(one, todo))
    results = sorted([done[index] for index in range(games) if index in done] + played, key=lambda g: g["index"])
    return summary(settings, results)


def read_journal(path, settings):
    """{index: game} of a match journal, checked to be the match `settings` describe."""
    games = {}
    if not path.exists():
        return games
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            game = {k: entry[k] for k in GAME_FIELDS + ("moves",)}
        except (ValueError, KeyError) as error:
            raise GogoError(f"{path}, line {number}: not a match journal line ({error})") from None
        differs = [k for k in settings if entry.get(k) != settings[k]]
        if differs:
            raise GogoError(f"{path}, line {number}: a game of another match ({', '.join(differs)} differ: "
                            f"{', '.join(f'{entry.get(k)!r} there' for k in differs)})")
        games[game["index"]] = game
    return games


def summary(settings, results):
    """The match's summary from its games (journal entries, in index order)."""
    games, wins = len(results), sum(g["a_won"] for g in results)
    low, high = wilson_interval(wins, games)
    rate = wins / games if games else 0.0
    return {
        "engine_a": settings["engine_a"], "engine_b": settings["engine_b"], "games": games,
        "size": settings["size"], "komi": settings["komi"], "opening_moves": settings["opening_moves"],
        "a_wins": wins, "a_win_rate": round(rate, 4),
        "a_win_rate_95": [round(low, 4), round(high, 4)],
        "elo_a_minus_b": round(elo(rate), 1), "elo_95": [round(elo(low), 1), round(elo(high), 1)],
        "a_wins_as_black": sum(g["a_won"] for g in results if g["a_color"] == "black"),
        "ends": {e: sum(g["end"] == e for g in results) for e in ("passes", "resign", "illegal", "max_moves")},
        "games_detail": [{k: g[k] for k in ("index", "a_color", "result", "end", "seconds", "moves")} for g in results],
    }
