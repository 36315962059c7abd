"""The one shape of every error the API returns: JSON ``{"error": message, …}`` — or, for a browser
on one of the pages people read, the error page in the reader's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from vankien.api.conneg import prefers_html

# Paths of the pages people read: their errors are pages too when the client prefers HTML; every
# other route, and every API client, gets the JSON error.
HTML_PAGE_PREFIXES = ("/id/", "/ontology", "/graph", "/timeline", "/query")


def error(status: int, message: str, request: Request | None = None, **extra) -> Response:
    """Every error the API returns: JSON ``{"error": message, …}``, or, given the ``request`` of
    a browser on an HTML page, the error page."""
    if request is not None and is_page_request(request):
        from vankien.api.i18n import error_page   # i18n imports the templates: only when needed
        return error_page(request, status, message, extra.get("candidates") or [])
    return JSONResponse({"error": message, **extra}, status_code=status)


def is_page_request(request: Request) -> bool:
    path = request.url.path
    return (path == "/" or path.startswith(HTML_PAGE_PREFIXES)) and prefers_html(request)
