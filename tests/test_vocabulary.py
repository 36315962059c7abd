"""The one vocabulary module: prefixes and the term helpers every layer uses; CURIEs name
documents alike in REST and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from vankien.graph.errors import BadInput
from vankien.graph.namespaces import (ID_BASE, PREFIXES, RDF_TYPE, VK, expand_curie, local_name,
                                      looks_like_iri, prefixes_with_ids, shorten, sparql_prefixes,
                                      to_iri)

DOC_35 = ID_BASE + "doc/tw/ct/35/k13"


def test_shorten_prefers_the_longest_namespace_and_keeps_unknown_iris():
    prefixes = {"vk": str(VK), "long": str(VK) + "sub/"}
    assert shorten(str(VK) + "sub/x", prefixes) == "long:x"
    assert shorten(str(VK) + "Plan") == "vk:Plan"
    assert shorten("https://example.org/x") == "https://example.org/x"
    assert shorten(str(VK)) == str(VK)                    # a bare namespace stays whole
    assert shorten(DOC_35, {"": ID_BASE}) == "doc/tw/ct/35/k13"


def test_local_name_and_rdf_type():
    assert local_name(str(VK) + "Plan") == "Plan"
    assert local_name(DOC_35) == "k13"
    assert RDF_TYPE == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_curies_expand_with_known_prefixes_only():
    assert expand_curie("vk:implements") == str(VK) + "implements"
    assert expand_curie("https://w3id.org/x") is None
    assert expand_curie("zz:foo") is None and expand_curie("35-CT/TW") is None
    assert expand_curie("vkid:doc/tw/ct/35/k13", prefixes_with_ids()) == DOC_35
    assert to_iri(" vk:Plan ", "type") == str(VK) + "Plan"
    assert to_iri("urn:x:1", "id") == "urn:x:1"
    with pytest.raises(BadInput, match=r"^issuer: unknown prefix 'zz' in 'zz:foo'; use a full IRI"):
        to_iri("zz:foo", "issuer")
    assert looks_like_iri("vk:Plan") and looks_like_iri(DOC_35) and not looks_like_iri("35-CT/TW")


def test_prefix_lines_come_from_the_one_table():
    lines = sparql_prefixes().splitlines()
    assert lines == [f"PREFIX {name}: <{namespace}>" for name, namespace in PREFIXES.items()]
    assert sparql_prefixes("vk") == f"PREFIX vk: <{VK}>\n"


def test_rest_names_a_document_by_curie(api_client):
    by_curie = api_client.get("/documents/vkid:doc/tw/ct/35/k13")
    assert by_curie.status_code == 200, by_curie.text
    assert by_curie.json() == api_client.get("/documents/35-CT/TW").json()


def test_cli_show_names_a_document_by_curie(built):
    settings, _ = built
    env = {**os.environ, "VANKIEN_DATA_DIR": str(settings.data_dir),
           "VANKIEN_SOURCES_DIR": str(settings.sources_dir)}
    done = subprocess.run([sys.executable, "-m", "vankien.cli", "show", "vkid:doc/tw/ct/35/k13", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["iri"] == DOC_35
