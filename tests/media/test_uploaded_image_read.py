"""An uploaded image read back by id (`uploadedImage`, `node`): the organisation's staff of any
role and administrators see it; anyone else gets nothing that says it exists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.in_process import InProcessClient

FIELDS = "id url thumbnailUrl width height contentType bytes"
OWN = f"query($id: ID!) {{ uploadedImage(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on UploadedImage {{ {FIELDS} }} }} }}"


async def _uploaded(console: InProcessClient, world: World) -> dict[str, Any]:
    file = f.upload_file(f.jpeg((320, 240)), "a.jpg", "image/jpeg")
    data = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )
    image: dict[str, Any] = data["uploadImage"]["image"]
    return image


@pytest.mark.parametrize("who", ["editor", "checker", "manager", "admin"])
async def test_uploaded_image__organisation_staff_or_admin__same_by_id_and_node(
    who: str, console: InProcessClient, world: World
) -> None:
    image = await _uploaded(console, world)
    user = getattr(world, who)

    own = await console.data(OWN, {"id": image["id"]}, user=user)
    node = await console.data(NODE, {"id": image["id"]}, user=user)

    assert own["uploadedImage"] == image
    assert node["node"] == {"__typename": "UploadedImage", **image}


@pytest.mark.parametrize(
    ("who", "code"),
    [("anonymous", "UNAUTHENTICATED"), ("resident", "FORBIDDEN"), ("other_editor", "NOT_FOUND")],
)
async def test_uploaded_image__anyone_else__refused_and_node_null(
    who: str, code: str, console: InProcessClient, world: World
) -> None:
    image = await _uploaded(console, world)
    user = None if who == "anonymous" else getattr(world, who)

    assert await console.error_codes(OWN, {"id": image["id"]}, user=user) == [code]
    assert (await console.data(NODE, {"id": image["id"]}, user=user))["node"] is None
