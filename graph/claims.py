"""Load and check seed claim files (``seeds/*.yaml``).

A seed file describes one source: the source itself, the entities it talks about (identity only) and
the claims (an exact quote with its offset, and the facts it supports). Everything here is checked
with the file and line in the message, so a reviewer can fix a seed without reading a traceback.
The format is documented in ``docs/data-model.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.util import from_n3

from vankien.graph.errors import BadInput
from vankien.graph.identifiers import DocumentReference, IdentifierError, parse_reference
from vankien.graph.namespaces import PREFIXES, RDF_TYPE, expand_curie

# Identity fields per entity kind ("note" is free text for reviewers, everywhere).
ENTITY_FIELDS = {
    "document": {"document", "jurisdiction", "term"},
    "unnumbered": {"unnumbered", "issuer", "jurisdiction", "slug"},
    "body": {"body", "jurisdiction", "slug"},
    "term": {"term", "jurisdiction"},
    "place": {"place"}, "goal": {"goal"}, "observation": {"observation"}, "measure": {"measure"},
    "period": {"period"}, "source": {"source"},
}
ENTITY_KINDS = tuple(ENTITY_FIELDS)
SOURCE_KEYS = {"id", "file", "sha256", "language", "title", "translation_of", "url"}
ORIGINAL_KEYS = {"id", "url", "language", "language_how", "publisher"}
# The review keys (rule … note) come from candidate files that `vankien ingest` writes; curated seeds
# leave them out. The contract is in docs/data-model.md, "Candidate claims and review".
CLAIM_KEYS = {"id", "quote", "start", "quotes", "evidence", "how", "facts",
              "review", "reviewed_by", "reviewed_at", "rule", "confidence", "note"}
QUOTE_KEYS = {"quote", "start"}
FILE_KEYS = {"source", "entities", "claims", "ingest"}
EVIDENCE_KINDS = ("stated", "inferred")
REVIEW_STATES = ("pending", "accepted", "rejected")
DECIDED = ("accepted", "rejected")
MAX_QUOTE_CHARS = 300
NOT_SEED_FILES = {"coverage-ignore.yaml"}   # lives beside the seeds, read by vankien coverage


class SeedError(BadInput):
    """A seed file is malformed; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class EntityRef:
    """A fact's subject or object that names an entity of the seed file."""
    key: str


@dataclass(frozen=True)
class Fact:
    subject: str                              # entity key
    predicate: URIRef
    object: EntityRef | URIRef | Literal
    line: int
    text: str = ""                            # as written in the file


@dataclass(frozen=True)
class Quote:
    """One exact passage of the source: ``text[start:end] == quote``."""
    quote: str
    start: int
    line: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.quote)


@dataclass(frozen=True)
class Claim:
    id: str
    quotes: tuple[Quote, ...]                 # one or more, in reading order
    evidence: str                             # "stated" | "inferred"
    how: str | None
    facts: tuple[Fact, ...]
    line: int
    review: str | None = None                 # None (curated) | "pending" | "accepted" | "rejected"
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    rule: str | None = None                   # the extraction rule that proposed it
    confidence: float | None = None
    note: str | None = None

    @property
    def reaches_graph(self) -> bool:
        """Curated claims (no review key) and accepted candidates; never pending or rejected ones."""
        return self.review in (None, "accepted")

    # the first quote, for callers that show one passage
    @property
    def quote(self) -> str:
        return self.quotes[0].quote

    @property
    def start(self) -> int:
        return self.quotes[0].start

    @property
    def end(self) -> int:
        return self.quotes[0].end


@dataclass(frozen=True)
class Entity:
    key: str
    kind: str
    spec: dict[str, Any]
    line: int
    reference: DocumentReference | None = None   # parsed number, for numbered documents


@dataclass(frozen=True)
class Original:
    """The text a translated source was translated from."""
    id: str
    url: str | None
    language: str | None
    language_how: str | None


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    sha256: str | None
    language: str
    title: dict[str, str]
    translation_of: Original | None
    url: str | None = None                    # where the text was taken from (given at ingest)


