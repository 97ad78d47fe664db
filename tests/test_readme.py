"""The README's examples keep working: every GraphQL example validates against the committed
schema, no example carries a date that will lie next month, and no command assumes an
activated virtualenv. (Running them against a server was done by hand; what can rot silently
— a renamed field, a fixed date, a bare `python` — is checked here.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import DocumentNode, GraphQLSchema, build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# A command of the project's virtualenv used bare: preceded by nothing, a space or a shell
# operator (not by `.venv/bin/` or a path), followed by a space or the end of the line.
BARE = re.compile(
    r"(?:^|[\s;&|(])(python3?|pytest|culture-cloud|pip|ruff|mypy|uvicorn|alembic)(?=\s|$)", re.M
)
FIXED_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8"))


def blocks(path: Path, *languages: str) -> list[tuple[int, str]]:
    """(line, text) of each fenced block in one of the languages ("" = untagged)."""
    text = path.read_text(encoding="utf-8")
    return [
        (text[: m.start()].count("\n") + 1, m.group(2))
        for m in FENCE.finditer(text)
        if m.group(1) in languages
    ]


def test_readme__graphql_blocks__paste_into_graphiql_and_validate(schema: GraphQLSchema) -> None:
    """Each block as a whole, as someone pastes it into GraphiQL: several operations in one
    block must be named, or GraphiQL refuses them all."""
    found = blocks(README, "graphql")
    assert len(found) >= 4  # the examples are still there to check
    problems = [
        f"README.md:{line}: {error.message}"
        for line, block in found
        for error in validate(schema, parse(block))
    ]
    assert problems == []


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_docs__graphql_examples__each_operation_validates(
    schema: GraphQLSchema, path: Path
) -> None:
    """docs/ lists operations side by side: each one on its own must validate."""
    problems = []
    for line, block in blocks(path, "graphql"):
        document = parse(block)
        fragments = [d for d in document.definitions if d.kind == "fragment_definition"]
        for definition in document.definitions:
            if definition.kind == "fragment_definition":
                continue
            alone = DocumentNode(definitions=(definition, *fragments))
            problems += [f"{path.name}:{line}: {e.message}" for e in validate(schema, alone)]
    assert problems == []


def test_readme__examples__carry_no_fixed_date() -> None:
    """A date written into an example is in the past a few weeks later (and an event query
    for it finds nothing): examples compute dates or name them (<today>)."""
    found = [
        f"README.md:{line + block[: m.start()].count(chr(10))}: {m.group(0)}"
        for line, block in blocks(README, "", "bash", "graphql", "cron", "js")
        for m in FIXED_DATE.finditer(block)
    ]
    assert found == []


def test_readme__shell_commands__name_the_virtualenv() -> None:
    """`python`, `culture-cloud`, `pytest` … exist only in .venv/bin (or not at all) in a
    fresh shell: commands say `.venv/bin/…` or use a make target."""
    found = [
        f"README.md:{line + block[: m.start()].count(chr(10))}: {m.group(1)}"
        for line, block in blocks(README, "", "bash", "sh", "cron")
        for m in BARE.finditer(block)
    ]
    text = README.read_text(encoding="utf-8")
    found += [f"README.md: `{span}`" for span in re.findall(r"`((?:python3?|pytest) [^`]*)`", text)]
    assert found == []
