import shutil
from pathlib import Path

import pytest

GNUGO = shutil.which("gnugo") or ("/usr/games/gnugo" if Path("/usr/games/gnugo").exists() else None)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def gnugo_path():
    if GNUGO is None:
        pytest.skip("GNU Go is not installed (apt-get install gnugo)")
    return GNUGO
