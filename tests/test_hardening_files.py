"""Hardening findings 7 and 8 (issue 11): hostile or broken seed files and interrupted builds give a
clear error naming the file and line (or path) and never replace the last good graph.

The seeds are the SYNTHETIC tiny fixture (tests/fixtures/seeds/tiny.yaml).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vankien.graph.claims import SeedError, load_seed_file
from vankien.graph.pipeline import MANIFEST, ArtifactMismatch, artifact_path, build, open_graph
from vankien.graph.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
TINY = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")


@pytest.fixture
def built_tiny(tmp_path):
    """(settings, seed file, the good artifact's bytes) after one good build of the tiny seed."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    seed = seeds / "tiny.yaml"
    seed.write_text(TINY, encoding="utf-8")
    settings = Settings.from_env(data_dir=tmp_path / "var", seeds_dir=seeds, sources_dir=FIXTURES)
    build(settings)
    return settings, seed, artifact_path(settings).read_bytes()


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_finding_7_duplicate_yaml_keys_are_an_error(built_tiny):
    settings, seed, good = built_tiny
    # A repeated key inside claim c2: YAML would keep the last value and drop the first silently.
    text = TINY.replace("    start: 43\n", "    start: 43\n    evidence: stated\n", 1)
    seed.write_text(text, encoding="utf-8")
    second = _line_of(text, "    evidence: stated\n    evidence") + 1
    with pytest.raises(SeedError, match=rf"tiny\.yaml:{second}: .*'evidence' appears twice"):
        build(settings)
    assert artifact_path(settings).read_bytes() == good


def test_finding_7_yaml_alias_bomb_is_an_error(built_tiny):
    settings, seed, good = built_tiny
    levels = ['  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]  # 9^9 strings
    text = TINY.replace("entities:\n", "ingest:\n" + "\n".join(levels) + "\nentities:\n", 1)
    seed.write_text(text, encoding="utf-8")
    first_alias = _line_of(text, "*l0")
    with pytest.raises(SeedError, match=rf"tiny\.yaml:{first_alias}: .*aliases"):
        build(settings)
    assert artifact_path(settings).read_bytes() == good


def test_finding_7_duplicate_keys_in_the_coverage_ignore_file(tmp_path):
    from vankien.graph.coverage import IGNORE_FILE, load_ignore_rules

    (tmp_path / IGNORE_FILE).write_text(
        "src.txt:\n  - quote: a\n    start: 1\n    start: 2\n    reason: r\n", encoding="utf-8")
    with pytest.raises(SeedError, match=rf"{IGNORE_FILE}:4: .*'start' appears twice"):
        load_ignore_rules(tmp_path, "src.txt")


def test_finding_8_build_cleans_what_a_killed_build_left(built_tiny):
    settings, _, good = built_tiny
    data = Path(settings.data_dir)
    # What `kill -9` during a build leaves: the temporary files of the two atomic writes.
    leftovers = [data / ".vankien.nq.k1ll3d", data / f".{MANIFEST}.k1ll3d", data / "vankien.nq.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(good[:100])
    build(settings)
    assert [leftover for leftover in leftovers if leftover.exists()] == []
    assert artifact_path(settings).read_bytes() == good


def test_finding_8_manifest_describes_the_artifact_and_is_checked_on_open(built_tiny):
    settings, _, good = built_tiny
    manifest = json.loads((Path(settings.data_dir) / MANIFEST).read_text())
    assert manifest["sha256"] == hashlib.sha256(good).hexdigest()
    assert manifest["artifact"] == "vankien.nq"
    # An artifact the manifest does not describe (a build interrupted between the two renames, a
    # hand edit): refused with both paths named, unless opening may rebuild.
    artifact_path(settings).write_bytes(good + b"\n")
    with pytest.raises(ArtifactMismatch, match=rf"{artifact_path(settings)}.*{MANIFEST}"):
        open_graph(settings, build_if_missing=False)
    store = open_graph(settings)  # rebuilds
    assert artifact_path(settings).read_bytes() == good
    store.close()


def test_finding_8_non_utf8_seed_names_line_and_column(tmp_path):
    path = tmp_path / "latin1.yaml"
    text = TINY.replace('title: {en: "Synthetic test source"}', 'title: {en: "Synthetic tést source"}')
    path.write_bytes(text.encode("latin-1"))
    line = _line_of(text, "tést")
    column = len(text.splitlines()[line - 1].split("é")[0]) + 1
    with pytest.raises(SeedError, match=rf"latin1\.yaml:{line}:{column}: not UTF-8 .*byte 0xe9"):
        load_seed_file(path)


def test_finding_8_full_disk_names_the_path(tmp_path):
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("needs unshare and mount (util-linux) for a private tiny tmpfs")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "tiny.yaml").write_text(TINY, encoding="utf-8")
    full = tmp_path / "full"
    full.mkdir()
    # A 16 kB tmpfs in a private mount namespace: the artifact (~30 kB) does not fit.
    script = (f"mount -t tmpfs -o size=16k vankien-full {full} || exit 77\n"
              f"exec {sys.executable} -m vankien build --data-dir {full}/var --seeds-dir {seeds} "
              f"--sources-dir {FIXTURES}")
    run = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script],
                         capture_output=True, text=True, timeout=300)
    if run.returncode == 77 or "unshare failed" in run.stderr:
        pytest.skip(f"no private tmpfs here: {run.stderr.strip()}")
    assert run.returncode == 2, run.stderr
    assert f"{full}/var" in run.stderr and "No space left on device" in run.stderr
    assert "Traceback" not in run.stderr
