"""Monte Carlo tree search: the tree and its Numba kernels (tree), the PUCT search with its read
API (mcts), and the leaf evaluation by policy and value nets or random playouts (leaves).

May import: gogo's leaf modules, gogo.go, gogo.features, gogo.nets.
"""
