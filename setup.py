"""Package discovery for the folder layout: each top-level folder is one ``vankien.*`` package.

pyproject.toml holds all metadata; only the folder → package map and the discovery of sub-packages
live here (setuptools cannot discover packages under a renamed folder from pyproject.toml alone).
"""

from setuptools import find_packages, setup

PACKAGE_DIRS = {"vankien": "vankien_pkg", "vankien.graph": "graph", "vankien.api": "api",
                "vankien.cli": "cli", "vankien.ontology": "ontology", "vankien.shapes": "shapes"}


def discover() -> list[str]:
    """Every package: the mapped folders and any sub-package with an ``__init__.py`` below them."""
    packages = []
    for package, folder in PACKAGE_DIRS.items():
        packages.append(package)
        if package != "vankien":
            packages += [f"{package}.{sub}" for sub in find_packages(folder)]
    return packages


setup(package_dir=PACKAGE_DIRS, packages=discover())
