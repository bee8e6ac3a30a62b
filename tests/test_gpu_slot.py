"""tools/gpu_train.py end to end on the CPU with a tiny net, so that a GPU slot is never spent on
debugging: prepare the carry folder, run the slot, find the results under the output folder."""
import importlib.util
import json
from pathlib import Path

from gogo import nets
from gogo.records.store import Filters, build_store, load_store
from test_data import random_games, write
from test_train import train_config
from training import ownership, sl

TOOL = Path(__file__).resolve().parents[1] / "tools" / "gpu_train.py"
spec = importlib.util.spec_from_file_location("gpu_train", TOOL)
gpu_train = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu_train)


def tiny_store(tmp_path):
    games = write(tmp_path / "sgf", random_games(30, seed=7))
    store = tmp_path / "tiny.npz"
    build_store([games], store, Filters(size=9, min_moves=0), val=0.2, test=0.2)
    return store


def test_a_slot_continues_the_carried_run_and_reports_its_throughput(tmp_path, capsys):
    store = tiny_store(tmp_path)
    state = tmp_path / "state"
    sl.train(train_config(store, state, "--steps", "10", "--checkpoint-every", "10", "--optimizer", "adamw"))
    carry, out = tmp_path / "carry", tmp_path / "out"
    assert gpu_train.main(["prepare", "--store", str(store), "--state", str(state), "--carry", str(carry)]) == 0
    assert (carry / "python" / "sgfmill" / "sgf.py").exists() and not (carry / "run" / "policy.safetensors").exists()
    assert gpu_train.main(["run", "--carry", str(carry), "--out", str(out), "--minutes", "5", "--device", "cpu",
                           "--workers", "1", "--steps", "30"]) == 0
    report = json.loads((out / "throughput.json").read_text())
    assert report["steps"] == 20 and report["positions"] == 20 * 16 and report["positions_per_second"] > 0
    assert report["precision"] in ("fp32", "bf16") and report["gflops_per_position"] > 0
    assert nets.read_config(out / "run" / "policy.safetensors").provenance["steps"] == 30
    for name in gpu_train.STATE_FILES:
        assert (out / "run" / name).exists()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == report


def test_a_slot_can_start_a_new_run_from_weights(tmp_path):
    store = tiny_store(tmp_path)
    weights = tmp_path / "init.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), weights)
    carry, out = tmp_path / "carry", tmp_path / "out"
    gpu_train.main(["prepare", "--store", str(store), "--init", str(weights), "--carry", str(carry)])
    gpu_train.main(["run", "--carry", str(carry), "--out", str(out), "--device", "cpu", "--workers", "0",
                    "--steps", "8", "--batch", "16"])
    assert json.loads((out / "throughput.json").read_text())["steps"] == 8


def test_a_slot_labels_the_store_when_the_labels_did_not_fit_the_carry(tmp_path, monkeypatch):
    store = tiny_store(tmp_path)
    ownership.build_labels(store, rollouts=2)
    state = tmp_path / "state"
    sl.train(train_config(store, state, "--steps", "4", "--checkpoint-every", "4", "--dual",
                          "--ownership-weight", "1.5", "--optimizer", "adamw"))
    carry, out = tmp_path / "carry", tmp_path / "out"
    prepare = ["prepare", "--store", str(store), "--state", str(state), "--carry", str(carry)]
    gpu_train.main(prepare)
    assert ownership.labels_path(carry / "store.npz").exists()
    everything = sum(p.stat().st_size for p in carry.rglob("*") if p.is_file())
    monkeypatch.setattr(gpu_train, "MAX_CARRY_BYTES", everything - 1)  # all but the labels fit
    gpu_train.main(prepare)
    assert (carry / "store.npz").exists() and not ownership.labels_path(carry / "store.npz").exists()
    gpu_train.main(["run", "--carry", str(carry), "--out", str(out), "--device", "cpu", "--workers", "0",
                    "--steps", "6"])
    report = json.loads((out / "throughput.json").read_text())
    assert report["steps"] == 2 and report["labels_seconds"] > 0
    assert ownership.load_labels(load_store(carry / "store.npz")).any()
    assert nets.read_config(out / "run" / "dual.safetensors").provenance["steps"] == 6
