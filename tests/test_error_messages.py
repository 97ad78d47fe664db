"""User-facing error messages are Chinese, never mixed with English, and name real fields.

Read from the source, so every raise site is covered, including the ones no test reaches: each
message given to a DomainError (or to a helper that passes its `message` on to one) as a
literal, an f-string or a module constant, and every `field=` literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import culture_cloud
from culture_cloud import errors

PACKAGE = Path(culture_cloud.__file__).parent
SDL = PACKAGE.parent / "schema" / "schema.graphql"
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Formats and protocol names users type or read as they are; everything else Latin in a message
# must be a name from the public schema (an argument, input field or enum value).
FORMAT_WORDS = {"ID", "UUID", "YYYY", "MM", "DD", "HH", "csv", "xlsx", "http", "https", "A"}
# REST query parameters of the export routes (culture_cloud/exports), not GraphQL names.
EXPORT_PARAMETERS = {"eventId", "from", "to", "figure", "format", "groupBy"}
# The ticket kinds publishing accepts as strings ("free" / "ticket") and the quarter ("Q4").
VALUE_WORDS = {"free", "ticket", "Q1", "Q2", "Q3", "Q4"}


@dataclass(frozen=True)
class Message:
    where: str
    text: str  # the literal parts; interpolations are "{}"
    interpolates_exception: bool


def _modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _message_index(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    names = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
    return names.index("message") if "message" in names else None


def _error_classes(modules: dict[Path, ast.Module]) -> dict[str, int]:
    """DomainError and its subclasses -> the position of `message` in their constructor."""
    classes = {
        name: 0
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.DomainError)
    }
    while True:
        found: dict[str, int] = {}
        for tree in modules.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in classes:
                    continue
                bases = [
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                ]
                parent = next((b for b in bases if b in classes), None)
                if parent is None:
                    continue
                init = next(
                    (
                        f
                        for f in node.body
                        if isinstance(f, ast.FunctionDef) and f.name == "__init__"
                    ),
                    None,
                )
                index = _message_index(init) if init is not None else classes[parent]
                found[node.name] = classes[parent] if index is None else index
        if not found:
            return classes
        classes |= found


def _carriers(modules: dict[Path, ast.Module]) -> dict[str, int]:
    """Error classes, plus functions that hand their own `message` parameter to one."""
    carriers = _error_classes(modules)
    classes = set(carriers)
    for tree in modules.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            index = _message_index(node)
            if index is None:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and _callee(call) in classes:
                    passed = [*call.args, *(k.value for k in call.keywords)]
                    if any(isinstance(a, ast.Name) and a.id == "message" for a in passed):
                        carriers[node.name] = index
    return carriers


def _constants(modules: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level string constants by name (names are unique enough: *_MESSAGE)."""
    found: dict[str, str] = {}
    for tree in modules.values():
        for node in tree.body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = value.value
    return found


def _exception_names(tree: ast.Module) -> set[str]:
    return {
        node.name for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler) and node.name
    }


def _messages() -> Iterator[Message]:
    modules = _modules()
    carriers = _carriers(modules)
    constants = _constants(modules)
    for path, tree in modules.items():
        caught = _exception_names(tree)
        for call in ast.walk(tree):
            callee = _callee(call) if isinstance(call, ast.Call) else None
            if callee not in carriers:
                continue
            assert isinstance(call, ast.Call) and callee is not None
            where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
            index = carriers[callee]
            given = call.args[index : index + 1] if len(call.args) > index else []
            for arg in [*given, *(k.value for k in call.keywords if k.arg == "message")]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield Message(where, arg.value, False)
                elif isinstance(arg, ast.JoinedStr):
                    text = "".join(
                        part.value if isinstance(part, ast.Constant) else "{}"
                        for part in arg.values
                    )
                    interpolated = {
                        name.id
                        for part in arg.values
                        if isinstance(part, ast.FormattedValue)
                        for name in ast.walk(part.value)
                        if isinstance(name, ast.Name)
                    }
                    yield Message(where, text, bool(interpolated & caught))
                else:
                    name = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", None)
                    if name is not None and name.endswith("MESSAGE") and name in constants:
                        yield Message(where, constants[name], False)


def _allowed_words() -> set[str]:
    schema_names = set(WORD.findall(SDL.read_text(encoding="utf-8")))
    return schema_names | FORMAT_WORDS | EXPORT_PARAMETERS | VALUE_WORDS


MESSAGES = list(_messages())


def test_scan__finds_the_messages__not_vacuous() -> None:
    # Raise sites across the domains; if the scan broke, the checks below would pass on nothing.
    assert len(MESSAGES) > 150
    assert any("半径" in message.text for message in MESSAGES)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: message.where)
def test_domain_error_message__any_raise_site__chinese_with_schema_names_only(
    message: Message,
) -> None:
    assert CJK.search(message.text), f"{message.where}: not Chinese: {message.text!r}"
    text = message.text.replace("{}", " ").replace("http(s)", "http")
    foreign = set(WORD.findall(text)) - _allowed_words()
    assert not foreign, f"{message.where}: English in a user message: {sorted(foreign)}"
    # An exception's own text ({exc}) is English and internal: never part of a message.
    assert not message.interpolates_exception, f"{message.where}: message includes an exception"


def _field_literals() -> Iterator[tuple[str, str]]:
    for path, tree in _modules().items():
        if path.parent.name == "exports":
            continue  # REST query parameters, checked by EXPORT_PARAMETERS above
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            for keyword in call.keywords:
                value = keyword.value
                if (
                    keyword.arg == "field"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    yield f"{path.relative_to(PACKAGE.parent)}:{call.lineno}", value.value


FIELDS = list(_field_literals())


def test_error_field__every_literal__is_a_path_of_schema_names() -> None:
    assert len(FIELDS) > 150
    names = set(WORD.findall(SDL.read_text(encoding="utf-8")))
    wrong = [
        (where, field)
        for where, field in FIELDS
        if any(
            part not in names
            for part in re.split(r"[.\[\]]+", field)
            if part and not part.isdigit()
        )
    ]
    # e.g. "radius_km" (Python's name) or "lat" for a radius would be caught here or in tests.
    assert not wrong, wrong
