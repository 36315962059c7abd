"""``missing(kind, reason)``: a test whose prerequisite (a browser, a remote engine, the source
texts) is absent skips and says why, unless ``VANKIEN_REQUIRE_<KIND>=1`` (CI sets it) — then it fails.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(kind: str, reason: str) -> NoReturn:
    variable = f"VANKIEN_REQUIRE_{kind.upper()}"
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {reason}")
    pytest.skip(reason)
