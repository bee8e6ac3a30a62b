"""gogo self-play: games between players, for `gogo selfplay`, `gogo match` and the training above.

    movers   who picks the moves of batched games: a policy net, a random sensible move, the search
    games    many games at once in lockstep on Numba boards (play), and the finished Games
    export   Games as SGF files and as game-store arrays
    arena    policy net against policy net in batched games: win rate, interval, Elo
    match    games between two GTP engines (subprocesses), refereed: win rate, interval, Elo
    cluster  batches of games on Ray workers, new weights versions through Ray's object store
             (imported only by `gogo selfplay --ray` and a pipeline's [cluster] table)

May import: gogo (never training or cli, which sit above it).
"""
