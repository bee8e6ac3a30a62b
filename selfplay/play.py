"""Many games at once, in one process: `gogo selfplay`, and the game engine of RL and value data.

    gogo selfplay --weights policy.safetensors --games 512 --batch 256 --out games/

Games run in lockstep on stacked Numba boards. Every step, the games whose player to move uses the
same mover (a policy net, uniform random moves, or search) are encoded in one Numba call and
evaluated in one batched net call; the moves are drawn and played by another Numba call. A policy
mover samples from the net's softmax (temperature 1 for RL, as the paper) over the sensible points
(legal under simple ko, not filling an own eye), or takes the most probable one with greedy=True.
A player passes only when it has no sensible move; a game ends after two passes in a row or
MAX_MOVES_PER_POINT x points moves, and is scored by Tromp-Taylor area with komi. Played to the end
this way, every dead stone has been captured, so the area score is the result. Positional superko
is not checked (a cycle in such games is rare, and the move cap ends it).

Which mover plays a move is the caller's choice (`assign`): the current net against an opponent
for RL, the SL net then one random move then the RL net for the value data. Games come back as a
`Games`: moves, winners and scores, plus, when asked, the planes and moves each mover saw (the RL
update trains on them). They are written as SGF files and as a game store (training/store.py
format), which `gogo train` and `gogo eval` read.
"""
import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from numba import njit

from gogo import features, nets, rules, sgf
from gogo.rules import BLACK, WHITE
from selfplay.match import elo, wilson_interval

MAX_MOVES_PER_POINT = 2
DEFAULT_KOMI = 7.5


# --- movers: who picks the moves -------------------------------------------------------------

class PolicyMover:
    """Moves drawn from a policy net's softmax over the sensible points (or its argmax)."""

    def __init__(self, net, device=None, temperature=1.0, greedy=False):
        self.evaluator = net if isinstance(net, nets.Evaluator) else nets.Evaluator(net, device)
        self.temperature, self.greedy = temperature, greedy

    def choose(self, planes, sensible, rng, boards=None):
        logits = self.evaluator(planes) / self.temperature
        return pick_moves(logits, sensible, rng, self.greedy)


class RandomMover:
    """A uniformly random sensible move (the value data's one random move)."""

    def choose(self, planes, sensible, rng, boards=None):
        return pick_moves(np.zeros(sensible.shape, np.float32), sensible, rng, greedy=False)


class SearchMover:
    """The MCTS engine's move (gogo.engine.SearchPlayer), one game at a time: for search games."""

    needs_boards = True

    def __init__(self, player):
        self.player = player

    def choose(self, planes, sensible, rng, boards=None):
        size = planes.shape[-1]
        moves = np.empty(len(boards), np.int64)
        for i, board in enumerate(boards):
            self.player.new_game(board)
            point = self.player.genmove(board, board.to_move)
            if point < 0:  # pass (resigning is off for self-play)
                moves[i] = size * size
            else:
                row, col = board.rowcol(point)
                moves[i] = row * size + col
        return moves


def pick_moves(logits, sensible, rng, greedy=False):
    """Per row, a sampled (Gumbel-max) or the best sensible index; size*size (pass) when no point
    is sensible. logits: (B, n*n) floats; sensible: (B, n*n) bool."""
    n2 = logits.shape[1]
    scores = np.where(sensible, logits, -np.inf)
    if not greedy:
        scores = scores - np.log(-np.log(rng.random(scores.shape)))
    moves = np.argmax(scores, axis=1)
    moves[~sensible.any(axis=1)] = n2
    return moves


# --- the games ---------------------------------------------------------------------------------

