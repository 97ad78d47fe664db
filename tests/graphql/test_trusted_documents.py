"""Trusted documents over HTTP: ids instead of text (documentId and Apollo's APQ), the
trusted-only mode for anonymous callers, and cacheable GETs (Cache-Control, ETag, 304).

One app per backend and mode for the module, on the Jiexiu seed (the requests only read)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import httpx
import pytest

from culture_cloud.app import create_app
from culture_cloud.cli import main
from culture_cloud.db import transaction
from culture_cloud.seeding.jiexiu import load_jiexiu
from tests.accounts.factories import add_user, token_for
from tests.conftest import Database, _empty
from tests.support.settings import settings_for

MINI = Path(__file__).resolve().parents[2] / "culture_cloud/web/miniprogram/documents"
HOME = (MINI / "home.graphql").read_text(encoding="utf-8")
HOME_ID = "sha256:" + hashlib.sha256(HOME.encode()).hexdigest()
BOOK_ID = "sha256:" + hashlib.sha256((MINI / "book_event.graphql").read_bytes()).hexdigest()
UNKNOWN_ID = "sha256:" + "0" * 64
HANDWRITTEN = "query { events(first: 100) { edges { node { id title } } } }"


def _apq(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest.removeprefix("sha256:")}}


@pytest.fixture(scope="module")
async def seeded_db(_database: Database) -> Database:
    await _empty(_database)
    async with transaction(_database.factory) as session:
        await load_jiexiu(session)
    return _database


async def _client(db: Database, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(db, **overrides))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


@pytest.fixture(scope="module")
async def http(seeded_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(seeded_db):
        yield client


@pytest.fixture(scope="module")
async def strict(seeded_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(seeded_db, trusted_documents_only=True):
        yield client


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_document_id__same_answer_as_the_text(http: httpx.AsyncClient) -> None:
    by_text = await http.post("/graphql", json={"query": HOME, "variables": {"first": 5}})
    by_id = await http.post("/graphql", json={"documentId": HOME_ID, "variables": {"first": 5}})
    by_apq = await http.post(
        "/graphql", json={"extensions": _apq(HOME_ID), "variables": {"first": 5}}
    )

    assert by_text.status_code == by_id.status_code == by_apq.status_code == 200
    assert len(by_text.json()["data"]["events"]["edges"]) == 5
    assert by_id.json() == by_text.json() == by_apq.json()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"documentId": UNKNOWN_ID}, 404, "PERSISTED_QUERY_NOT_FOUND"),
        ({"extensions": _apq(UNKNOWN_ID)}, 404, "PERSISTED_QUERY_NOT_FOUND"),
        ({"documentId": "md5:abc"}, 400, "BAD_REQUEST"),
        ({"documentId": 42}, 400, "BAD_REQUEST"),
        (
            {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}},
            400,
            "BAD_REQUEST",
        ),
        # APQ's second round trip with text that is not what the hash says.
        ({"query": HANDWRITTEN, "extensions": _apq(HOME_ID)}, 400, "PERSISTED_QUERY_HASH_MISMATCH"),
    ],
    ids=["unknown-id", "unknown-apq-hash", "bad-id", "id-not-a-string", "apq-v2", "mismatch"],
)
async def test_bad_document_id__typed_refusal(
    http: httpx.AsyncClient, body: dict[str, Any], status: int, code: str
) -> None:
    response = await http.post("/graphql", json=body)

    assert response.status_code == status, response.text
    assert _code(response) == code


async def test_apq_text_after_a_miss__runs_but_is_not_registered(http: httpx.AsyncClient) -> None:
    digest = "sha256:" + hashlib.sha256(HANDWRITTEN.encode()).hexdigest()
    first = await http.post("/graphql", json={"query": HANDWRITTEN, "extensions": _apq(digest)})
    again = await http.post("/graphql", json={"extensions": _apq(digest)})

    assert first.status_code == 200 and "errors" not in first.json()
    assert again.status_code == 404 and _code(again) == "PERSISTED_QUERY_NOT_FOUND"


async def test_trusted_only__anonymous_handwritten_query_refused(
    strict: httpx.AsyncClient,
) -> None:
    response = await strict.post("/graphql", json={"query": HANDWRITTEN})

    assert response.status_code == 403
    assert _code(response) == "TRUSTED_DOCUMENT_REQUIRED"


async def test_trusted_only__registered_text_or_id_accepted(strict: httpx.AsyncClient) -> None:
    by_text = await strict.post("/graphql", json={"query": HOME, "variables": {"first": 2}})
    by_id = await strict.post("/graphql", json={"documentId": HOME_ID, "variables": {"first": 2}})

    assert by_text.status_code == by_id.status_code == 200
    assert by_text.json() == by_id.json() and "errors" not in by_id.json()


async def test_trusted_only__signed_in_caller_unaffected_forged_token_not(
    strict: httpx.AsyncClient, seeded_db: Database
) -> None:
    user = await add_user(seeded_db)
    token = await token_for(seeded_db, user)
    signed_in = await strict.post(
        "/graphql", json={"query": HANDWRITTEN}, headers={"authorization": f"Bearer {token}"}
    )
    forged = await strict.post(
        "/graphql", json={"query": HANDWRITTEN}, headers={"authorization": "Bearer not-a-token"}
    )

    assert signed_in.status_code == 200 and "errors" not in signed_in.json()
    assert forged.status_code == 403 and _code(forged) == "TRUSTED_DOCUMENT_REQUIRED"


def _get_params(first: int = 3) -> dict[str, str]:
    return {"documentId": HOME_ID, "variables": json.dumps({"first": first})}


async def test_get_trusted_query__public_cache_headers_and_etag(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params=_get_params())
    apq = await http.get(
        "/graphql",
        params={"extensions": json.dumps(_apq(HOME_ID)), "variables": json.dumps({"first": 3})},
    )

    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["events"]["edges"]) == 3
    assert response.headers["cache-control"] == "public, max-age=10, stale-while-revalidate=30"
    assert response.headers["etag"].startswith('"')
    assert "Accept" in response.headers["vary"]
    # The registered text is that document too (long URLs, but the same answer).
    text = await http.get("/graphql", params={"query": HOME, "variables": json.dumps({"first": 3})})
    assert apq.content == text.content == response.content
    assert apq.headers["etag"] == text.headers["etag"] == response.headers["etag"]


async def test_get_if_none_match__304_without_body(http: httpx.AsyncClient) -> None:
    first = await http.get("/graphql", params=_get_params())
    again = await http.get(
        "/graphql", params=_get_params(), headers={"if-none-match": first.headers["etag"]}
    )
    other_page = await http.get(
        "/graphql", params=_get_params(4), headers={"if-none-match": first.headers["etag"]}
    )

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert other_page.status_code == 200 and other_page.headers["etag"] != first.headers["etag"]


async def test_get_signed_in__private_no_store(
    http: httpx.AsyncClient, seeded_db: Database
) -> None:
    token = await token_for(seeded_db, await add_user(seeded_db))
    response = await http.get(
        "/graphql", params=_get_params(), headers={"authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"documentId": HOME_ID}, 200, "BAD_USER_INPUT"),  # $first missing: an error answer
        ({"documentId": UNKNOWN_ID}, 404, "PERSISTED_QUERY_NOT_FOUND"),
        ({"query": HANDWRITTEN}, 400, "BAD_REQUEST"),
        ({"documentId": BOOK_ID, "variables": "{}"}, 405, "METHOD_NOT_ALLOWED"),  # a mutation
    ],
    ids=["error-answer", "unknown-id", "handwritten", "trusted-mutation"],
)
async def test_get_refused_or_failed__never_cacheable(
    http: httpx.AsyncClient, params: dict[str, str], status: int, code: str
) -> None:
    response = await http.get("/graphql", params=params)

    assert response.status_code == status, response.text
    assert _code(response) == code
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


def test_manifest_command__every_shipped_document_by_its_hash() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["trusted-documents"])
    manifest = json.loads(out.getvalue())

    assert manifest[HOME_ID] == HOME
    for id_, text in manifest.items():
        assert id_ == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    site = Path(__file__).resolve().parents[2] / "culture_cloud/web/site/documents"
    texts = set(manifest.values())
    assert all(path.read_text(encoding="utf-8") in texts for path in site.glob("*.graphql"))


def test_manifest_index__names_each_mini_program_document() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["trusted-documents", "--index"])
    index = json.loads(out.getvalue())

    assert index["miniprogram/home"] == HOME_ID
    assert index["miniprogram/book_event"] == BOOK_ID
    assert {name for name in index if name.startswith("miniprogram/")} == {
        f"miniprogram/{path.stem}" for path in MINI.glob("*.graphql")
    }


async def test_request_state__names_the_trusted_document_or_none(seeded_db: Database) -> None:
    app = create_app(settings_for(seeded_db))
    view = app.state.graphql_view
    # The view's entry point: PostgreSQL's compiled reads answer before execute_operation.
    original = view.run
    seen: list[str | None] = []

    async def spy(request: Any, *args: Any, **kwargs: Any) -> Any:
        result = await original(request, *args, **kwargs)
        seen.append(request.state.trusted_document)
        return result

    view.run = spy
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        await http.post("/graphql", json={"documentId": HOME_ID, "variables": {"first": 1}})
        await http.post("/graphql", json={"query": HOME, "variables": {"first": 1}})
        await http.post("/graphql", json={"query": HANDWRITTEN})

    assert seen == [HOME_ID, HOME_ID, None]
