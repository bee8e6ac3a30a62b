"""The optional extras of the `gogo` command: one check that names what is missing and the
command that installs it (the engine runs without them)."""
import importlib.util

from gogo.errors import GogoError

TRAIN = "pip install -e .[train] (or ./install.sh --train)"
WEB = "pip install -e '.[web]'"
CLUSTER = "pip install -e '.[cluster]'"


def require(install, *modules):
    """A GogoError naming the missing modules and `install` when one of `modules` is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise GogoError(f"no module named {', '.join(missing)}: install the extras with {install}")
