"""The one text-cleaning rule every form uses (culture_cloud/text.py)."""

from __future__ import annotations

import pytest

from culture_cloud.errors import BadInput, Conflict, ErrorCode
from culture_cloud.text import clean_text, required_text


def test_clean_text__surrounding_whitespace__stripped() -> None:
    assert clean_text("  介休博物馆 \n", field="name", max_length=10) == "介休博物馆"


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_clean_text__nothing_typed__none(value: str | None) -> None:
    assert clean_text(value, field="note", max_length=10) is None


def test_clean_text__limit_counts_after_stripping__accepted() -> None:
    assert clean_text("  一二三  ", field="note", max_length=3) == "一二三"


def test_clean_text__too_long__bad_input_naming_the_field() -> None:
    with pytest.raises(BadInput) as caught:
        clean_text("一二三四", field="address", max_length=3)
    assert caught.value.field == "address"
    assert caught.value.message == "不能超过 3 个字符"


def test_required_text__blank__bad_input_naming_the_question() -> None:
    with pytest.raises(BadInput) as caught:
        required_text("  ", field="title", max_length=10, label="标题")
    assert (caught.value.field, caught.value.message) == ("title", "标题不能为空")


def test_required_text__typed__stripped_text() -> None:
    assert required_text(" 皮影戏 ", field="title", max_length=10, label="标题") == "皮影戏"


def test_conflict__raised__carries_the_conflict_code() -> None:
    error = Conflict("该用户名已被使用", field="username")
    assert (error.code, error.field) == (ErrorCode.CONFLICT, "username")
