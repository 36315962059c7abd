"""The link rule for the web layer (pages, graph view, query page): see :mod:`vankien.graph.links`,
where it lives so the standalone graph view written by the core follows it too."""

from vankien.graph.links import is_local, link_rule, local_href

__all__ = ["is_local", "link_rule", "local_href"]
