"""schema/schema.graphql is the published contract: it must match the code, and stay Relay-ish."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLObjectType, get_named_type

from culture_cloud.cli import SCHEMA_PATH, export_schema_text, main
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings

FIX_HINT = "run `culture-cloud export-schema` and commit schema/schema.graphql"


def _connection_fields() -> list[tuple[str, set[str]]]:
    """(Type.field, argument names) for every field whose type is a *Connection."""
    schema = create_schema(Settings(environment="development"))._schema
    found: list[tuple[str, set[str]]] = []
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                found.append((f"{type_name}.{field_name}", set(field.args)))
    return found


def test_schema_file__compared_with_code__identical() -> None:
    assert SCHEMA_PATH.exists(), f"{SCHEMA_PATH} is missing: {FIX_HINT}"
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == export_schema_text(), f"{SCHEMA_PATH} is out of date: {FIX_HINT}"


def test_export_schema_check__file_up_to_date__exits_zero() -> None:
    try:
        main(["export-schema", "--check"])
    except SystemExit as exc:  # pragma: no cover - the failure path
        pytest.fail(f"export-schema --check exited with {exc.code!r}: {FIX_HINT}")


def test_export_schema_check__stale_file__exits_non_zero(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(export_schema_text().replace("type Query", "type Querry"), encoding="utf-8")
    with pytest.raises(SystemExit) as raised:
        main(["export-schema", "--check", "--output", str(stale)])
    assert raised.value.code not in (0, None)
    assert "culture-cloud export-schema" in str(raised.value.code)


def test_export_schema__output_written__passes_check(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    main(["export-schema", "--output", str(target)])
    assert target.read_text(encoding="utf-8") == export_schema_text()
    main(["export-schema", "--check", "--output", str(target)])


def test_connection_fields__any__take_first_and_after() -> None:
    fields = _connection_fields()
    assert {name for name, _ in fields} >= {
        "Query.venues",
        "Query.events",
        "Query.scenicSpots",
        "Query.travelAgencies",
        "Query.guides",
        "Query.search",
        "Query.nearby",
    }
    missing = [name for name, args in fields if not {"first", "after"} <= args]
    assert missing == [], f"connection fields without first/after: {missing}"
