"""vankien: a source-backed knowledge graph of Vietnamese Communist Party documents."""

__version__ = "0.1.0"
