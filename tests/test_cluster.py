"""Self-play on Ray (selfplay/cluster.py) with a local Ray and tiny 9x9 nets: 2 workers write the
store 1 worker writes, in the one-machine format; a worker killed with SIGKILL mid-batch loses no
game and plays no seed twice; a killed driver resumes from its batches; without --ray, no Ray."""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from cli.main import main
from gogo import nets
from selfplay.games import black_and_white, play
from selfplay.movers import PolicyMover

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
    players = [(nets.build(nets.NetConfig.named("tiny", board_size=9)), 1.0, False)]
    settings = {"games": GAMES, "batch": BATCH, "seed": 3, "size": 9, "komi": 7.5,
                "version": cluster.weights_version([players[0][0]])}
    workers, _shared = cluster.start_workers(players, 2)
    pids = ray.get([w.pid.remote() for w in workers])
    killed = []

    def kill_both(index, games):  # the one still playing dies mid-batch
        if not killed:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed.append(index)

    games, retried = cluster.play_batches(workers, tmp_path / "killed", settings, on_batch=kill_both)
    assert killed and retried >= 1
    assert set(ray.get([w.pid.remote() for w in workers])).isdisjoint(pids)  # restarted by Ray
    clean, _ = cluster.play_batches(workers, tmp_path / "clean", settings)
    assert len(games) == GAMES and all(np.array_equal(a, b) for a, b in zip(games.moves, clean.moves))


def test_a_killed_driver_resumes_from_its_batches(local_ray, tmp_path):
    whole = selfplay(tmp_path, "--ray", "--workers", "2")
    (tmp_path / "games.npz").unlink()
    (tmp_path / "batches" / "batch-000002.npz").unlink()  # in flight when the driver died
    assert same_games(selfplay(tmp_path, "--ray", "--workers", "2"), whole)
    assert main(["selfplay", "--net", "tiny", "--size", "9", "--games", "8", "--batch", "4", "--out", str(tmp_path),
                 "--ray"]) == 2  # other settings: refused


def test_without_ray_nothing_imports_it(tmp_path):
    script = ("import sys; from cli.main import main; "
              f"main(['selfplay', '--net', 'tiny', '--size', '9', '--games', '2', '--batch', '2', '--out', {str(tmp_path)!r}]); "
              "assert 'ray' not in sys.modules, 'ray imported'")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)


def test_the_driver_ceiling_with_stand_in_workers(local_ray, tmp_path):
    torch.manual_seed(0)
    mover = PolicyMover(nets.build(nets.NetConfig.named("tiny", board_size=9)), "cpu")
    games = play([mover], black_and_white(1), 4, 9, 7.5, np.random.default_rng(0))
    result = cluster.driver_ceiling(games, workers=8, seconds=0.05, batches=40, out=tmp_path)
    assert result["stored_games_per_s"] > 0 and len(list((tmp_path / "batches").glob("batch-*.npz"))) == 40
