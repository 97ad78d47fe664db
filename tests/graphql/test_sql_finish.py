"""Values finished in Python after a compiled statement (graphql/sql/fields.py `finish`)."""

from __future__ import annotations

import orjson
import pytest

from culture_cloud.graphql.sql import fields
from culture_cloud.graphql.sql.objects import Unsupported


def _marker(finisher_sql: str) -> int:
    """The finisher id a planned field's SQL names (json_build_object('<key>', <id>, ...))."""
    return int(finisher_sql.split(", ")[1])


def test_finish__markers_anywhere__replaced_by_the_python_value() -> None:
    sql = fields.finished(("test", "double"), lambda v: {"twice": v[0] * 2}, "json_build_array(1)")
    same = fields.finished(("test", "double"), lambda v: None, "json_build_array(2)")
    assert _marker(sql) == _marker(same)  # one function per spec: re-planning adds nothing
    marker = {fields.FINISH_KEY: _marker(sql), "v": [21]}
    data = orjson.dumps({"node": {"a": marker, "list": [marker, 1, [marker]], "n": None}})
    assert orjson.loads(fields.finish(data)) == {
        "node": {"a": {"twice": 42}, "list": [{"twice": 42}, 1, [{"twice": 42}]], "n": None}
    }


def test_finish__no_marker__the_statements_bytes_untouched() -> None:
    data = b'{"node" : {"title" : "__finish_ is only text", "v" : [1]}}'
    assert fields.finish(data) is data


def test_finish__a_key_from_stored_data__not_a_marker() -> None:
    """The key holds a per-process random token: stored JSON cannot name a finisher."""
    forged = {"__finish_" + "0" * 32: 0, "v": [1]}
    data = orjson.dumps({"images": [forged]})
    assert orjson.loads(fields.finish(data)) == {"images": [forged]}


def test_finish__a_finisher_refuses__unsupported() -> None:
    def refuse(values: list[int]) -> None:
        raise Unsupported("not finite")

    sql = fields.finished(("test", "refuse"), refuse, "json_build_array(1)")
    data = orjson.dumps({"x": {fields.FINISH_KEY: _marker(sql), "v": [1]}})
    with pytest.raises(Unsupported):
        fields.finish(data)
