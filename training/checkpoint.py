"""Training checkpoints: one safetensors file, written atomically, with nothing pickled.

The file holds the net's tensors ("net.*"), the optimizer's tensors ("optimizer.<param>.<key>"),
the torch RNG state, and in its metadata a JSON object with everything else: the net config
(under "gogo", so the file also loads as weights), the optimizer's hyperparameters and scalar
state, and the trainer's own state (step, data position, ...).

A slim checkpoint (slim_checkpoint) leaves the optimizer's state out: a third of the size with
AdamW, for the one resumable state kept in the repository. Resuming from it goes on from the same
step and data position with the optimizer's moments started afresh.
"""
import json
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from gogo.errors import GogoError
from gogo.files import atomic_path

CHECKPOINT = "checkpoint.safetensors"


def run_checkpoint(out, resume):
    """The checkpoint path of the run folder `out`; GogoError when resuming finds no checkpoint
    there, or a fresh run would overwrite one."""
    path = Path(out) / CHECKPOINT
    if resume and not path.exists():
        raise GogoError(f"no checkpoint to resume in {out}")
    if not resume and path.exists():
        raise GogoError(f"{out} already holds a run; use --resume or another --out")
    return path


def save_checkpoint(path, net, optimizer, state):
    """Write net, optimizer, torch RNG and the trainer's state (JSON-able) to `path`, atomically."""
    tensors = {f"net.{k}": v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    scalars = {}
    for index, values in optimizer_state["state"].items():
        for key, value in values.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{key}"] = value
    tensors["rng.torch"] = torch.get_rng_state()
    metadata = {
        "gogo": json.dumps(asdict(net.config)),
        "optimizer": json.dumps({"param_groups": optimizer_state["param_groups"], "scalars": scalars}),
        "trainer": json.dumps(state),
    }
    with atomic_path(path, fsync=True) as tmp:  # a checkpoint must survive a power cut
        save_file(tensors, str(tmp), metadata=metadata)


def load_checkpoint(path, net, optimizer):
    """Restore net, optimizer and torch RNG from `path`; returns the trainer's state."""
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
    saved = json.loads(metadata["optimizer"])
    state = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    for key, value in saved["scalars"].items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": saved["param_groups"]})
    torch.set_rng_state(tensors["rng.torch"])
    return json.loads(metadata["trainer"])


def slim_checkpoint(path):
    """Rewrite the checkpoint at `path` without the optimizer's state (its moments and step
    counts; the hyperparameters stay), atomically. Returns (bytes before, bytes after)."""
    before = Path(path).stat().st_size
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
        tensors = {key: handle.get_tensor(key) for key in handle.keys() if not key.startswith("optimizer.")}
    saved = json.loads(metadata["optimizer"])
    metadata["optimizer"] = json.dumps({"param_groups": saved["param_groups"], "scalars": {}})
    with atomic_path(path, fsync=True) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)
    return before, Path(path).stat().st_size
