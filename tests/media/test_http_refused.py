"""/graphql over HTTP takes JSON only: a multipart upload (which a form on any other site could
post with the visitor's cookies) is refused before GraphQL runs, and a JSON value cannot pass
for a file. Nothing is stored either way."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Database
from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.graphql import GraphQLClient


async def test_graphql_http__multipart_upload__refused_415_nothing_stored(
    api: GraphQLClient, world: World, media_dir: Path, db: Database
) -> None:
    token = await api.token_of(world.editor)
    operations = {
        "query": UPLOAD_IMAGE,
        "variables": {"organizationId": world.museum_id, "file": None},
    }

    response = await api.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("poster.jpg", f.jpeg((320, 240)), "image/jpeg")},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert f.stored_files(media_dir) == []
    assert await f.asset_count(db) == 0


async def test_graphql_http__file_variable_as_json_string__bad_user_input(
    api: GraphQLClient, world: World, media_dir: Path
) -> None:
    codes = await api.error_codes(
        UPLOAD_IMAGE,
        {"organizationId": world.museum_id, "file": "/9j/4AAQSkZJRgABAQ"},
        user=world.editor,
    )

    assert codes == ["BAD_USER_INPUT"]
    assert f.stored_files(media_dir) == []
