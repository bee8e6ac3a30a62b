"""A training slot on a borrowed GPU, prepared here and run there in one command.

GPU time comes in short slots on a machine that receives a copy of the checkout and one small
folder (under 64 MiB), has torch and numba but not sgfmill, and sends back what the command writes
under $OUT. So:

    # here: the folder to carry (git-ignored): the game store, the run to continue, sgfmill
    python3 tools/gpu_train.py prepare --store stores/all19.npz --state state/policy19 --carry gpu-carry
    # there (the device tool's run command, carrying gpu-carry):
    python3 tools/gpu_train.py run --carry gpu-carry --out "$OUT" --minutes 8

`run` continues the carried run (`gogo train sl --resume`, its args.json options) on the GPU in
bfloat16, with the data pipeline on the machine's cores, for --minutes, and stops cleanly. $OUT
then holds run/ (the checkpoint to bring back into state/, the weights, log.csv, curves.png) and
throughput.json: positions/s, TFLOP/s, and the model FLOPs utilisation against the GPU's dense
bfloat16 spec and against the bfloat16 matrix multiply measured in the same process.
With --init WEIGHTS instead of --state, `prepare` carries those weights and `run` starts a new run
from them. The test suite runs both commands end to end on the CPU with a tiny net.
"""
import argparse
import json
import os
import shutil
import sys
import time
from importlib import util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_CARRY_BYTES = 64 * 2 ** 20
STATE_FILES = ("checkpoint.safetensors", "args.json", "log.csv")  # a run folder's resumable part
H200_BF16_TFLOPS = 989.0  # dense bfloat16 tensor-core peak of an H200 SXM (NVIDIA's data sheet)


def prepare(store, carry, state=None, init=None):
    """Fill the carry folder: the store, the run's state (or the init weights), sgfmill's source,
    and the store's ownership labels where they exist and still fit (the 19x19 store, its labels
    and a dual run's state hold 65 MiB; `run` labels the store on the slot's cores instead)."""
    from training.ownership import labels_path

    carry = Path(carry)
    if carry.exists():
        shutil.rmtree(carry)
    (carry / "run").mkdir(parents=True)
    shutil.copyfile(store, carry / "store.npz")
    if state:
        for name in STATE_FILES:
            shutil.copyfile(Path(state) / name, carry / "run" / name)
    else:
        shutil.copyfile(init, carry / "init.safetensors")
    sgfmill = Path(util.find_spec("sgfmill").submodule_search_locations[0])
    shutil.copytree(sgfmill, carry / "python" / "sgfmill", ignore=shutil.ignore_patterns("__pycache__"))
    size = sum(p.stat().st_size for p in carry.rglob("*") if p.is_file())
    labels = labels_path(store)
    if labels.exists() and size + labels.stat().st_size <= MAX_CARRY_BYTES:
        shutil.copyfile(labels, labels_path(carry / "store.npz"))
        size += labels.stat().st_size
    if size > MAX_CARRY_BYTES:
        raise SystemExit(f"gpu_train prepare: {carry} holds {size / 2 ** 20:.1f} MiB, over the 64 MiB a slot carries")
    return size


def slot_config(carry, out, minutes, batch, workers, device, steps, lr):
    """The SLConfig of the slot, run folder out/run (args.json copied there): the carried run's
    options (or a new run's from --init, AdamW) but for those given here, on the GPU, for
    `minutes`."""
    from training.config import SLConfig, with_recorded

    resume = (out / "run" / "args.json").exists()
    given = {k: v for k, v in (("batch", batch), ("lr", lr), ("steps", steps)) if v}
    new_run = {} if resume else {"init": str(carry / "init.safetensors"), "optimizer": "adamw"}
    return with_recorded(SLConfig(store=str(carry / "store.npz"), out=str(out / "run"), resume=resume,
                                  minutes=minutes, workers=workers, device=device, no_progress=True,
                                  **new_run, **given))


