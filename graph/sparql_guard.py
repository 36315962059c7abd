"""Refuse SPARQL that a public read-only endpoint must not run, before it reaches any store.

Oxigraph (embedded and server) executes ``SERVICE`` over HTTP and honours ``FROM`` IRIs, so every
user query passes :func:`check_query` first. The query is parsed with rdflib's SPARQL grammar and
the parse tree is inspected; keywords are never searched for in the raw text (a string literal or an
IRI may contain the word SERVICE).

The checked text is the executed text. SPARQL 1.1 §19.2 expands ``\\uXXXX`` / ``\\UXXXXXXXX``
escapes over the whole query before parsing; rdflib does, Oxigraph only inside strings, so the two
would read ``BIND("\\u0022" AS ?a) SERVICE <…> {…} BIND("\\u0022" AS ?b)`` differently (one sees a
string, the other a SERVICE call). :func:`check_query` therefore expands the escapes once and
returns that text (:attr:`QueryInfo.text`): it is what the guard parses and what the store runs, so
no reading of the escapes is left to either engine. A second, lexical look for the ``SERVICE``
keyword outside strings, IRIs and comments backs up the parse tree; the query workers also run
without network access (:mod:`.sandbox`).

Limits are checked before parsing (:func:`precheck`, linear in the text), because rdflib's
recursive-descent parser is slow and recursion-hungry on hostile input: the text length, and the
bracket depth (``{}`` groups, ``()`` expressions and ``[]`` blank nodes on one count, by a small
lexer that skips strings, IRIs and comments). The parse itself runs in the executor's worker
processes, under the query time limit.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from dataclasses import dataclass
from collections.abc import Iterable

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from vankien.graph.settings import Settings

# Graph IRIs under this namespace are vankien's own (ontology, real and synthetic ids).
VANKIEN_NAMESPACE = "https://w3id.org/vankien/"
UPDATE_REFUSED = "read-only endpoint: SPARQL Update is refused"
SERVICE_REFUSED = "SERVICE (federated query) is refused: this endpoint only queries its own data"

QUERY_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

# rdflib's grammar recurses once per triple pattern; a 20 000-character query needs ~25 000
# frames. Parsing runs in its own thread with a big stack and a raised recursion limit.
_PARSER_RECURSION_LIMIT = 100_000
PARSER_STACK_BYTES = 512 * 1024 * 1024
_parse_lock = threading.Lock()


class QueryRefused(Exception):
    """The query is not run; ``status`` is the HTTP status an API should answer with."""

    def __init__(self, message: str, status: int = 400, **where):
        super().__init__(message)
        self.message = message
        self.status = status
        # Where in the user's text, for editors: line and column (1-based), the undeclared prefix.
        self.where = where


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learnt about an accepted query."""

    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    text: str  # the query as checked, codepoint escapes expanded: run this text, not the input
    from_graphs: tuple[str, ...] = ()  # FROM <iri>
    from_named_graphs: tuple[str, ...] = ()  # FROM NAMED <iri>
    uses_service: bool = False
    bracket_depth: int = 0
    graph_variable: bool = False  # a GRAPH ?var pattern: it ranges over the dataset's named graphs
    reads_default_graph: bool = True  # a triple pattern outside every GRAPH pattern, or DESCRIBE

    @property
    def has_dataset_clause(self) -> bool:
        """True when the query names its own dataset (then union-default-graph must not apply)."""
        return bool(self.from_graphs or self.from_named_graphs)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_query(
    sparql: str, settings: Settings, local_graphs: Iterable[str] | None = None,
    known_prefixes: Iterable[str] = (),
) -> QueryInfo:
    """Return facts about ``sparql`` or raise :class:`QueryRefused` saying why it is not run.

    ``local_graphs``: the named graphs the store holds; a ``FROM``/``FROM NAMED`` IRI must be one
    of them. Without it, an IRI must lie under the vankien namespace or ``settings.base_iri``.
    """
    sparql = precheck(sparql, settings)
    info = analyse_query(sparql, frozenset(known_prefixes))
    if info.uses_service:
        raise QueryRefused(SERVICE_REFUSED)
    allowed = _graph_filter(settings, local_graphs)
    for keyword, iris in (("FROM", info.from_graphs), ("FROM NAMED", info.from_named_graphs)):
        for iri in iris:
            if not allowed(iri):
                raise QueryRefused(f"{keyword} <{iri}> is refused: only local graphs can be queried")
    return info


