"""``python -m data``: the command-line interface (see ``data/cli.py``)."""

import sys

from data.cli import main

sys.exit(main())
