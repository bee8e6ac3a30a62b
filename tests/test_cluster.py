"""Self-play on Ray (selfplay/cluster.py) with a local Ray and tiny 9x9 nets: 2 workers write the
store 1 worker writes, in the one-machine format; a worker killed with SIGKILL mid-batch loses no
game and plays no seed twice; a killed driver resumes from its batches; without --ray, no Ray. The
pipeline's [cluster] table: its RL and value games on 2 workers, stores and logs of the one-machine
kind, every game with the weights version that played it, each RL iteration's new version reaching
the running workers. `gogo train rl --ray --workers 2` plays one process's games and makes its
updates."""
import csv
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from cli.main import main
from gogo import nets
from selfplay.games import black_and_white, play
from selfplay.movers import NetPlayer, PolicyMover, players_version, weights_version
from test_distributed import rl_arguments, rl_rows
from test_rl import rl_config, tiny_policy
from training import pipeline, rl

ray = pytest.importorskip("ray")
from selfplay import cluster  # noqa: E402 (needs ray)

GAMES, BATCH = 24, 4


@pytest.fixture(scope="module")
def local_ray():
    cluster.connect("local", 2)
    yield
    ray.shutdown()


def selfplay(out, *extra):
    command = ["selfplay", "--net", "tiny", "--size", "9", "--games", str(GAMES), "--batch", str(BATCH),
               "--out", str(out), "--json", *extra]
    assert main(command) == 0
    with np.load(out / "games.npz") as store:
        return {name: store[name] for name in store.files}


def same_games(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a if k != "info") and a.keys() == b.keys()


def test_two_workers_write_the_store_of_one_in_the_one_machine_format(local_ray, tmp_path):
    two = selfplay(tmp_path / "two", "--ray", "--workers", "2")
    assert same_games(two, selfplay(tmp_path / "one", "--ray", "--workers", "1"))
    here = selfplay(tmp_path / "here")
    assert two.keys() == here.keys() and all(two[k].dtype == here[k].dtype for k in two)
    assert len(two["move_offsets"]) == len(here["move_offsets"]) == GAMES + 1
    assert len(list((tmp_path / "two").glob("game-*.sgf"))) == GAMES


def test_a_worker_killed_mid_batch_loses_nothing(local_ray, tmp_path):
    torch.manual_seed(0)
    players = [NetPlayer(nets.build(nets.NetConfig.named("tiny", board_size=9)))]
    settings = {"games": GAMES, "batch": BATCH, "seed": 3, "size": 9, "komi": 7.5,
                "version": players_version(players)}
    workers = cluster.start("local", 2)
    pids = ray.get([w.pid.remote() for w in workers.actors])
    killed = []

    def kill_both(index, games):  # the one still playing dies mid-batch
        if not killed:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed.append(index)

    games = cluster.play_batches(workers, players, tmp_path / "killed", settings, on_batch=kill_both)
    assert killed and workers.retried >= 1
    assert set(ray.get([w.pid.remote() for w in workers.actors])).isdisjoint(pids)  # restarted by Ray
    clean = cluster.play_batches(workers, players, tmp_path / "clean", settings)
    assert len(games) == GAMES and all(np.array_equal(a, b) for a, b in zip(games.moves, clean.moves))
    assert (games.versions == settings["version"]).all()  # the restarted workers fetched the net again


def test_a_killed_driver_resumes_from_its_batches(local_ray, tmp_path):
    whole = selfplay(tmp_path, "--ray", "--workers", "2")
    (tmp_path / "games.npz").unlink()
    (tmp_path / "batches" / "batch-000002.npz").unlink()  # in flight when the driver died
    assert same_games(selfplay(tmp_path, "--ray", "--workers", "2"), whole)
    assert main(["selfplay", "--net", "tiny", "--size", "9", "--games", "8", "--batch", "4", "--out", str(tmp_path),
                 "--ray"]) == 2  # other settings: refused


def test_without_ray_nothing_imports_it(tmp_path):
    rl_options = rl_arguments(tiny_policy(tmp_path / "sl.safetensors"), tmp_path / "rl", "--iterations", "1")
    script = ("import sys; from cli.main import main; from training.pipeline import Pipeline; "
              f"main(['selfplay', '--net', 'tiny', '--size', '9', '--games', '2', '--batch', '2', '--out', {str(tmp_path)!r}]); "
              f"assert main(['train', 'rl', *{rl_options!r}]) == 0; "
              f"assert Pipeline({{'board_size': 9}}, {str(tmp_path)!r}).place() is None; "
              "assert 'ray' not in sys.modules, 'ray imported'")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)


