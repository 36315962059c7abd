"""Where a link to an IRI goes: the one rule for every page, the graph view and the query page.

Resources minted under the base IRI are served by this server at ``/id/…`` and ontology terms at
``/ontology#…``; linking to ``https://w3id.org/…`` would send a reader to a host that may not
resolve (offline, or before the namespace is registered). Only other IRIs link out.
"""

from __future__ import annotations

from vankien.ontology import VK

ONTOLOGY_NAMESPACE = VK


def local_href(value: str, base_iri: str) -> str:
    """The href for ``value``: this server's page for vankien IRIs, the IRI itself otherwise."""
    if base_iri and value.startswith(base_iri):
        return "/id/" + value[len(base_iri):]
    if value.startswith(ONTOLOGY_NAMESPACE):
        return "/ontology#" + value[len(ONTOLOGY_NAMESPACE):]
    return value


def is_local(value: str, base_iri: str) -> bool:
    """True when ``value`` has a page on this server."""
    return local_href(value, base_iri) != value


def link_rule(base_iri: str) -> dict[str, str]:
    """The rule as data, for scripts in the browser: ``{prefix: local path}`` (longest first)."""
    rule = {base_iri: "/id/", ONTOLOGY_NAMESPACE: "/ontology#"} if base_iri else {ONTOLOGY_NAMESPACE: "/ontology#"}
    return dict(sorted(rule.items(), key=lambda item: -len(item[0])))

