#!/usr/bin/env python3
"""Whether another CPU inference runtime would evaluate the search's leaves faster than torch:
one net's forward pass on real 19x19 test positions at the search's batch sizes, through gogo's
own Runner (torch, bfloat16 where the CPU does it) and through OpenVINO (its CPU plugin, in
bfloat16 and in float32), timed in turns in one process so that a shared machine's load falls
on all alike. Checks first that the runtimes agree (largest logit and value differences against
torch in float32, and how often the top move is the same). OpenVINO is not a gogo dependency:
`pip install openvino` beside it to run this. Prints one JSON object; docs/benchmarks.md reads it.

    OMP_NUM_THREADS=1 python3 tools/inference_runtimes.py WEIGHTS [--store stores/all19.npz] [--batch 8 16]
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gogo import nets  # noqa: E402
from gogo.records.store import load_store  # noqa: E402
from training.sampler import EXPERT_VALUE_STREAM, PositionSampler  # noqa: E402

ROUNDS = 5  # turns per runtime
SECONDS = 1.0  # of calls per turn


def positions(store, batch, planes):
    """A batch of test positions, with the planes the net reads."""
    stream = EXPERT_VALUE_STREAM if planes > 48 else {}
    sampler = PositionSampler(load_store(store), split="test", batch_size=batch, seed=0, symmetries=False,
                              epochs=1, **stream)
    x = next(iter(sampler)).planes
    sampler.close()
    return x


def rate(call, batch):
    """Positions a second of `call` over one turn."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < SECONDS:
        call()
        calls += 1
    return calls * batch / (time.perf_counter() - start)


def as_pair(output):
    """(logits, values or None) of any runtime's output."""
    return (output[0], output[1]) if len(output) > 1 else (output[0], None)


def compare(weights, store, batch, threads):
    import openvino

    net = nets.load(weights).eval()
    x = positions(store, batch, net.config.input_planes)
    runner = nets.Runner(net, "cpu")
    reference = nets.load(weights).eval().float()
    with torch.no_grad():
        exact = reference(torch.from_numpy(x).float())
    exact = as_pair([t.numpy() for t in exact] if isinstance(exact, tuple) else [exact.numpy()])
    core = openvino.Core()
    core.set_property("CPU", {"INFERENCE_NUM_THREADS": threads})
    model = openvino.convert_model(reference, example_input=torch.from_numpy(x).float())
    xf = x.astype(np.float32)
    calls = {"torch": lambda: runner(x)}
    for hint in ("bf16", "f32"):
        compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": hint, "PERFORMANCE_HINT": "LATENCY"})
        calls[f"openvino_{hint}"] = lambda compiled=compiled: compiled([xf])
    row = {"batch": batch, "agreement": {}}
    for name, call in calls.items():
        output = call()
        logits, values = as_pair(output if name != "torch" or isinstance(output, tuple) else [output])
        logits, values = np.asarray(logits), None if values is None else np.asarray(values)
        row["agreement"][name] = {
            "max_logit_diff": round(float(np.abs(logits - exact[0]).max()), 4),
            "max_value_diff": None if values is None else round(float(np.abs(values - exact[1]).max()), 4),
            "same_top_move": float((logits.argmax(1) == exact[0].argmax(1)).mean())}
    rates = {name: [] for name in calls}
    for _ in range(ROUNDS):
        for name, call in calls.items():
            rates[name].append(rate(call, batch))
    row["positions_per_second"] = {name: round(float(np.median(r)), 1) for name, r in rates.items()}
    row["openvino_bf16_over_torch"] = round(row["positions_per_second"]["openvino_bf16"] /
                                            row["positions_per_second"]["torch"], 3)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights")
    parser.add_argument("--store", default="stores/all19.npz", help="game store whose test positions are used")
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    threads = torch.get_num_threads()
    rows = [compare(args.weights, args.store, batch, threads) for batch in args.batch]
    print(json.dumps({"weights": args.weights, "threads": threads, "precision_torch":
                      "bf16" if nets.uses_bf16(torch.device("cpu")) else "fp32", "rows": rows}))


if __name__ == "__main__":
    main()
