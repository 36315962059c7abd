"""``GET /timeline``: the documents by the dates and periods the sources give, and what followed
each (see :func:`vankien.graph.records.timeline`); undated documents listed as undated."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from vankien.api.conneg import html_only
from vankien.api.i18n import LANG_PARAM, page
from vankien.api.runtime import Runtime, runtime_of
from vankien.graph import records

router = APIRouter(tags=["pages"])


@router.get("/timeline", response_class=HTMLResponse, summary="Timeline of documents (HTML)",
            description="What was issued when, and what followed: documents by the date or period "
                        "the sources give (never a guessed one), each with what it implements and "
                        "what implements it or is based on it; undated documents listed apart.",
            dependencies=[Depends(html_only)])
async def timeline_page(request: Request, lang: str | None = LANG_PARAM,
                        runtime: Runtime = Depends(runtime_of)) -> HTMLResponse:
    record = await run_in_threadpool(records.timeline, runtime.store)
    return page(request, "timeline.html", record=record, base_iri=runtime.settings.base_iri)
