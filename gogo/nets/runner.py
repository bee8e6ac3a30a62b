"""Running a net on batches of feature planes: numpy in, numpy out."""
import numpy as np
import torch

from gogo.nets.device import autocast, pick_device, to_device


class Runner:
    """Runs a net on batches of uint8 planes, in bfloat16 where the device does it natively
    (uses_bf16), else float32."""

    def __init__(self, net, device=None):
        self.device = pick_device(device)
        self.net = to_device(net, self.device).eval()

    @torch.inference_mode()
    def __call__(self, planes):
        """planes: uint8 array (B, C, N, N) -> float32 numpy (logits for a policy net, values
        for a value net, the pair (logits, values) for a dual net)."""
        x = to_device(torch.from_numpy(np.ascontiguousarray(planes)), self.device)
        with autocast(self.device):
            out = self.net(x)
        if isinstance(out, tuple):
            return tuple(o.float().cpu().numpy() for o in out)
        return out.float().cpu().numpy()

    def logits(self, planes):
        """Move logits (B, N*N): a policy net's, or a two-headed net's policy head."""
        output = self(planes)
        return output[0] if isinstance(output, tuple) else output

    def policy(self, planes, temperature=1.0):
        """Move probabilities (B, N*N) with a softmax temperature."""
        return softmax(self.logits(planes), temperature)


def softmax(logits, temperature=1.0):
    """Probabilities (B, N*N) of move logits at a softmax temperature."""
    logits = logits / temperature
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum(axis=1, keepdims=True)
