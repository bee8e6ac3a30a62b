"""Training on DDP (training/distributed.py): `gogo train sl` under torchrun with 2 CPU processes
(gloo) gives one process's losses, resumes on another number of processes, and stops all ranks
together on SIGTERM; `gogo train value` gives one process's value net; `gogo train rl` on 2
processes plays one process's games and makes its updates, and resumes on another number of
processes."""
import csv
import json
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from cli.main import main
from test_train import DETERMINISTIC, arg_list, games, rows, store, train_config  # noqa: F401 (fixtures)
from test_rl import tiny_policy
from test_value import weights  # noqa: F401 (a fixture)
from training import sl
from training.sampler import PositionSampler

STEPS = ["--steps", "20", "--checkpoint-every", "10", "--optimizer", "adamw", "--lr", "0.01"]


@pytest.fixture
def float32(monkeypatch):
    """Nets in float32 here and in the torchrun processes (they inherit it): in bfloat16 (on CPUs
    with AMX or AVX512-BF16) the ranks' other summation order moves the losses by about 4e-4 and
    RL's weights by 1e-5, past the tolerances of float32's rounding."""
    monkeypatch.setenv("GOGO_PRECISION", "fp32")


def torchrun(store, out, *extra):
    """`gogo train sl` under torchrun on 2 CPU processes, started (not waited for)."""
    return launch("sl", *arg_list(store, out, "--device", "cpu", *extra))


def launch(*command):
    return subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
                             "-m", "cli", "train", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finished(process):
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return stderr.decode()


def assert_same_curves(a, b):
    """The log rows of two runs, equal up to float rounding (the ranks sum their gradients in
    another order than one process does)."""
    assert [r["step"] for r in a] == [r["step"] for r in b]
    for x, y in zip(a, b):
        for name in DETERMINISTIC:
            same = x[name] == y[name] or abs(float(x[name]) - float(y[name])) < 2e-4
            assert same, (x["step"], name, x[name], y[name])


def test_each_shard_holds_its_slice_of_the_whole_batch(store):
    whole = PositionSampler(store, batch_size=16, seed=3)
    shards = [PositionSampler(store, batch_size=16, seed=3, shard=(i, 2)) for i in range(2)]
    for _ in range(100):  # past a chunk (1,024 positions) and an epoch of the tiny store
        batch, halves = next(whole), [next(s) for s in shards]
        assert np.array_equal(np.concatenate([h.planes for h in halves]), batch.planes)
        assert np.array_equal(np.concatenate([h.moves for h in halves]), batch.moves)
    assert all(s.state_dict() == whole.state_dict() for s in shards)


def test_two_processes_train_as_one_and_a_run_resumes_on_another_number(float32, store, tmp_path):
    one = tmp_path / "one"
    sl.train(train_config(store, one, *STEPS))
    two = tmp_path / "two"
    finished(torchrun(store, two, *STEPS))
    assert_same_curves(rows(two), rows(one))
    weights, ddp = load_file(str(one / "policy.safetensors")), load_file(str(two / "policy.safetensors"))
    assert all(torch.allclose(weights[k], ddp[k], atol=1e-4) for k in weights)
    # begun on one process, resumed on two
    mixed = tmp_path / "mixed"
    sl.train(train_config(store, mixed, *STEPS[2:], "--steps", "10"))
    finished(torchrun(store, mixed, *STEPS, "--resume"))
    assert_same_curves(rows(mixed), rows(one))
    # and a run of two going on in one process
    sl.train(train_config(store, two, "--steps", "30", "--resume"))
    assert [int(r["step"]) for r in rows(two)][-2:] == [25, 30]


def node_launch(rank, port, *command):
    """One node's torchrun of a two-node run, one process on each node, meeting at 127.0.0.1:port
    (a c10d rendezvous, as across machines; both nodes are this machine here)."""
    return subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--node-rank", str(rank),
                             "--nproc-per-node", "1", "--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}",
                             "--rdzv-id", "gogo-test", "-m", "cli", "train", *command],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# What torchrun says when the nodes cannot meet (no port, no loopback): the test is skipped then
RENDEZVOUS_FAILED = (b"RendezvousConnectionError", b"RendezvousTimeoutError", b"DistNetworkError",
                     b"RendezvousError")


def test_two_nodes_train_as_one_process(float32, store, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    sl.train(train_config(store, one, *STEPS))
    port = free_port()
    launches = [node_launch(rank, port, "sl", *arg_list(store, two, "--device", "cpu", *STEPS)) for rank in (0, 1)]
    errors = [launch.communicate(timeout=300)[1] for launch in launches]
    if any(launch.returncode for launch in launches) and any(e in b"".join(errors) for e in RENDEZVOUS_FAILED):
        pytest.skip("torchrun's two nodes could not meet on 127.0.0.1: " + errors[0].decode()[-500:])
    assert all(launch.returncode == 0 for launch in launches), b"".join(errors).decode()[-3000:]
    assert_same_curves(rows(two), rows(one))
    weights, nodes = load_file(str(one / "policy.safetensors")), load_file(str(two / "policy.safetensors"))
    assert all(torch.allclose(weights[k], nodes[k], atol=1e-4) for k in weights)


def stop_after_two_rows(process, out, rows_of):
    """SIGTERM a torchrun launch once its log has two rows; checks that it stopped cleanly."""
    deadline = time.time() + 240
    while not (out / "log.csv").exists() or len(rows_of(out)) < 2:
        assert process.poll() is None and time.time() < deadline, process.communicate()[1].decode()[-3000:]
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)  # torchrun passes it on to both ranks
    _, stderr = process.communicate(timeout=120)
    assert b"stopped cleanly" in stderr, stderr.decode()[-3000:]  # (torchrun itself ends with 1 on SIGTERM)


