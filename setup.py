"""Package discovery for the folder layout: each top-level folder is one ``vankien.*`` package.

pyproject.toml holds all metadata; only the folder → package map and the discovery of sub-packages
live here (setuptools cannot discover packages under a renamed folder from pyproject.toml alone).
"""

from setuptools import find_namespace_packages, setup

PACKAGE_DIRS = {"vankien": "vankien_pkg", "vankien.graph": "graph", "vankien.api": "api",
                "vankien.cli": "cli", "vankien.ontology": "ontology", "vankien.shapes": "shapes",
                "vankien.seeds": "seeds"}


def discover() -> list[str]:
    """Every package: the mapped folders and every folder below them. Folders of package data
    (api/static, api/templates …) count as packages too, or setuptools warns about each."""
    packages = []
    for package, folder in PACKAGE_DIRS.items():
        packages.append(package)
        if package != "vankien":
            packages += [f"{package}.{sub}" for sub in
                         find_namespace_packages(folder, exclude=["*__pycache__*"])]
    return packages


setup(package_dir=PACKAGE_DIRS, packages=discover())