def precheck(sparql: str, settings: Settings) -> str:
    """The lexical limits, linear in the text and safe to run anywhere; returns the text with
    codepoint escapes expanded (what the parse and the store must read)."""
    if len(sparql) > settings.max_query_length:
        raise QueryRefused(
            f"query is {len(sparql)} characters long; the limit is {settings.max_query_length}",
            status=413,
        )
    sparql = expand_codepoint_escapes(sparql)
    depth = bracket_depth(sparql)
    if depth > settings.max_nesting:
        raise QueryRefused(
            f"query nests brackets {depth} deep; the limit is {settings.max_nesting}"
        )
    if mentions_service(sparql):
        raise QueryRefused(SERVICE_REFUSED)
    return sparql


# Stands for every protocol graph the store does not hold: no store has it, so it is an empty graph.
ABSENT_GRAPH = "urn:x-vankien:absent-graph"


def local_dataset(
    graphs: Iterable[str] | None, settings: Settings, local_graphs: Iterable[str] | None = None,
    *, parameter: str = "default-graph-uri",
) -> list[str] | None:
    """Protocol ``default-graph-uri`` / ``named-graph-uri`` values as graphs the store may be asked
    for. A graph the store does not hold is an empty graph (as the Oxigraph server answers, and as
    rdflib's ``urn:x-rdflib:default`` expects), never fetched: it is replaced by
    :data:`ABSENT_GRAPH`. A value that is not an IRI is refused naming ``parameter``.
    """
    if not graphs:
        return None
    allowed = _graph_filter(settings, local_graphs)
    dataset: list[str] = []
    for iri in graphs:
        if not _IRI.fullmatch(iri):
            raise QueryRefused(f"{parameter}: {iri!r} is not an absolute IRI")
        chosen = iri if allowed(iri) else ABSENT_GRAPH
        if chosen not in dataset:
            dataset.append(chosen)
    return dataset


# RFC 3987 in short: a scheme, then no spaces, angle brackets, quotes or braces.
_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*')


def _graph_filter(settings: Settings, local_graphs: Iterable[str] | None):
    if local_graphs is not None:
        known = frozenset(local_graphs)
        return known.__contains__
    prefixes = (VANKIEN_NAMESPACE, settings.base_iri)
    return lambda iri: iri.startswith(prefixes)


@functools.lru_cache(maxsize=512)
def analyse_query(sparql: str, known_prefixes: frozenset[str] = frozenset()) -> QueryInfo:
    """Parse ``sparql`` and report its form, dataset clause and SERVICE use (cached on the text).

    Raises :class:`QueryRefused` for SPARQL Update, syntax errors and a prefixed name whose prefix
    neither the query nor ``known_prefixes`` (a caller that adds its own PREFIX lines) declares.
    Limits are not checked here: call :func:`check_query` for user input.
    """
    try:
        parsed = _parse_with_room(parseQuery, sparql)
    except ParseBaseException as query_error:
        try:
            update = _parse_with_room(parseUpdate, sparql)
        except ParseBaseException as update_error:
            # The grammar that read further is the one the author meant.
            if update_error.loc > query_error.loc:
                raise QueryRefused(UPDATE_REFUSED) from None
            raise QueryRefused(f"SPARQL syntax error: {_describe(query_error)}",
                               line=query_error.lineno, column=query_error.col) from None
        if "request" not in update:   # blanks, comments or PREFIX lines: an empty Update to the grammar
            raise QueryRefused(f"SPARQL syntax error: line {query_error.lineno}, column {query_error.col}: "
                               "the text holds no query (SELECT, CONSTRUCT, ASK or DESCRIBE)",
                               line=query_error.lineno, column=query_error.col) from None
        raise QueryRefused(UPDATE_REFUSED) from None
    except RecursionError:
        raise QueryRefused("query is too complex to parse") from None
    prologue_parts, query = parsed[0], parsed[1]
    from_graphs, from_named = [], []
    try:
        prologue = translatePrologue(prologue_parts, None)
        # CompValue.get returns the key itself when absent, hence the `in` tests.
        for clause in query["datasetClause"] if "datasetClause" in query else ():
            if "default" in clause:
                from_graphs.append(str(prologue.absolutize(clause["default"])))
            else:
                from_named.append(str(prologue.absolutize(clause["named"])))
    except Exception as error:  # rdflib raises a bare Exception for an unknown prefix
        raise QueryRefused(f"SPARQL error: {error}") from None
    _refuse_undeclared_prefix(sparql, prologue_parts, query, known_prefixes)
    return QueryInfo(
        form=QUERY_FORMS[query.name],
        text=sparql,
        from_graphs=tuple(from_graphs),
        from_named_graphs=tuple(from_named),
        uses_service=_contains_node(query, "ServiceGraphPattern"),
        bracket_depth=bracket_depth(sparql),
        **_graph_use(query),
    )


