"""The optimizers of SL and RL training and their learning rates: SGD with momentum as in the
AlphaGo paper, or AdamW; the paper's step size scaled to the batch; halving on a schedule."""
import torch

OPTIMIZERS = ("sgd", "adamw")
PAPER_LR, PAPER_BATCH = 0.003, 16  # SGD step size for minibatches of 16 (Silver et al. 2016)
ADAMW_LR, WEIGHT_DECAY, MOMENTUM = 1e-3, 1e-4, 0.9


def learning_rate(optimizer, lr=None, batch=PAPER_BATCH):
    """`lr` when given, else the optimizer's default: AdamW 1e-3; SGD the paper's 0.003 scaled by
    batch/16 and by 1-momentum (momentum multiplies the effective step by 1/(1-momentum))."""
    if lr is not None:
        return lr
    if optimizer == "adamw":
        return ADAMW_LR
    return PAPER_LR * batch / PAPER_BATCH * (1 - MOMENTUM)


def make_optimizer(net, optimizer, lr, scaled=(), lr_scale=1.0):
    """A torch optimizer over the net's parameters: "sgd" (momentum) or "adamw", with weight decay.
    The parameters whose names start with one of `scaled` learn at lr * lr_scale (a second
    parameter group, made only when lr_scale is not 1, so older checkpoints still load)."""
    params = list(net.named_parameters())
    groups = [{"params": [p for _, p in params]}]
    if lr_scale != 1.0:
        groups = [{"params": [p for n, p in params if not n.startswith(scaled)]},
                  {"params": [p for n, p in params if n.startswith(scaled)], "lr_scale": lr_scale}]
    if optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=lr, weight_decay=WEIGHT_DECAY)
    return torch.optim.SGD(groups, lr=lr, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)


def halved(lr, step, halve_every):
    """The learning rate at `step` when it is halved every `halve_every` steps (0: never)."""
    return lr * 0.5 ** (step // halve_every) if halve_every else lr


def set_learning_rate(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
