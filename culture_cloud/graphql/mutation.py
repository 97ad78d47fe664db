"""The one shape of a mutation resolver: parse the arguments, run one service command in one
transaction as one `Actor`, build the success payload. Expected failures anywhere in between
(a bad global id, a refused command) come back as the field's typed error result.

    @strawberry.mutation(permission_classes=[EDITORS], description="...")
    @errors_as(InputError)
    async def cancel_event(self, info: Info, id: strawberry.ID, reason: str) -> CancelEventResult:
        row = await run_command(info, service.cancel_event, event_id=..., reason=reason)
        return CancelEventSuccess(event=Event.from_row(row))

Services own lookups, policy checks and the translation of integrity errors; resolvers own
only the GraphQL side (ids, inputs, payloads).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from culture_cloud.actor import Actor
from culture_cloud.db import transaction
from culture_cloud.errors import DomainError
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.user_errors import UserError, user_error_code

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
E = TypeVar("E", bound=UserError)


async def actor_of(info: Info) -> Actor:
    """The signed-in caller as an Actor; Unauthenticated (a top-level error) without one."""
    viewer = await info.context.require_viewer()
    return Actor(viewer=viewer, ip=info.context.client_ip, now=info.context.now)


async def run_command(info: Info, command: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
    """`command(session, actor=..., **kwargs)` in one transaction: committed when it returns,
    rolled back when it raises. DomainErrors propagate (to `errors_as`)."""
    actor = await actor_of(info)
    async with transaction(info.context.session_factory) as session:
        return await command(session, actor=actor, **kwargs)


def errors_as(
    error: type[E],
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R | E]]]:
    """Wraps a resolver so a DomainError a user can act on becomes `error` (the field's error
    type: InputError, MenuError, ReviewError, ...); auth failures (UNAUTHENTICATED, FORBIDDEN,
    RATE_LIMITED without a domain reason) and outages stay top-level errors with
    `extensions.code`. Place it under `@strawberry.mutation`: Strawberry reads the wrapped
    resolver's signature."""

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | E]]:
        @functools.wraps(resolver)
        async def resolve(*args: P.args, **kwargs: P.kwargs) -> R | E:
            try:
                return await resolver(*args, **kwargs)
            except DomainError as exc:
                code = user_error_code(exc)
                if code is None:
                    raise
                return error.of(exc, code)

        return resolve

    return decorate
