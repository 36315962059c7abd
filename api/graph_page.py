"""The graph view's page (``templates/graph.html``): the view chosen by :mod:`vankien.graph.viz`,
drawn by vis-network, with the script and the library inlined so a written file works offline.

``render_html`` turns a view into the page (served at ``/graph``, in the reader's language);
``write_view`` selects, renders and writes it (``vankien viz``). Every text from the graph travels
as JSON (``<``, ``>`` and ``&`` escaped) and reaches the DOM through ``textContent`` only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pyvis
from markupsafe import Markup

from vankien.api.i18n import DEFAULT_LANGUAGE, N_, render, translate
from vankien.graph import viz

VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
SCRIPT = Path(__file__).resolve().parent / "static" / "graph.js"
# The script's own texts, translated here (it has no gettext of its own).
SCRIPT_MESSAGES = {"period": N_("Period"), "issuedBy": N_("Issued by"),
                   "noQuote": N_("No quote recorded for this relation."),
                   "nothingFound": N_("Nothing in this view matches.")}

LINEAGE_TITLE = N_("vankien — lineage of %(focus)s")
BODY_TITLE = N_("vankien — documents of %(body)s")
GRAPH_TITLE = N_("vankien — document graph")
CONSTRUCT_TITLE = N_("vankien — CONSTRUCT result")


def render_html(graph: nx.DiGraph, *, title: str, message: str | None = None, base_iri: str = "",
                lang: str = DEFAULT_LANGUAGE, switch: dict | None = None, nonce: str | None = None) -> str:
    """One standalone HTML page drawing ``graph`` (nodes with ``label``/``type``/``kind``; details
    from :func:`vankien.graph.viz.attach_details` when present). With the server's ``base_iri`` the
    panel links minted IRIs to the server's pages; a written file links the IRIs themselves.
    ``nonce``: the CSP nonce its inline scripts carry when served (docs/web-security.md)."""
    return render("graph.html", lang, title=title, message=message, styles=viz.NODE_STYLES,
                  served=bool(base_iri), switch=switch or {}, nonce=nonce,
                  messages={key: translate(text, lang) for key, text in SCRIPT_MESSAGES.items()},
                  data=Markup(_json_for_html(viz.network_data(graph, base_iri))), **_assets())


@lru_cache(maxsize=1)
def _assets() -> dict[str, Markup]:
    return {"vis_css": Markup(_inline((VIS_DIR / "vis-network.css").read_text(encoding="utf-8"), "style")),
            "vis_js": Markup(_inline((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"), "script")),
            "script": Markup(_inline(SCRIPT.read_text(encoding="utf-8"), "script"))}


def _inline(text: str, tag: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"cannot inline {tag}: it contains </{tag}")
    return text


def _json_for_html(value) -> str:
    """JSON safe inside <script type="application/json">: no <, > or & left raw."""
    return (json.dumps(value, ensure_ascii=False).replace("&", "\\u0026")
            .replace("<", "\\u003c").replace(">", "\\u003e"))


def write_view(store, output_path, *, focus: str | None = None, depth: int = 2,
               types: list[str] | None = None, max_nodes: int = 500, settings=None,
               lang: str = DEFAULT_LANGUAGE) -> Path:
    """Select, render and write the view to ``output_path``; return the path. (``settings`` is
    accepted for the CLI's call; the view needs nothing from it.)"""
    view, message = viz.select_view(store, focus=focus, depth=depth, types=types, max_nodes=max_nodes, lang=lang)
    heading = translate(LINEAGE_TITLE, lang, focus=focus) if focus else translate(GRAPH_TITLE, lang)
    path = Path(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(view, title=heading, message=message, lang=lang), encoding="utf-8")
    return path
