"""The graph from Python, for notebooks: ``kg = vankien.open()`` and tables (pandas DataFrames) of
documents, statements, lineage, provenance and SPARQL answers, each with the quotes alongside.

Every cell holds a plain Python value (``str``, ``int``, ``float``, ``bool`` or ``None``), never an
engine term, so a DataFrame can be filtered, merged and saved like any other. pandas is an extra:
``pip install 'vankien[notebook]'``. The work is done by :mod:`vankien.graph.queries`; this module
only opens the store and shapes the answers as tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vankien.graph import queries
from vankien.graph.namespaces import PREFIXES
from vankien.graph.settings import Settings

if TYPE_CHECKING:
    import pandas

DOCUMENT_COLUMNS = ["number", "type", "term", "title", "issuer", "term_status", "number_status", "iri"]
STATEMENT_COLUMNS = ["direction", "predicate", "value", "label", "quote", "start", "end", "evidence",
                     "how", "source", "claim"]
LINEAGE_COLUMNS = ["direction", "depth", "number", "document", "via", "quote", "evidence", "source"]
PROVENANCE_COLUMNS = ["subject", "predicate", "object", "quote", "start", "end", "evidence", "how",
                      "language", "source", "source_file", "claim"]


def _frame(records: list[dict], columns: list[str]) -> pandas.DataFrame:
    try:
        import pandas
    except ImportError:
        raise ImportError("vankien's tables are pandas DataFrames: pip install 'vankien[notebook]'") from None
    return pandas.DataFrame.from_records(records, columns=columns)


def short(value: str | None) -> str | None:
    """``https://w3id.org/vankien/ontology#implements`` → ``vk:implements`` (other values as given)."""
    if value is None:
        return None
    for prefix, namespace in PREFIXES.items():
        if value.startswith(namespace) and "/" not in value[len(namespace):]:
            return f"{prefix}:{value[len(namespace):]}"
    return value


def expand(value: str) -> str:
    """``vk:implements`` → its IRI (an IRI or an unknown prefix stays as given)."""
    prefix, _, local = value.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else value