@dataclass
class Games:
    """Finished games. moves[g], colors[g]: int16 / int8 arrays (index row * size + col with row 0
    at the bottom, pass = size * size). winner: +1 black, -1 white, 0 jigo. score: black area minus
    white area minus komi. positions[m]: (planes uint8 [k, 48, n, n], moves int64 [k], games
    int64 [k]) for each recorded mover m."""
    size: int
    komi: float
    moves: list
    colors: list
    winner: np.ndarray
    score: np.ndarray
    seconds: float = 0.0
    positions: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)  # {BLACK: [name per game], WHITE: [...]}

    def __len__(self):
        return len(self.moves)

    @property
    def num_moves(self):
        return int(sum(len(m) for m in self.moves))

    def stats(self):
        seconds = max(self.seconds, 1e-9)
        return {"games": len(self), "size": self.size, "seconds": round(self.seconds, 2),
                "games_per_hour": round(3600 * len(self) / seconds, 1),
                "moves_per_s": round(self.num_moves / seconds, 1),
                "mean_length": round(self.num_moves / max(len(self), 1), 1),
                "black_wins": int((self.winner > 0).sum()), "white_wins": int((self.winner < 0).sum())}


@njit(cache=True)
def _play_moves(grids, metas, games, moves, size):
    """Play moves[k] (index, pass = size*size) for its colour to move in game games[k]."""
    for k in range(games.shape[0]):
        g = games[k]
        color = metas[g, rules.TO_MOVE]
        if moves[k] == size * size:
            rules.pass_move(metas[g], color)
        else:
            rules.place_stone(grids[g], metas[g], rules.point_of_index(moves[k], size), color)


@njit(cache=True)
def _scores(grids, metas, games, komi):
    out = np.empty(games.shape[0], np.float64)
    for k in range(games.shape[0]):
        out[k] = rules.area_score(grids[games[k]], metas[games[k]]) - komi
    return out


def _boards(grids, metas, games, size, komi):
    """Python Boards (simple ko) holding copies of the games' positions, for search movers."""
    from gogo.board import Board

    boards = []
    for g in games:
        board = Board(size, komi=komi, superko=False, keep_undo=False)
        board.grid[:] = grids[g]
        board.meta[:] = metas[g]
        boards.append(board)
    return boards


def play(movers, assign, count, size, komi=DEFAULT_KOMI, rng=None, record=(), max_moves=None,
         progress=None):
    """Play `count` games at once and return them as Games.

    movers: a list of movers. assign(move_number, games, colors) -> the mover index for each of
    those games (arrays of equal length) at that move. record: mover indices whose positions
    (planes, chosen move, game) are kept. progress: called with (moves played, games running)."""
    rng = rng if rng is not None else np.random.default_rng()
    max_moves = max_moves or MAX_MOVES_PER_POINT * size * size
    empty_grid, empty_meta = rules.new_position(size)
    grids = np.repeat(empty_grid[None], count, axis=0)
    metas = np.repeat(empty_meta[None], count, axis=0)
    history = np.full((count, max_moves), size * size, np.int16)
    encoder = features.Encoder(size)
    kept = {m: ([], [], []) for m in record}
    running = np.arange(count)
    start = time.perf_counter()
    for move_number in range(max_moves):
        colors = metas[running, rules.TO_MOVE]
        who = np.asarray(assign(move_number, running, colors))
        moves = np.empty(len(running), np.int64)
        for m in np.unique(who):
            rows = np.flatnonzero(who == m)
            games = running[rows]
            planes = encoder.encode_arrays(grids[games], metas[games])
            sensible = planes[:, features.SENSIBLE].reshape(len(games), -1).astype(bool)
            boards = _boards(grids, metas, games, size, komi) if getattr(movers[m], "needs_boards", False) else None
            moves[rows] = movers[m].choose(planes, sensible, rng, boards)
            if m in kept:
                played = moves[rows] < size * size
                kept[m][0].append(planes[played])
                kept[m][1].append(moves[rows][played])
                kept[m][2].append(games[played])
        _play_moves(grids, metas, running, moves, size)
        history[running, move_number] = moves
        running = running[metas[running, rules.PASSES] < 2]
        if progress is not None:
            progress(move_number + 1, len(running))
        if not len(running):
            break
    everything = np.arange(count)
    score = _scores(grids, metas, everything, float(komi))
    lengths = metas[:, rules.MOVE_NUMBER].astype(np.int64)  # every move and pass played
    game_moves = [history[g, :lengths[g]].copy() for g in everything]
    game_colors = [np.where(np.arange(lengths[g]) % 2 == 0, BLACK, WHITE).astype(np.int8) for g in everything]
    positions = {m: tuple(np.concatenate(parts) if parts else None for parts in kept[m]) for m in kept}
    return Games(size, float(komi), game_moves, game_colors, np.sign(score).astype(np.int8), score,
                 time.perf_counter() - start, positions)



