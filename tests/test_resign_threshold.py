"""tools/resign_threshold.py on a game whose loser is plain to see: the loser resigns by the rule
at a lenient threshold, the winner never does."""
import importlib.util
import json
from pathlib import Path

from gogo import coords, nets
from gogo.go.board import PASS, Board
from gogo.records.sgf import write_game

TOOL = Path(__file__).resolve().parents[1] / "tools" / "resign_threshold.py"
spec = importlib.util.spec_from_file_location("resign_threshold", TOOL)
resign_threshold = importlib.util.module_from_spec(spec)
spec.loader.exec_module(resign_threshold)


def test_the_loser_resigns_and_the_winner_never(tmp_path, capsys):
    board = Board(9, komi=7.5)
    for vertex in ("C3", "C5", "C7", "E3", "E5", "E7", "G3", "G5", "G7", "D4", "F6", "D6", "F4", "B5", "H5"):
        board.play(coords.parse_vertex(vertex, 9))  # Black builds the whole board...
        board.play(PASS)  # ...White passes every move
    game = tmp_path / "games" / "lost.sgf"
    game.parent.mkdir()
    game.write_bytes(write_game(board, result="B+81.5"))
    assert resign_threshold.main([str(game.parent), "--weights", str(nets.weights_for(nets.PRIORS, 9)),
                                  "--value-weights", str(nets.bundled_weights("value", 9)),
                                  "--thresholds", "-0.5", "-1.0"]) == 0
    result = json.loads(capsys.readouterr().out)
    lenient, never = result["thresholds"]["-0.5"], result["thresholds"]["-1.0"]
    assert result["games"] == 1 and lenient["lost_sides"] == 1
    assert lenient["lost_sides_resigned"] == 1 and lenient["false_resignations"] == 0
    assert lenient["mean_moves_saved"] > 0
    assert never["resignations"] == 0  # no value is below -1
