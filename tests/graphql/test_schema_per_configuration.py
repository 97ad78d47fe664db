"""One schema per configuration and process (schema.create_schema): apps with the same limits
share the schema and the trusted documents built for it; a different limit gets its own."""

from __future__ import annotations

from pathlib import Path

from culture_cloud.app import create_app
from culture_cloud.settings import Settings


def _app_parts(tmp_path: Path, **overrides: object) -> tuple[object, object]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", environment="test", **overrides
    )
    view = create_app(settings).state.graphql_view
    return view.schema, view.trusted_documents


def test_create_app__same_limits__one_schema__other_limit__its_own(tmp_path: Path) -> None:
    schema, documents = _app_parts(tmp_path)
    # Settings the schema does not read (here: the live tick) share it.
    same_schema, same_documents = _app_parts(tmp_path, live_seats_tick_ms=10)
    assert same_schema is schema and same_documents is documents
    deeper, deeper_documents = _app_parts(tmp_path, max_query_depth=3)
    assert deeper is not schema and deeper_documents is not documents
    assert len(deeper_documents) == len(documents)  # type: ignore[arg-type]