@dataclass(frozen=True)
class SeedFile:
    path: Path
    source: Source
    entities: dict[str, Entity]
    claims: tuple[Claim, ...] = field(default_factory=tuple)


# --- YAML with line numbers ------------------------------------------------------------------------

_SCALARS = yaml.SafeLoader("")


class StrictLoader(yaml.SafeLoader):
    """YAML's safe loader without the two ways a seed file can lose or multiply data unseen: a key
    repeated in one mapping (YAML keeps the last value) and aliases (``*name``: an alias bomb
    expands a few lines into gigabytes). Both are errors at their line."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed here; write the value out",
                event.start_mark)
        return super().compose_node(parent, index)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        first_line: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if key.value in first_line:
                raise yaml.composer.ComposerError(
                    None, None,
                    f"key '{key.value}' appears twice in one mapping (first on line "
                    f"{first_line[key.value]}); YAML would keep only the last value", key.start_mark)
            first_line[key.value] = key.start_mark.line + 1
        return node


class _LineDict(dict):
    line: int = 0


class _LineStr(str):
    line: int = 0


def _to_python(node: yaml.Node) -> Any:
    """Turn a composed YAML node into plain values that remember their (1-based) line."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = _LineDict()
        out.line = line
        for key_node, value_node in node.value:
            out[_to_python(key_node)] = _to_python(value_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item) for item in node.value]
    # resolve the scalar's type (int, str, bool …) the way yaml.safe_load would
    value = node.value if node.tag == "tag:yaml.org,2002:str" else _SCALARS.construct_object(node)
    if isinstance(value, str):
        value = _LineStr(value)
        value.line = line
    return value


def _read_yaml(path: Path) -> Any:
    node = _parse_yaml(path, yaml.compose)
    if node is None:
        raise SeedError(f"{path}:1: the file is empty")
    return _to_python(node)


def read_yaml_file(path: Path) -> Any:
    """Plain values of a YAML file read with :class:`StrictLoader`; errors name ``path:line``."""
    return _parse_yaml(path, yaml.load)


