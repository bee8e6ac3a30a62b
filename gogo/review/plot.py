"""The winrate graph of a reviewed game as a PNG (matplotlib, an optional dependency: the web and
test extras bring it)."""
from gogo import coords
from gogo.review.game import COLOR_NAMES, biggest_drops


def winrate_png(positions, moves, path, size, title=None):
    """Black's winrate over the game, the biggest drops marked and named, written to `path`."""
    import matplotlib  # optional: only a PNG needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=100)
    winrates = [100 * p.black_winrate for p in positions]
    axes.fill_between(range(len(winrates)), winrates, 50, color="0.85")
    axes.plot(winrates, color="black", linewidth=1.2)
    axes.axhline(50, color="0.5", linewidth=0.6)
    for move in biggest_drops(moves):
        axes.plot(move.number, winrates[move.number], "o", color="crimson", markersize=5)
        axes.annotate(f"{move.number} {COLOR_NAMES[move.color][0]} {coords.vertex(move.move, size)}",
                      (move.number, winrates[move.number]), textcoords="offset points", xytext=(4, 6),
                      fontsize=7, color="crimson")
    axes.set_xlim(0, max(len(winrates) - 1, 1))
    axes.set_ylim(0, 100)
    axes.set_xlabel("move")
    axes.set_ylabel("Black's winrate (%)")
    if title:
        axes.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
