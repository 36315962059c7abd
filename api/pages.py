"""The query page (``/`` and ``/query``) and the static files it uses (``/static``).

The page is a template in the reader's language (``templates/query.html``, :mod:`vankien.api.i18n`)
around a CodeMirror SPARQL editor bundled in ``static/vendor/query-editor.js`` (see
``static/vendor/README.md``); ``static/query.js`` sends the query to ``/sparql`` and renders results
with ``textContent`` only (never ``innerHTML`` with data), linking IRIs by the rule of
:mod:`vankien.api.links`. The example queries come from :mod:`vankien.graph.examples` (the list the
README and the tests use). ``/?query=…`` opens a query and runs it (the page's share link).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vankien.api.conneg import html_only
from vankien.api.i18n import LANG_PARAM, choose_language, page
from vankien.api.links import link_rule
from vankien.graph.examples import EXAMPLES
from vankien.graph.namespaces import PREFIXES

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter(tags=["query page"])
# Mounted here so the app needs no extra call; FastAPI copies the mount with include_router.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def query_page_context(base_iri: str, query: str | None = None, lang: str = "en") -> dict:
    """What the query page template needs: the editor's text (``query``, else the first example),
    the examples (titled in ``lang``), and for the script the known prefixes (completion) and the
    link rule."""
    examples = [{"name": e.name, "title": e.title_in(lang), "query": e.sparql.strip()} for e in EXAMPLES]
    page_data = {"examples": examples, "prefixes": PREFIXES, "linkRule": link_rule(base_iri),
                 "run": query is not None}
    return {"examples": examples, "page_data": page_data,
            "query": examples[0]["query"] if query is None else query}


SHARED_QUERY = Query(None, description="A query to open in the editor and run (the page's share link).")


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="Query page",
    dependencies=[Depends(html_only)],
    description="An HTML page to write SPARQL (highlighting, prefix completion), run it against "
                "`/sparql`, see the results as a table with links to this server's pages, download "
                "them as CSV, TSV or JSON, and share the query as `/?query=…`. The README's example "
                "queries are one click away.",
)
@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="Query page (alias of /)",
    dependencies=[Depends(html_only)],
    description="The same page as `/`.",
)
def get_query_page(request: Request, query: str | None = SHARED_QUERY,
                   lang: str | None = LANG_PARAM) -> HTMLResponse:
    settings, chosen = request.app.state.settings, choose_language(request)
    return page(request, "query.html", lang=chosen, **query_page_context(settings.base_iri, query, chosen),
                base_iri=settings.base_iri)
