"""Fields with arguments or selections of their own, planned once per document.

A list page's statement is rendered per request from its root arguments (connection.py). A
field deeper in the document with arguments of its own (`location(system: GCJ02)`,
`reviews(first: 10, after: $after)`, `seriesDates(first: 10)`) is planned once instead: its SQL
is fixed text whose every argument value is a bound parameter (a `Slot`), computed per request
from the coerced variables. So a document such as the event page costs one dictionary lookup
and a few parameter values per request, never a rebuild of its SQL.

`Slots.add` records how to compute a value and returns a marker; `Slots.template` splits the
finished SQL at the markers, and `SqlTemplate.render` puts the request's placeholders
(`$n::type`, numbered after the statement's other parameters) in their places.

A domain describes such a field as a `FieldPlanner` in `SqlObject.fields`: called at plan time
with the row alias, the field's node and definition, it returns the field's JSON expression.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol

import orjson
from graphql import FieldNode, GraphQLField, GraphQLSchema
from graphql.execution.values import VariableValues, get_argument_values

from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.values import identifier, literal

_MARK = "\x00"


@dataclass(slots=True)
class RunValues:
    """What a slot's value may depend on: the request's coerced variables, the run's clock, and
    a memo for values several slots share (one decoded cursor, say)."""

    variables: VariableValues
    now: datetime
    memo: dict[Any, Any] = field(default_factory=dict)

    def arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's coerced arguments (defaults applied), computed once per request."""
        key = ("arguments", id(node))
        if key not in self.memo:
            self.memo[key] = get_argument_values(field_def, node, self.variables)
        return self.memo[key]  # type: ignore[no-any-return]

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


Getter = Callable[[RunValues], Any]


class Slots:
    """The parameters of a statement planned once, each computed per request."""

    def __init__(self) -> None:
        self.getters: list[tuple[Getter, str]] = []

    def add(self, getter: Getter, cast: str) -> str:
        """A marker standing for the parameter `getter(values)::cast` in the planned SQL."""
        self.getters.append((getter, identifier(cast)))
        return f"{_MARK}{len(self.getters) - 1}{_MARK}"

    def argument(self, field_def: GraphQLField, node: FieldNode, name: str, cast: str) -> str:
        """The field's argument `name` (literal or variable, default applied) as a parameter."""
        return self.add(lambda values: values.arguments(field_def, node)[name], cast)

    def template(self, sql: str) -> SqlTemplate:
        parts = sql.split(_MARK)
        # parts: text, index, text, index, ..., text
        texts = tuple(parts[0::2])
        order = tuple(int(index) for index in parts[1::2])
        return SqlTemplate(texts, order, tuple(self.getters))


@dataclass(frozen=True, slots=True)
class SqlTemplate:
    texts: tuple[str, ...]
    order: tuple[int, ...]  # which slot each marker was, in text order
    getters: tuple[tuple[Getter, str], ...]

    def render(self, params: Params, values: RunValues) -> str:
        """The SQL with this request's placeholders; the slots' values are appended to `params`.
        A getter may raise a DomainError (a bad argument: the general path reports it) or
        Unsupported (a value it does not compile)."""
        placeholders = [params.add(getter(values), cast) for getter, cast in self.getters]
        out = [self.texts[0]]
        for index, text in zip(self.order, self.texts[1:], strict=True):
            out.append(placeholders[index])
            out.append(text)
        return "".join(out)


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a field planner needs besides its own node: the schema (to read types and
    fragments' conditions) and the statement's slots."""

    schema: GraphQLSchema
    slots: Slots


class FieldPlanner(Protocol):
    def __call__(
        self, ctx: PlanContext, alias: str, node: FieldNode, field_def: GraphQLField
    ) -> str:
        """The field's JSON expression over the parent row `alias`, planned once. Raises
        Unsupported for a selection or a literal argument it does not compile."""
        ...


# -- values finished in Python ----------------------------------------------------------------
#
# A few values are the resolver's Python arithmetic on a column (a point converted to another
# map datum and rounded). Done in SQL they were exact but made the statement ~24 KB larger and
# ~0.25 ms slower per execution, and exact only where the database's C maths library is the
# application's. Instead the statement carries the columns in a marked object,
# `{FINISH_KEY: id, "v": [...]}`, and `finish` replaces each with what the registered Python
# function (the resolver's own code) makes of them. The key holds a per-process random token,
# so no stored value can pass for a marker; a statement without markers is left untouched.

FINISH_KEY: Final = f"__finish_{secrets.token_hex(16)}"
_FINISH_BYTES: Final = FINISH_KEY.encode()
_finishers: list[Callable[[list[Any]], Any]] = []
_finisher_ids: dict[Hashable, int] = {}


def finished(spec: Hashable, finish_value: Callable[[list[Any]], Any], payload_sql: str) -> str:
    """SQL (json) for a value `finish_value(payload)` computes once the statement has answered.
    `spec` identifies the function (the same spec, the same function: re-planned documents
    do not grow the registry); `payload_sql` is a json array expression."""
    finisher_id = _finisher_ids.get(spec)
    if finisher_id is None:
        finisher_id = _finisher_ids[spec] = len(_finishers)
        _finishers.append(finish_value)
    return f"json_build_object({literal(FINISH_KEY)}, {finisher_id}, 'v', {payload_sql})"


def finished_value(data: bytes) -> Any | None:
    """The statement's answer decoded with every marked value finished, or None when it has no
    marker (Unsupported from a finisher: the caller hands the request to the general path)."""
    if _FINISH_BYTES not in data:
        return None
    return _finish_value(orjson.loads(data))


def finish(data: bytes) -> bytes:
    """`finished_value` as JSON bytes; an answer without markers is returned as it is."""
    value = finished_value(data)
    return data if value is None else orjson.dumps(value)


def _finish_value(value: Any) -> Any:
    if isinstance(value, dict):
        marker = value.get(FINISH_KEY)
        if marker is not None:
            return _finishers[marker](value["v"])
        for key, item in value.items():
            if isinstance(item, dict | list):
                value[key] = _finish_value(item)
        return value
    if isinstance(value, list):
        return [_finish_value(item) if isinstance(item, dict | list) else item for item in value]
    return value
