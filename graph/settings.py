"""One frozen settings object, read once from ``VANKIEN_*`` environment variables.

Every field can be set with ``VANKIEN_<FIELD>`` (``VANKIEN_STORE=disk``, ``VANKIEN_MAX_ROWS=500``)
or passed as an override to :meth:`Settings.from_env`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from vankien.graph.errors import BadInput
from vankien.graph.namespaces import ID_BASE

# Only the default for the source texts points beside a checkout (the folder above graph/); the
# package's own files (seed claims, ontology, shapes) are found through importlib.resources.
REPO_DIR = Path(__file__).resolve().parent.parent
STORE_KINDS = ("memory", "disk", "remote")
REMOTE_DATASETS = ("listed", "union")
ENV_PREFIX = "VANKIEN_"
_ORIGIN = re.compile(r"https?://[^/\s:]+(:\d{1,5})?")


def _packaged_seeds() -> Path:
    """The seed claims the package ships (a checkout's seeds/ in an editable install)."""
    from vankien.seeds import SEEDS_DIR
    return SEEDS_DIR


class SettingsError(BadInput):
    """A setting has a value vankien cannot use (the message names the setting)."""


@dataclass(frozen=True)
class Settings:
    base_iri: str = ID_BASE
    seeds_dir: Path = field(default_factory=lambda: _packaged_seeds())
    sources_dir: Path = field(default_factory=lambda: REPO_DIR.parent / "shared" / "seeds")
    # extra claims files or folders built beside the seeds (VANKIEN_CLAIMS, os.pathsep-separated)
    claims: tuple[Path, ...] = ()
    data_dir: Path = Path("./var")
    store: str = "memory"
    store_path: Path | None = None
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_gsp_url: str | None = None
    remote_profile: str | None = None       # oxigraph | virtuoso | generic (default: ask the server)
    # listed: queries name vankien's graphs as their dataset; union: the store holds vankien's
    # graphs only, so queries use the engine's union default graph (far faster on Oxigraph and
    # Virtuoso; Virtuoso's own graphs must be private: README "Remote stores")
    remote_dataset: str = "listed"
    remote_user: str | None = None          # else ~/.netrc; HTTP basic or digest, as the server asks
    remote_password: str | None = field(default=None, repr=False)
    query_timeout_s: float = 5.0
    max_rows: int = 10000
    max_query_length: int = 20000
    max_nesting: int = 20
    max_upload_bytes: int = 5_000_000  # POST /validate: the largest document read
    query_workers: int = 3  # processes that check and run users' queries
    slow_query_slots: int = 1  # of those, how many may run a long query at once
    slow_query_s: float = 0.25  # a query still running after this is long
    worker_memory_mb: int = 1024  # memory a query may take beyond the loaded data
    header_timeout_s: float = 10.0  # time for a request's line and headers to arrive
    body_timeout_s: float = 30.0  # time for a request's body to arrive, from the end of its head
    host: str = "127.0.0.1"
    port: int = 8000
    # Origins browsers may call the API from ("*" or comma-separated origins); empty: no CORS.
    cors: str | None = None
    # Serve the memory store from a read-only on-disk copy of the artifact (built once per artifact),
    # shared by every web worker and restart instead of each parsing the artifact.
    serve_snapshot: bool = True

    def __post_init__(self) -> None:
        for name in ("seeds_dir", "sources_dir", "data_dir", "store_path"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        object.__setattr__(self, "claims", tuple(Path(path) for path in self.claims))
        if self.store not in STORE_KINDS:
            raise SettingsError(
                f"store: {self.store!r} is not one of {', '.join(STORE_KINDS)} "
                f"(set {ENV_PREFIX}STORE)"
            )
        if self.store == "remote" and not self.remote_query_url:
            raise SettingsError(
                f"store 'remote' needs remote_query_url (set {ENV_PREFIX}REMOTE_QUERY_URL)"
            )
        if self.remote_dataset not in REMOTE_DATASETS:
            raise SettingsError(f"remote_dataset: {self.remote_dataset!r} is not one of "
                                f"{', '.join(REMOTE_DATASETS)} (set {ENV_PREFIX}REMOTE_DATASET)")
        if not self.base_iri.endswith(("/", "#")):
            raise SettingsError(f"base_iri: {self.base_iri!r} must end with '/' or '#'")
        for name in ("query_timeout_s", "max_rows", "max_query_length", "max_nesting",
                     "max_upload_bytes", "query_workers", "slow_query_slots", "slow_query_s",
                     "worker_memory_mb", "header_timeout_s", "body_timeout_s"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name}: must be > 0, got {getattr(self, name)!r}")
        if not 0 < self.port < 65536:
            raise SettingsError(f"port: {self.port!r} is not a TCP port")
        for origin in self.cors_origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise SettingsError(f"cors: {origin!r} is not '*' or an origin such as "
                                    f"https://example.org (set {ENV_PREFIX}CORS or --cors)")

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """The origins allowed by ``cors``, one per comma; () when CORS is off."""
        return tuple(part.strip().rstrip("/") for part in (self.cors or "").split(",") if part.strip())

    @property
    def max_encoded_query_bytes(self) -> int:
        """The longest request a query may arrive in: a ``POST /sparql`` body or a ``GET`` URL.
        A percent-encoded character is at most 12 bytes (4 UTF-8 bytes × 3); room for the graph
        and format parameters."""
        return 12 * self.max_query_length + 16_384

    @property
    def disk_store_path(self) -> Path:
        """Where the disk store lives: ``store_path`` or ``data_dir/store``."""
        return self.store_path if self.store_path is not None else self.data_dir / "store"

    @property
    def nquads_path(self) -> Path:
        """The built N-Quads artifact (``data_dir/vankien.nq``)."""
        return self.data_dir / "vankien.nq"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``VANKIEN_<FIELD>`` variables, then ``overrides`` on top."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            variable = ENV_PREFIX + f.name.upper()
            if variable in environ:
                values[f.name] = _convert(variable, environ[variable], str(f.type))
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values.update(overrides)
        return cls(**values)

    def environment(self) -> dict[str, str]:
        """These settings as ``VANKIEN_*`` variables (for processes that read them with
        :meth:`from_env`); fields that are None are left out."""
        return {ENV_PREFIX + f.name.upper(): _env_text(getattr(self, f.name))
                for f in dataclasses.fields(self) if getattr(self, f.name) is not None}

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def _env_text(value: Any) -> str:
    """A setting as its environment text (a tuple of paths joined like PATH)."""
    return os.pathsep.join(map(str, value)) if isinstance(value, tuple) else str(value)


def _boolean(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _convert(variable: str, raw: str, type_name: str) -> Any:
    """Turn an environment string into the field's type (annotations are strings here)."""
    optional = "None" in type_name
    text = raw.strip()
    if optional and text == "":
        return None
    try:
        if type_name.startswith("bool"):
            return _boolean(text)
        if type_name.startswith("tuple[Path"):
            return tuple(Path(part) for part in text.split(os.pathsep) if part)
        if type_name.startswith("Path"):
            return Path(text)
        if type_name.startswith("int"):
            return int(text)
        if type_name.startswith("float"):
            return float(text)
    except ValueError:
        expected = type_name.split(" ")[0]
        raise SettingsError(f"{variable}={raw!r} is not a valid {expected}") from None
    return text
