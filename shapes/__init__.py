"""The vankien SHACL shapes (one Turtle file per purpose) and a cached loader.

Targets are declared on every concrete class (documents, bodies), so validation needs neither the
ontology nor RDFS inference: this keeps pySHACL and the SPARQL-compiled validator fast and equal.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from rdflib import Graph, Namespace

from vankien.graph.errors import BadInput

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# Package data (pyproject: "vankien.shapes" = ["*.ttl"]): works from a checkout and from a wheel.
SHAPES_DIR = resources.files(__name__)
VKSH = Namespace("https://w3id.org/vankien/shapes#")


def shape_files() -> list[Traversable]:
    """Every shapes file, in name order."""
    return sorted((entry for entry in SHAPES_DIR.iterdir() if entry.name.endswith(".ttl")),
                  key=lambda entry: entry.name)


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """All shapes files in one graph (cached: treat it as read-only)."""
    shapes = Graph()
    for path in shape_files():
        try:
            shapes.parse(data=path.read_bytes(), format="turtle")
        except Exception as exc:  # rdflib raises several parser error types
            raise BadInput(f"{path}: cannot parse the shapes file: {exc}") from None
    return shapes
