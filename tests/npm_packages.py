"""npm packages for the tests that run Sabaki's own JavaScript (its GTP controller, its SGF parser)."""
import shutil
import subprocess

import pytest


def npm_install(folder, *packages):
    """The node_modules folder of `packages` installed under `folder`; skips the test where Node.js
    and npm are missing."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node.js and npm are needed (apt-get install nodejs npm)")
    done = subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", *packages],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return folder / "node_modules"
