"""Property-based fuzzing of every route in the app's OpenAPI schema (schemathesis 4, in-process
ASGI): whatever the parameters, the API answers without a server error (no 5xx).

The schema is read from an app made at import time (serving ``/openapi.json`` needs no graph); the
module fixture then hands that app the runtime of the real graph. (``schemathesis.pytest.from_fixture``
would be the lazy way, but schemathesis 4.32 reads a pytest attribute that pytest 9 removed.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from vankien.api.app import create_app, open_runtime
from vankien.graph.settings import Settings

EXAMPLES_PER_OPERATION = 25


@schemathesis.serializer("application/sparql-query")
def sparql_query_body(ctx, value):
    """A SPARQL query body is text: send whatever was generated as UTF-8 (bytes as they are)."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else repr(value)).encode("utf-8", "surrogatepass")

app = create_app(Settings.from_env())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def real_graph(built):
    app.state.runtime = open_runtime(built[0])   # the lifespan keeps a runtime it finds in place
    yield
    app.state.runtime.close()
    app.state.runtime = None


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,  # same cases every run: CI is not flaky
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_errors(case):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        assert "error" in response.json(), response.text   # every failure explains itself
