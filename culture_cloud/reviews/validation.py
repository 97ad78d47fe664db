"""Checks that need no database: scores, dimensions, text and images of a review or feedback.
Each failure names the input field (camelCase) it is about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from culture_cloud.reviews.errors import bad_input
from culture_cloud.reviews.models import Dimension, ReviewTargetKind
from culture_cloud.reviews.rules import ReviewRules
from culture_cloud.reviews.targets import DIMENSION_LABELS, DIMENSIONS_BY_KIND

MAX_URL_LENGTH = 500


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    """What the author sends, unchecked."""

    overall: int
    scores: Mapping[Dimension, int | None] = field(default_factory=dict)
    text: str = ""
    images: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class ReviewContent:
    """A checked review: scores of fitting dimensions only, trimmed text, image URLs."""

    overall: int
    scores: dict[Dimension, int]
    text: str
    images: list[str]


def check_score(value: int, field_name: str, label: str = "评分") -> int:
    if not 1 <= value <= 5:
        raise bad_input(f"{label}须为 1–5 分", field_name)
    return value


def check_text(text: str, field_name: str, *, min_length: int, max_length: int) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise bad_input("内容不能为空", field_name)
    if len(cleaned) < min_length:
        raise bad_input(f"内容至少 {min_length} 个字", field_name)
    if len(cleaned) > max_length:
        raise bad_input(f"内容不能超过 {max_length} 个字", field_name)
    return cleaned


def check_images(
    images: Sequence[str], rules: ReviewRules, field_name: str = "images"
) -> list[str]:
    if len(images) > rules.max_images:
        raise bad_input(f"最多上传 {rules.max_images} 张图片", field_name)
    checked = []
    for i, url in enumerate(images):
        cleaned = url.strip()
        parts = urlsplit(cleaned)
        if (
            len(cleaned) > MAX_URL_LENGTH
            or parts.scheme not in ("https", "http")
            or not parts.netloc
        ):
            raise bad_input("图片须为 http(s) 网址（上传后得到的地址）", f"{field_name}.{i}")
        checked.append(cleaned)
    return checked


def check_review(kind: ReviewTargetKind, draft: ReviewDraft, rules: ReviewRules) -> ReviewContent:
    overall = check_score(draft.overall, "overall", "总体评分")
    fitting = DIMENSIONS_BY_KIND[kind]
    scores: dict[Dimension, int] = {}
    for dimension, value in draft.scores.items():
        if value is None:
            continue
        field_name = f"scores.{camel(dimension.value)}"
        label = DIMENSION_LABELS[dimension]
        if dimension not in fitting:
            raise bad_input(f"此类对象没有「{label}」评分项", field_name)
        scores[dimension] = check_score(value, field_name, f"「{label}」评分")
    text = check_text(
        draft.text,
        "text",
        min_length=rules.review_text_min_length,
        max_length=rules.review_text_max_length,
    )
    return ReviewContent(overall, scores, text, check_images(draft.images, rules))
