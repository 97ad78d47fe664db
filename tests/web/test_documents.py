"""Every page's document validates against the schema (the app refuses to start otherwise),
and a document that does not is named with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from culture_cloud.web.documents import DocumentError, Documents

WEB = Path(__file__).resolve().parents[2] / "culture_cloud" / "web"
DIRECTORIES = sorted(path for path in WEB.rglob("documents") if path.is_dir())


@pytest.fixture(scope="module")
def schema() -> object:
    return create_schema(Settings(environment="test"))._schema  # type: ignore[arg-type]


def test_documents__directories__site_and_shared_found() -> None:
    names = {path.relative_to(WEB).as_posix() for path in DIRECTORIES}
    assert {"documents", "site/documents"} <= names


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda p: p.relative_to(WEB).as_posix())
def test_documents__every_file__validates_against_the_schema(
    directory: Path, schema: object
) -> None:
    documents = Documents(directory, schema)  # type: ignore[arg-type]
    assert len(documents) == len(list(directory.glob("*.graphql")))
    assert all(document.operation in ("query", "mutation") for document in documents)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("query Broken { regions { noSuchField } }", "noSuchField"),
        ("query Broken { regions { name }", "Syntax Error"),
        ("query A { regions { name } } query B { regions { key } }", "one operation"),
        ("subscription S($id: ID!) { eventSeats(eventId: $id) { remainingSeats } }", "not"),
    ],
)
def test_documents__invalid_file__refused_with_its_name(
    tmp_path: Path, schema: object, source: str, reason: str
) -> None:
    (tmp_path / "page.graphql").write_text(source, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"page\.graphql") as refused:
        Documents(tmp_path, schema)  # type: ignore[arg-type]
    assert reason in str(refused.value)


def test_documents__second_app_in_a_process__validated_once_and_again_when_changed(
    tmp_path: Path, schema: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests and workers build many apps; validating every document for each one cost over a
    second per app. A changed file is validated again (a broken edit still stops start-up)."""
    from culture_cloud.web import documents as module

    (tmp_path / "regions.graphql").write_text("query Regions { regions { id } }")
    checked: list[str] = []
    real_check = module._check

    def counting(path: Path, source: str, schema: object) -> object:
        checked.append(path.name)
        return real_check(path, source, schema)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_check", counting)
    Documents(tmp_path, schema)  # type: ignore[arg-type]
    Documents(tmp_path, create_schema(Settings(environment="test"))._schema)  # type: ignore[arg-type]
    assert checked == ["regions.graphql"]
    (tmp_path / "regions.graphql").write_text("query Regions { regions { noSuchField } }")
    with pytest.raises(DocumentError, match="noSuchField"):
        Documents(tmp_path, schema)  # type: ignore[arg-type]
