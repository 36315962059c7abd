"""The one escaping helper for values spliced into query text (remote stores need text): whatever
the value, the engine reads back exactly it, and it never ends the literal early."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from vankien.graph.errors import BadInput
from vankien.graph.queries import iri, literal

HOSTILE = ['a"b', "back\\slash", "line\nbreak\r", "Điện Biên", "tab\tx", '" } ; DROP ALL ; #',
           "'single'", "\\u0022 not an escape", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_literal_reads_back_as_the_value(value):
    found = list(ox.Store().query(f"SELECT ?x ?n WHERE {{ BIND({literal(value)} AS ?x) BIND(1 AS ?n) }}"))
    assert len(found) == 1 and found[0]["x"].value == value and found[0]["n"].value == "1"


def test_an_iri_is_checked_before_it_is_spliced():
    assert iri("https://w3id.org/vankien/id/doc/tw/ct/35/k13") == "<https://w3id.org/vankien/id/doc/tw/ct/35/k13>"
    for bad in ("relative/path", "https://x/a b", "https://x/>"):
        with pytest.raises(BadInput):
            iri(bad)
