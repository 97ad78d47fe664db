from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CULTURE_CLOUD_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./culture_cloud.db"
    # Small on purpose: hot-row booking throughput falls as concurrent writers grow.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_echo: bool = False
    secret_key: str = DEFAULT_SECRET
    seed_on_start: bool = True

    # The compiled executor for plain queries (culture_cloud/graphql/compiled.py); off = graphql-core.
    compiled_execution: bool = True

    max_query_depth: int = Field(default=10, ge=2)
    max_query_tokens: int = Field(default=2000, ge=100)
    max_query_aliases: int = Field(default=15, ge=1)

    wechat_base_url: str = "https://api.weixin.qq.com"
    wechat_appid: str = "wx-demo-appid"
    wechat_secret: str = "wx-demo-secret"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Self:
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "CULTURE_CLOUD_SECRET_KEY must be set to a random value of at least "
                    "32 characters in production"
                )
            if self.wechat_secret == "wx-demo-secret":
                raise ValueError("CULTURE_CLOUD_WECHAT_SECRET must be set in production")
        return self
