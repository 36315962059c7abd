"""The query page (``/`` and ``/query``) and the static files it uses (``/static``).

The page (``templates/query.html``, in the reader's language) has a textarea editor; ``static/query.js`` sends the query to ``/sparql``
and renders results with ``textContent`` only (never ``innerHTML`` with data). The example queries
are :data:`EXAMPLE_QUERIES`, taken from :mod:`vankien.graph.examples` (the list the README and
the tests use).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vankien.api.conneg import html_only
from vankien.api.i18n import LANG_PARAM, page
from vankien.api.links import link_rule
from vankien.graph.examples import EXAMPLES

STATIC_DIR = Path(__file__).resolve().parent / "static"

# (title, SPARQL) pairs for the example buttons: the one list in vankien.graph.examples, which the
# README quotes and tests/test_examples.py runs against the real graph.
EXAMPLE_QUERIES: list[tuple[str, str]] = [(example.title, example.sparql) for example in EXAMPLES]

router = APIRouter(tags=["query page"])
# Mounted here so the app needs no extra call; FastAPI copies the mount with include_router.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def query_page_context(base_iri: str) -> dict:
    """What the query page template needs: the examples (also as JSON for the script) and the
    link rule the result table uses (:mod:`vankien.api.links`)."""
    return {"examples": EXAMPLE_QUERIES, "link_rule": link_rule(base_iri),
            # tojson escapes <, > and & so the JSON cannot close its <script> element
            "examples_json": Markup(htmlsafe_json_dumps([{"title": t, "query": q} for t, q in EXAMPLE_QUERIES]))}


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
def get_query_page(request: Request, lang: str | None = LANG_PARAM) -> HTMLResponse:
    settings = request.app.state.settings
    return page(request, "query.html", **query_page_context(settings.base_iri), base_iri=settings.base_iri)