def head_to_head(net_a, net_b, games, komi=DEFAULT_KOMI, seed=0, device=None, temperature=1.0, greedy=False,
                 batch=256):
    """Policy net A against policy net B, A Black in the first half of each batch: A's wins (a jigo
    counts half), win rate, 95% Wilson interval and Elo (as `gogo match` reports them)."""
    movers = [PolicyMover(net, device, temperature, greedy) for net in (net_a, net_b)]
    rng = np.random.default_rng(seed)
    wins, played, start = 0.0, 0, time.perf_counter()
    while played < games:
        count = min(batch, games - played)
        a_black = np.arange(count) < (count + 1) // 2
        result = play(movers, lambda m, g, colors: np.where((colors == BLACK) == a_black[g], 0, 1), count,
                      net_a.config.board_size, komi, rng)
        outcome = result.winner * np.where(a_black, 1, -1)
        wins += (outcome > 0).sum() + 0.5 * (outcome == 0).sum()
        played += count
    rate = wins / max(games, 1)
    low, high = wilson_interval(wins, games)
    return {"games": games, "a_wins": wins, "a_win_rate": round(rate, 4), "a_win_rate_95": [round(low, 4), round(high, 4)],
            "elo_a_minus_b": round(elo(rate), 1), "seconds": round(time.perf_counter() - start, 1)}


# --- writing games -----------------------------------------------------------------------------

def _record(games, g, names):
    n = games.size
    moves = [(int(c), None if m == n * n else divmod(int(m), n)) for m, c in zip(games.moves[g], games.colors[g])]
    winner = {1: BLACK, -1: WHITE}.get(int(games.winner[g]))
    margin = abs(float(games.score[g]))
    result = "0" if winner is None else f"{'B' if winner == BLACK else 'W'}+{margin:g}"
    return sgf.GameRecord(size=n, komi=games.komi, moves=moves, result=result, winner=winner, margin=margin,
                          win_by="score" if winner else "draw", black_player=names[0], white_player=names[1],
                          source=f"selfplay:{g}")


