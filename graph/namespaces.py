"""The RDF namespaces vankien uses, in one place (see docs/data-model.md)."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

VK = Namespace("https://w3id.org/vankien/ontology#")
ONTOLOGY_GRAPH = "https://w3id.org/vankien/ontology"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")

PREFIXES: dict[str, str] = {
    "vk": str(VK), "eli": str(ELI), "org": str(ORG), "prov": str(PROV), "skos": str(SKOS),
    "dcterms": str(DCTERMS), "time": str(TIME), "oa": str(OA), "qb": str(QB), "rdf": str(RDF),
    "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL),
}

# Relations that state something about the world: each asserted triple needs a vk:Claim.
CLAIMED_RELATIONS = tuple(VK[name] for name in (
    "issuedBy", "implements", "basedOn", "advisedBy", "amends", "replaces", "setsGoal", "concerns",
    "issuedInTerm", "applicablePeriod", "partOf"))


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a SPARQL query (all known prefixes when no name is given)."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in chosen)
