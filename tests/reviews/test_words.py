"""The sensitive-word filter: folded matching, and a replaceable list."""

from __future__ import annotations

from pathlib import Path

from culture_cloud.reviews.words import find_personal_data, find_sensitive


def test_find_sensitive__split_and_wide_forms__caught() -> None:
    assert find_sensitive("有需要的 加 微·信 聊") == ["加微信"]
    assert find_sensitive("ＦＵＣＫ this") == ["fuck"]
    assert find_sensitive("讲解员非常专业，推荐！") == []


def test_find_sensitive__replacement_file__its_words_only(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# 测试词表\n门票太贵  # 注释\n\n", encoding="utf-8")
    assert find_sensitive("门票 太贵了", words) == ["门票太贵"]
    assert find_sensitive("加微信", words) == []


def test_find_personal_data__phone_id_email__labelled() -> None:
    assert find_personal_data("预约请打 138 1234-5678") == ["手机号"]
    assert find_personal_data("身份证 14112119900101123X 丢了") == ["身份证号"]
    assert find_personal_data("联系 someone@example.cn") == ["邮箱"]
    # Prices, dates and counts are not phone numbers.
    assert find_personal_data("2026年11月26日去的，门票 60 元，排队 15 分钟") == []
