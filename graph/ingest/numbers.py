"""Numbers as Vietnamese, German and English texts write them: ``8.279`` and ``2.310,5`` (vi, de),
``41,775`` and ``10.5`` (en). The separators per language are in the rules table."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from vankien.graph.ingest.rules import rules


@cache
def number_pattern(lang: str) -> re.Pattern:
    """Digits with thousands groups and a decimal part, not glued to other digits or letters."""
    fmt = rules()["number_format"][lang]
    th, dec = re.escape(fmt["thousands"]), re.escape(fmt["decimal"])
    return re.compile(rf"(?<![\w.,/-])(?:\d{{1,3}}(?:{th}\d{{3}})+|\d+)(?:{dec}\d+)?(?![\w/]|[.,]\d)")


def parse_number(written: str, lang: str) -> int | Decimal:
    """``"8.279"`` → 8279, ``"2.310,5"`` → Decimal("2310.5") (vi/de); ``"41,775"`` → 41775 (en)."""
    fmt = rules()["number_format"][lang]
    plain = written.replace(fmt["thousands"], "").replace(fmt["decimal"], ".")
    if not re.fullmatch(r"\d+(?:\.\d+)?", plain):
        raise ValueError(f"not a number in {lang} format: {written!r}")
    return Decimal(plain) if "." in plain else int(plain)
