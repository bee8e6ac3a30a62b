"""`gogo bench`: throughput measurements printed as one JSON object."""
import json
import platform
import random
import time
from pathlib import Path

import numpy as np

from cli import bench_peaks
from gogo.errors import GogoError
from gogo.go import rules
from gogo.go.board import Board
from gogo.records.sgf import GameRecord, replay
from gogo.records.sgf_sources import iter_sources
from gogo.features import Encoder
from gogo.go.playout import run_playouts
from gogo.rollouts import policy as rollout_policy
from gogo.search.leaves import ROLLOUTS_PER_LEAF

PLAYOUT_BATCH = 200
ROLLOUT_BATCH = 50
FEATURE_POSITIONS = 500  # mid-game positions sampled for the feature benchmark
MID_GAME = (60, 200)  # moves played before a sampled position
SHARED_KGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "kgs-highdan"


def _timed(run, seconds):
    """(runs, moves, seconds, CPU seconds of this process) of calling run(seed) -> (moves, runs)
    until `seconds` have passed. The CPU time is what the work cost on a machine others share."""
    runs = moves = 0
    seed = 1
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        batch_moves, batch_runs = run(seed)
        runs, moves, seed = runs + batch_runs, moves + int(batch_moves), seed + 1
    return runs, moves, time.perf_counter() - start, time.process_time() - cpu


def bench_playouts(size, seconds):
    """Random sensible-move playouts from the empty board on one core."""
    grid, meta = rules.new_position(size)
    run_playouts(grid, meta, 2, 0)  # compile (or load the cache) outside the timing
    last = {}

    def batch(seed):
        moves, last["scores"], _ = run_playouts(grid, meta, PLAYOUT_BATCH, seed)
        return moves, PLAYOUT_BATCH

    playouts, moves, elapsed, _ = _timed(batch, seconds)
    scores = last["scores"]
    return {
        "benchmark": "playouts",
        "size": size,
        "seconds": round(elapsed, 3),
        "playouts": playouts,
        "playouts_per_second": round(playouts / elapsed, 1),
        "moves_per_second": round(moves / elapsed, 1),
        "moves_per_playout": round(moves / playouts, 1),
        "black_win_rate_no_komi": round(float(np.mean(scores > 0)), 3),
        "machine": machine(),
    }


ROLLOUT_BATCH = 50


def bench_rollouts(size, seconds, weights=None):
    """The rollout policy's rollouts (gogo.rollouts; the bundled policy unless `weights`) from the
    empty board on one core, beside uniform random playouts in the same run, half the time each."""
    path = weights or rollout_policy.bundled_path(size)
    if path is None:
        raise GogoError("no bundled rollout policy: give --weights")
    rollout = rollout_policy.load(path)
    grid, meta = rules.new_position(size)
    rollout.rollout_scores(Board(size), 2)  # compile (or load the cache) outside the timing
    run_playouts(grid, meta, 2, 0)

    def pattern(seed):
        return rollout.rollout_scores(Board(size), ROLLOUT_BATCH, seed)[0], ROLLOUT_BATCH

    def uniform(seed):
        return run_playouts(grid, meta, PLAYOUT_BATCH, seed)[0], PLAYOUT_BATCH

    runs, moves, elapsed, cpu = _timed(pattern, seconds / 2)
    uniform_runs, uniform_moves, uniform_elapsed, uniform_cpu = _timed(uniform, seconds / 2)
    rate, uniform_rate = moves / elapsed, uniform_moves / uniform_elapsed
    return {
        "benchmark": "rollouts", "size": size, "weights": str(path), "seconds": round(elapsed, 3),
        "rollouts": runs, "rollouts_per_second": round(runs / elapsed, 1),
        "moves_per_second": round(rate, 1), "moves_per_rollout": round(moves / runs, 1),
        "microseconds_per_move": round(1e6 / rate, 3),
        "uniform_playouts_per_second": round(uniform_runs / uniform_elapsed, 1),
        "uniform_moves_per_second": round(uniform_rate, 1),
        "moves_per_second_vs_uniform": round(rate / uniform_rate, 3),
        "moves_per_cpu_second": round(moves / cpu, 1),
        "uniform_moves_per_cpu_second": round(uniform_moves / uniform_cpu, 1),
        "machine": machine(),
    }


def sample_positions(sources, size, count, seed=1):
    """(grids, metas) of `count` mid-game positions, one per game, from SGF sources."""
    rng = random.Random(seed)
    grids, metas = [], []
    for record in iter_sources(sources):
        if not isinstance(record, GameRecord) or record.size != size or len(record.moves) < MID_GAME[0] + 1:
            continue
        moves = rng.randrange(MID_GAME[0], min(MID_GAME[1], len(record.moves)))
        board = replay(record, moves=moves, keep_undo=False)
        grid, meta = board.position.copy()
        grids.append(grid)
        metas.append(meta)
        if len(grids) == count:
            break
    if not grids:
        raise GogoError(f"no {size}x{size} games in {sources}")
    return np.stack(grids), np.stack(metas)


