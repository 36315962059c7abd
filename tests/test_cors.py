"""CORS (issue 11): off by default; ``--cors ORIGIN|*`` / ``VANKIEN_CORS`` lets browser clients in.

Requests with httpx check the headers of preflight and simple requests; a real chromium page on
one loopback origin calls the endpoint on another, as YASGUI or Comunica would. The data served is
SYNTHETIC (three triples).
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from vankien.cli.commands import make_parser
from vankien.graph.settings import Settings, SettingsError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from canary import running_canary  # noqa: E402
from serving import vankien_serving  # noqa: E402

SYN = "https://w3id.org/vankien/synthetic/id/"
QUERY = "SELECT ?o WHERE { ?s ?p ?o }"
ALLOWED = "http://yasgui.localhost:8080"


@pytest.fixture(scope="module")
def nquads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cors")
    path = folder / "vankien.nq"
    path.write_text("".join(f'<{SYN}doc/{n}> <{SYN}p> "{n}" <{SYN}graph/cors> .\n' for n in range(3)))
    return path


def preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(f"{url}/sparql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})


def test_cors_is_off_by_default(nquads):
    with vankien_serving(nquads, nquads.parent) as url:
        simple = httpx.get(f"{url}/sparql", params={"query": QUERY}, headers={"Origin": ALLOWED})
        assert simple.status_code == 200
        assert not any(name.startswith("access-control-") for name in simple.headers)
        assert "access-control-allow-origin" not in preflight(url, ALLOWED).headers


def test_cors_any_origin(nquads):
    with vankien_serving(nquads, nquads.parent, cors="*") as url:
        answer = preflight(url, "http://other.localhost")
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "POST" in answer.headers["access-control-allow-methods"]
        assert "content-type" in answer.headers["access-control-allow-headers"].lower()
        simple = httpx.get(f"{url}/sparql", params={"query": QUERY},
                           headers={"Origin": "http://other.localhost"})
        assert simple.status_code == 200 and len(simple.json()["results"]["bindings"]) == 3
        assert simple.headers["access-control-allow-origin"] == "*"
        assert "vankien-truncated" in simple.headers["access-control-expose-headers"].lower()


def test_cors_one_origin(nquads):
    with vankien_serving(nquads, nquads.parent, cors=ALLOWED) as url:
        assert preflight(url, ALLOWED).headers["access-control-allow-origin"] == ALLOWED
        refused = preflight(url, "http://evil.localhost")
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        simple = httpx.get(f"{url}/sparql", params={"query": QUERY}, headers={"Origin": "http://evil.localhost"})
        assert "access-control-allow-origin" not in simple.headers


def test_cors_setting_from_the_environment_and_the_command_line():
    assert Settings.from_env({"VANKIEN_CORS": "https://a.example, https://b.example:8443/"}).cors_origins == (
        "https://a.example", "https://b.example:8443")
    assert Settings.from_env({}).cors_origins == ()
    assert make_parser().parse_args(["serve", "--cors", "*"]).cors == "*"
    with pytest.raises(SettingsError, match="cors: 'javascript:alert'"):
        Settings(cors="javascript:alert")


@pytest.mark.browser
def test_a_browser_page_on_another_origin_queries_the_endpoint(browser, nquads):
    """Chromium enforces CORS: the page's origin is the canary server, the endpoint another port."""
    script = """async ([endpoint, query]) => {
        const response = await fetch(endpoint, {method: "POST", body: query,
            headers: {"Content-Type": "application/sparql-query",
                      "Accept": "application/sparql-results+json"}});
        return (await response.json()).results.bindings.length;
    }"""
    with running_canary() as (page_origin, _):
        for cors, expected in ((page_origin, 3), (None, "blocked")):
            with vankien_serving(nquads, nquads.parent, cors=cors) as url:
                page = browser.new_page()
                page.goto(f"{page_origin}/page")
                try:
                    outcome = page.evaluate(script, [f"{url}/sparql", QUERY])
                except Exception as error:  # fetch() rejects: the browser blocked the answer
                    assert "Failed to fetch" in str(error)
                    outcome = "blocked"
                assert outcome == expected, cors
                page.close()
