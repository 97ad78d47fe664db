"""graphql/ is plumbing: it imports no domain package. The schema is composed at the root
(culture_cloud/schema.py), each domain owns its loaders and types, and the viewer comes from
the `authenticate` function the root hands the context (accounts' token check)."""

from __future__ import annotations

import ast
from pathlib import Path

import culture_cloud

DOMAINS = {
    "accounts",
    "audit",
    "bookings",
    "catalog",
    "dashboard",
    "exports",
    "feedback",
    "live",
    "menu",
    "notifications",
    "publishing",
    "reviews",
    "search",
    "statistics",
}
GRAPHQL = Path(culture_cloud.__file__).parent / "graphql"


def _domain_imports() -> set[tuple[str, str]]:
    found = set()
    for path in GRAPHQL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "culture_cloud" and len(parts) > 1 and parts[1] in DOMAINS:
                    found.add((path.relative_to(GRAPHQL).as_posix(), name))
    return found


def test_graphql_package__imports__no_domain() -> None:
    assert _domain_imports() == set()
