"""`gogo gtp` under Sabaki's own GTP controller (@sabaki/gtp from npm), run by Node.js."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gogo import nets
from npm_packages import npm_install

SESSION = Path(__file__).parent / "js" / "sabaki_session.js"


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory):
    return npm_install(tmp_path_factory.mktemp("npm"), "@sabaki/gtp@3")


def test_sabaki_controller_session(node_modules, tmp_path):
    torch.manual_seed(0)
    weights = tmp_path / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), weights)
    engine = [sys.executable, "-m", "cli.main", "gtp", "--weights", str(weights), "--visits", "200",
              "--size", "9"]
    done = subprocess.run(["node", str(SESSION), *engine], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NODE_PATH": str(node_modules)})
    assert done.returncode == 0, done.stderr
    session = json.loads(done.stdout)
    replies = session["replies"]
    assert all(not reply["error"] for reply in replies.values()), replies
    assert replies["name"]["content"] == "gogo" and replies["protocol_version"]["content"] == "2"
    assert "analyze" in replies["list_commands"]["content"].split("\n")
    assert replies["genmove W"]["content"] not in ("", "E5")
    assert not session["analyzeError"] and session["infoLines"]
    assert all(line.startswith("info move ") for line in session["infoLines"])
    assert not session["showboardError"] and session["showboard"].count("X") == 1  # Black's E5
