"""``python -m vankien.cli``: the same as the ``vankien`` command."""

import sys

from vankien.cli.commands import main

sys.exit(main())
