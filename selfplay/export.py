"""Games (selfplay.games) written out: one SGF file per game, the arrays of a game store
(gogo.records.store), which `gogo train` and `gogo eval` read, and the batch files that runs resume
from (value data chunks, Ray self-play batches)."""
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from gogo import coords
from gogo.errors import GogoError
from gogo.files import atomic_path
from gogo.go.rules import BLACK, WHITE
from gogo.records import sgf, store
from selfplay.games import Games


def _record(games, g, names):
    n = games.size
    moves = [(int(c), coords.rowcol_or_pass_of_index(m, n)) for m, c in zip(games.moves[g], games.colors[g])]
    winner = {1: BLACK, -1: WHITE}.get(int(games.winner[g]))
    margin = abs(float(games.score[g]))
    result = "0" if winner is None else f"{'B' if winner == BLACK else 'W'}+{margin:g}"
    return sgf.GameRecord(size=n, komi=games.komi, moves=moves, result=result, winner=winner, margin=margin,
                          win_by="score" if winner else "draw", black_player=names[0], white_player=names[1],
                          source=f"selfplay:{g}")


def write_sgfs(games, folder, names=("gogo", "gogo"), first_index=0):
    """One SGF file per game, game-000123.sgf (numbered from first_index); names: (black, white)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for g in range(len(games)):
        path = folder / f"game-{first_index + g:06d}.sgf"
        path.write_bytes(sgf.write_game(_record(games, g, names)))


def save_games(path, games, **extra):
    """Games as one .npz file (moves, colours, lengths, winner, score, seconds, weights versions),
    written atomically (gogo.files), with the extra arrays beside them."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, moves=np.concatenate(games.moves), colors=np.concatenate(games.colors),
                 lengths=np.array([len(m) for m in games.moves]), winner=games.winner, score=games.score,
                 seconds=games.seconds, versions=games.versions, **extra)


def check_settings(path, settings, what):
    """Batch files on disk are only resumed by a run with the same settings (a JSON-able dict):
    GogoError if path records others, else the settings are recorded there."""
    if path.exists() and json.loads(path.read_text()) != settings:
        raise GogoError(f"{path.parent} holds {what} made with other settings: {path.read_text()} "
                        f"(now {json.dumps(settings)})")
    path.write_text(json.dumps(settings, indent=1))


def load_games(path, size, komi, extra=()):
    """The Games of a save_games file, and its arrays named in extra (a file written before games
    recorded their weights version has none: "")."""
    with np.load(path, allow_pickle=False) as z:
        ends = np.cumsum(z["lengths"])[:-1]
        games = Games(size, float(komi), np.split(z["moves"], ends), np.split(z["colors"], ends), z["winner"],
                      z["score"], float(z["seconds"]), versions=z["versions"] if "versions" in z.files else None)
        return games, {name: z[name] for name in extra}


def as_store_arrays(games, source="selfplay", last_moves=None, seed=0, held_out=0.01):
    """The games as game-store arrays, with `held_out` of them in each of the val and test splits,
    and one array more: weights_version (str[G], the weights that played each game, "" if not
    known). last_moves: keep only each game's first last_moves[g] moves (the value data) while
    keeping the final winner."""
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
    arrays["weights_version"] = games.versions
    arrays["info"] = np.array(json.dumps({"builder": "gogo selfplay", "date": time.strftime("%Y-%m-%d"),
                                          "games": len(games), "seed": seed}))
    return arrays
