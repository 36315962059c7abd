"""The interface languages (vi, en, de) and the Jinja2 templates every HTML page is rendered from.

The language of a request: ``?lang=`` first, then ``Accept-Language``, else English. Interface
texts are gettext messages (``api/locale/{lang}/LC_MESSAGES/messages.po``, compiled to ``.mo``,
extracted with babel, see docs/i18n.md); one Jinja2 environment per language, with autoescaping,
so no page builds HTML in Python strings. Data labels are chosen by :func:`pick_label`, which says
which language it fell back to.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from vankien.graph.formats import accept_ranges
from vankien.api.links import local_href
from vankien.graph.labels import pick_label
from vankien.graph.namespaces import shorten

LANGUAGES = ("vi", "en", "de")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "de": "Deutsch"}
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
LOCALE_DIR = PACKAGE_DIR / "locale"


LANG_PARAM = Query(None, description="Interface language: `vi`, `en` or `de` (else `Accept-Language`).",
                   openapi_examples={"vi": {"summary": "Vietnamese", "value": "vi"},
                                     "en": {"summary": "English", "value": "en"}})


def choose_language(request: Request) -> str:
    """``?lang=`` (an unknown value is a 400 naming the parameter), else the best
    ``Accept-Language`` match, else English."""
    requested = request.query_params.get("lang")
    if requested is not None:
        lang = requested.strip().lower()
        if lang not in LANGUAGES:
            raise HTTPException(400, f"lang: unknown value {requested!r}; use one of {', '.join(LANGUAGES)}")
        return lang
    return negotiate_language(request.headers.get("accept-language", ""))


def negotiate_language(header: str) -> str:
    """The interface language ``Accept-Language`` prefers (``vi-VN`` counts as ``vi``)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, quality in accept_ranges(header):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and quality > best_q:
            best, best_q = primary, quality
    return best


@lru_cache(maxsize=1)
def _catalogues() -> dict[str, NullTranslations]:
    return {lang: Translations.load(str(LOCALE_DIR), [lang], domain="messages") for lang in LANGUAGES}


def N_(message: str) -> str:
    """Marks a message for extraction (babel) where it is translated later, by :func:`translate`."""
    return message


def translate(message: str, lang: str, **values) -> str:
    """``message`` in ``lang`` (``%(name)s`` filled from ``values``), for texts outside templates."""
    text = _catalogues()[lang].gettext(message)
    return text % values if values else text


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> jinja2.Environment:
    """The template environment of one interface language (autoescaping every template)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                             autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.install_gettext_translations(_catalogues()[lang], newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, lang=lang, curie=shorten,
                       pick=lambda labels: pick_label(labels or {}, lang))
    env.filters["number"] = lambda value, locale=lang: (
        format_decimal(value, locale=locale) if isinstance(value, (int, float)) else value)
    return env


def render(template: str, lang: str, **context) -> str:
    """``template`` rendered in ``lang`` (language names, the link rule and the switch built in)."""
    base_iri = context.get("base_iri", "")
    context.setdefault("href", lambda value: local_href(value, base_iri))
    context.setdefault("switch", {})
    return environment(lang).get_template(template).render(**context)


def language_switch(request: Request) -> dict[str, str]:
    """The links of the language switch: this page, its query kept, in each language."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {other: "?" + urlencode([*kept, ("lang", other)]) for other in LANGUAGES}


def page(request: Request, template: str, *, status: int = 200, lang: str | None = None,
         **context) -> HTMLResponse:
    """An HTML response in the request's language, with a language switch keeping the query."""
    lang = lang or choose_language(request)
    body = render(template, lang, switch=language_switch(request), status=status, **context)
    return HTMLResponse(body, status_code=status, headers={"Vary": "Accept, Accept-Language",
                                                           "Content-Language": lang})


def error_page(request: Request, status: int, message: str, candidates: list | None = None) -> HTMLResponse:
    """The error page in the reader's language (an unknown ``?lang=`` falls back to English here,
    since the error being reported may be that very parameter)."""
    try:
        lang = choose_language(request)
    except HTTPException:
        lang = DEFAULT_LANGUAGE
    settings = getattr(request.app.state, "settings", None)
    return page(request, "error.html", status=status, lang=lang, message=message,
                candidates=[c if isinstance(c, dict) else {"iri": c, "notation": None} for c in candidates or []],
                base_iri=getattr(settings, "base_iri", ""))
