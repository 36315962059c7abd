"""What a `pip install vankien` user gets: the wheel built from the tracked files installs into a
fresh virtualenv outside the checkout without a warning, and `vankien build && vankien show 35-CT/TW`
work in an empty folder (the seed claims come with the wheel; the source texts stay outside).

No download: the wheel is built with the test environment's setuptools (no build isolation), and the
fresh virtualenv borrows the test environment's installed dependencies (a .pth line) while vankien
itself comes from the wheel alone (``--no-deps --no-index``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prerequisites import missing

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300


def tracked_files() -> list[str]:
    """The checkout's files as a clean clone has them (nothing untracked or ignored)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def clean_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANKIEN_", "PYTHON", "PIP_"))}
    return {**env, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """(the built wheel, everything the build printed)."""
    source = tmp_path_factory.mktemp("source")
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-W", "always", "-c",
                            f"from setuptools import build_meta; build_meta.build_wheel({str(dist)!r})"],
                           cwd=source, capture_output=True, text=True, env=clean_env(), timeout=TIMEOUT_S)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = dist.glob("vankien-*.whl")
    return found, built.stdout + built.stderr


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a fresh virtualenv holding the wheel."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies (not vankien: the test environment's editable install is a finder that
    # .pth lines in a borrowed folder do not load) come from the test environment
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--disable-pip-version-check", str(wheel[0])],
                          capture_output=True, text=True, env=clean_env(), timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    return home / "bin"


def test_the_wheel_builds_without_a_warning(wheel):
    _path, output = wheel
    problems = [line for line in output.splitlines()
                if "warning" in line.lower() and "byte-compiling is disabled" not in line]
    assert problems == [], output


def test_the_wheel_carries_the_seed_claims_and_the_page_assets_but_no_source_text(wheel):
    import zipfile
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for needed in ("vankien/seeds/dien-bien-2024.yaml", "vankien/ontology/vankien.ttl",
                   "vankien/shapes/documents.ttl", "vankien/api/templates/query.html",
                   "vankien/api/static/query.js", "vankien/api/static/vendor/query-editor.js",
                   "vankien/api/static/vendor/query-editor.LICENSES.txt"):
        assert needed in names
    assert not [name for name in names if name.endswith(".txt") and "seeds" in name]
    assert any(name.endswith("licenses/LICENSE") for name in names)


def test_build_and_show_in_an_empty_folder(installed, tmp_path):
    sources = ROOT.parent / "shared" / "seeds"
    if not sources.is_dir():
        missing("sources", f"{sources} is missing")
    folder = tmp_path / "empty"
    folder.mkdir()
    env = clean_env(VANKIEN_SOURCES_DIR=str(sources))

    def vankien(*args):
        done = subprocess.run([installed / "vankien", *args], cwd=folder, capture_output=True, text=True,
                              env=env, timeout=TIMEOUT_S)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    where = subprocess.run([installed / "python", "-c", "import vankien; print(vankien.__file__)"],
                           cwd=folder, capture_output=True, text=True, env=env, check=True).stdout
    assert not where.startswith(str(ROOT)) and "site-packages" in where   # not the checkout
    built = vankien("build")
    assert "SHACL: conforms" in built.stdout and built.stderr == ""       # quotes verified: no note
    assert (folder / "var" / "vankien.nq").is_file()
    shown = vankien("show", "35-CT/TW").stdout
    assert "35-CT/TW" in shown and "158-KH/TU" in shown and "03-HD/TU" in shown
    version = vankien("--version").stdout.strip()
    module = subprocess.run([installed / "python", "-m", "vankien", "--version"], cwd=folder,
                            capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    assert module.stdout.strip() == version and version.startswith("vankien ")
