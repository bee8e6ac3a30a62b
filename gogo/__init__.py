"""gogo: an AlphaGo-style Go engine — the engine library.

Subpackages, each importing only those listed before it (tests/test_imports.py checks it):

    coords, errors, files, stats   leaf modules: coordinate systems, the error type, atomic writes,
                                   win-rate statistics
    go/        the rules in Numba, the Board, random playouts, dead stones and scoring
    records/   SGF records, SGF sources in bulk (files, folders, archives), the game store
    features/  AlphaGo's input planes and the ladder reader behind two of them
    rollouts/  AlphaGo's fast rollout policy: local patterns, kept up to date, sampled in Numba
    nets/      the policy and value nets, weight files, devices and precision, the bundled weights
    search/    PUCT Monte Carlo tree search on Numba arrays, and its leaf evaluation by the nets
    players/   what the GTP engine asks for moves: random, the policy net alone, the search
    gtp/       the GTP protocol, the engine and its analysis commands, the server loop, a client

gogo never imports training/, selfplay/ or cli/ (which sit above it).
"""
__version__ = "0.1.0"
