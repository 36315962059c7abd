"""User errors are one named family, mapped to HTTP in one place and printed as one line by the
CLI; anything else is a bug: a 500 with the details in the log, a traceback on the command line."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from vankien.api.app import create_app
from vankien.cli import commands
from vankien.graph import queries
from vankien.graph.errors import Ambiguous, BadInput, IdentifierError, NotAcceptable, NotFound, UserError
from vankien.graph.executor import QueryFailed, QueryTimeout
from vankien.graph.settings import SettingsError
from vankien.graph.sparql_guard import QueryRefused
from vankien.graph.store import StoreError

RAISED = {
    "bad": BadInput("year: not a number"), "unknown": NotFound("no document numbered 99-KH/TU"),
    "ambiguous": queries.Ambiguous("01-KH/TU", [{"iri": "https://x/a", "notation": "01-KH/TU"}]),
    "format": NotAcceptable("format: 'ttl' is not available here"), "store": StoreError("store down"),
    "refused": QueryRefused("SERVICE is not allowed", status=400), "slow": QueryTimeout("too slow"),
    "failed": QueryFailed("worker crashed"), "bug": KeyError("a bug"),
}


@pytest.fixture(scope="module")
def client(built):
    app = create_app(built[0])
    probe = APIRouter()

    @probe.get("/raise/{name}")
    def raise_it(name: str):
        raise RAISED[name]

    app.include_router(probe)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("name, status", [("bad", 400), ("unknown", 404), ("ambiguous", 300),
                                          ("format", 406), ("store", 503), ("refused", 400),
                                          ("slow", 503), ("failed", 500), ("bug", 500)])
def test_one_mapping_from_exception_to_http(client, name, status):
    answer = client.get(f"/raise/{name}")
    assert answer.status_code == status
    body = answer.json()
    if name == "bug":
        assert body == {"error": "internal error; the server log has the details"}
    else:
        assert body["error"] == (RAISED[name].message if name == "refused" else str(RAISED[name]))
    if name == "ambiguous":
        assert body["candidates"] == [{"iri": "https://x/a", "notation": "01-KH/TU"}]
    if name == "slow":
        assert body["limit_s"] == client.app.state.settings.query_timeout_s


def test_the_named_errors_are_one_family():
    for kind in (BadInput, NotFound, Ambiguous, NotAcceptable, IdentifierError, SettingsError, StoreError,
                 queries.Ambiguous):
        assert issubclass(kind, UserError), kind
    assert queries.NotFound is NotFound


def test_routes_raise_and_the_app_answers(api_client):
    unknown = api_client.get("/graph", params={"focus": "99-KH/TU"})
    assert unknown.status_code == 404 and "99-KH/TU" in unknown.json()["error"]
    malformed = api_client.get("/documents", params={"issuer": "zz:foo"})
    assert malformed.status_code == 400 and malformed.json()["error"].startswith("issuer: unknown prefix 'zz'")


def _command_raising(monkeypatch, exc: Exception) -> None:
    def command(args):
        raise exc
    monkeypatch.setattr(commands, "cmd_coverage", command)


def test_cli_prints_one_line_for_a_user_error(monkeypatch, capsys):
    _command_raising(monkeypatch, NotFound("no source text found in /nowhere"))
    assert commands.main(["coverage"]) == 3     # exit status 3: not found (README, "Exit status")
    assert capsys.readouterr().err == "vankien: error: no source text found in /nowhere\n"


@pytest.mark.parametrize("bug", [ValueError("a bug"), OSError("a bug"), KeyError("a bug")])
def test_cli_lets_a_bug_show_its_traceback(monkeypatch, bug):
    _command_raising(monkeypatch, bug)
    with pytest.raises(type(bug)):
        commands.main(["coverage"])
