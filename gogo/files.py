"""Writing files so that a reader never sees half of one: write a temporary file beside the
target, then rename it over the target (atomic on POSIX). A crash leaves the old file or the new
one, never a mix. And where the weights that ship with gogo are (gogo/weights/, see its README)."""
import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path, fsync=False):
    """Yield a temporary path beside `path`; when the block ends without an error, the temporary
    file replaces `path` (after an fsync when asked: checkpoints must survive a power cut). On an
    error the temporary file is removed and `path` is left as it was."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomically(path, data):
    """Write `data` (str or bytes) to `path` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data)
        else:
            tmp.write_bytes(data)


WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def bundled_weights(name, size):
    """A bundled weights file for a board size, or None if there is none: gogo/weights/NAME.safetensors
    on 19x19, NAME-SIZExSIZE.safetensors on other sizes. Names: "policy" (what the policy player
    plays), "sl-policy" (the search's priors where an RL net is the "policy"), "value", "dual" (priors
    and values from one net), "rollout" (the fast rollout policy)."""
    path = WEIGHTS_DIR / (f"{name}.safetensors" if size == 19 else f"{name}-{size}x{size}.safetensors")
    return path if path.exists() else None