def _parse_yaml(path: Path, parse) -> Any:
    text = read_utf8(path)
    try:
        return parse(text, Loader=StrictLoader)
    except yaml.reader.ReaderError as exc:   # a character YAML refuses: a control byte, binary data
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise SeedError(f"{path}:{text.count(chr(10), 0, exc.position) + 1}: not valid YAML: character "
                        f"#x{code:04x} is not allowed (a control character or binary data)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SeedError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None


def read_utf8(path: Path) -> str:
    """The text of ``path``; a file that is not UTF-8 is a :class:`SeedError` naming
    ``path:line:column`` and the byte at fault."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SeedError(
            f"{path}:{line}:{column}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}: "
            f"{exc.reason}); save the file as UTF-8"
        ) from None


# --- checks -----------------------------------------------------------------------------------------

class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, line: int, message: str) -> SeedError:
        return SeedError(f"{self.path}:{line}: {message}")

    def mapping(self, value: Any, what: str, line: int, allowed: set[str] | None = None,
                required: tuple[str, ...] = ()) -> _LineDict:
        if not isinstance(value, dict):
            raise self.fail(line, f"{what} must be a mapping")
        here = getattr(value, "line", line)
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise self.fail(here, f"unknown key(s) {unknown} in {what}; allowed: {sorted(allowed)}")
        for key in required:
            if value.get(key) in (None, ""):
                raise self.fail(here, f"{what} needs '{key}'")
        return value if isinstance(value, _LineDict) else _LineDict(value)

    def text(self, value: Any, what: str, line: int) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(getattr(value, "line", line), f"{what} must be a non-empty string")
        return str(value)


def _parse_original(check: _Checker, raw: Any, line: int) -> Original | None:
    if raw is None:
        return None
    raw = check.mapping(raw, "source.translation_of", line, ORIGINAL_KEYS, ("id",))
    return Original(id=str(raw["id"]), url=raw.get("url"), language=raw.get("language"),
                    language_how=raw.get("language_how"))


def _parse_source(check: _Checker, raw: Any) -> Source:
    raw = check.mapping(raw, "'source'", 1, SOURCE_KEYS, ("id", "file", "language"))
    title = raw.get("title") or {}
    check.mapping(title, "source.title", raw.line)
    return Source(id=str(raw["id"]), file=str(raw["file"]), sha256=raw.get("sha256"),
                  language=str(raw["language"]), title={k: str(v) for k, v in title.items()},
                  translation_of=_parse_original(check, raw.get("translation_of"), raw.line),
                  url=str(raw["url"]) if raw.get("url") else None)


def _parse_entity(check: _Checker, key: str, raw: Any, line: int) -> Entity:
    raw = check.mapping(raw, f"entity '{key}'", line)
    # documents carry a 'term' key too: their own kind key decides
    kinds = [kind for kind in ENTITY_KINDS if kind in raw]
    if len(kinds) > 1 and kinds[0] in ("document", "unnumbered"):
        kinds = kinds[:1]
    if len(kinds) != 1:
        raise check.fail(raw.line, f"entity '{key}' needs exactly one of {list(ENTITY_KINDS)}")
    kind = kinds[0]
    unknown = sorted(set(raw) - ENTITY_FIELDS[kind] - {"note"})
    if unknown:
        raise check.fail(raw.line, f"unknown key(s) {unknown} in {kind} entity '{key}'; "
                                   f"allowed: {sorted(ENTITY_FIELDS[kind] | {'note'})}")
    reference = None
    if kind == "document":
        try:
            reference = parse_reference(str(raw["document"]))
        except IdentifierError as exc:
            raise check.fail(raw.line, f"entity '{key}': {exc}") from None
        term = raw.get("term")
        if term is None:
            raise check.fail(raw.line, f"entity '{key}' needs 'term' (an ordinal such as 14, or 'unknown')")
        if term != "unknown" and not isinstance(term, int):
            raise check.fail(raw.line, f"entity '{key}': term must be an integer ordinal or 'unknown'")
    return Entity(key=key, kind=kind, spec=dict(raw), line=raw.line, reference=reference)


def _parse_term(check: _Checker, token: str, line: int, entities: dict[str, Entity]):
    """An object token: entity key, CURIE / <IRI>, or a Turtle literal."""
    if token in entities:
        return EntityRef(token)
    try:
        expanded = expand_curie(token)
        term = URIRef(expanded) if expanded is not None else from_n3(token, nsm=None)
    except Exception as exc:  # rdflib raises several types for bad N3 terms
        raise check.fail(line, f"cannot read '{token}': {exc}") from None
    if isinstance(term, (URIRef, Literal)):
        return term
    raise check.fail(line, f"'{token}' is neither a declared entity, a CURIE nor a literal")


def _parse_fact(check: _Checker, raw: Any, line: int, entities: dict[str, Entity]) -> Fact:
    text = check.text(raw, "a fact", line)
    line = getattr(raw, "line", line)
    parts = text.strip().split(None, 2)  # the object may be a literal with spaces
    if len(parts) != 3:
        raise check.fail(line, f"a fact is 'subject predicate object', got {text!r}")
    subject, predicate, obj = parts
    if subject not in entities:
        raise check.fail(line, f"unknown entity '{subject}' (declare it under 'entities')")
    expanded = RDF_TYPE if predicate == "a" else expand_curie(predicate)
    if expanded is None:
        raise check.fail(line, f"predicate '{predicate}' must be 'a' or a CURIE with a known prefix "
                               f"({', '.join(sorted(PREFIXES))})")
    return Fact(subject, URIRef(expanded), _parse_term(check, obj, line, entities), line, text.strip())


def _parse_quote(check: _Checker, claim_id: str, raw: Any, line: int) -> Quote:
    quote = check.text(raw.get("quote"), f"claim {claim_id}: quote", line)
    if len(quote) > MAX_QUOTE_CHARS:
        raise check.fail(line, f"claim {claim_id}: quote has {len(quote)} characters; keep the shortest "
                               f"quote that supports the facts (at most {MAX_QUOTE_CHARS})")
    start = raw.get("start")
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise check.fail(line, f"claim {claim_id}: start must be a character offset (integer ≥ 0)")
    return Quote(quote=quote, start=start, line=line)


def _parse_quotes(check: _Checker, claim_id: str, raw: _LineDict) -> tuple[Quote, ...]:
    """Either ``quote`` + ``start`` (one passage) or ``quotes:`` (a list of {quote, start})."""
    single = "quote" in raw or "start" in raw
    if single == ("quotes" in raw):
        raise check.fail(raw.line, f"claim {claim_id}: give either 'quote' and 'start' or a 'quotes' "
                                   "list of {quote, start}, not both")
    if single:
        return (_parse_quote(check, claim_id, raw, raw.line),)
    items = raw["quotes"]
    if not isinstance(items, list) or not items:
        raise check.fail(raw.line, f"claim {claim_id}: 'quotes' must be a non-empty list of {{quote, start}}")
    quotes = []
    for item in items:
        item = check.mapping(item, f"a quote of claim {claim_id}", raw.line, QUOTE_KEYS, ("quote", "start"))
        quotes.append(_parse_quote(check, claim_id, item, item.line))
    return tuple(quotes)


def _parse_review(check: _Checker, claim_id: str, raw: _LineDict) -> dict[str, Any]:
    """The candidate keys: review state with who/when, the proposing rule and its confidence."""
    review, line = raw.get("review"), raw.line
    if review is not None and review not in REVIEW_STATES:
        raise check.fail(line, f"claim {claim_id}: review must be one of {', '.join(REVIEW_STATES)}, "
                               f"got {review!r}")
    who, when = raw.get("reviewed_by"), raw.get("reviewed_at")
    if review in DECIDED and (not who or not when):
        raise check.fail(line, f"claim {claim_id}: review {review} needs reviewed_by and reviewed_at "
                               "(vankien review records them)")
    if (who or when) and review not in DECIDED:
        raise check.fail(line, f"claim {claim_id}: reviewed_by/reviewed_at belong to an accepted or "
                               "rejected claim")
    confidence = raw.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                   or not 0 <= confidence <= 1):
        raise check.fail(line, f"claim {claim_id}: confidence must be a number in [0, 1], got {confidence!r}")
    for key in ("rule", "note"):
        if raw.get(key) is not None:
            check.text(raw[key], f"claim {claim_id}: {key}", line)
    return {"review": review, "reviewed_by": str(who) if who else None,
            "reviewed_at": str(when) if when else None, "rule": raw.get("rule"),
            "confidence": float(confidence) if confidence is not None else None, "note": raw.get("note")}


def _parse_claim(check: _Checker, raw: Any, line: int, entities: dict[str, Entity]) -> Claim:
    raw = check.mapping(raw, "a claim", line, CLAIM_KEYS, ("id", "evidence", "facts"))
    line, claim_id = raw.line, raw["id"]
    quotes = _parse_quotes(check, claim_id, raw)
    evidence = raw["evidence"]
    if evidence not in EVIDENCE_KINDS:
        raise check.fail(line, f"claim {claim_id}: evidence must be one of {EVIDENCE_KINDS}")
    how = raw.get("how")
    if evidence == "inferred" and not how:
        raise check.fail(line, f"claim {claim_id}: an inferred claim needs 'how' (how it was inferred)")
    if not isinstance(raw["facts"], list) or not raw["facts"]:
        raise check.fail(line, f"claim {claim_id}: 'facts' must be a non-empty list")
    facts = tuple(_parse_fact(check, fact, line, entities) for fact in raw["facts"])
    return Claim(id=str(claim_id), quotes=quotes, evidence=evidence, how=str(how) if how else None,
                 facts=facts, line=line, **_parse_review(check, claim_id, raw))


def load_seed_file(path: str | Path) -> SeedFile:
    """Read one seed file; raise :class:`SeedError` naming the file and line of the first problem."""
    path = Path(path)
    check = _Checker(path)
    doc = check.mapping(_read_yaml(path), "the seed file", 1, FILE_KEYS, ("source", "entities", "claims"))
    if doc.get("ingest") is not None:
        check.mapping(doc["ingest"], "'ingest'", doc.line)
    source = _parse_source(check, doc["source"])
    raw_entities = check.mapping(doc["entities"], "'entities'", doc.line)
    entities = {str(key): _parse_entity(check, str(key), value, raw_entities.line)
                for key, value in raw_entities.items()}
    if not isinstance(doc["claims"], list):
        raise check.fail(doc.line, "'claims' must be a list")
    claims: list = []
    seen: dict = {}
    for raw in doc["claims"]:
        claim = _parse_claim(check, raw, doc.line, entities)
        if claim.id in seen:
            raise check.fail(claim.line, f"claim id '{claim.id}' is used twice (first at line {seen[claim.id]})")
        seen[claim.id] = claim.line
        claims.append(claim)
    return SeedFile(path=path, source=source, entities=entities, claims=tuple(claims))


def load_seed_dir(seeds_dir: str | Path) -> list[SeedFile]:
    """Every ``*.yaml`` seed file of a folder, in name order."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise SeedError(f"{seeds_dir}: seeds folder not found")
    files = sorted(path for path in seeds_dir.glob("*.yaml") if path.name not in NOT_SEED_FILES)
    if not files:
        raise SeedError(f"{seeds_dir}: no *.yaml seed files in this folder")
    return [load_seed_file(path) for path in files]


def load_claims_paths(paths: Iterable[str | Path]) -> list[SeedFile]:
    """Extra claims files for a build (``vankien build --claims``): each path a file or a folder of
    ``*.yaml`` files."""
    seeds = []
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.glob("*.yaml") if p.name not in NOT_SEED_FILES)
            if not files:
                raise SeedError(f"{path}: no *.yaml claims files in this folder")
            seeds += [load_seed_file(file) for file in files]
        elif path.is_file():
            seeds.append(load_seed_file(path))
        else:
            raise SeedError(f"{path}: claims file or folder not found")
    return seeds


