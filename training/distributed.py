"""Training on several processes: torch DistributedDataParallel under torchrun (docs/cluster.md).

    torchrun --nproc-per-node 2 -m cli train sl --store STORE --out RUN --batch 256

torchrun starts the processes and sets RANK, WORLD_SIZE and LOCAL_RANK; with WORLD_SIZE above 1,
`with processes(device):` joins them in a process group (NCCL on GPUs, gloo on the CPU) and the
helpers below work across it. Outside torchrun there is no group and every helper is the
single-process identity, so one code path serves both.

What the trainers do with it: --batch stays the global batch; each rank trains on its slice of
every batch one process would have drawn (sampler.PositionSampler's shard), and DDP averages the
gradients, so the updates are one process's up to float rounding. The RL update (training/rl.py)
sums its ranks' gradients itself (sum_gradients): each rank plays its share of the iteration's
games, with as many positions as they happen to have. Rank 0 alone writes the run folder; the
checkpoint holds nothing about the number of ranks, so a run resumes on any number.
"""
import os
from contextlib import contextmanager
from datetime import timedelta

import torch
import torch.distributed as dist

from gogo import nets

# How long a collective waits for the other ranks: long enough for rank 0 to play `gogo train
# value`'s games while the others wait (a rank that dies is torchrun's to notice: it ends the rest)
TIMEOUT = timedelta(hours=24)


def launched():
    """Whether torchrun started this process as one of several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


@contextmanager
def processes(device=None):
    """The torchrun launch's process group for the with block; nothing outside torchrun (or when a
    caller already joined one)."""
    if not launched() or dist.is_initialized():
        yield
        return
    cuda = nets.pick_device(device).type == "cuda"
    if cuda:
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl" if cuda else "gloo", timeout=TIMEOUT)
    finished = False
    try:
        yield
        finished = True
    finally:
        if finished:  # no rank tears its connections down while another may still use them
            dist.barrier()
        dist.destroy_process_group()


def rank():
    return dist.get_rank() if dist.is_initialized() else 0


def world():
    return dist.get_world_size() if dist.is_initialized() else 1


def is_main():
    """Whether this process writes the run's files (rank 0, or the only process)."""
    return rank() == 0


def barrier():
    """Wait until every rank is here (e.g. for files rank 0 writes and the others then read)."""
    if world() > 1:
        dist.barrier()


def device(name=None):
    """The torch device of this rank: nets.pick_device's, on CUDA this rank's own GPU."""
    picked = nets.pick_device(name)
    if picked.type == "cuda" and picked.index is None and dist.is_initialized():
        return torch.device("cuda", torch.cuda.current_device())
    return picked


def wrap(model, on):
    """The module to train: DDP over model across the ranks (its batch norm synchronised on GPUs,
    where SyncBatchNorm runs; on the CPU each rank normalises over its own slice), or model itself
    in one process."""
    if world() == 1:
        return model
    if on.type == "cuda":
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=[on])
    return torch.nn.parallel.DistributedDataParallel(model)


def sum_gradients(model):
    """Replace each parameter's gradient by its sum over the ranks, in one all-reduce (a rank
    whose loss touched no parameter adds zeros), so that every rank makes the same update."""
    if world() == 1:
        return
    parameters = [p for p in model.parameters() if p.requires_grad]
    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).flatten() for p in parameters])
    dist.all_reduce(flat)
    for parameter, summed in zip(parameters, flat.split([p.numel() for p in parameters])):
        parameter.grad = summed.view_as(parameter)


def _reduced(values, op):
    cuda = dist.get_backend() == "nccl"  # NCCL reduces GPU tensors only
    tensor = torch.tensor(values, dtype=torch.float64, device="cuda" if cuda else "cpu")
    dist.all_reduce(tensor, op)
    return tensor.tolist()


def any_rank(flag):
    """Whether flag holds on any rank: a stop one rank saw (a signal, its clock) stops them all at
    the same step."""
    if world() == 1:
        return flag
    return _reduced([float(flag)], dist.ReduceOp.MAX)[0] > 0


def total(values):
    """The sums over the ranks of a list of numbers (metrics of each rank's slice)."""
    if world() == 1:
        return list(values)
    return _reduced(list(values), dist.ReduceOp.SUM)