def bench_features(size, seconds, data=None):
    """48-plane encodings of real mid-game positions per second on one core."""
    sources = data or sorted(str(p) for p in SHARED_KGS.glob("*.tar.gz"))[-1:]
    grids, metas = sample_positions(sources, size, FEATURE_POSITIONS)
    encoder = Encoder(size)
    out = encoder.encode_arrays(grids, metas)  # compile (or load the cache) outside the timing
    encoded = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        encoder.encode_arrays(grids, metas, out)
        encoded += len(grids)
    elapsed = time.perf_counter() - start
    return {
        "benchmark": "features",
        "size": size,
        "seconds": round(elapsed, 3),
        "positions": encoded,
        "positions_per_second": round(encoded / elapsed, 1),
        "distinct_positions": len(grids),
        "sources": [str(s) for s in sources],
        "mid_game_moves": list(MID_GAME),
        "ladder_captures_per_position": round(float(out[:, 44].sum()) / len(grids), 2),
        "machine": machine(),
    }


PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}  # dense tensor-core peaks


def net_flops(net):
    """Floating-point operations (2 per multiply-add) of one forward pass, per position."""
    import torch

    points = net.config.board_size ** 2
    total = 0
    for module in net.modules():
        if isinstance(module, torch.nn.Conv2d):  # every output point
            kh, kw = module.kernel_size
            total += 2 * kh * kw * module.in_channels * module.out_channels * points
        elif isinstance(module, torch.nn.Linear):
            total += 2 * module.in_features * module.out_features
    return total


def bench_train(size, seconds, net="small", batch=256, device=None, value=False, with_peaks=True, dual=False,
                torch_compile=False):
    """Training steps (training.sl.train_step, SGD) on random planes: the nets' training
    throughput, without the data pipeline; with_peaks: beside it, in the same process, the
    machine's ceilings (cli.bench_peaks) and the step's fraction of each."""
    import torch

    from gogo import nets
    from training import optim
    from training.sl import train_step

    kind = nets.DUAL if dual else nets.VALUE if value else nets.POLICY
    config = nets.NetConfig.named(net, kind=kind, board_size=size)
    device = nets.pick_device(device)
    model = nets.to_device(nets.build(config), device)
    cuda = device.type == "cuda"
    optimizer = optim.make_optimizer(model, "sgd", 1e-3)
    planes = torch.randint(0, 2, (batch, config.input_planes, size, size), dtype=torch.uint8, device=device)
    results = torch.full((batch,), 0.5, device=device)
    moves = torch.randint(0, size * size, (batch,), device=device)

    compiled = torch.compile(model) if torch_compile else model

    def step():
        train_step(compiled, optimizer, planes, moves, results, device, config.kind, value_weight=0.02)

    for _ in range(3):  # warm up (cuDNN autotuning, allocator)
        step()
    if cuda:
        torch.cuda.synchronize()
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
        if cuda and steps % 10 == 0:
            torch.cuda.synchronize()
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    rate = steps * batch / elapsed
    flops = 3 * net_flops(model)  # forward + backward (about twice the forward)
    tflops = rate * flops / 1e12
    name = torch.cuda.get_device_name(device) if cuda else "cpu"
    peak = next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)
    bf16 = nets.uses_bf16(device)
    result = {
        "benchmark": "train", "net": net, "kind": config.kind, "size": size, "batch": batch,
        "device": name, "precision": "bf16" if bf16 else "fp32", "compiled": torch_compile,
        "threads": torch.get_num_threads(), "seconds": round(elapsed, 3),
        "positions_per_second": round(rate, 1), "gflops_per_position": round(flops / 1e9, 3),
        "tflops": round(tflops, 4),
        "mfu_bf16": round(tflops / peak, 3) if peak else None,
    }
    if with_peaks:
        measured = bench_peaks.peaks(device, bf16, config.filters, size, batch)
        matmul = bench_peaks.matmul_ceiling(measured, bf16)
        result.update(peaks=measured, fraction_of_conv_peak=round(tflops / measured["conv_tflops"], 3),
                      fraction_of_matmul_peak=round(tflops / matmul, 3),
                      conv_fraction_of_matmul_peak=round(measured["conv_tflops"] / matmul, 3))
    return {**result, "machine": machine()}


SEARCH_VISITS_PER_RUN = 1600


