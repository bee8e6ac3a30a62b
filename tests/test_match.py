"""`gogo match` (selfplay/match.py): a match stopped part-way resumes from its journal."""
import shutil
import sys

import pytest

from gogo.errors import GogoError
from selfplay.match import JOURNAL, run_match

GOGO = [shutil.which("gogo")] if shutil.which("gogo") else [sys.executable, "-m", "cli.main"]
ENGINE_A = GOGO + ["gtp", "--random", "--seed", "1"]
ENGINE_B = GOGO + ["gtp", "--random", "--seed", "2"]
MATCH = dict(size=9, max_moves=24, opening_moves=2, parallel=2)


def played(summary):
    """A summary's games without their timings."""
    return [{k: v for k, v in game.items() if k != "seconds"} for game in summary["games_detail"]]


def test_a_stopped_match_resumes_with_the_games_an_unbroken_one_plays(tmp_path):
    whole = run_match(ENGINE_A, ENGINE_B, 4, sgf_dir=tmp_path / "whole", **MATCH)
    split = tmp_path / "split"
    first = run_match(ENGINE_A, ENGINE_B, 2, sgf_dir=split, **MATCH)  # stopped after two games
    assert played(first) == played(whole)[:2]
    news = []
    resumed = run_match(ENGINE_A, ENGINE_B, 4, sgf_dir=split, resume=True, log=news.append, **MATCH)
    assert news[0] == f"resuming: 2 of 4 games in {split / JOURNAL}, 2 to play"
    assert played(resumed) == played(whole)
    assert {k: v for k, v in resumed.items() if k != "games_detail"} == \
        {k: v for k, v in whole.items() if k != "games_detail"}
    assert len((split / JOURNAL).read_text().splitlines()) == 4
    assert sorted(path.name for path in split.glob("*.sgf")) == [f"game-{i:04d}.sgf" for i in range(4)]


def test_a_match_journal_is_never_mixed_with_another_match(tmp_path):
    run_match(ENGINE_A, ENGINE_B, 1, sgf_dir=tmp_path, **MATCH)
    with pytest.raises(GogoError, match="a match was played into this folder already"):
        run_match(ENGINE_A, ENGINE_B, 2, sgf_dir=tmp_path, **MATCH)
    with pytest.raises(GogoError, match=rf"{JOURNAL}, line 1: a game of another match \(komi differ"):
        run_match(ENGINE_A, ENGINE_B, 2, sgf_dir=tmp_path, resume=True, komi=6.5, **MATCH)
    (tmp_path / JOURNAL).write_text((tmp_path / JOURNAL).read_text() + "not json\n")
    with pytest.raises(GogoError, match=rf"{JOURNAL}, line 2: not a match journal line"):
        run_match(ENGINE_A, ENGINE_B, 2, sgf_dir=tmp_path, resume=True, **MATCH)
    with pytest.raises(GogoError, match="needs the SGF folder"):
        run_match(ENGINE_A, ENGINE_B, 2, resume=True, **MATCH)


def test_committed_match_journals_can_be_resumed():
    """state/*/games.jsonl: matches kept to be extended in a later session (docs/strength.md)."""
    import json
    import shlex
    from pathlib import Path

    from gogo import nets
    from gogo.records import sgf
    from selfplay.match import read_journal

    root = Path(__file__).resolve().parents[1]
    journals = sorted((root / "state").glob(f"*/{JOURNAL}"))
    if not journals:
        pytest.skip("no match is kept in state/")
    for journal in journals:
        first = json.loads(journal.read_text().splitlines()[0])
        settings = {k: first[k] for k in ("engine_a", "engine_b", "size", "komi", "opening_moves", "max_moves")}
        games = read_journal(journal, settings)
        assert games and len(games) == len(journal.read_text().splitlines())  # each game once
        for index, game in games.items():
            record = sgf.read_game(journal.parent / f"game-{index:04d}.sgf")
            assert len(record.moves) == game["moves"] and record.size == settings["size"]
        for engine in (settings["engine_a"], settings["engine_b"]):
            words = shlex.split(engine)
            if "--weights" in words:  # the nets a resumed match plays with are kept beside it
                nets.read_config(root / words[words.index("--weights") + 1])
