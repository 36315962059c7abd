"""The seed loader: good files load; each kind of mistake is one clear error naming file and line."""

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from vankien.graph.claims import EntityRef, SeedError, load_seed_file, verify_quotes

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
VK = "https://w3id.org/vankien/ontology#"

HEAD = """source:
  id: s
  file: t.txt
  language: en
entities:
  plan: {document: "7-KH/TU", jurisdiction: x, term: 3}
  board: {body: advisory-board, jurisdiction: x, slug: b}
claims:
"""


def test_tiny_fixture_loads_with_typed_facts():
    seed = load_seed_file(FIXTURES / "tiny.yaml")
    assert seed.source.id == "tiny-synthetic"
    assert set(seed.entities) == {"plan", "directive", "board", "term-3", "term-12"}
    assert seed.entities["directive"].reference.notation == "5-CT/TW"
    first = seed.claims[0]
    assert (first.id, first.start, first.end, first.evidence) == ("c1", 0, 41, "stated")
    facts = {(f.subject, str(f.predicate), f.object) for f in first.facts}
    assert ("plan", VK + "implements", EntityRef("directive")) in facts
    assert ("plan", "http://www.w3.org/2004/02/skos/core#notation", Literal("7-KH/TU")) in facts
    assert ("plan", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", URIRef(VK + "Plan")) in facts


def test_quotes_verified_against_text():
    seed = load_seed_file(FIXTURES / "tiny.yaml")
    text = (FIXTURES / "tiny-source.txt").read_text(encoding="utf-8")
    assert verify_quotes(seed, text) == []
    shifted = " " + text
    problems = verify_quotes(seed, shifted)
    assert [p.claim_id for p in problems] == ["c1", "c2"]
    assert "stands at offset 1" in str(problems[0]) and "tiny.yaml:14" in str(problems[0])


@pytest.mark.parametrize("claims, line, message", [
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan vk:advisedBy ghost]}\n", 9,
     "'ghost' is neither a declared entity"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: [ghost vk:advisedBy board]}\n", 9,
     "unknown entity 'ghost'"),
    ("  - {id: c1, quote: q, start: 0, evidence: inferred, facts: [plan vk:advisedBy board]}\n", 9,
     "needs 'how'"),
    ("  - {id: c1, quote: q, start: -4, evidence: stated, facts: [plan vk:advisedBy board]}\n", 9,
     "start must be a character offset"),
    ("  - {id: c1, quote: q, start: 0, evidence: maybe, facts: [plan vk:advisedBy board]}\n", 9,
     "evidence must be one of"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan advisedBy board]}\n", 9,
     "predicate 'advisedBy' must be"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan vk:advisedBy]}\n", 9,
     "a fact is 'subject predicate object'"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan vk:x board]}\n"
     "  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan vk:x board]}\n", 10,
     "claim id 'c1' is used twice (first at line 9)"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, fact: [plan vk:x board]}\n", 9,
     "unknown key(s) ['fact']"),
    ("  - {id: c1, quote: q, start: 0, evidence: stated, facts: []}\n", 9, "'facts' must be a non-empty list"),
])
def test_bad_claims_name_file_and_line(tmp_path, claims, line, message):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + claims, encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_seed_file(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("entity, message", [
    ('{document: "7-XY/TU", jurisdiction: x, term: 3}', "unknown document type code 'XY'"),
    ('{document: "7-KH/TU", jurisdiction: x}', "needs 'term'"),
    ('{document: "7-KH/TU", jurisdiction: x, term: soon}', "term must be an integer ordinal or 'unknown'"),
    ('{colour: red}', "needs exactly one of"),
    ('{document: "7-KH/TU", jurisdiction: x, term: 3, body: b}', "unknown key"),
])
def test_bad_entities(tmp_path, entity, message):
    path = tmp_path / "bad.yaml"
    claim = "  - {id: c1, quote: q, start: 0, evidence: stated, facts: [plan vk:x plan]}\n"
    path.write_text(HEAD.replace('{document: "7-KH/TU", jurisdiction: x, term: 3}', entity) + claim,
                    encoding="utf-8")
    with pytest.raises(SeedError, match=r"bad\.yaml:6: .*") as caught:
        load_seed_file(path)
    assert message in str(caught.value)


def test_yaml_syntax_error_has_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("source:\n  id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_seed_file(path)