def throughput(run, start_row, config, device):
    """positions/s, TFLOP/s and MFU of the slot, from the run's log (the rows it added)."""
    import csv

    import torch

    from cli.bench import net_flops
    from cli.bench_peaks import matmul_peak
    from gogo import nets
    from training.sl import net_kind

    with open(run / "log.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("train_seconds")]
    first_seconds = float(start_row["train_seconds"]) if start_row else 0.0
    first_step = int(start_row["step"]) if start_row else 0
    seconds = float(rows[-1]["train_seconds"]) - first_seconds
    positions = (int(rows[-1]["step"]) - first_step) * config.batch
    net = nets.load(run / f"{net_kind(config)}.safetensors")
    flops = 3 * net_flops(net)
    rate = positions / max(seconds, 1e-9)
    tflops = rate * flops / 1e12
    result = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
              "precision": "bf16" if nets.uses_bf16(device) else "fp32", "batch": config.batch,
              "workers": config.workers, "steps": int(rows[-1]["step"]) - first_step, "positions": positions,
              "train_seconds": round(seconds, 1), "positions_per_second": round(rate, 1),
              "gflops_per_position": round(flops / 1e9, 3), "tflops": round(tflops, 3)}
    if device.type == "cuda":
        measured = matmul_peak(device, torch.bfloat16) / 1e12
        result.update(mfu_spec=round(tflops / H200_BF16_TFLOPS, 4), spec_bf16_tflops=H200_BF16_TFLOPS,
                      matmul_bf16_tflops=round(measured, 1), mfu_measured=round(tflops / measured, 4))
    return result


def label_if_needed(config, workers):
    """Label the carried store's final ownership on every core when the run has an ownership head
    and `prepare` could not carry the labels (about a minute for the 19x19 store on 16 cores);
    returns the seconds spent, 0.0 when nothing was needed."""
    from training.ownership import build_labels, labels_path

    if not config.ownership_weight or labels_path(config.store).exists():
        return 0.0
    return build_labels(config.store, workers=workers)["seconds"]


def run(carry, out, minutes, batch=None, workers=None, device=None, steps=None, lr=None):
    sys.path.insert(0, str(Path(carry).resolve() / "python"))  # sgfmill, where the machine lacks it
    from gogo import nets
    from training import sl

    carry, out = Path(carry), Path(out)
    device = nets.pick_device(device)
    workers = max(1, (os.cpu_count() or 2) - 2) if workers is None else workers
    (out / "run").mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        if (carry / "run" / name).exists():
            shutil.copyfile(carry / "run" / name, out / "run" / name)
    start_row = None
    if (out / "run" / "log.csv").exists():
        import csv

        with open(out / "run" / "log.csv", newline="") as handle:
            logged = [r for r in csv.DictReader(handle) if r.get("train_seconds")]
        start_row = logged[-1] if logged else None
    config = slot_config(carry, out, minutes, batch, workers, device.type, steps, lr)
    started = time.time()
    labels_seconds = label_if_needed(config, os.cpu_count() or 1)
    sl.train(config)
    result = throughput(out / "run", start_row, config, device)
    result.update(wall_seconds=round(time.time() - started, 1), labels_seconds=labels_seconds)
    (out / "throughput.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tools/gpu_train.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="fill the folder to carry to the GPU machine")
    p.add_argument("--store", required=True)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--state", help="a run folder to continue (state/NAME)")
    source.add_argument("--init", help="weights to start a new run from")
    p.add_argument("--carry", default="gpu-carry")
    r = sub.add_parser("run", help="train on the GPU for --minutes; results under --out")
    r.add_argument("--carry", default="gpu-carry")
    r.add_argument("--out", required=True)
    r.add_argument("--minutes", type=float, default=8.0)
    r.add_argument("--batch", type=int, help="default: the carried run's")
    r.add_argument("--lr", type=float, help="default: the carried run's")
    r.add_argument("--workers", type=int, help="data workers (default: the CPUs less two)")
    r.add_argument("--device", help="default: cuda if present")
    r.add_argument("--steps", type=int, help="stop at this step at the latest (tests)")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        size = prepare(args.store, args.carry, args.state, args.init)
        print(f"{args.carry}: {size / 2 ** 20:.1f} MiB to carry")
    else:
        run(args.carry, args.out, args.minutes, args.batch, args.workers, args.device, args.steps, args.lr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
