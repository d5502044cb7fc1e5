"""The curated public API: every name resolves, notebooks import only from it, public types say
what each of their fields is."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

import prodlib.api as api

NOTEBOOKS = Path(api.__file__).parent / "notebooks"


def test_every_public_name_resolves() -> None:
    missing = [n for n in api.__all__ if getattr(api, n, None) is None]
    assert missing == []


def test_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="no 'cost_reprot'"):
        api.cost_reprot  # noqa: B018


def _imports(source: str) -> list[str]:
    mods = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            mods.append(node.module)
        elif isinstance(node, ast.Import):
            mods.extend(a.name for a in node.names)
    return mods


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_import_only_the_public_api(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    mods = [m for c in cells if c["cell_type"] == "code"
            for m in _imports("\n".join(line for line in "".join(c["source"]).splitlines()
                                        if not line.lstrip().startswith(("%", "!"))))]
    prodlib_mods = {m for m in mods if m.split(".")[0] == "prodlib"}
    assert prodlib_mods <= {"prodlib.api"}, notebook.name
    assert prodlib_mods, f"{notebook.name} shows nothing from prodlib"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_give_every_cell_a_stable_id(notebook: Path) -> None:
    # nbformat 4.5 cell ids, written in the file: a cell without one makes nbformat warn "Cell is
    # missing an id field" on every render and invent a random id (a different notebook each time).
    import warnings

    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any nbformat warning fails the test
        nb = nbformat.read(notebook, as_version=4)
        nbformat.validate(nb)
    raw = json.loads(notebook.read_text(encoding="utf-8"))
    assert (raw["nbformat"], raw["nbformat_minor"]) >= (4, 5), notebook.name
    ids = [c.get("id") for c in raw["cells"]]
    assert None not in ids, notebook.name
    assert len(set(ids)) == len(ids), f"{notebook.name}: duplicate cell ids"
    assert any("parameters" in c["metadata"].get("tags", []) for c in raw["cells"]), notebook.name


def test_public_types_document_every_field() -> None:
    # beancount's rule: a type's docstring names each of its fields in an Attributes block.
    undocumented = {}
    for name in api.__all__:
        obj = getattr(api, name)
        if isinstance(obj, type) and dataclasses.is_dataclass(obj):
            doc = obj.__doc__ or ""
            if "Attributes" not in doc:
                undocumented[name] = "no Attributes block"
                continue
            block = doc.split("Attributes", 1)[1]
            lost = [f.name for f in dataclasses.fields(obj) if f.name not in block]
            if lost:
                undocumented[name] = lost
    assert undocumented == {}
