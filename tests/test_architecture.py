"""The floor plan stays honest: every package has a layer in the import-linter contracts
(`make lint` runs them), no module grows past ~400 lines, and docs/architecture.md draws the
import graph as it is."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import grimp
import pytest
from sqlmodel import SQLModel

from culture_cloud import models_registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "culture_cloud"
MAX_LINES = 400
# Fake external servers for tests and local runs: a whole protocol in one place, not app code.
EXEMPT = {"testing/fake_wechat.py"}

# A typed Core table is defined once, at the bottom of the models module that owns the model
# (`BOOKING_TABLE: Final = cast(Table, Booking.__table__)`), and imported everywhere else.
TABLE_DEFINITION = re.compile(r"cast\(Table\b|\b__table__\b")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "architecture_graph", ROOT / "scripts" / "architecture_graph.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _line_counts() -> dict[str, int]:
    return {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }


def test_layers_contract__every_top_level_package__in_exactly_one_layer() -> None:
    graph = grimp.build_graph("culture_cloud", cache_dir=None)
    top_level = {name.split(".")[1] for name in graph.find_children("culture_cloud")}
    placed = [name for layer in _script().layers() for name in layer]
    assert len(placed) == len(set(placed)), f"placed twice: {sorted(placed)}"
    assert set(placed) == top_level, (
        f"not in a layer of pyproject's [tool.importlinter]: {sorted(top_level - set(placed))}; "
        f"in a layer but gone: {sorted(set(placed) - top_level)}"
    )


def test_modules__under_culture_cloud__at_most_400_lines() -> None:
    too_long = {
        path: lines
        for path, lines in _line_counts().items()
        if lines > MAX_LINES and path not in EXEMPT
    }
    assert not too_long, f"split these along their responsibilities: {too_long}"


def test_architecture_doc__floor_plan__matches_the_import_graph() -> None:
    script = _script()
    text = script.DOC.read_text(encoding="utf-8")
    assert script.BEGIN in text and script.END in text
    assert text == script.render_doc(text), (
        "docs/architecture.md is out of date: run `.venv/bin/python "
        "scripts/architecture_graph.py --write` and commit it"
    )


def _local_table_definitions() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "models.py":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [n for n, line in enumerate(lines, 1) if TABLE_DEFINITION.search(line)]
        if hits:
            found[path.relative_to(PACKAGE).as_posix()] = hits
    return found


def test_table_constants__outside_models_modules__none_defined() -> None:
    local = _local_table_definitions()
    assert not local, (
        f"import the table constant from the owning models module instead (path: lines): {local}"
    )


def _constant_name(model: type[SQLModel]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).upper() + "_TABLE"


@pytest.mark.parametrize(
    "module",
    [getattr(models_registry, name) for name in models_registry.__all__],
    ids=lambda module: module.__name__,
)
def test_table_constants__every_table_model__has_its_constant_in_its_module(
    module: ModuleType,
) -> None:
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, SQLModel)
        and value.__module__ == module.__name__
        and "__table__" in vars(value)
    ]
    assert models
    missing = [
        _constant_name(m) for m in models if getattr(module, _constant_name(m), None) is None
    ]
    assert not missing, f"add to the bottom of {module.__name__}: {missing}"
    for model in models:
        assert getattr(module, _constant_name(model)) is vars(model)["__table__"]
