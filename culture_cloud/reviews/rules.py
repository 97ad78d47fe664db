"""Review and feedback rules that operators tune: limits, moderation, deadlines.

Kept apart from culture_cloud/settings.py because only this domain reads them; same environment
style (`CULTURE_CLOUD_REVIEWS_MAX_REVIEWS_PER_DAY=20`), read once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_IMAGES = 9


class ReviewRules(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CULTURE_CLOUD_REVIEWS_", extra="ignore")

    # Per user and local (Asia/Shanghai) day; counted from the rows themselves, so every worker
    # process agrees and a deleted review still counts.
    max_reviews_per_day: int = Field(default=10, ge=1)
    max_feedback_per_day: int = Field(default=5, ge=1)
    max_reports_per_day: int = Field(default=20, ge=1)
    # Reports (since the last moderation decision) that hide an approved review until a moderator
    # looks at it again.
    report_threshold: int = Field(default=3, ge=1)
    review_text_min_length: int = Field(default=5, ge=1)
    review_text_max_length: int = Field(default=1000, ge=1, le=2000)
    max_images: int = Field(default=MAX_IMAGES, ge=0, le=MAX_IMAGES)
    reply_max_length: int = Field(default=1000, ge=1, le=1000)
    feedback_text_min_length: int = Field(default=5, ge=1)
    feedback_text_max_length: int = Field(default=2000, ge=1, le=2000)
    # Working days (Monday–Friday, Asia/Shanghai; public holidays are not modelled) within
    # which feedback must be answered.
    feedback_response_working_days: int = Field(default=5, ge=1, le=60)
    # A replacement sensitive-word list (UTF-8, one word per line, `#` starts a comment);
    # default: culture_cloud/reviews/sensitive_words.txt. Read once per process.
    sensitive_words_file: Path | None = None


@cache
def current_rules() -> ReviewRules:
    return ReviewRules()
