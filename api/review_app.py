"""The local review page of ``vankien review --web``: a small FastAPI app of its own, never mounted in
the public server. It serves one claims file with its source text, on 127.0.0.1 only; every change
needs the page's session token (so another site open in the browser cannot post decisions) and the
Host header must name the loopback address (no DNS rebinding). The decisions themselves are
graph/review.py's."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.trustedhost import TrustedHostMiddleware

from vankien.graph.claims import SeedError
from vankien.graph.review import ClaimsFile, ReviewError, claim_summary

LOOPBACK = "127.0.0.1"
TOKEN_HEADER = "X-Review-Token"
ACTIONS = {"accept": "accepted", "reject": "rejected"}
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))


def state(claims: ClaimsFile) -> dict[str, Any]:
    """Everything the page shows: the source, its text, the claims, the quote problems."""
    source = claims.seed.source
    return {"file": str(claims.path), "source": {"id": source.id, "file": source.file, "url": source.url,
                                                 "language": source.language},
            "text": claims.text, "claims": [claim_summary(c) for c in claims.claims],
            "problems": claims.problems()}


def make_review_app(claims: ClaimsFile, reviewer: str) -> FastAPI:
    app = FastAPI(title="vankien review", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=[LOOPBACK, "localhost"])
    token = secrets.token_urlsafe(24)

    def refused(request: Request) -> JSONResponse | None:
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
            return JSONResponse({"error": f"missing or wrong {TOKEN_HEADER}: reload the review page"},
                                status_code=403)
        return None

    def answer(claim_id: str) -> JSONResponse:
        return JSONResponse({"claim": claim_summary(claims.claim(claim_id)), **state(claims)})

    def failed(exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        html = TEMPLATES.get_template("review.html").render(
            token=token, reviewer=reviewer, file=str(claims.path),
            data=json.dumps(state(claims), ensure_ascii=False).replace("<", "\\u003c"))
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/api/state")
    def current() -> dict[str, Any]:
        return state(claims)

    @app.post("/api/claims/{claim_id}/{action}")
    async def decide(claim_id: str, action: str, request: Request) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        try:
            if action in ACTIONS:
                claims.decide([claim_id], ACTIONS[action], reviewer)
            elif action == "edit":
                claims.edit_quotes(claim_id, _quotes_of(await _json(request)))
            else:
                return JSONResponse({"error": f"unknown action '{action}': accept, reject or edit"},
                                    status_code=404)
        except (ReviewError, SeedError) as exc:
            return failed(exc)
        return answer(claim_id)

    return app


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ReviewError("the edit must be JSON: {\"quotes\": [{\"quote\": …, \"start\": …}]}") from None


def _quotes_of(body: Any) -> list[tuple[str, int]]:
    items = body.get("quotes") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ReviewError("the edit needs 'quotes': a list of {quote, start}")
    quotes = []
    for item in items:
        start = item.get("start")
        if isinstance(start, str) and start.strip().isdigit():
            start = int(start)
        quotes.append((str(item.get("quote") or ""), start))
    return quotes


def serve_review(claims: ClaimsFile, reviewer: str, port: int) -> None:
    """Serve the review page on 127.0.0.1:port until interrupted."""
    import uvicorn
    from vankien.api.security import check_can_listen
    check_can_listen(LOOPBACK, port)
    print(f"reviewing {claims.path} as {reviewer}: open http://{LOOPBACK}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(make_review_app(claims, reviewer), host=LOOPBACK, port=port, log_level="warning")
