"""``python -m vankien``: the ``vankien`` command."""

import sys

from vankien.graph.cli import main

sys.exit(main())
