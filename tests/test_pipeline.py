"""`gogo pipeline` end to end on the tiny 9x9 config: every stage, resumption, and RL beating SL."""
import json
import shutil
from pathlib import Path

import pytest

from cli import main as cli
from gogo.errors import GogoError
from training import pipeline
from training.config import SLConfig

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "tiny-9x9.toml"


def test_table_keys_become_the_stage_options(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('board_size = 9\n[sl]\nstore = "s.npz"\nsteps = 10\nno-progress = true\n'
                    'compile = false\nnet = "tiny"\nlr = 1\n')
    table = pipeline.read_config(path)["sl"]
    config = pipeline.stage_config(SLConfig, table, pipeline.SL_SOURCES, store="s.npz", out="o", seed=5)
    assert (config.steps, config.no_progress, config.compile, config.net, config.lr) == (10, True, False, "tiny", 1)
    assert (config.store, config.out, config.seed, config.batch) == ("s.npz", "o", 5, SLConfig.batch)
    assert pipeline.stage_config(SLConfig, {"seed": 7}, store="s", out="o", seed=5).seed == 7  # the table wins


def test_bad_config_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("board_size = 9\n[rl]\niterations = \n")
    with pytest.raises(GogoError, match="bad.toml"):
        pipeline.read_config(bad)


@pytest.mark.parametrize("table, key", [("[value]\nstepz = 5", "stepz"), ("[rl]\nbatch = 5", "batch"),
                                        ("[eval]\ngnugo_gamez = 2", "gnugo_gamez"),
                                        ("[sl]\nsources = []\n[sl.data]\nmin_movez = 3", "min_movez"),
                                        ("[sl]\nsteps = \"many\"", "steps"), ("[cluster]\nworkerz = 2", "workerz"),
                                        ("[cluster]\nworkers = \"all\"", "workers")])
def test_unknown_or_mistyped_keys_are_refused_naming_the_key_and_file(tmp_path, table, key):
    bad = tmp_path / "typo.toml"
    bad.write_text(f"board_size = 9\n{table}\n")
    with pytest.raises(GogoError, match=f"typo.toml.*{key}"):
        pipeline.read_config(bad)


def test_tiny_pipeline_runs_resumes_and_rl_beats_sl(tmp_path, monkeypatch):
    monkeypatch.chdir(CONFIG.parent.parent)  # the config names tests/data/pro9 relative to the repository
    out = tmp_path / "run"
    assert cli.main(["pipeline", str(CONFIG), "--out", str(out), "--until", "rl"]) == 0
    assert (out / "sl" / "done.json").exists() and (out / "gen-001" / "rl" / "done.json").exists()
    assert not (out / "gen-001" / "eval").exists()
    sl_done = (out / "sl" / "done.json").stat().st_mtime_ns
    # as if killed after RL's last checkpoint but before the stage was marked done
    (out / "gen-001" / "rl" / "done.json").unlink()
    shutil.rmtree(out / "gen-001" / "rl" / "events")

    assert cli.main(["pipeline", str(CONFIG), "--out", str(out)]) == 0
    assert (out / "sl" / "done.json").stat().st_mtime_ns == sl_done  # finished stages are not run again
    summary = json.loads((out / "summary.json").read_text())
    generations = summary["generations"]
    assert [g["generation"] for g in generations] == [1, 2]
    for g in generations:
        assert 0 <= g["vs_previous"] <= 1 and g["value_test_mse"] is not None
        assert Path(g["rl_weights"]).exists()
    last = json.loads((out / "gen-002" / "eval" / "done.json").read_text())
    assert last["vs_sl"]["a_win_rate_95"][0] > 0.5, last["vs_sl"]
    if "vs_gnugo" in last and "skipped" not in last["vs_gnugo"]:
        assert last["vs_gnugo"]["games"] == 2
        assert len(list((out / "gen-002" / "eval" / "gnugo-games").glob("*.sgf"))) == 2
    for name in ("summary.md", "summary.png"):
        assert (out / name).exists()
    assert (out / "gen-001" / "value" / "value.safetensors").exists()
