"""vankien: a source-backed knowledge graph of Vietnamese Communist Party documents.

In a notebook: ``kg = vankien.open()`` (see :mod:`vankien.notebook` and docs/notebook.ipynb).
"""

__version__ = "0.1.0"
__all__ = ["__version__", "open"]


def open(data_dir=None, *, build=True, **settings):
    """The built graph as a :class:`vankien.notebook.KnowledgeGraph` (tables as DataFrames)."""
    from vankien.notebook import open as open_graph    # imported on use: `import vankien` stays light
    return open_graph(data_dir, build=build, **settings)