def test_sigterm_stops_every_rank_at_one_step_with_a_checkpoint(store, tmp_path):
    out = tmp_path / "run"
    process = torchrun(store, out, "--steps", "100000", "--checkpoint-every", "100000")
    stop_after_two_rows(process, out, rows)
    trainer = json.loads(safe_open(str(out / "checkpoint.safetensors"), "pt").metadata()["trainer"])
    assert int(rows(out)[-1]["step"]) == trainer["step"] < 100000


def test_the_value_net_of_two_processes_is_one_process_s(weights, tmp_path):
    def options(out):
        return ["--sl", weights[0], "--rl", weights[1], "--games", "40", "--batch-games", "20", "--held-out", "0.25",
                "--out", str(out), "--net", "tiny", "--batch", "8", "--steps", "10", "--workers", "0",
                "--no-progress", "--log-every", "5", "--val-every", "5", "--checkpoint-every", "5", "--device", "cpu"]
    assert main(["train", "value", *options(tmp_path / "one")]) == 0
    finished(launch("value", *options(tmp_path / "two")))
    one, two = (json.loads((tmp_path / run / "summary.json").read_text()) for run in ("one", "two"))
    for name in ("test_mse", "val_mse"):
        assert one.pop(name) == pytest.approx(two.pop(name), abs=1e-4)
    for name in ("store", "seconds", "games_per_hour"):  # where it is, how fast
        one.pop(name), two.pop(name)
    assert one == two and one["steps"] == 10


def test_rollout_training_refuses_torchrun(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["train", "rollout", "--store", "s.npz", "--out", str(tmp_path / "r.safetensors")]) == 2
    assert "one process" in capsys.readouterr().err


def test_rl_on_ray_refuses_torchrun(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["train", "rl", "--init", "sl.safetensors", "--out", str(tmp_path), "--ray"]) == 2
    assert "outside torchrun" in capsys.readouterr().err


def rl_arguments(init, out, *extra):
    return ["--init", str(init), "--out", str(out), "--games", "8", "--pool-every", "1", "--checkpoint-every", "1",
            "--eval-every", "0", "--lr", "0.01", "--seed", "3", "--device", "cpu", *extra]


def rl_in_one_process(init, out, *extra):
    assert main(["train", "rl", *rl_arguments(init, out, *extra)]) == 0


def rl_rows(out):
    with open(out / "log.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_same_rl_runs(a, b):
    """Two RL runs' logs (the same games: equal outcomes and lengths; the losses up to float
    rounding) and weights."""
    logs = [rl_rows(a), rl_rows(b)]
    assert len(logs[0]) == len(logs[1])
    for x, y in zip(*logs):
        for name in ("step", "win_rate", "mean_length", "pool_size", "opponent"):
            assert x[name] == y[name], (x["step"], name)
        assert float(x["loss"]) == pytest.approx(float(y["loss"]), abs=2e-5), x["step"]  # 5 printed digits
    one, two = (load_file(str(run / "policy.safetensors")) for run in (a, b))
    assert all(torch.allclose(one[k], two[k], atol=1e-6) for k in one)
    assert sorted(p.name for p in (a / "pool").iterdir()) == sorted(p.name for p in (b / "pool").iterdir())


def test_rl_on_two_processes_plays_the_games_and_makes_the_updates_of_one_process(float32, tmp_path):
    init = tiny_policy(tmp_path / "sl.safetensors")
    one, two = tmp_path / "one", tmp_path / "two"
    rl_in_one_process(init, one, "--iterations", "2")
    finished(launch("rl", *rl_arguments(init, two, "--iterations", "2")))
    assert_same_rl_runs(one, two)
    # begun on two processes, resumed on one; begun on one, resumed on two
    rl_in_one_process(init, two, "--iterations", "3", "--resume")
    finished(launch("rl", *rl_arguments(init, one, "--iterations", "3", "--resume")))
    assert_same_rl_runs(one, two)


def test_sigterm_stops_every_rl_rank_after_one_iteration_with_a_checkpoint(tmp_path):
    out = tmp_path / "run"
    process = launch("rl", *rl_arguments(tiny_policy(tmp_path / "sl.safetensors"), out, "--iterations", "100000",
                                         "--checkpoint-every", "100000"))
    stop_after_two_rows(process, out, rl_rows)  # (torchrun itself ends with 1 on SIGTERM)
    trainer = json.loads(safe_open(str(out / "checkpoint.safetensors"), "pt").metadata()["trainer"])
    assert int(rl_rows(out)[-1]["step"]) == trainer["iteration"] < 100000
