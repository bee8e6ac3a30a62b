"""tools/gpu_train.py end to end on the CPU with a tiny net, so that a GPU slot is never spent on
debugging: prepare the carry folder, run the slot, find the results under the output folder."""
import importlib.util
import json
from pathlib import Path

from gogo import nets
from gogo.records.store import Filters, build_store
from test_data import random_games, write
from test_train import train_config
from training import sl

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
    assert report["precision"] in ("fp32", "bf16") and report["tflops"] > 0
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
