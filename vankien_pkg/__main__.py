"""``python -m vankien``: the ``vankien`` command."""

import sys

from vankien.cli.commands import main

sys.exit(main())
