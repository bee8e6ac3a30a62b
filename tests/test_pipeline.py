"""`gogo pipeline` end to end on the tiny 9x9 config: every stage, resumption, and RL beating SL."""
import json
import shutil
from pathlib import Path

from gogo import cli
from selfplay import pipeline

CONFIG = Path(__file__).resolve().parent.parent / "configs" / "tiny-9x9.toml"


def test_options_become_command_line_flags():
    assert pipeline.options({"steps": 10, "no_progress": True, "compile": False, "net": "tiny"}) == [
        "--steps", "10", "--no-progress", "--net", "tiny"]


def test_bad_config_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("board_size = 9\n[rl]\niterations = \n")
    try:
        pipeline.read_config(bad)
    except SystemExit as error:
        assert "bad.toml" in str(error)
    else:
        raise AssertionError("a broken config was accepted")


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
