"""gogo self-play: batched games, engine matches, the SL -> RL -> value pipeline."""
