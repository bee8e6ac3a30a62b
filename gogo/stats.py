"""Win rates and what they say: the Wilson interval of a match result, the Elo difference a win
rate implies, and the normal quantile both use."""
import math

Z95 = 1.959964  # two-sided 95% normal quantile


def wilson_interval(wins, games, z=Z95):
    """The Wilson score interval of a win rate."""
    if games == 0:
        return 0.0, 1.0
    p = wins / games
    centre = (p + z * z / (2 * games)) / (1 + z * z / games)
    half = z * math.sqrt(p * (1 - p) / games + z * z / (4 * games * games)) / (1 + z * z / games)
    return max(0.0, centre - half), min(1.0, centre + half)


def elo(rate):
    """The Elo difference a win rate implies (infinite at 0 and 1)."""
    if rate <= 0:
        return -math.inf
    if rate >= 1:
        return math.inf
    return -400 * math.log10(1 / rate - 1)
