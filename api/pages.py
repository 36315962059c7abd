"""The query page (``/`` and ``/query``) and the static files it uses (``/static``).

The page is plain HTML with a textarea editor; ``static/query.js`` sends the query to ``/sparql``
and renders results with ``textContent`` only (never ``innerHTML`` with data). The example queries
are :data:`EXAMPLE_QUERIES`, taken from :mod:`vankien.graph.examples` (the list the README and
the tests use).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vankien.api.conneg import html_only
from vankien.graph.examples import EXAMPLES

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "query.html"

# (title, SPARQL) pairs for the example buttons: the one list in vankien.graph.examples, which the
# README quotes and tests/test_examples.py runs against the real graph.
EXAMPLE_QUERIES: list[tuple[str, str]] = [(example.title, example.sparql) for example in EXAMPLES]

router = APIRouter(tags=["query page"])
# Mounted here so the app needs no extra call; FastAPI copies the mount with include_router.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def query_page() -> str:
    """The query page HTML: the template with the example buttons and their queries filled in."""
    buttons = "\n".join(
        f'<button type="button" class="example" data-example="{index}">{html.escape(title)}</button>'
        for index, (title, _query) in enumerate(EXAMPLE_QUERIES)
    )
    # JSON inside <script>: "</" must not close the element early.
    examples = json.dumps([{"title": t, "query": q} for t, q in EXAMPLE_QUERIES]).replace("</", "<\\/")
    first_query = html.escape(EXAMPLE_QUERIES[0][1].strip())
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("{{examples_buttons}}", buttons)
            .replace("{{examples_json}}", examples)
            .replace("{{first_query}}", first_query))


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="Query page",
    dependencies=[Depends(html_only)],
    description="An HTML page to write SPARQL, run it against `/sparql` and see the results as a "
                "table (or open a CONSTRUCT result in the graph view). The README's example "
                "queries are one click away.",
)
@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="Query page (alias of /)",
    dependencies=[Depends(html_only)],
    description="The same page as `/`.",
)
def get_query_page() -> HTMLResponse:
    return HTMLResponse(query_page())
