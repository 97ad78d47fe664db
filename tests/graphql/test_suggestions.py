"""Production never suggests schema names ("Did you mean …"): with introspection off, the
suggestions would be a map of the schema for anyone probing it. Development keeps them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

# One request per kind of suggestion graphql-core makes, each with a near-miss name.
PROBES = [
    pytest.param({"query": "{ regionz { name } }"}, id="field"),
    pytest.param({"query": "{ events(frist: 1) { totalCount } }"}, id="argument"),
    pytest.param({"query": "{ events(orderBy: DISTANC) { totalCount } }"}, id="enum-literal"),
    pytest.param(
        {
            "query": "query($o: EventOrderBy) { events(orderBy: $o) { totalCount } }",
            "variables": {"o": "DISTANC"},
        },
        id="enum-variable",
    ),
    pytest.param(
        {"query": "query($o: EventOrderB) { events(orderBy: $o) { totalCount } }"},
        id="type-in-variable-definition",
    ),
    pytest.param(
        {"query": '{ events(filter: { dateFrm: "2030-01-01" }) { totalCount } }'},
        id="input-field-literal",
    ),
    pytest.param(
        {
            "query": "query($f: EventFilter) { events(filter: $f) { totalCount } }",
            "variables": {"f": {"dateFrm": "2030-01-01"}},
        },
        id="input-field-variable",
    ),
    pytest.param({"query": "{ regions { nme } }"}, id="field-on-object"),
    pytest.param({"query": "{ regions { ... on Regio { name } } }"}, id="fragment-type"),
]


def _messages(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert errors and all(e["extensions"]["code"] != "INTERNAL" for e in errors), errors
    return [error["message"] for error in errors]


@pytest.mark.parametrize("body", PROBES)
async def test_suggestions__production__never_in_any_message(
    prod: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await prod.post("/graphql", json=body)
    messages = _messages(response)
    assert not any("did you mean" in message.lower() for message in messages), messages
    # The message itself survives (only the suggestion is cut): it still says what is wrong.
    assert all(message.strip() for message in messages)


# A variable value that does not fit its type is answered by the input guard in every
# environment (BAD_USER_INPUT, Chinese, the value not echoed), so graphql-core's suggestion
# never reaches the client there: only the document probes have a development control.
DOCUMENT_PROBES = [probe for probe in PROBES if not str(probe.id).endswith("-variable")]


@pytest.mark.parametrize("body", DOCUMENT_PROBES)
async def test_suggestions__development__offered(
    dev: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    # The control: each probe really is a near miss graphql-core suggests a name for.
    messages = _messages(await dev.post("/graphql", json=body))
    assert any("Did you mean" in message for message in messages), messages
