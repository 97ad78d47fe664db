"""The input sweep: every String/ID argument and input field of the committed SDL, on every root
Query and Mutation field, gets control characters, over-long strings and wrong-typed variables,
anonymously and signed in, on SQLite and PostgreSQL. Nothing may answer INTERNAL or 5xx, every
error carries a code, nothing is logged at ERROR, and a refused string stores nothing.

One app per backend serves every case (a few thousand requests); the failures are collected and
reported together so one run shows every field that needs work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from tests.accounts.factories import add_admin, add_user, token_for
from tests.conftest import Database
from tests.graphql.sweep import (
    Root,
    Slot,
    load_schema,
    roots,
    string_slots,
    with_literals,
    with_value,
    with_variables,
    wrong_values,
)
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for

SCHEMA = load_schema()
SLOTS = string_slots(SCHEMA)
ROOTS = roots(SCHEMA)
MAX_LENGTH = 10_000  # Settings.max_input_string_length's default
# Refused everywhere: C0 controls except tab, newline and carriage return. Spread over the slots
# so each character is tried on many fields without multiplying the requests.
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]]
# Longer than any per-field limit, shorter than the global cap: reaches the resolvers, whose own
# limits (or the database's) must answer with a code.
LONG_UNDER_CAP = 6_000
# An unreachable WeChat: a code that got past the length checks would fail fast here (and be
# answered SERVICE_UNAVAILABLE), never hang the sweep on the real network.
NO_WECHAT = "http://127.0.0.1:9"


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def check(
        self, label: str, status: int, body: dict[str, Any], expect_field: str | None = None
    ) -> None:
        self.requests += 1
        if status >= 500:
            self.problems.append(f"{label}: HTTP {status}")
        errors = body.get("errors") or []
        for error in errors:
            code = (error.get("extensions") or {}).get("code")
            if code is None or code == "INTERNAL":
                self.problems.append(f"{label}: {code or 'no code'}: {error.get('message')}")
        if expect_field is not None:
            guarded = [
                e
                for e in errors
                if e.get("extensions") == {"code": "BAD_USER_INPUT", "field": expect_field}
            ]
            if not guarded:
                self.problems.append(f"{label}: not refused by the guard: {str(body)[:200]}")


@dataclass
class Caller:
    name: str
    token: str | None


async def _row_counts(db: Database) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with db.factory() as session:
        for table in SQLModel.metadata.sorted_tables:
            result = await session.execute(select(func.count()).select_from(table))
            counts[table.name] = int(result.scalar_one())
    return counts


async def _send(
    api: GraphQLClient,
    findings: Findings,
    label: str,
    query: str,
    variables: dict[str, Any] | None,
    caller: Caller,
    expect_field: str | None = None,
) -> None:
    response = await api.post(query, variables, token=caller.token)
    findings.check(f"{label} [{caller.name}]", response.status_code, response.json(), expect_field)


def _bad(slot: Slot, text: str) -> Any:
    return [text] if slot.is_list else text


def _wrong_typed_cases() -> Iterator[tuple[str, Root, tuple[str, ...], Any]]:
    for root in ROOTS:
        for arg_name, arg in root.field.args.items():
            for value in wrong_values(arg.type):
                yield f"{root.name}({arg_name}={value!r:.40})", root, (arg_name,), value
            named = arg.type
            while hasattr(named, "of_type"):
                named = named.of_type
            for name, input_field in getattr(named, "fields", {}).items():
                for value in wrong_values(input_field.type):
                    label = f"{root.name}({arg_name}.{name}={value!r:.40})"
                    yield label, root, (arg_name, name), value


@pytest.fixture
async def callers(seeded: Database) -> list[Caller]:
    resident = await add_user(seeded, openid="o-sweep-resident")
    admin = await add_admin(seeded, username="sweep-admin")
    return [
        Caller("anonymous", None),
        Caller("resident", await token_for(seeded, resident)),
        Caller("admin", await token_for(seeded, admin)),
    ]


def test_sweep__discovers_every_root_field_and_string_slot_from_the_sdl() -> None:
    names = {root.name for root in ROOTS}
    # Spot checks that the walk reaches arguments, nested input objects and string lists.
    assert {"events", "loginWithPassword", "createEvent", "updateVenue"} <= names
    dotted = {(slot.root.name, slot.dotted) for slot in SLOTS}
    assert ("loginWithPassword", "username") in dotted
    assert ("venues", "filter.tags") in dotted
    assert ("updateVenue", "input.openingHours.weekly.periods.open") in dotted
    assert ("bookEvent", "input.attendees.idNumber") in dotted
    assert len(SLOTS) > 150


async def test_sweep__control_characters_everywhere__refused_nothing_stored(
    seeded: Database, callers: list[Caller], caplog: pytest.LogCaptureFixture
) -> None:
    findings = Findings()
    before = await _row_counts(seeded)
    settings = settings_for(seeded, wechat_base_url=NO_WECHAT)
    with caplog.at_level(logging.WARNING):
        async with graphql_client(seeded, settings) as api:
            for index, slot in enumerate(SLOTS):
                control = CONTROLS[index % len(CONTROLS)]
                arguments = with_value(slot.root, slot.path, _bad(slot, f"a\x00b{control}"))
                label = f"{slot.root.name} {slot.dotted} NUL"
                for caller in callers:
                    await _send(
                        api,
                        findings,
                        label,
                        with_variables(slot.root, arguments),
                        arguments,
                        caller,
                        slot.dotted,
                    )
                literal = with_value(slot.root, slot.path, _bad(slot, f"a{control}b"))
                await _send(
                    api,
                    findings,
                    f"{slot.root.name} {slot.dotted} literal {ord(control):#x}",
                    with_literals(slot.root, literal),
                    None,
                    callers[0],
                    slot.dotted,
                )
    after = await _row_counts(seeded)

    changed = {
        table: (before[table], after[table]) for table in before if before[table] != after[table]
    }
    assert not findings.problems, "\n".join(findings.problems[:50])
    assert changed == {}, changed
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert findings.requests == len(SLOTS) * (len(callers) + 1)


async def test_sweep__over_long_strings_everywhere__coded_errors_only(
    seeded: Database, callers: list[Caller], caplog: pytest.LogCaptureFixture
) -> None:
    findings = Findings()
    settings = settings_for(seeded, wechat_base_url=NO_WECHAT)
    with caplog.at_level(logging.WARNING):
        async with graphql_client(seeded, settings) as api:
            for slot in SLOTS:
                over = with_value(slot.root, slot.path, _bad(slot, "长" * (MAX_LENGTH + 1)))
                await _send(
                    api,
                    findings,
                    f"{slot.root.name} {slot.dotted} over cap",
                    with_variables(slot.root, over),
                    over,
                    callers[0],
                    slot.dotted,
                )
                # Past the guard: the resolvers' own limits must answer (signed in, so the
                # permission check lets the value through to them).
                long = with_value(slot.root, slot.path, _bad(slot, "长" * LONG_UNDER_CAP))
                for caller in callers[1:]:
                    await _send(
                        api,
                        findings,
                        f"{slot.root.name} {slot.dotted} {LONG_UNDER_CAP}",
                        with_variables(slot.root, long),
                        long,
                        caller,
                    )

    assert not findings.problems, "\n".join(findings.problems[:50])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # Refused by length before any network call: no attempt to reach WeChat was made.
    assert [r.getMessage() for r in caplog.records if "WeChat" in r.getMessage()] == []


async def test_sweep__wrong_typed_variables__coded_errors_only(
    seeded: Database, callers: list[Caller], caplog: pytest.LogCaptureFixture
) -> None:
    findings = Findings()
    with caplog.at_level(logging.WARNING):
        async with graphql_client(seeded, settings_for(seeded, wechat_base_url=NO_WECHAT)) as api:
            for label, root, path, value in _wrong_typed_cases():
                arguments = with_value(root, path, value)
                for caller in (callers[0], callers[2]):
                    await _send(
                        api, findings, label, with_variables(root, arguments), arguments, caller
                    )

    assert not findings.problems, "\n".join(findings.problems[:50])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert findings.requests > 500
