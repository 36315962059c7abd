"""Credentials for a remote store: HTTP basic or digest, whichever the server asks for.

They come from ``VANKIEN_REMOTE_USER`` / ``VANKIEN_REMOTE_PASSWORD`` or, like curl and most HTTP
clients, from ``~/.netrc`` (``$NETRC`` names another file) for the endpoint's host. They are sent only
when the server answers 401 with a challenge, and never appear in a message.
"""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from collections.abc import Generator
from urllib.parse import urlsplit, urlunsplit

import httpx


def credentials(url: str, user: str | None, password: str | None) -> tuple[str, str] | None:
    """(user, password) from the settings, else from the netrc entry of the URL's host, else None."""
    if user:
        return user, password or ""
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError):
        return None  # an unreadable netrc is not ours to report: the server's 401 will say it
    if entry is None:
        return None
    login, _account, secret = entry
    return (login, secret or "") if login else None


class ChallengeAuth(httpx.Auth):
    """Answer an endpoint's challenge with basic or digest; then keep using that scheme there.

    Per endpoint: a read endpoint that never asks is never sent credentials, so queries run as the
    engine's query user even after writes authenticated elsewhere (httpx's digest would otherwise
    send them to every URL of the host: on Virtuoso, dba reads the graphs private to the query user)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._user, self._password = user, password
        self._chosen: dict[str, httpx.Auth] = {}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        endpoint = str(request.url.copy_with(query=None))
        if endpoint in self._chosen:
            yield from self._chosen[endpoint].auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if scheme == "digest":
            chosen: httpx.Auth = httpx.DigestAuth(self._user, self._password)
        elif scheme == "basic":
            chosen = httpx.BasicAuth(self._user, self._password)
        else:
            return
        self._chosen[endpoint] = chosen
        yield from chosen.auth_flow(request)


def without_userinfo(url: str) -> str:
    """The URL as it may be printed: ``http://user:secret@host/`` → ``http://host/``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
