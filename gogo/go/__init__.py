"""The game of Go: rules as Numba kernels on flat padded arrays (rules), the Board API over them
(board), uniformly random playouts (playout), and dead stones and area scoring (scoring).

May import: gogo's leaf modules (coords, errors).
"""
