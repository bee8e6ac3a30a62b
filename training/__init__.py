"""gogo training: the nets' learning loops and the pipeline that chains them.

    config      the options of `gogo train sl|rl|value` as dataclasses (SLConfig, RLConfig, ValueConfig)
    optim       optimizers and learning rates (SGD as the paper, or AdamW; halving)
    sampler     training positions streamed from a game store (workers, exact resume)
    positions   the Numba kernels that replay and encode a store's positions
    metrics     a net's accuracy on held-out positions (validation, `gogo eval`)
    checkpoint  atomic, pickle-free checkpoints of a run
    stop        a clean stop of a long run: SIGTERM, Ctrl-C or a time limit
    logs        log.csv, TensorBoard events and curves.png of a run
    sl          supervised training on expert games (policy, or value)
    rl          REINFORCE by self-play against a pool of earlier versions
    value       the value net's self-play data (one position per game) and its training
    pipeline    SL -> RL -> value -> evaluation from one TOML config, resumable

May import: gogo and selfplay (never cli, which sits above it).
"""