class KnowledgeGraph:
    """The built graph in a store. Methods taking ``id`` accept a document number in any spelling
    (``35-CT/TW``, ``Nr. 35-CT/TW``) or an IRI; ``term`` and ``place`` pick one of namesakes."""

    def __init__(self, store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def resolve(self, id: str, *, term: int | None = None, place: str | None = None) -> str:
        """The IRI of the one document ``id`` names (NotFound / Ambiguous say why not)."""
        return queries.resolve_document(self.store, id, place=place, term=term)

    def documents(self, *, type: str | None = None, issuer: str | None = None, level: str | None = None,
                  term: int | None = None, year: int | None = None, text: str | None = None,
                  number: str | None = None, place: str | None = None, limit: int = 1000,
                  offset: int = 0) -> pandas.DataFrame:
        """One row per document: number, type, term ordinal, title, issuer (IRI; several joined
        with " | "), statuses and IRI. Filters as ``GET /documents`` (``text``: diacritics ignored)."""
        found = queries.documents(self.store, type=type, issuer=issuer, level=level, term=term, year=year,
                                  text=text, number=number, place=place, limit=limit, offset=offset)
        return _frame([{"number": d["notation"], "type": d["type"], "term": d["term_ordinal"],
                        "title": (d["titles"] or d["subjects"] or [None])[0],
                        "issuer": " | ".join(d["issuers"]) or None, "term_status": d["term_status"],
                        "number_status": d["number_status"], "iri": d["iri"]} for d in found],
                      DOCUMENT_COLUMNS)

    def show(self, id: str, *, term: int | None = None, place: str | None = None) -> pandas.DataFrame:
        """Everything the graph says about a document: one row per statement and quote behind it
        (``direction`` "out" for its own statements, "in" for what points at it)."""
        detail = queries.describe(self.store, self.resolve(id, term=term, place=place))
        records = []
        for direction, key, other in (("out", "statements", "object"), ("in", "incoming", "subject")):
            for statement in detail[key]:
                base = {"direction": direction, "predicate": short(statement["predicate"]),
                        "value": statement[other], "label": statement["label"]}
                for item in statement["evidence"] or [None]:
                    records.append({**base, **_evidence_columns(item)})
        return _frame(records, STATEMENT_COLUMNS)

    def lineage(self, id: str, *, term: int | None = None, place: str | None = None,
                depth: int = 20) -> pandas.DataFrame:
        """What the document implements ("implements") and what implements it ("implemented_by"),
        transitively: one row per document reached and quote of the hop that reaches it."""
        found = queries.lineage(self.store, self.resolve(id, term=term, place=place), max_depth=depth)
        records = []
        for direction in ("implements", "implemented_by"):
            for entry in found[direction]:
                hop = entry["path"][-1]
                via = hop["from"] if direction == "implements" else hop["to"]
                for item in hop["evidence"] or [None]:
                    columns = _evidence_columns(item)
                    records.append({"direction": direction, "depth": entry["depth"], "number": entry["notation"],
                                    "document": entry["document"], "via": via, "quote": columns["quote"],
                                    "evidence": columns["evidence"], "source": columns["source"]})
        return _frame(records, LINEAGE_COLUMNS)

    def provenance(self, subject: str | None = None, predicate: str | None = None,
                   object: str | None = None) -> pandas.DataFrame:
        """The quotes behind every statement matching the pattern: ``subject``/``object`` are
        document numbers or IRIs, ``predicate`` a CURIE (``vk:implements``) or an IRI."""
        found = queries.provenance(self.store, self._term(subject), expand(predicate) if predicate else None,
                                   self._term(object))
        return _frame([{**{name: row.get(name) for name in PROVENANCE_COLUMNS},
                        "predicate": short(row["predicate"])} for row in found], PROVENANCE_COLUMNS)

    def query(self, sparql: str) -> pandas.DataFrame | bool:
        """A SPARQL query (the usual prefixes are known, as on the command line): SELECT gives one
        column per variable, CONSTRUCT/DESCRIBE subject/predicate/object columns, ASK a bool."""
        import pyoxigraph as ox

        from vankien.graph.sparql_guard import check_query
        checked = check_query(sparql, self.settings, known_prefixes=PREFIXES).text
        result = self.store.query(queries.PREFIXES + checked)
        if isinstance(result, (bool, ox.QueryBoolean)):
            return bool(result)
        if not hasattr(result, "variables"):
            return _frame([{"subject": t.subject.value, "predicate": t.predicate.value,
                            "object": queries.python_value(t.object)} for t in result],
                          ["subject", "predicate", "object"])
        names = [variable.value for variable in result.variables]
        return _frame([{name: queries.python_value(solution[name]) for name in names} for solution in result],
                      names)

    def _term(self, value: str | None) -> str | None:
        """A document number becomes its IRI; IRIs and CURIEs stay resources."""
        if value is None or value.startswith(("http://", "https://")):
            return value
        if value.split(":", 1)[0] in PREFIXES:
            return expand(value)
        return self.resolve(value)


def _evidence_columns(item: dict | None) -> dict[str, Any]:
    if item is None:
        return {"quote": None, "start": None, "end": None, "evidence": None, "how": None, "source": None,
                "claim": None}
    quote = " … ".join(passage["quote"] for passage in item["quotes"]) if item.get("quotes") else item["quote"]
    return {"quote": quote, "start": item["start"], "end": item["end"], "evidence": item["evidence"],
            "how": item["how"], "source": item["source"], "claim": item["claim"]}


def open(data_dir: str | None = None, *, build: bool = True, **settings: Any) -> KnowledgeGraph:
    """The built graph: the artifact in ``data_dir`` (default ``VANKIEN_DATA_DIR`` or ``./var``),
    built from the packaged seed claims first when missing (``build=False``: refuse instead). Other
    settings as ``VANKIEN_*`` or keywords: ``store="remote", remote_query_url=…`` for a store."""
    from vankien.graph.pipeline import open_graph
    if data_dir is not None:
        settings["data_dir"] = data_dir
    chosen = Settings.from_env(**settings)
    return KnowledgeGraph(open_graph(chosen, build_if_missing=build), chosen)
