"""Settings for the whole test run.

Tiny nets on small batches run fastest on one thread: a second torch thread only waits, and on a
busy 2-core machine it made them about 40 times slower. Set before torch is first imported, the
variable also reaches the engines the tests start as subprocesses (gogo gtp, gogo match).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
