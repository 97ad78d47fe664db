from __future__ import annotations

from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    wechat_timeout_seconds: float = Field(default=5.0, gt=0)

    # Sign-in (culture_cloud/accounts). Access tokens are short so a revoked session or a changed
    # role stops working soon even for a client that never asks the server again.
    access_token_ttl_seconds: int = Field(default=15 * 60, ge=30, le=24 * 3600)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    # Failed password logins allowed per window, per account and per client IP.
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=10)
    # Proxies whose X-Forwarded-For we believe (comma-separated IPs or CIDRs). Empty: the
    # socket peer is the client, so nobody can pick their own IP to dodge the IP rate limit.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return [ip_network(str(part), strict=False) for part in value]
        return value

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
