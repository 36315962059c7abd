"""The vankien SHACL shapes (one Turtle file per purpose) and a cached loader.

Targets are declared on every concrete class (documents, bodies), so validation needs neither the
ontology nor RDFS inference: this keeps pySHACL and the SPARQL-compiled validator fast and equal.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Namespace

SHAPES_DIR = Path(__file__).resolve().parent
VKSH = Namespace("https://w3id.org/vankien/shapes#")


def shape_files() -> list[Path]:
    """Every shapes file, in name order."""
    return sorted(SHAPES_DIR.glob("*.ttl"))


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """All shapes files in one graph (cached: treat it as read-only)."""
    shapes = Graph()
    for path in shape_files():
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser error types
            raise ValueError(f"{path}: cannot parse the shapes file: {exc}") from None
    return shapes
