"""The reviews fields answer the same through the compiled executor and graphql-core, and the
compiled path does take them (they are plain fields, resolved through DataLoaders)."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import parse

from culture_cloud.app import create_app
from culture_cloud.graphql import compiled
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client

VENUES_WITH_REVIEWS = """
{ venues(first: 20, orderBy: RATING) { edges { node {
    name rating ratingCount
    ratingSummary { count average distribution { score count } dimensions { dimension average count } }
    reviews(first: 5, orderBy: HIGHEST) { totalCount edges { node {
        overall authorName isVerified helpfulCount votedHelpful scores { facilities service }
        reply { text organization { name } } } } }
} } } }
"""


async def _post(settings: Settings, query: str) -> Any:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200
    return response.json()


async def test_venues_with_reviews__compiled_and_graphql_core__same_response(db: Database) -> None:
    world = await f.build_world(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, await f.resident(db), world.venue, 4, scores={"service": 5})
        await f.submit_ok(api, await f.resident(db), world.venue, 2)
        await api.data(
            f.REPLY_TO_REVIEW, {"id": review["id"], "text": "谢谢！"}, token=world.editor.token
        )
    settings = db.settings
    fast = await _post(
        settings.model_copy(update={"compiled_execution": True}), VENUES_WITH_REVIEWS
    )
    plain = await _post(
        settings.model_copy(update={"compiled_execution": False}), VENUES_WITH_REVIEWS
    )
    assert fast == plain
    assert "errors" not in plain
    [venue] = plain["data"]["venues"]["edges"]
    assert venue["node"]["ratingSummary"]["count"] == 2
    assert venue["node"]["reviews"]["edges"][0]["node"]["reply"]["text"] == "谢谢！"
    schema = create_schema(Settings())._schema
    operation = parse(VENUES_WITH_REVIEWS).definitions[0]
    assert compiled.compile_operation(schema, operation) is not None  # type: ignore[arg-type]
