"""Shared pytest fixtures.

``oxigraph_server`` and ``virtuoso_server``: a real Oxigraph server and a real Virtuoso (Debian
``virtuoso-opensource``) on 127.0.0.1 for the remote-store tests; ``remote_engine`` is each of them
in turn, as remote-store settings. They are skipped when the binary is missing, unless
``VANKIEN_REQUIRE_REMOTE=1`` (then they fail).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engines
from prerequisites import missing

FIXTURES = Path(__file__).parent / "fixtures"
# The quick selection (`pytest -m "not slow"`, under a minute on a quiet 2-core machine) leaves
# these out: a real browser, remote engines (and the oxigraph server), the disk store (RocksDB per
# test), the API fuzzer, worker time-outs, the big synthetic corpora, pySHACL itself, the wheel,
# the notebook and most command-line runs (each a `python -m vankien` process; a few stay). One list,
# so no test file needs to carry the mark itself; `--durations=30` shows what to add next.
SLOW_MARKERS = ("browser", "remote")
SLOW_FILES = ("test_api_fuzz.py", "test_backends.py", "test_validate_incremental.py", "test_remote_faults.py",
              "test_hostile.py", "test_ssrf.py", "test_api_e2e.py", "test_executor.py", "test_lookup.py",
              "test_cli_synth.py", "test_engine_parity.py", "test_ingest_e2e.py", "test_packaging.py",
              "test_protocol_w3c.py", "test_sparqlwrapper_matrix.py", "test_notebook.py")
SLOW_TESTS = ("test_fast_validator_reports_what_pyshacl_reports_on_the_seed_graph",   # pySHACL itself
              "test_sparql_compiled_validator_agrees_with_pyshacl",
              "test_load_bulk_builds_a_disk_store_and_keeps_it_on_bad_input",
              "test_every_minted_uri_dereferences_as_html_and_turtle",
              "test_every_relation_has_a_claim_in_its_graph",
              "test_same_arguments_give_identical_bytes_and_seed_changes_them",
              "test_finding_9_slowloris_connections_are_closed",                     # waits out time-outs
              # command-line matrices and end-to-end runs (one process per case)
              "test_export_rdf_formats_parse_back", "test_export_property_graph_formats", "test_export_csv_tables",
              "test_show_accepts_every_spelling", "test_a_number_that_names_nothing_gets_a_suggestion",
              "test_errors_are_one_line_with_distinct_exit_statuses", "test_query_formats",
              "test_version_and_python_dash_m", "test_a_closed_pipe_ends_quietly",
              "test_load_refuses_the_folder_of_the_real_graph",
              "test_a_file_edited_into_nonsense_is_one_error_naming_file_and_line",
              "test_accepted_claims_are_built_like_any_seed",
              "test_accept_all_takes_pending_only_and_keeps_earlier_decisions",
              "test_review_web_serves_on_loopback_only", "test_validate_passes_on_built_graph_and_fails_on_bad_file",
              "test_show_is_grouped_and_labelled_like_the_page", "test_query_errors_point_at_the_users_lines",
              "test_show_and_lineage_narrow_by_term_and_place", "test_terminal_review_with_single_keys",
              "test_terminal_review_reject_then_quit_keeps_the_decision",
              "test_unknown_ids_are_one_error_and_write_nothing",
              "test_accept_and_reject_record_who_and_when_and_change_nothing_else",
              "test_command_line_ingest_accept_build_query", "test_cli_build_with_claims_builds_accepted_only",
              "test_disk_store_reopens_without_reloading")
# A test run once per backend leaves these runs out (the memory store's run stays quick).
SLOW_PARAMS = ("disk", "oxigraph", "virtuoso")


def _slow(item) -> bool:
    params = getattr(item, "callspec", None)
    return (item.path.name in SLOW_FILES or item.originalname in SLOW_TESTS
            or any(item.get_closest_marker(name) for name in SLOW_MARKERS)
            or (params is not None and any(isinstance(value, str) and value in SLOW_PARAMS
                                           for value in params.params.values())))


def pytest_collection_modifyitems(items):
    for item in items:
        if _slow(item):
            item.add_marker(pytest.mark.slow)


def _engine(launcher, folder: Path):
    try:
        with launcher(folder) as settings:
            yield settings
    except engines.EngineMissing as absent:
        missing("remote", str(absent))


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """Base URL (``http://127.0.0.1:<port>``) of a running Oxigraph server with an empty store."""
    for settings in _engine(engines.oxigraph, tmp_path_factory.mktemp("oxigraph-server")):
        yield settings["remote_query_url"].removesuffix("/query")


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Settings (query URL, user, password) of a fresh Virtuoso 7 on 127.0.0.1; the dba password is
    a random one, so the tests exercise digest authentication."""
    yield from _engine(engines.virtuoso, tmp_path_factory.mktemp("virtuoso"))


# The machine running the tests may be busy: a remote answer may take longer than the 5 s default.
REMOTE_QUERY_TIMEOUT_S = 60.0


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def remote_engine(request):
    """Remote-store settings for each engine in turn (Oxigraph server, Virtuoso)."""
    if request.param == "oxigraph":
        engine = {"remote_query_url": request.getfixturevalue("oxigraph_server") + "/query"}
    else:
        engine = request.getfixturevalue("virtuoso_server")
    return {**engine, "query_timeout_s": REMOTE_QUERY_TIMEOUT_S}


@pytest.fixture
def canary():
    """(url, seen) of a canary HTTP server on 127.0.0.1 for one test (tests/canary.py)."""
    from canary import running_canary
    with running_canary() as running:
        yield running


@pytest.fixture
def pending_candidates(tmp_path) -> Path:
    """A copy of the SYNTHETIC candidates (file + source text) where k2 and k3 are pending."""
    import shutil
    decided_k3 = ('    review: rejected\n    reviewed_by: "synthetic reviewer"\n'
                  '    reviewed_at: "2026-12-01T09:01:00Z"\n')
    for name in ("candidates.yaml", "candidates-source.txt"):
        shutil.copy(FIXTURES / "candidates" / name, tmp_path / name)
    path = tmp_path / "candidates.yaml"
    text = path.read_text(encoding="utf-8")
    assert decided_k3 in text
    path.write_text(text.replace(decided_k3, "    review: pending\n"), encoding="utf-8")
    return tmp_path


@pytest.fixture
def store_fixtures() -> Path:
    """Directory of the SYNTHETIC store test files (sample.nq, malformed.nq)."""
    return FIXTURES / "store"


# --- the real graph, built once per test session ------------------------------------------------------

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(settings, BuildResult) of the real seeds built into a temporary data folder."""
    from vankien.graph.pipeline import build
    from vankien.graph.settings import Settings
    settings = Settings.from_env(data_dir=tmp_path_factory.mktemp("built") / "var", store="memory")
    return settings, build(settings)


@pytest.fixture(scope="session")
def seed_store(built):
    """An embedded store holding the real graph (read-only use, shared by the session)."""
    from vankien.graph.pipeline import open_graph
    store = open_graph(built[0], build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(scope="session")
def real_graph(built, seed_store):
    """(settings, store) of the real graph, built once for the session (read-only use)."""
    return built[0], seed_store


@pytest.fixture(scope="session")
def api_client(built):
    """An in-process client of the app serving the real graph (one runtime for the session)."""
    from fastapi.testclient import TestClient
    from vankien.api.app import create_app
    with TestClient(create_app(built[0])) as client:
        yield client


# --- a real browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Debian chromium through Playwright; skipped when it is missing, unless
    VANKIEN_REQUIRE_BROWSER=1 (then the test fails)."""
    from browsing import CHROMIUM, CHROMIUM_ARGS
    if not CHROMIUM.exists():
        missing("browser", f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
