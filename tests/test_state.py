"""The training state committed in state/ (one folder per run, overwritten after each stretch of
training): a fresh clone must be able to go on with it."""
import csv
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from gogo import nets
from training import optim, sl
from training.checkpoint import load_checkpoint
from training.config import SLConfig
from training.ownership import labels_path
from training.sl import net_kind

ROOT = Path(__file__).resolve().parents[1]
STATES = sorted(p.parent for p in (ROOT / "state").glob("*/checkpoint.safetensors"))
STORE = ROOT / "stores" / "all19.npz"


def checkpoint_step(folder):
    with safe_open(str(folder / "checkpoint.safetensors"), "pt") as handle:
        return json.loads(handle.metadata()["trainer"])["step"]


def last_logged_step(folder):
    with open(folder / "log.csv", newline="") as handle:
        return int(list(csv.DictReader(handle))[-1]["step"])


def recorded_config(folder, **changes):
    options = json.loads((folder / "args.json").read_text())
    options = {k: v for k, v in options.items() if k != "kind"}
    return SLConfig(**{**options, "out": str(folder), **changes})


def test_there_is_a_committed_state():
    assert STATES, "state/ holds no run"


@pytest.mark.parametrize("folder", STATES, ids=lambda p: p.name)
def test_the_committed_state_loads_and_trains_on(folder):
    config = recorded_config(folder)
    net = nets.build(nets.read_config(folder / "checkpoint.safetensors"))  # as a resumed run builds it
    optimizer = optim.make_optimizer(net, config.optimizer, optim.learning_rate(config.optimizer, config.lr,
                                                                                 config.batch),
                                     sl.DUAL_HEADS, config.head_lr_scale)
    state = load_checkpoint(folder / "checkpoint.safetensors", net, optimizer)
    assert state["step"] == last_logged_step(folder) and state["positions"] >= state["step"]
    kind = net_kind(config)
    planes = torch.randint(0, 2, (4, net.config.input_planes, 19, 19), dtype=torch.uint8)
    moves, results = torch.randint(0, 361, (4,)), torch.ones(4)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    (loss, *_), _ = sl.train_step(net, optimizer, planes, moves, results, torch.device("cpu"), kind,
                                    config.value_weight)
    assert torch.isfinite(loss) and any(not torch.equal(before[k], v) for k, v in net.state_dict().items())


@pytest.mark.skipif(not STORE.exists(), reason="stores/all19.npz is not built here (gogo data, docs/training.md)")
@pytest.mark.parametrize("folder", STATES, ids=lambda p: p.name)
def test_the_committed_state_resumes_on_the_rebuilt_store(folder, tmp_path):
    if recorded_config(folder).ownership_weight > 0 and not labels_path(STORE).exists():
        pytest.skip("the store's ownership labels are not made here (gogo data --ownership, docs/training.md)")
    run = tmp_path / folder.name
    run.mkdir()
    for name in ("checkpoint.safetensors", "args.json", "log.csv"):
        shutil.copyfile(folder / name, run / name)
    config = recorded_config(run, store=str(STORE), resume=True, workers=0, no_progress=True, minutes=0)
    sl.train(config)  # the sampler checks on resume that the store and the stream are the run's
    assert checkpoint_step(run) == checkpoint_step(folder) + 1
    assert (run / f"{net_kind(config)}.safetensors").exists()
