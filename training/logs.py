"""Training logs: a CSV, TensorBoard event files and a PNG plot of the curves, in the run folder.

On resume the CSV is cut back to the checkpoint's step and TensorBoard is told to purge later
events, so a resumed run's logs read as if it had never stopped.
"""
import csv
from pathlib import Path

CSV_NAME, EVENTS_DIR, PLOT_NAME = "log.csv", "events", "curves.png"


class TrainingLog:
    def __init__(self, run_dir, fields, resume_step=None, text_fields=()):
        """fields: the CSV's columns after step; text_fields, those of them that are no number (in
        the CSV only, not TensorBoard)."""
        self.run_dir = Path(run_dir)
        self.fields = ["step"] + list(fields)
        self.text_fields = set(text_fields)
        self.csv_path = self.run_dir / CSV_NAME
        rows = []
        if resume_step is not None and self.csv_path.exists():
            with open(self.csv_path, newline="") as handle:
                rows = [r for r in csv.DictReader(handle) if int(r["step"]) <= resume_step]
        with open(self.csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, self.fields)
            writer.writeheader()
            writer.writerows(rows)
        self.events = None
        try:
            from torch.utils.tensorboard import SummaryWriter

            self.events = SummaryWriter(str(self.run_dir / EVENTS_DIR), purge_step=resume_step)
        except ImportError:  # tensorboard is an optional dependency
            pass

    def write(self, step, **metrics):
        with open(self.csv_path, "a", newline="") as handle:
            csv.DictWriter(handle, self.fields).writerow({"step": step, **metrics})
        if self.events is not None:
            for name, value in metrics.items():
                if value != "" and name not in self.text_fields:
                    self.events.add_scalar(name, float(value), step)
            self.events.flush()

    def rows(self):
        with open(self.csv_path, newline="") as handle:
            return list(csv.DictReader(handle))

    def plot(self, curves):
        """curves: {panel title: [column, ...]}; one panel each, step on the x axis."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.rows()
        figure, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4), squeeze=False)
        for axis, (title, columns) in zip(axes[0], curves.items()):
            for column in columns:
                points = [(int(r["step"]), float(r[column])) for r in rows if r.get(column) not in ("", None)]
                if points:
                    axis.plot(*zip(*points), label=column)
            axis.set_title(title)
            axis.set_xlabel("step")
            if axis.lines:  # a curve with no rows yet has nothing to label
                axis.legend()
            axis.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(self.run_dir / PLOT_NAME, dpi=100)
        plt.close(figure)

    def close(self):
        if self.events is not None:
            self.events.close()