_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_codepoint_escapes(sparql: str) -> str:
    """The query with ``\\u``/``\\U`` escapes replaced by their characters (SPARQL 1.1 §19.2).

    Refuses an escape that is not a Unicode scalar value (``\\U00110000``, a lone surrogate) and
    one whose expansion forms a new escape (``\\u005Cu0022``): that text would read differently to
    an engine that expands again.
    """
    if "\\u" not in sparql and "\\U" not in sparql:
        return sparql

    def character(match: re.Match) -> str:
        codepoint = int(match.group(1) or match.group(2), 16)
        if codepoint > 0x10FFFF or 0xD800 <= codepoint <= 0xDFFF:
            line = sparql.count("\n", 0, match.start()) + 1
            raise QueryRefused(
                f"line {line}: {match.group(0)} is not a Unicode character (codepoint escape)"
            )
        return chr(codepoint)

    expanded = _CODEPOINT_ESCAPE.sub(character, sparql)
    if _CODEPOINT_ESCAPE.search(expanded):
        raise QueryRefused("a codepoint escape may not produce another escape (\\u005C…)")
    return expanded


_SERVICE_KEYWORD = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:-])", re.IGNORECASE)


def mentions_service(sparql: str) -> bool:
    """True when the keyword SERVICE stands outside strings, IRIs and comments (a lexical check
    that backs up the parse tree; a prefixed name such as ``ex:service`` does not count)."""
    return any(_SERVICE_KEYWORD.search(part) for part in _outside_skipped(sparql))


def _refuse_undeclared_prefix(sparql: str, prologue_parts, query, known: frozenset[str]) -> None:
    """Name the first prefix used but not declared, at its line and column in the user's text
    (engines only say what they expected there)."""
    from vankien.graph.namespaces import PREFIXES
    declared = known | {dict.get(decl, "prefix") or "" for decl in prologue_parts
                        if getattr(decl, "name", "") == "PrefixDecl"}
    missing = {prefix for prefix in _used_prefixes(query) if prefix not in declared}
    if not missing:
        return
    line, column, prefix = _first_use(sparql, missing)
    fix = f"; add PREFIX {prefix}: <{PREFIXES[prefix]}>" if prefix in PREFIXES else ""
    raise QueryRefused(f"line {line}, column {column}: the prefix {prefix}: is not declared{fix}",
                       line=line, column=column, prefix=prefix, prefix_iri=PREFIXES.get(prefix))


def _used_prefixes(tree) -> set[str]:
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "pname":
                found.add(dict.get(node, "prefix") or "")
            stack.extend(dict.values(node))
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return found


def _first_use(sparql: str, prefixes: set[str]) -> tuple[int, int, str]:
    """(line, column, prefix) of the earliest prefixed name, outside strings, IRIs and comments."""
    names = "|".join(sorted((re.escape(p) for p in prefixes), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w?$@:.-])({names}):")
    position = 0
    for skipped in [*_SKIPPED.finditer(sparql), None]:
        end = skipped.start() if skipped else len(sparql)
        match = pattern.search(sparql, position, end)
        if match:
            before = sparql[:match.start()]
            return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1, match[1]
        position = skipped.end() if skipped else end
    return 1, 1, sorted(prefixes)[0]


