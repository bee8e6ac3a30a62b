"""Learning curves of several `gogo train sl` runs on one figure, against training time: the
recipe comparison of docs/recipes.md.

    python3 tools/compare_runs.py runs/recipes/* --out docs/recipes.png [--csv docs/recipes.csv]

Each run folder's log.csv gives val_top1 (and val_mse where the net has a value, val_own where it
has an ownership head) against
train_seconds, the run's training time with validation left out. With one torch thread per run,
as in docs/recipes.md, that time is also the run's CPU time.
"""
import argparse
import csv
import sys
from pathlib import Path

PANELS = (("val_top1", "validation top-1"), ("val_mse", "validation value MSE (raw scale)"),
          ("val_own", "validation ownership cross-entropy per point"))


def curves(folder):
    """{column: [(minutes, value)]} of a run's log."""
    with open(Path(folder) / "log.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("train_seconds")]
    return {column: [(float(r["train_seconds"]) / 60, float(r[column])) for r in rows if r.get(column)]
            for column, _ in PANELS}


def plot(runs, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(c, title) for c, title in PANELS if any(runs[name][c] for name in runs)]
    figure, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2), squeeze=False)
    for axis, (column, title) in zip(axes[0], panels):
        for name, data in runs.items():
            if data[column]:
                axis.plot(*zip(*data[column]), marker=".", label=name)
        axis.set(title=title, xlabel="training minutes (one thread: CPU minutes)")
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)


def write_table(runs, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["run", "column", "minutes", "value"])
        for name, data in runs.items():
            for column, points in data.items():
                writer.writerows([name, column, f"{m:.2f}", f"{v:.5f}"] for m, v in points)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders (each with a log.csv)")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--csv", help="also write the points as CSV")
    args = parser.parse_args(argv)
    runs = {Path(folder).name: curves(folder) for folder in args.runs}
    plot(runs, args.out)
    if args.csv:
        write_table(runs, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
