"""The ``vankien`` command line: a thin layer over the core (``vankien.graph``) and the API app.

It lives outside ``graph/`` because it starts the web server: the core imports nothing from here or
from ``vankien.api``.
"""

from vankien.cli.commands import main

__all__ = ["main"]
