"""gogo training: game stores, supervised and reinforcement learning (imports gogo, never the reverse)."""