def graph_view(seed: SeedFile) -> SeedFile:
    """The part of a file that reaches the graph: curated and accepted claims, and only the entities
    their facts mention (an entity that only a pending or rejected candidate names stays out)."""
    claims = tuple(claim for claim in seed.claims if claim.reaches_graph)
    if len(claims) == len(seed.claims):
        return seed
    used = {key for claim in claims for fact in claim.facts
            for key in (fact.subject, getattr(fact.object, "key", None)) if key}
    entities = {key: entity for key, entity in seed.entities.items() if key in used}
    return replace(seed, claims=claims, entities=entities)


# --- checks against the source text (I/O: reads the sources folder) ---------------------------------

@dataclass(frozen=True)
class QuoteProblem:
    seed: Path
    line: int
    claim_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.seed}:{self.line}: claim {self.claim_id}: {self.message}"


def source_text(seed: SeedFile, sources_dir: str | Path) -> str | None:
    """The text of a seed's source, or None when the sources folder does not hold it."""
    path = Path(sources_dir) / seed.source.file
    if not path.is_file():
        return None
    return read_utf8(path)


def verify_quotes(seed: SeedFile, text: str) -> list[QuoteProblem]:
    """Every claim's quote must stand in the source text at exactly its offsets."""
    problems = []
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if seed.source.sha256 and seed.source.sha256 != digest:
        problems.append(QuoteProblem(seed.path, 1, "-", f"source {seed.source.file} has sha256 {digest}, "
                                                         f"the seed expects {seed.source.sha256}"))
    for claim in seed.claims:
        for quote in claim.quotes:
            if problem := quote_problem(text, quote):
                problems.append(QuoteProblem(seed.path, quote.line or claim.line, claim.id, problem))
    return problems


def quote_problem(text: str, quote: Quote) -> str | None:
    """Why ``quote`` does not stand at its offsets in ``text`` (None when it does)."""
    found = text[quote.start:quote.end]
    if found == quote.quote:
        return None
    where = text.find(quote.quote)
    hint = f"; the quote stands at offset {where}" if where >= 0 else "; the quote is not in the text"
    return f"text at {quote.start}:{quote.end} is {found!r}{hint}"
