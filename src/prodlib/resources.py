"""Folders shipped inside the installed package (notebooks, expectation suites), found the same way
in a checkout, an editable install and a wheel: through :mod:`importlib.resources`, never by walking up
from ``__file__`` to a repository that a non-editable install does not have.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_folder(name: str) -> Path:
    """The folder ``prodlib/<name>`` of the installed package, as a filesystem path.

    papermill and Great Expectations need real paths; prodlib is installed unzipped (a wheel always
    is), so the resource is a directory on disk.
    """
    return Path(str(files("prodlib").joinpath(name)))
