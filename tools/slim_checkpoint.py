#!/usr/bin/env python3
"""Make a training run's checkpoint small enough to keep in the repository: rewrites
RUN/checkpoint.safetensors without the optimizer's moments (training.checkpoint.slim_checkpoint).
`gogo train ... --resume --out RUN` then goes on from the same step and data position, with the
moments started afresh. Run it after the run has stopped, before committing the state.

    python3 tools/slim_checkpoint.py state/dual19w
"""
import sys
from pathlib import Path

from training.checkpoint import CHECKPOINT, slim_checkpoint


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0]) / CHECKPOINT
    if not path.exists():
        print(f"slim_checkpoint: no {path}", file=sys.stderr)
        return 2
    before, after = slim_checkpoint(path)
    print(f"{path}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