# Functions whose value changes from one run to the next: an answer using them is not reusable.
_VOLATILE = re.compile(r"\b(RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def is_repeatable(sparql: str) -> bool:
    """True when running ``sparql`` twice on the same data gives the same answer: none of RAND,
    NOW, UUID, STRUUID, BNODE stands outside strings, IRIs and comments."""
    return not any(_VOLATILE.search(part) for part in _outside_skipped(sparql))


_ENGINE_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
# Oxigraph evaluates the SPARQL 1.1 functions and XSD casts only; any other function IRI is valid
# SPARQL it refuses (as a RuntimeError) before running anything.
_UNSUPPORTED_FUNCTION = re.compile(r"The custom function <[^>]*> is not supported")


def is_engine_refusal(kind: str, message: str) -> bool:
    """Whether an error of that class name and message, raised by Oxigraph's ``query``, is a rule
    of the query (the user's to change) rather than a failure of the store."""
    return kind == "SyntaxError" or (kind == "RuntimeError" and bool(_UNSUPPORTED_FUNCTION.match(message)))


def engine_refusal(message: str, lines_before: int = 0) -> QueryRefused:
    """Oxigraph's refusal of a query the guard let through (SPARQL 1.1's grouping and scope rules,
    which rdflib does not check, or a function it does not know) as a refusal at the line and
    column of the user's text (``lines_before``: lines the caller put before it). Oxigraph hides its
    own sentence ("The SELECT contains a variable that is unbound") in a list of expected
    characters: keep it alone."""
    if _UNSUPPORTED_FUNCTION.match(message):
        return QueryRefused(f"SPARQL error: {message} (the embedded store evaluates the SPARQL 1.1 "
                            "functions and XSD casts only)")
    found = _ENGINE_ERROR.match(message)
    if not found:
        return QueryRefused(f"SPARQL error: {message[:300]}")
    line, column, detail = int(found[1]) - lines_before, int(found[2]), found[3]
    expected = re.sub(r"\[[^\]]*\]", "", detail.removeprefix("expected one of ").removeprefix("expected "))
    sentences = [item.strip() for item in expected.split(", ") if " " in item.strip()]
    said = "; ".join(sentences) or ("the query breaks a rule of SPARQL here (such as a BIND to a "
                                    "variable already in use, or a VALUES row of the wrong length)")
    if "unbound" in said:   # Oxigraph says so of a grouped query only
        said += " (a grouped query selects only its GROUP BY variables and aggregates such as COUNT or SAMPLE)"
    return QueryRefused(f"SPARQL error: line {line}, column {column}: {said}", line=line, column=column)


def _describe(error: ParseBaseException) -> str:
    return f"line {error.lineno}, column {error.col}: {error.msg}, found {error.found}"


def _parse_with_room(parse, sparql: str):
    """Run an rdflib parse in a thread with a large stack and recursion limit."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = parse(sparql)
        except BaseException as error:  # handed back to the calling thread
            outcome["error"] = error

    with _parse_lock:  # one parse at a time: the recursion limit is process-wide
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size(PARSER_STACK_BYTES)
        try:
            sys.setrecursionlimit(max(old_limit, _PARSER_RECURSION_LIMIT))
            worker = threading.Thread(target=run, name="sparql-guard-parse", daemon=True)
            worker.start()
        finally:
            threading.stack_size(old_stack)
        worker.join()
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _children(node) -> list:
    """A parse tree node's children (CompValue values, ParseResults and list items); none for a term."""
    if isinstance(node, CompValue):
        return list(dict.values(node))
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return list(node)
    return []


def _contains_node(tree, name: str) -> bool:
    """Depth-first search of the parse tree (CompValue / ParseResults / lists) for a node name."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue) and node.name == name:
            return True
        stack.extend(_children(node))
    return False


def _graph_use(query: CompValue) -> dict[str, bool]:
    """Whether a GRAPH pattern names its graph by a variable, and whether any triple pattern lies
    outside every GRAPH pattern (reads the default graph). DESCRIBE reads the default graph."""
    graph_variable, reads_default = False, query.name == "DescribeQuery"
    stack: list = [(query["where"] if "where" in query else (), False)]
    while stack:
        node, in_graph = stack.pop()
        if isinstance(node, CompValue) and node.name == "GraphGraphPattern":
            graph_variable = graph_variable or isinstance(node["term"], Variable)
            stack.append((node["graph"], True))
            continue
        reads_default = reads_default or (isinstance(node, CompValue) and node.name == "TriplesBlock" and not in_graph)
        stack.extend((child, in_graph) for child in _children(node))
    return {"graph_variable": graph_variable, "reads_default_graph": reads_default}


# Tokens the bracket counter skips: long and short strings, IRIs, comments.
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_BRACKETS = re.compile(r"[{}()\[\]]")
_OPENERS = frozenset("{([")


def _outside_skipped(sparql: str):
    """The stretches of ``sparql`` between strings, IRIs and comments, in order."""
    position = 0
    for skipped in _SKIPPED.finditer(sparql):
        yield sparql[position : skipped.start()]
        position = skipped.end()
    yield sparql[position:]


def bracket_depth(sparql: str) -> int:
    """Deepest nesting of brackets — ``{}`` groups, ``()`` expressions and ``[]`` blank nodes, all
    kinds on one count (the parser recurses for each) — outside strings, IRIs and comments."""
    deepest = depth = 0
    for part in _outside_skipped(sparql):
        for bracket in _BRACKETS.findall(part):
            if bracket in _OPENERS:
                depth += 1
                deepest = max(deepest, depth)
            else:
                depth = max(0, depth - 1)
    return deepest