def write_sgfs(games, folder, names=("gogo", "gogo"), first_index=0):
    """One SGF file per game, game-000123.sgf; names: (black, white) or a function of the game."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for g in range(len(games)):
        pair = names(g) if callable(names) else names
        path = folder / f"game-{first_index + g:06d}.sgf"
        path.write_bytes(sgf.write_game(_record(games, g, pair)))


def store_arrays(games, source="selfplay", last_moves=None, seed=0, held_out=0.01):
    """The games as game-store arrays (training/store.py), with `held_out` of them in each of the
    val and test splits. last_moves: keep only each game's first last_moves[g] moves (the value
    data) while keeping the final winner."""
    from training import store

    rows = []
    for g in range(len(games)):
        end = len(games.moves[g]) if last_moves is None else int(last_moves[g])
        moves, colors = games.moves[g][:end], games.colors[g][:end]
        key = hashlib.blake2b(np.int64([seed, g, games.size]).tobytes() + moves.tobytes(), digest_size=16).digest()
        winner = int(games.winner[g])
        rows.append((0, f"{source}:{g}", (games.size, games.komi, 0, winner, abs(float(games.score[g])),
                                          store.WIN_BY.index("score" if winner else "draw"), 0, 0, key,
                                          moves, colors, np.zeros(0, np.int16), np.zeros(0, np.int8))))
    arrays = store.store_arrays(rows, [source], held_out, held_out)
    arrays["info"] = np.array(json.dumps({"builder": "gogo selfplay", "date": time.strftime("%Y-%m-%d"),
                                          "games": len(games), "seed": seed}))
    return arrays


# --- `gogo selfplay` ---------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--weights", help="policy weights (default: the bundled net)")
    parser.add_argument("--net", help="instead of weights: random weights of this config (alphago, small, "
                        "tiny), to measure speed")
    parser.add_argument("--size", type=int, default=19, help="board size with --net")
    parser.add_argument("--opponent", help="White's policy weights in every game (default: --weights)")
    parser.add_argument("--games", type=int, default=256, help="games in all")
    parser.add_argument("--batch", type=int, default=256, help="games played at once")
    parser.add_argument("--komi", type=float, default=DEFAULT_KOMI)
    parser.add_argument("--temperature", type=float, default=1.0, help="softmax temperature of the sampling")
    parser.add_argument("--greedy", action="store_true", help="play the most probable move, no sampling")
    parser.add_argument("--search", type=int, metavar="VISITS", help="search games: MCTS with this many visits")
    parser.add_argument("--value-weights", help="value net for --search (default: random playouts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--out", help="folder for the SGF files and games.npz (game store format)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def make_mover(weights, args):
    if args.search:
        from gogo.engine import SearchPlayer

        return SearchMover(SearchPlayer(weights=weights, value_weights=args.value_weights, visits=args.search,
                                        device=args.device, seed=args.seed, resign=False))
    if args.net:
        torch.manual_seed(args.seed)
        net = nets.build(nets.NetConfig.named(args.net, board_size=args.size))
    else:
        net = nets.load(weights or nets.DEFAULT_POLICY_WEIGHTS, kind=nets.POLICY)
    return PolicyMover(net, args.device, args.temperature, args.greedy)


def run(args):
    black = make_mover(args.weights, args)
    movers = [black] if args.opponent is None else [black, make_mover(args.opponent, args)]
    if args.net and (args.search or args.opponent):
        raise SystemExit("gogo selfplay: --net (random weights) plays policy-only games against itself")
    size = args.size if args.net else nets.read_config(args.weights or nets.DEFAULT_POLICY_WEIGHTS).board_size
    rng = np.random.default_rng(args.seed)
    assign = (lambda m, games, colors: np.where(colors == BLACK, 0, len(movers) - 1))
    batches, played = [], 0
    while played < args.games:
        count = min(args.batch, args.games - played)
        games = play(movers, assign, count, size, args.komi, rng)
        if args.out:
            names = ("gogo", "gogo") if args.opponent is None else (Path(args.weights or "bundled").stem,
                                                                    Path(args.opponent).stem)
            write_sgfs(games, args.out, names, first_index=played)
        batches.append(games)
        played += count
        print(f"{played}/{args.games} games, {games.stats()['games_per_hour']:.0f} games/hour",
              file=sys.stderr, flush=True)
    everything = concatenate(batches)
    if args.out:
        from training.store import save_store

        save_store(store_arrays(everything, seed=args.seed), Path(args.out) / "games.npz")
    summary = {"weights": f"random {args.net}" if args.net else str(args.weights or nets.DEFAULT_POLICY_WEIGHTS),
               "opponent": args.opponent, "threads": torch.get_num_threads(),
               "search_visits": args.search, "device": str(nets.pick_device(args.device)),
               "batch": args.batch, **everything.stats()}
    print(json.dumps(summary) if args.json else
          f"{summary['games']} games in {summary['seconds']} s: {summary['games_per_hour']:.0f} games/hour, "
          f"{summary['moves_per_s']:.0f} moves/s, {summary['mean_length']} moves a game, "
          f"black won {summary['black_wins']}")
    return 0


def concatenate(batches):
    """One Games of several (positions are not carried)."""
    first = batches[0]
    return Games(first.size, first.komi, [m for b in batches for m in b.moves],
                 [c for b in batches for c in b.colors], np.concatenate([b.winner for b in batches]),
                 np.concatenate([b.score for b in batches]), sum(b.seconds for b in batches))
