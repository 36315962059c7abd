"""The reviewed seed claims (``*.yaml``), shipped as package data so that ``vankien build`` works in
an installed wheel; the source texts they quote stay outside (``VANKIEN_SOURCES_DIR``)."""

from importlib import resources
from pathlib import Path

# A plain folder both in a checkout and in an installed wheel (setuptools installs it unzipped).
SEEDS_DIR = Path(str(resources.files(__name__)))

__all__ = ["SEEDS_DIR"]
