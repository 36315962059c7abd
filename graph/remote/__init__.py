"""The remote store: standard SPARQL 1.1 protocols, engine quirks in profiles, verified writes."""
