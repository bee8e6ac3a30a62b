"""Self-play on a Ray cluster of two nodes on this machine (ray.cluster_utils.Cluster: two raylets,
each with its own object store, as two machines would have): a head node with no CPU for workers,
so every worker runs on the second node and the net crosses from the driver's object store to the
other node's. `gogo selfplay --ray ADDRESS --workers 2` started as its own process, as on a real cluster,
plays the games of one worker and writes a store in the one-machine format."""
import json
import subprocess
import sys

import numpy as np
import pytest

from cli.main import main

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402 (needs ray)

GAMES, BATCH = 8, 4


@pytest.fixture
def two_nodes():
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    cluster.add_node(num_cpus=2)  # a worker needs a CPU: Ray can only place it here
    cluster.wait_for_nodes()
    yield cluster
    cluster.shutdown()


def selfplay_options(out):
    return ["selfplay", "--net", "tiny", "--size", "9", "--games", str(GAMES), "--batch", str(BATCH),
            "--out", str(out), "--json"]


def test_workers_on_another_node_write_the_store_of_one_process(two_nodes, tmp_path):
    cluster = two_nodes
    driver = [sys.executable, "-m", "cli", *selfplay_options(tmp_path / "cluster"), "--ray", cluster.address,
              "--workers", "2"]
    done = subprocess.run(driver, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["workers"] == 2
    try:  # one worker, from this process: the same games
        assert main([*selfplay_options(tmp_path / "one"), "--ray", cluster.address, "--workers", "1"]) == 0
    finally:
        ray.shutdown()
    assert main(selfplay_options(tmp_path / "here")) == 0
    two, one, here = (np.load(tmp_path / run / "games.npz") for run in ("cluster", "one", "here"))
    assert two.files == one.files == here.files and all(two[k].dtype == here[k].dtype for k in here.files)
    assert all(np.array_equal(two[k], one[k]) for k in one.files if k != "info")
