"""`gogo train sl` and `gogo eval` on a tiny 9x9 store: learning, logs, exact resume after kill -9."""
import csv
import dataclasses
import json
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from cli import eval as eval_command, train as train_command
from gogo import nets
from gogo.errors import GogoError
from gogo.records.store import Filters, build_store
from test_data import random_games, write
from training import sl, surgery
from training.config import SLConfig

DETERMINISTIC = ["train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "lr"]


@pytest.fixture(scope="module")
def games(tmp_path_factory):
    return write(tmp_path_factory.mktemp("games") / "sgf", random_games(30, seed=5))


@pytest.fixture(scope="module")
def store(games, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "tiny.npz"
    build_store([games], path, Filters(size=9, min_moves=0), val=0.2, test=0.2)
    return path


def arg_list(store, out, *extra):
    return ["--store", str(store), "--out", str(out), "--net", "tiny", "--batch", "16", "--workers", "0",
            "--no-progress", "--val-positions", "64", "--log-every", "5", "--val-every", "10", *extra]


def train_config(store, out, *extra):
    """The SLConfig that `gogo train sl` builds from these options."""
    parser = ArgumentParser()
    train_command.add_arguments(parser)
    return train_command.config_of(SLConfig, parser.parse_args(["sl", *arg_list(store, out, *extra)]))


def rows(out):
    with open(out / "log.csv", newline="") as handle:
        return [{k: r[k] for k in ["step"] + DETERMINISTIC} for r in csv.DictReader(handle)]


def test_training_writes_weights_logs_and_plot(store, tmp_path):
    out = tmp_path / "run"
    sl.train(train_config(store, out, "--steps", "20", "--checkpoint-every", "10",
                          "--optimizer", "adamw", "--lr", "0.01"))
    for name in ["checkpoint.safetensors", "policy.safetensors", "log.csv", "curves.png", "args.json"]:
        assert (out / name).exists(), name
    assert list((out / "events").iterdir())
    assert not list(out.glob("*.tmp*"))
    log = rows(out)
    assert [int(r["step"]) for r in log] == [5, 10, 15, 20]
    assert float(log[-1]["train_loss"]) < float(log[0]["train_loss"])
    config = nets.read_config(out / "policy.safetensors")
    assert config.provenance["steps"] == 20 and config.provenance["positions"] == 320
    with pytest.raises(GogoError, match="already holds a run"):
        sl.train(train_config(store, out, "--steps", "30"))


def test_value_net_training(store, tmp_path):
    out = tmp_path / "value"
    sl.train(train_config(store, out, "--value", "--steps", "10", "--checkpoint-every", "10"))
    assert nets.read_config(out / "value.safetensors").kind == nets.VALUE
    assert "val_mse" in open(out / "log.csv").readline()


def training_process(store, out, steps, ready, stderr=subprocess.DEVNULL):
    """`gogo train sl` in a subprocess, returned once ready() holds (or it ended, or 120 s passed)."""
    command = [sys.executable, "-m", "cli", "train", "sl", *arg_list(store, out, *steps)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.time() + 120
    while not ready() and process.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    return process


def test_resume_after_kill_gives_the_same_loss_curve(store, tmp_path):
    steps = ["--steps", "300", "--checkpoint-every", "20"]
    whole = tmp_path / "whole"
    sl.train(train_config(store, whole, *steps))
    killed = tmp_path / "killed"
    process = training_process(store, killed, steps, lambda: (killed / "checkpoint.safetensors").exists())
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted_at = len(rows(killed))
    assert interrupted_at * 5 < 300, "the run finished before it could be killed"
    sl.train(train_config(store, killed, *steps, "--resume"))
    assert rows(killed) == rows(whole)


def final_weights(out):
    return load_file(str(out / "policy.safetensors"))


def test_a_clean_stop_checkpoints_where_it_stops_and_resumes_exactly(store, tmp_path):
    steps = ["--steps", "200", "--checkpoint-every", "50"]
    whole = tmp_path / "whole"
    sl.train(train_config(store, whole, *steps))
    stopped = tmp_path / "stopped"
    process = training_process(store, stopped, steps, lambda: (stopped / "log.csv").exists() and len(rows(stopped)) >= 2,
                               stderr=subprocess.PIPE)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0 and b"stopped cleanly" in stderr
    step = json.loads(safe_open(str(stopped / "checkpoint.safetensors"), "pt").metadata()["trainer"])["step"]
    assert int(rows(stopped)[-1]["step"]) == step < 200  # logged and saved where it stopped
    sl.train(train_config(store, stopped, *steps, "--resume", "--minutes", "0"))  # one step, then a stop
    assert json.loads(safe_open(str(stopped / "checkpoint.safetensors"), "pt").metadata()["trainer"])["step"] == step + 1
    sl.train(train_config(store, stopped, *steps, "--resume"))
    whole_weights, resumed = final_weights(whole), final_weights(stopped)
    assert all(torch.equal(whole_weights[name], resumed[name]) for name in whole_weights)


def test_a_slim_checkpoint_resumes_from_its_step_with_fresh_optimizer_moments(store, tmp_path):
    from training.checkpoint import slim_checkpoint

    out = tmp_path / "run"
    sl.train(train_config(store, out, "--steps", "4", "--checkpoint-every", "2", "--optimizer", "adamw",
                          "--net", "small"))
    checkpoint = out / "checkpoint.safetensors"
    before, after = slim_checkpoint(checkpoint)
    assert after < before / 2  # AdamW's two moments were two thirds of it
    with safe_open(str(checkpoint), "pt") as handle:
        assert not any(key.startswith("optimizer.") for key in handle.keys())
        assert json.loads(handle.metadata()["trainer"])["step"] == 4
    assert nets.read_config(checkpoint).filters == 64  # it still loads as weights
    sl.train(train_config(store, out, "--steps", "6", "--resume"))
    with safe_open(str(checkpoint), "pt") as handle:  # the moments are back, from step 4 on
        assert json.loads(handle.metadata()["trainer"])["step"] == 6
        assert any(key.startswith("optimizer.") for key in handle.keys())


def test_resume_takes_the_recorded_options_not_given_again(store, tmp_path):
    out = tmp_path / "run"
    sl.train(train_config(store, out, "--steps", "10", "--checkpoint-every", "10", "--optimizer", "adamw",
                          "--lr", "0.01", "--minutes", "30"))
    parser = ArgumentParser()
    train_command.add_arguments(parser)
    args = parser.parse_args(["sl", "--store", str(store), "--out", str(out), "--resume", "--steps", "20",
                              "--workers", "0", "--no-progress"])
    config = train_command.config_of(SLConfig, args)
    assert (config.optimizer, config.lr, config.batch, config.net, config.log_every) == ("adamw", 0.01, 16, "tiny", 5)
    assert config.steps == 20 and config.minutes is None and config.resume  # this sitting's own
    sl.train(config)
    assert int(rows(out)[-1]["step"]) == 20


def test_eval_on_a_store_and_on_sgf(store, games, tmp_path, capsys):
    out = tmp_path / "run"
    sl.train(train_config(store, out, "--steps", "10", "--checkpoint-every", "10"))
    parser = ArgumentParser()
    eval_command.add_arguments(parser)
    weights = str(out / "policy.safetensors")
    for data in ([str(store)], [str(games)]):
        capsys.readouterr()
        eval_command.run(parser.parse_args(["--weights", weights, "--data", *data, "--json"]))
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert result["positions"] > 0 and 0 <= result["top1"] <= result["top5"] <= 1
    assert result["games"] == 30  # every SGF game, where the store's test split holds a few
    capsys.readouterr()
    eval_command.run(parser.parse_args(["--weights", weights, "--data", str(store), "--positions", "10", "--json"]))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["positions"] == 10


def test_eval_of_a_value_net_takes_one_position_per_decided_game(store, games, tmp_path, capsys):
    out = tmp_path / "value"
    sl.train(train_config(store, out, "--steps", "10", "--checkpoint-every", "10", "--value"))
    parser = ArgumentParser()
    eval_command.add_arguments(parser)
    weights = str(out / "value.safetensors")
    decided = sum(1 for path in games.iterdir() if b"RE[B+" in path.read_bytes() or b"RE[W+" in path.read_bytes())
    for data, split in (([str(games)], "all"), ([str(store)], "all"), ([str(store)], "test")):
        capsys.readouterr()
        eval_command.run(parser.parse_args(["--weights", weights, "--data", *data, "--split", split, "--json"]))
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert result["kind"] == "value" and result["positions"] == result["games"] > 0
        assert result["value_mse"] == result["mse"] and result["value_mse_quarter"] == result["mse"] / 4
        if split == "all":
            assert result["games"] == decided  # draws and unknown results say nothing: left out


def test_eval_mixes_a_value_net_with_rollouts_as_the_search_does(store, tmp_path, capsys):
    out = tmp_path / "value"
    sl.train(train_config(store, out, "--steps", "10", "--checkpoint-every", "10", "--value"))
    parser = ArgumentParser()
    eval_command.add_arguments(parser)
    capsys.readouterr()
    eval_command.run(parser.parse_args(["--weights", str(out / "value.safetensors"), "--data", str(store),
                                        "--lambda", "0", "0.5", "1", "0:0.5,400:0.5", "--rollouts", "4",
                                        "--json"]))
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    mixed = result["value_mse_by_lambda"]
    assert result["lambda_positions"] == result["positions"] > 0 and result["lambda_rollouts"] == 4
    assert mixed["0.0"]["mse"] == pytest.approx(result["value_mse"], abs=1e-6)  # the net alone
    eval_command.run(parser.parse_args(["--rollout", "--size", "9", "--data", str(store), "--rollouts", "4",
                                        "--json"]))
    rollouts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rollouts["value_rollouts"] == 4
    assert mixed["1.0"]["mse"] == pytest.approx(rollouts["value_mse"])  # the rollouts alone, the same 4
    assert mixed["0.5"]["mse"] <= (mixed["0.0"]["mse"] + mixed["1.0"]["mse"]) / 2 + 1e-9  # convex in lambda
    assert list(mixed["0.5"]["by_phase"]) == ["0-79", "80-159", "160+"]
    assert mixed["0:0.5,400:0.5"]["mse"] == pytest.approx(mixed["0.5"]["mse"])  # a flat schedule
    with pytest.raises(GogoError, match="each lambda must lie in 0..1"):
        eval_command.run(parser.parse_args(["--weights", str(out / "value.safetensors"), "--data", str(store),
                                            "--lambda", "1.5"]))
    with pytest.raises(GogoError, match="--rollouts 0: give at least 1"):
        eval_command.run(parser.parse_args(["--rollout", "--data", str(store), "--rollouts", "0"]))


def test_a_dual_net_learns_moves_and_outcomes_and_eval_reports_both(store, tmp_path, capsys):
    policy = tmp_path / "policy"
    sl.train(train_config(store, policy, "--steps", "10", "--checkpoint-every", "10", "--net", "res-tiny"))
    out = tmp_path / "dual"
    sl.train(train_config(store, out, "--steps", "20", "--checkpoint-every", "10", "--dual",
                          "--init", str(policy / "policy.safetensors"), "--optimizer", "adamw", "--lr", "0.01"))
    config = nets.read_config(out / "dual.safetensors")
    assert config.kind == nets.DUAL and config.trunk == "residual"
    with open(out / "log.csv", newline="") as handle:
        last = list(csv.DictReader(handle))[-1]
    assert all(last[name] for name in ("train_loss", "train_top1", "train_mse", "val_top1", "val_mse", "train_seconds"))
    parser = ArgumentParser()
    eval_command.add_arguments(parser)
    capsys.readouterr()
    eval_command.run(parser.parse_args(["--weights", str(out / "dual.safetensors"), "--data", str(store),
                                        "--split", "all", "--json"]))
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["kind"] == "dual" and 0 <= result["top1"] <= result["top5"] <= 1
    assert result["positions"] > result["value_positions"] == result["value_games"] > 0
    assert result["value_mse_quarter"] == result["value_mse"] / 4 and result["value_std"] > 0
    phases = result["value_mse_by_phase"]
    assert list(phases) == ["0-79", "80-159", "160+"] and phases["0-79"] >= 0


def test_missing_training_extras_name_the_install_command(store, tmp_path, monkeypatch, capsys):
    from importlib import util

    from cli.main import main

    find_spec = util.find_spec
    monkeypatch.setattr(util, "find_spec", lambda name, *a: None if name == "tqdm" else find_spec(name, *a))
    assert main(["train", "sl", "--store", str(store), "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert "tqdm" in error and "pip install -e .[train]" in error
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("name", ["tiny", "res-tiny"])
def test_value_and_dual_nets_seeded_by_a_policy_net_start_with_its_features(name):
    torch.manual_seed(0)
    policy = nets.build(nets.NetConfig.named(name, board_size=9)).eval()
    planes = torch.randint(0, 2, (4, 49, 9, 9)).float()
    for kind in (nets.VALUE, nets.DUAL):
        seeded = surgery.seeded_by(policy, kind).eval()
        assert seeded.config.kind == kind and seeded.config.trunk == policy.config.trunk
        with torch.no_grad():
            assert torch.allclose(seeded.trunk(planes), policy.trunk(planes[:, :48]), atol=1e-6)
            if kind == nets.DUAL:  # the policy head comes along
                assert torch.allclose(seeded(planes)[0], policy(planes[:, :48]), atol=1e-5)


@pytest.mark.parametrize("name", ["tiny", "res-tiny"])
def test_a_widened_net_computes_what_the_narrow_one_did(name):
    torch.manual_seed(0)
    narrow = nets.build(nets.NetConfig.named(name, kind=nets.DUAL, board_size=9))
    narrow = surgery.with_ownership_head(narrow).eval()
    wide = surgery.widened(narrow, 16).eval()
    assert wide.config.filters == 16 and wide.config.trunk == narrow.config.trunk
    planes = torch.randint(0, 2, (4, 49, 9, 9)).float()
    with torch.no_grad():
        for before, after in zip(narrow(planes, ownership=True), wide(planes, ownership=True)):
            assert torch.allclose(before, after, atol=1e-5)
        assert wide.trunk(planes)[:, 8:].abs().sum() > 0  # the new filters compute features of their own
    with pytest.raises(GogoError, match="cannot narrow"):
        surgery.widened(wide, 8)


def test_a_resized_net_keeps_its_corners_and_edges():
    # a 9x9 board's lines on a 19x19 one: the near half from the first edge, the far half from the last
    assert surgery.edge_matched_points(9, 19)[:9] == [0, 1, 2, 3, 4, 15, 16, 17, 18]
    assert surgery.edge_matched_points(9, 19)[9] == 19  # line 2 starts where the source's line 2 does
    torch.manual_seed(0)
    big = surgery.with_ownership_head(nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL))).eval()
    with torch.no_grad():
        big.point_bias.normal_()
    small = surgery.resized(big, 9).eval()
    assert small.config.board_size == 9 and small.fc[0].in_features == 2 * 81
    # the value layer's weights on the far corner: of the value plane, then of the ownership plane
    assert torch.equal(small.fc[0].weight[:, [80, 161]], big.fc[0].weight[:, [360, 721]])
    points = torch.tensor(surgery.edge_matched_points(9, 19))
    planes = torch.randint(0, 2, (2, 49, 19, 19)).float()
    small_planes = planes.flatten(2)[:, :, points].reshape(2, 49, 9, 9)
    with torch.no_grad():
        big_logits, small_logits = big(planes)[0], small(small_planes)[0]
    # the tiny net sees 3 points around each point: the points within 2 lines of the near corner and
    # the far corner point see the same board on both nets
    for index in [0, 1, 9, 10, 80]:
        assert torch.allclose(small_logits[:, index], big_logits[:, points[index]], atol=1e-5)
    with pytest.raises(GogoError, match="cannot resize"):
        surgery.resized(small, 19)


def test_training_on_9x9_from_a_19x19_net_resizes_it(store, tmp_path):
    path = tmp_path / "big.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL)), path)
    assert sl.train(train_config(store, tmp_path / "run", "--dual", "--init", str(path), "--steps", "2"))
    assert nets.load(tmp_path / "run" / "dual.safetensors", board_size=9).config.filters == 8


def test_training_from_a_narrow_net_widens_it_and_the_new_filters_learn(store, tmp_path):
    narrow = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    path = tmp_path / "narrow.safetensors"
    nets.save(narrow, path)
    out = tmp_path / "wide"
    assert sl.train(train_config(store, out, "--dual", "--init", str(path), "--filters", "12", "--steps", "3"))
    wide = nets.load(out / "dual.safetensors")
    assert wide.config.filters == 12
    into_old_filters = wide.state_dict()["trunk.2.weight"][:8, 8:]
    assert into_old_filters.abs().sum() > 0  # zero at the start, trained since
    with pytest.raises(GogoError, match="3-layer net cannot seed a 5-layer"):
        sl.make_net(train_config(store, tmp_path / "x", "--dual", "--init", str(path), "--layers", "5"), 9)


def test_train_says_whether_the_run_ended_as_configured(store, tmp_path, monkeypatch):
    from training.stop import StopRequest

    assert sl.train(train_config(store, tmp_path / "steps", "--steps", "3"))
    assert sl.train(train_config(store, tmp_path / "minutes", "--steps", "50", "--minutes", "0"))

    class Signalled(StopRequest):
        def __call__(self):
            self.reason = "SIGTERM"
            return True

    monkeypatch.setattr(sl, "StopRequest", Signalled)
    assert not sl.train(train_config(store, tmp_path / "signal", "--steps", "50"))


def test_a_run_resumes_after_its_init_weights_are_gone(store, tmp_path):
    seed = tmp_path / "seed"
    sl.train(train_config(store, seed, "--steps", "4", "--checkpoint-every", "4"))
    init = tmp_path / "init.safetensors"
    init.write_bytes((seed / "policy.safetensors").read_bytes())
    out = tmp_path / "run"
    sl.train(train_config(store, out, "--steps", "4", "--checkpoint-every", "4", "--dual", "--init", str(init)))
    init.unlink()  # a fresh clone has the run's state but not the file it began from
    assert sl.train(train_config(store, out, "--steps", "8", "--checkpoint-every", "4", "--resume"))
    assert nets.read_config(out / "dual.safetensors").provenance["steps"] == 8


def test_a_dual_nets_value_head_learns_who_leads():
    """The normalised value head fits a plain rule: the player with more stones wins."""
    torch.manual_seed(0)
    net = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    optimizer = torch.optim.AdamW(net.parameters(), lr=3e-3)
    planes = torch.zeros(256, 49, 9, 9)
    stones = torch.rand(256, 9, 9)
    planes[:, 0], planes[:, 1] = (stones < 0.3).float(), (stones > 0.7).float()
    results = torch.sign(planes[:, 0].sum((1, 2)) - planes[:, 1].sum((1, 2)) + 0.5)
    for _ in range(150):
        optimizer.zero_grad()
        loss = ((net(planes)[1] - results) ** 2).mean()
        loss.backward()
        optimizer.step()
    values = net.eval()(planes)[1].detach()
    assert ((values - results) ** 2).mean() < 0.5 and values.std() > 0.3


def test_a_dual_net_saved_before_the_normalised_value_head_loads_and_seeds_a_new_one(store, tmp_path):
    old = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    old.config.value_norm = False
    old = nets.build(old.config)  # the old value head: one linear plane
    path = tmp_path / "old.safetensors"
    tensors = {k: v.contiguous() for k, v in old.state_dict().items()}
    config = {k: v for k, v in dataclasses.asdict(old.config).items() if k != "value_norm"}
    save_file(tensors, str(path), metadata={"gogo": json.dumps(config)})
    loaded = nets.load(path)
    assert not loaded.config.value_norm
    seeded = sl.make_net(train_config(store, tmp_path / "run", "--dual", "--init", str(path)), 9).eval()
    assert seeded.config.value_norm
    planes = torch.randint(0, 2, (4, 49, 9, 9)).float()
    with torch.no_grad():  # the trunk and the policy head come along
        assert torch.allclose(seeded(planes)[0], loaded.eval()(planes)[0], atol=1e-6)


def test_the_value_error_by_game_phase():
    from training.metrics import mse_by_phase

    assert mse_by_phase([1.0, 2.0, 3.0, 4.0], [10, 90, 200, 70]) == {"0-79": 2.5, "80-159": 2.0, "160+": 3.0}
    assert mse_by_phase([1.0], [5]) == {"0-79": 1.0, "80-159": None, "160+": None}


def test_a_value_layer_below_zero_for_every_position_still_learns():
    """Every unit of the 256-unit layer pushed below zero (what killed the old head): it leaks,
    so the head learns its way back."""
    torch.manual_seed(0)
    net = nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9))
    with torch.no_grad():
        net.fc[0].bias.fill_(-100.0)
    optimizer = torch.optim.AdamW(net.parameters(), lr=3e-3)
    planes = torch.zeros(64, 49, 9, 9)
    planes[:32, 0], planes[32:, 1] = 1.0, 1.0
    results = torch.cat([torch.ones(32), -torch.ones(32)])
    for _ in range(100):
        optimizer.zero_grad()
        ((net(planes)[1] - results) ** 2).mean().backward()
        optimizer.step()
    values = net.eval()(planes)[1].detach()
    assert ((values - results) ** 2).mean() < 0.5


def test_eval_search_compares_the_search_with_its_priors_on_expert_positions(store, tmp_path, capsys):
    from itertools import islice

    from gogo.records.store import load_store
    from training.search_agreement import MIN_MOVE, positions

    for board, color, expert in islice(positions(load_store(store), None, 9), 20):
        # the expert's next move: legal where the replay stopped, so the two are aligned
        assert board.move_number >= MIN_MOVE and board.is_legal(expert, color)
    torch.manual_seed(0)
    weights = tmp_path / "dual.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", kind=nets.DUAL, board_size=9)), weights)
    parser = ArgumentParser()
    eval_command.add_arguments(parser)
    command = ["--weights", str(weights), "--data", str(store), "--split", "all", "--positions", "12",
               "--search", "16", "--lambda", "0", "--c-puct", "3", "--json"]
    capsys.readouterr()
    results = []
    for _ in range(2):
        eval_command.run(parser.parse_args(command))
        results.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    result = results[0]
    assert result["search_positions"] == 12 and result["search_visits"] == 16 and result["size"] == 9
    assert result["lambda"] == "0.0" and result["rollouts"] == 0 and result["c_puct"] == 3
    assert result["prior_temperature"] == pytest.approx(1 / 0.67)
    assert result["search_top1"] - result["policy_top1"] == pytest.approx(
        (result["search_right_priors_wrong"] - result["priors_right_search_wrong"]) / 12)
    same = ["search_top1", "policy_top1", "search_agrees_with_policy", "search_right_priors_wrong"]
    assert [results[1][key] for key in same] == [result[key] for key in same]  # seeded: the same positions, moves
    with pytest.raises(GogoError, match="one --lambda, not 2"):
        eval_command.run(parser.parse_args(command[:-5] + ["--lambda", "0", "1"]))
    with pytest.raises(GogoError, match="--search 0: give at least 1 visit"):
        eval_command.run(parser.parse_args(["--weights", str(weights), "--data", str(store), "--search", "0"]))
