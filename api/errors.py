"""The one shape of every error the API returns: JSON ``{"error": message, …}``."""

from __future__ import annotations

from fastapi.responses import JSONResponse


def error(status: int, message: str, **extra) -> JSONResponse:
    """Every error the API returns: JSON ``{"error": message, …}``."""
    return JSONResponse({"error": message, **extra}, status_code=status)
