"""Writing files so that a reader never sees half of one: write a temporary file beside the
target, then rename it over the target (atomic on POSIX). A crash leaves the old file or the new
one, never a mix."""
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
