"""AlphaGo's fast rollout policy: a linear softmax over local patterns and tactical features
(patterns: the keys and tables; state: each point's pattern kept up to date as stones are placed
and captured; kernels: sampling a move and playing rollouts to the end; policy: the weights file,
the bundled policy and the Python API).

May import: gogo's leaf modules, go.
"""
