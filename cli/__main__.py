"""`python -m cli ...` is the `gogo` command."""
import sys

from cli.main import main

sys.exit(main())
