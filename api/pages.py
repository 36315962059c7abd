"""The query page (``/`` and ``/query``) and the static files it uses (``/static``).

The page is a Jinja2 template (``templates/query.html``) around a CodeMirror SPARQL editor bundled in
``static/vendor/query-editor.js`` (see ``static/vendor/README.md``); ``static/query.js`` sends the
query to ``/sparql`` and renders results with ``textContent`` only (never ``innerHTML`` with data),
linking IRIs by the rule of :mod:`vankien.api.links`. The example queries come from
:mod:`vankien.graph.examples` (the list the README and the tests use). ``/?query=…`` opens a query.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from vankien.api.conneg import html_only
from vankien.api.links import link_rule
from vankien.api.runtime import Runtime, runtime_of
from vankien.graph.examples import EXAMPLES
from vankien.graph.namespaces import PREFIXES

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"

router = APIRouter(tags=["query page"])
# Mounted here so the app needs no extra call; FastAPI copies the mount with include_router.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
                             autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def query_page(base_iri: str, query: str | None = None, lang: str = "en") -> str:
    """The query page HTML: the editor holding ``query`` (else the first example), the examples,
    the known prefixes for completion and the link rule for the result table."""
    examples = [{"name": e.name, "title": e.title, "query": e.sparql.strip()} for e in EXAMPLES]
    page_data = {"examples": examples, "prefixes": PREFIXES, "linkRule": link_rule(base_iri),
                 "run": query is not None}
    return _templates().get_template("query.html").render(
        lang=lang, examples=examples, page_data=page_data,
        query=examples[0]["query"] if query is None else query)


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
def get_query_page(query: str | None = SHARED_QUERY,
                   runtime: Runtime = Depends(runtime_of)) -> HTMLResponse:
    return HTMLResponse(query_page(runtime.settings.base_iri, query))
