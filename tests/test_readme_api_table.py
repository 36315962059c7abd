"""The README's API table names the real query parameters of every route (read from the OpenAPI
description the app serves), so a reader who copies one gets an answer, not a silent no-op."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_rows() -> dict[str, set[str]]:
    table = README.read_text(encoding="utf-8").split("| route | query parameters | what |", 1)[1]
    rows: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        routes, parameters = line.split("|")[1:3]
        for route in re.findall(r"`([^`]+)`", routes):
            rows[route] = set(re.findall(r"`([^`]+)`", parameters))
    return rows


def test_every_route_lists_exactly_its_query_parameters(api_client):
    spec = api_client.get("/openapi.json").json()
    actual = {path.replace("{id:path}", "{id}"): {p["name"] for op in operations.values()
                                                 for p in op.get("parameters", []) if p["in"] == "query"}
              for path, operations in spec["paths"].items()}
    listed = readme_rows()
    for route, parameters in listed.items():
        if route in ("/docs", "/redoc"):
            assert api_client.get(route).status_code == 200
            continue
        assert route in actual, f"README names {route}, which the API does not serve"
        assert parameters == actual[route], f"{route}: README {sorted(parameters)}, API {sorted(actual[route])}"
    assert set(actual) <= set(listed), f"routes missing from the README: {set(actual) - set(listed)}"