def test_the_driver_ceiling_with_stand_in_workers(local_ray, tmp_path):
    torch.manual_seed(0)
    mover = PolicyMover(nets.build(nets.NetConfig.named("tiny", board_size=9)), "cpu")
    games = play([mover], black_and_white(1), 4, 9, 7.5, np.random.default_rng(0))
    result = cluster.driver_ceiling(games, workers=8, seconds=0.05, batches=40, out=tmp_path)
    assert result["stored_games_per_s"] > 0 and len(list((tmp_path / "batches").glob("batch-*.npz"))) == 40


PIPELINE = """board_size = 9
seed = 2
[sl]
weights = "{sl}"
[rl]
iterations = 3
games = 6
pool_every = 1
lr = 0.01
checkpoint_every = 1
eval_every = 0
device = "cpu"
[value]
games = 16
batch_games = 6
held_out = 0.25
net = "tiny"
steps = 4
batch = 8
workers = 0
val_every = 4
checkpoint_every = 4
"""


def run_pipeline(tmp_path, name, cluster_table=""):
    config = tmp_path / f"{name}.toml"
    config.write_text(PIPELINE.format(sl=tiny_policy(tmp_path / "sl.safetensors")) + cluster_table)
    out = tmp_path / name
    pipeline.Pipeline(pipeline.read_config(config), out, device="cpu").run(until="value")
    with np.load(out / "gen-001" / "value" / "value-data.npz") as store:
        arrays = {k: store[k] for k in store.files}
    with open(out / "gen-001" / "rl" / "log.csv", newline="") as handle:
        return out, arrays, list(csv.DictReader(handle))


def test_the_pipeline_on_ray_workers_keeps_its_stores_and_records_weights_versions(local_ray, tmp_path):
    out, ray_store, ray_log = run_pipeline(tmp_path, "ray", '[cluster]\nray = "local"\nworkers = 2\n')
    _, store, log = run_pipeline(tmp_path, "here")
    assert ray_store.keys() == store.keys() and all(ray_store[k].dtype == store[k].dtype for k in store if k != "info")
    assert len(ray_store["move_offsets"]) == len(store["move_offsets"]) == 17
    assert ray_log[0].keys() == log[0].keys()
    load = lambda path: nets.load(path, kind=nets.POLICY)  # noqa: E731
    rl_weights = out / "gen-001" / "rl" / "policy.safetensors"
    played_by = weights_version([load(tmp_path / "sl.safetensors"), load(rl_weights)])
    assert set(ray_store["weights_version"]) == {played_by}
    pool = out / "gen-001" / "rl" / "pool"
    for i, row in enumerate(ray_log):  # iteration i + 1 was played by the weights after iteration i
        assert row["weights_version"] == weights_version([load(pool / f"iteration-{i:06d}.safetensors")])
    assert len({row["weights_version"] for row in ray_log}) == 3


def test_each_rl_iteration_s_new_weights_reach_the_running_worker(local_ray, tmp_path):
    init = tiny_policy(tmp_path / "sl.safetensors")
    rl.train(rl_config(tmp_path / "here", init, iterations=3))
    (tmp_path / "ray").mkdir()
    workers = cluster.start("local", 1)  # the one-machine games and updates, if the weights are new
    rl.train(rl_config(tmp_path / "ray", init, iterations=3), workers)
    here, there = (load_file(str(tmp_path / run / "run" / "policy.safetensors")) for run in ("here", "ray"))
    assert all(torch.equal(here[k], there[k]) for k in here)
    with open(tmp_path / "ray" / "run" / "log.csv", newline="") as handle:
        last = list(csv.DictReader(handle))[-1]["weights_version"]
    assert last in ray.get(workers.actors[0].versions.remote())


def test_train_rl_on_two_ray_workers_plays_the_games_and_updates_of_one_process(local_ray, tmp_path):
    init = tiny_policy(tmp_path / "sl.safetensors")
    here, there = tmp_path / "here", tmp_path / "ray"
    assert main(["train", "rl", *rl_arguments(init, here, "--iterations", "3")]) == 0
    assert main(["train", "rl", *rl_arguments(init, there, "--iterations", "3"), "--ray", "--workers", "2"]) == 0
    rows = rl_rows(there)
    for x, y in zip(rl_rows(here), rows, strict=True):  # the same games
        assert [x[k] for k in ("win_rate", "mean_length", "opponent")] == [y[k] for k in ("win_rate", "mean_length",
                                                                                          "opponent")]
    # the driver's update sums the two workers' positions in another order: float rounding (the
    # tiny net runs in bfloat16 on CPUs that have it)
    one, two = (load_file(str(run / "policy.safetensors")) for run in (here, there))
    assert all(torch.allclose(one[k], two[k], atol=1e-4) for k in one)
    load = lambda path: nets.load(path, kind=nets.POLICY)  # noqa: E731
    for i, row in enumerate(rows):  # iteration i + 1 was played by the weights after iteration i
        assert row["weights_version"] == weights_version([load(there / "pool" / f"iteration-{i:06d}.safetensors")])