def bench_search(size, seconds, net="small", batch=None, device=None, mixing=0.0, rollouts=ROLLOUTS_PER_LEAF):
    """Search visits per second from the empty board, with random-weight policy and value nets
    of a named config (the speed does not depend on the weights); with mixing (lambda) > 0, the
    leaves also get `rollouts` rollouts each of the bundled rollout policy, played beside the nets."""
    import torch

    from gogo import nets
    from gogo.go.board import Board
    from gogo.search.leaves import NetEvaluator
    from gogo.search.mcts import Search

    if rollouts < 1:
        raise GogoError(f"--rollouts {rollouts}: give at least 1")

    device = nets.pick_device(device)
    batch = batch or (64 if device.type == "cuda" else 8)
    torch.manual_seed(0)
    policy = nets.build(nets.NetConfig.named(net, kind=nets.POLICY, board_size=size))
    value = nets.build(nets.NetConfig.named(net, kind=nets.VALUE, board_size=size))
    rollout = rollout_policy.bundled(size) if mixing > 0 else None
    search = Search(NetEvaluator(policy, value, device, rollouts, mixing=mixing, rollout_policy=rollout), batch=batch)
    board = Board(size)
    search.run(board, 2 * batch, reuse=False)  # compile, warm up
    visits = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        search.run(board, SEARCH_VISITS_PER_RUN, reuse=False)
        visits += SEARCH_VISITS_PER_RUN
    elapsed = time.perf_counter() - start
    return {
        "benchmark": "search", "net": net, "size": size, "batch": batch,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "precision": "bf16" if nets.uses_bf16(device) else "fp32",
        "threads": torch.get_num_threads(), "seconds": round(elapsed, 3), "visits": visits,
        "visits_per_second": round(visits / elapsed, 1), "visits_per_search": SEARCH_VISITS_PER_RUN,
        "lambda": mixing, "rollouts_per_leaf": search.evaluate.rollouts if mixing > 0 else 0,
        "machine": machine(),
    }


def machine():
    """What the numbers were measured on."""
    import os
    import numba
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__}


def bench_data(size, seconds, data=None, workers=1, batch=256, value=False):
    """Positions per second the training data pipeline (training.sampler) delivers from a game
    store; with value, the value net's stream (49 planes, one position per game)."""
    from training.sampler import bench

    if not data or len(data) != 1:
        raise GogoError("give the game store as --data STORE")
    return {**bench(data[0], workers, seconds, batch, value_planes=value, one_per_game=value),
            "machine": machine()}


BENCHMARKS = {"playouts": bench_playouts, "features": bench_features, "train": bench_train,
              "search": bench_search, "data": bench_data, "rollouts": bench_rollouts}


def add_arguments(parser):
    parser.add_argument("what", choices=sorted(BENCHMARKS))
    parser.add_argument("--size", type=int, default=19)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--data", nargs="*", help="features: SGF files, folders or archives (default: "
                        "the newest KGS archive in ../shared/data); data: the game store")
    parser.add_argument("--net", default="small", help="train, search: net config (alphago, small, res-small, "
                        "tiny, res-tiny)")
    parser.add_argument("--batch", type=int, help="train: batch size (256); search: leaves per net call "
                        "(8 on CPU, 64 on CUDA)")
    parser.add_argument("--value", action="store_true", help="train: the value net; data: its stream")
    parser.add_argument("--dual", action="store_true", help="train: the two-headed net")
    parser.add_argument("--compile", action="store_true", help="train: torch.compile the net")
    parser.add_argument("--device", help="train: torch device (default: cuda if present)")
    parser.add_argument("--workers", type=int, default=1, help="data: worker processes (0: in-process)")
    parser.add_argument("--no-peaks", action="store_true", help="train: skip measuring the machine's "
                        "matmul and convolution ceilings")
    parser.add_argument("--weights", help="rollouts: the rollout policy (default: the bundled one)")
    parser.add_argument("--lambda", dest="mixing", type=float, default=0.0, help="search: the weight of "
                        "the bundled rollout policy's rollouts in the leaf values (default 0: none)")
    parser.add_argument("--rollouts", type=int, default=ROLLOUTS_PER_LEAF, help="search: rollouts per leaf "
                        "with --lambda (default %(default)s, as gogo gtp)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")


def run(args):
    options = {"features": {"data": args.data},
               "train": {"net": args.net, "batch": args.batch or 256, "device": args.device,
                         "value": args.value, "with_peaks": not args.no_peaks, "dual": args.dual,
                         "torch_compile": args.compile},
               "data": {"data": args.data, "workers": args.workers, "batch": args.batch or 256,
                        "value": args.value},
               "search": {"net": args.net, "batch": args.batch, "device": args.device,
                          "mixing": args.mixing, "rollouts": args.rollouts},
               "rollouts": {"weights": args.weights},
               }.get(args.what, {})
    result = BENCHMARKS[args.what](args.size, args.seconds, **options)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0
