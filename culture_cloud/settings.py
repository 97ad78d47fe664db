from __future__ import annotations

import re
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"

# Development defaults of the SMS provider (Alibaba Cloud SMS) and of the WeChat official
# account: they point at the fake servers in culture_cloud/testing, and production refuses them.
DEMO_SMS_BASE_URL = "http://127.0.0.1:8911"
DEMO_SMS_ACCESS_KEY_ID = "sms-demo-access-key-id"
DEMO_SMS_ACCESS_KEY_SECRET = "sms-demo-access-key-secret"
DEMO_SMS_TEMPLATE_CODE = "SMS_000000000"
DEMO_WECHAT_WEB_APPID = "wx-demo-oa-appid"
DEMO_WECHAT_WEB_SECRET = "wx-demo-oa-secret"

# The two drivers the code is written for (asyncpg-only fast paths, aiosqlite for development).
POSTGRES_FORM = "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DBNAME"
SQLITE_FORM = "sqlite+aiosqlite:///PATH/TO/FILE.db"
_SUPPORTED_SCHEMES = {"postgresql+asyncpg", "sqlite+aiosqlite"}
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def check_database_url(url: str) -> str:
    """The URL's scheme names a supported async driver; the message never repeats the URL,
    which may hold a password."""
    scheme, separator, _rest = url.partition("://")
    scheme = scheme.strip().lower()
    if not separator or not _SCHEME.fullmatch(scheme):
        raise ValueError(f"is not a database URL; use {POSTGRES_FORM} or {SQLITE_FORM}")
    if scheme in _SUPPORTED_SCHEMES:
        return url
    dialect = scheme.split("+", 1)[0]
    if dialect in {"postgresql", "postgres", "pgsql"}:
        raise ValueError(
            f"{scheme}:// lacks the asyncpg driver the service needs; use {POSTGRES_FORM}"
        )
    if dialect == "sqlite":
        raise ValueError(
            f"{scheme}:// lacks the aiosqlite driver the service needs; use {SQLITE_FORM}"
        )
    raise ValueError(
        f"unknown scheme {scheme}://; use PostgreSQL ({POSTGRES_FORM}) or SQLite ({SQLITE_FORM})"
    )


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class MediaStorageKind(StrEnum):
    LOCAL = "local"  # a directory, served by the app at /media/<key>
    S3 = "s3"  # S3-compatible object storage: Alibaba Cloud OSS, Tencent COS, MinIO, AWS


# Pillow's own decompression-bomb guard (Image.MAX_IMAGE_PIXELS) is set to this ceiling
# (culture_cloud/media/images.py); the configurable limit stays at or below it.
MEDIA_MAX_PIXELS_CEILING = 100_000_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CULTURE_CLOUD_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./culture_cloud.db"
    # Small on purpose: hot-row booking throughput falls as concurrent writers grow.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_echo: bool = False
    # A pooled PostgreSQL connection idle this long is pinged before use (db.guard_idle_connections).
    db_ping_idle_seconds: float = Field(default=30.0, ge=0)
    # A streaming replica for anonymous public reads (culture_cloud/read_routing.py); None =
    # every read on the primary. PostgreSQL only, like the primary it copies.
    read_database_url: str | None = None
    # Reads fall back to the primary while the replica is further behind than this.
    read_max_lag_seconds: float = Field(default=5.0, ge=0)
    # How long one look at the replica's lag (or at its absence) is believed.
    read_check_seconds: float = Field(default=1.0, gt=0)
    secret_key: str = DEFAULT_SECRET
    seed_on_start: bool = True

    # The compiled executor for plain queries (culture_cloud/graphql/compiled.py); off = graphql-core.
    compiled_execution: bool = True
    # Read documents compiled to one SQL statement on PostgreSQL (culture_cloud/graphql/sql);
    # off, or on SQLite, every request takes the executor above.
    sql_compiled_reads: bool = True

    max_query_depth: int = Field(default=10, ge=2)
    max_query_tokens: int = Field(default=2000, ge=100)
    max_query_aliases: int = Field(default=15, ge=1)
    # The input guard (culture_cloud/graphql/input_guard.py): no string argument, input field or
    # variable may be longer, whatever the field; fields with tighter limits keep them.
    max_input_string_length: int = Field(default=10_000, ge=100)
    # POST /graphql bodies larger than this are refused with 413 before they are parsed.
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Trusted documents (culture_cloud/graphql/trusted.py): on, anonymous callers may run only
    # the documents the project ships (by id or full text); signed-in callers are unaffected.
    trusted_documents_only: bool = False
    # GET /graphql with a trusted query document, anonymous caller: how long caches (nginx, the
    # mini-program, browsers) may keep the answer, and serve it stale while refreshing it.
    # Behind the shipped nginx, a change is visible within max_age plus one refresh (README).
    graphql_get_max_age_seconds: int = Field(default=10, ge=0, le=3600)
    graphql_get_stale_while_revalidate_seconds: int = Field(default=30, ge=0, le=86400)

    wechat_base_url: str = "https://api.weixin.qq.com"
    wechat_appid: str = "wx-demo-appid"
    wechat_secret: str = "wx-demo-secret"
    wechat_timeout_seconds: float = Field(default=5.0, gt=0)

    # WeChat web authorisation (OAuth2) for pages opened in WeChat's browser: the official
    # account's own appid and secret, not the mini-program's. An empty appid turns it off.
    wechat_web_appid: str = DEMO_WECHAT_WEB_APPID
    wechat_web_secret: str = DEMO_WECHAT_WEB_SECRET
    # Where the browser is sent to authorise; tests point it at the fake WeChat server.
    wechat_web_authorize_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"

    # SMS sign-in codes (culture_cloud/accounts/sms): Alibaba Cloud SMS (Dysmsapi SendSms).
    # An empty access key id turns SMS sign-in off. The defaults talk to the fake SMS server
    # (`python -m culture_cloud.testing.fake_sms`).
    sms_base_url: str = DEMO_SMS_BASE_URL
    sms_access_key_id: str = DEMO_SMS_ACCESS_KEY_ID
    sms_access_key_secret: str = DEMO_SMS_ACCESS_KEY_SECRET
    sms_sign_name: str = "介休文旅云"
    sms_template_code: str = DEMO_SMS_TEMPLATE_CODE
    sms_timeout_seconds: float = Field(default=5.0, gt=0)
    sms_code_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    # Wrong codes allowed per sent code; the next attempt finds it dead.
    sms_code_max_attempts: int = Field(default=5, ge=1, le=20)
    # Limits on sending (each message costs money): per phone, per client IP, and all together.
    sms_resend_interval_seconds: int = Field(default=60, ge=0)
    sms_max_per_phone_per_hour: int = Field(default=5, ge=1)
    sms_max_per_phone_per_day: int = Field(default=10, ge=1)
    sms_max_per_ip_per_hour: int = Field(default=20, ge=1)
    sms_max_per_day: int = Field(default=10_000, ge=1)

    # PIPL: the version of the privacy notice in force (culture_cloud/accounts/privacy_notice.md).
    # Users whose recorded consent names another version are asked to consent again.
    privacy_notice_version: str = Field(default="2026-12", min_length=1, max_length=32)

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

    # Notifications (culture_cloud/notifications). Subscribe-message template ids per
    # notification kind, as JSON: {"booking_confirmed": "<template id>", ...}. A kind without a
    # template is not sent by WeChat (the message is SKIPPED but still listed in the app).
    wechat_template_ids: dict[str, str] = Field(default_factory=dict)
    # Mini-program page opened from a subscribe message; "" sends none.
    wechat_notification_page: str = "pages/notifications/index"
    notification_max_attempts: int = Field(default=6, ge=1, le=50)
    # Retry n waits base * 2^(n-1), at most the cap: 1, 2, 4, 8, 16 minutes with the defaults.
    notification_retry_base_seconds: float = Field(default=60.0, gt=0)
    notification_retry_max_seconds: float = Field(default=3600.0, gt=0)
    # A claimed message is invisible to other workers this long; a worker that dies mid-batch
    # leaves its messages to be retried after it. Must exceed the time to send one batch.
    notification_claim_seconds: float = Field(default=600.0, gt=0)
    notification_poll_seconds: float = Field(default=10.0, gt=0)

    # Live seat counts (culture_cloud/live): GraphQL subscriptions over WebSocket.
    ws_max_subscriptions_per_connection: int = Field(default=5, ge=1, le=100)
    ws_max_connections: int = Field(default=1000, ge=1)
    # Seconds a client has to send connection_init after opening the socket.
    ws_connection_init_timeout_seconds: float = Field(default=10.0, gt=0)
    # Browser pages on other origins may not open sockets unless listed (comma-separated).
    ws_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Per event, at most one seat-count push per tick (the latest figure; the final one is
    # never dropped); the website's seats.json answers figures at most this old.
    live_seats_tick_ms: int = Field(default=200, ge=0, le=5000)
    # The tick stretches with the process's subscribers so that it writes about this many
    # seat-count frames a second (each a socket write, ~30–60 µs of its event loop), up to
    # live_seats_max_tick_ms; 0 = never stretch. The final figure still always goes out.
    live_seats_frames_per_second: int = Field(default=4000, ge=0)
    live_seats_max_tick_ms: int = Field(default=600, ge=0, le=5000)
    # A socket whose write stays blocked this long (the client stopped reading) is closed
    # with 1013 so that it reconnects; until then it holds one pending frame, no backlog.
    ws_stall_seconds: float = Field(default=10.0, gt=0)
    # The search log is buffered per process (search/log.py): written every this many ms, or
    # sooner once flush_rows wait; at capacity further searches are dropped and counted.
    search_log_flush_ms: int = Field(default=1000, ge=10, le=60_000)
    search_log_flush_rows: int = Field(default=500, ge=1, le=100_000)
    search_log_capacity: int = Field(default=20_000, ge=1, le=1_000_000)

    # The website's session cookies (culture_cloud/web/sessions.py) carry the Secure flag:
    # unset = Secure in production only (development and tests serve plain http on loopback).
    web_secure_cookies: bool | None = None
    # The website's public address (https://…, no trailing slash) for canonical links, Open
    # Graph and the sitemap; unset = the address each request came to.
    web_public_url: str | None = None
    # Bytes of rendered reading pages a worker keeps (web/render_cache.py); 0 = none kept.
    web_render_cache_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    # The map on the console's place form (Leaflet, culture_cloud/web/console/place_map.py): a
    # tile URL template ({z} {x} {y}; {s} takes each character of the subdomains in turn). The
    # default is AMap's street map, whose tiles are drawn in GCJ-02: a click on it gives GCJ-02
    # coordinates, so console_map_datum must name the datum of whichever tiles are set (WGS84
    # for OpenStreetMap or a self-hosted WGS84 tile server). Empty = no map (typed coordinates
    # only). The page's Content-Security-Policy admits images from the tile hosts only.
    console_map_tile_url: str = (
        "https://webrd0{s}.is.autonavi.com/appmaptile"
        "?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
    )
    console_map_tile_subdomains: str = Field(default="1234", max_length=10)
    console_map_datum: Literal["GCJ02", "WGS84"] = "GCJ02"
    console_map_attribution: str = Field(default="© 高德地图", max_length=200)
    # Uploads (culture_cloud/media): images are checked, re-encoded and stored here.
    media_storage: MediaStorageKind = MediaStorageKind.LOCAL
    # Local storage: the directory (created on the first upload) and the public address of
    # /media/ as browsers and the mini-program reach it; production sets the real host.
    media_local_dir: Path = Path("media")
    media_public_base_url: str = "http://127.0.0.1:8000/media"
    # S3-compatible storage; media_public_base_url is then the bucket's (or its CDN's) public
    # address, e.g. https://BUCKET.oss-cn-beijing.aliyuncs.com
    media_s3_endpoint_url: str | None = None
    media_s3_region: str | None = None
    media_s3_bucket: str | None = None
    media_s3_access_key_id: str | None = None
    media_s3_secret_access_key: str | None = None
    # virtual (BUCKET.host, Alibaba Cloud OSS and Tencent COS require it), path (host/BUCKET,
    # MinIO's default) or auto (botocore decides)
    media_s3_addressing_style: str = Field(default="auto", pattern="^(auto|virtual|path)$")
    media_s3_timeout_seconds: float = Field(default=10.0, gt=0)
    # Largest file accepted (counted while reading) and largest image (width × height).
    media_max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    media_max_pixels: int = Field(default=40_000_000, ge=1_000_000, le=MEDIA_MAX_PIXELS_CEILING)

    # Operations (culture_cloud/operations). Logs: "json" (one object a line, for journald and
    # log collectors) or "text"; unset = json in production, text elsewhere.
    log_format: str | None = Field(default=None, pattern="^(json|text)$")
    # /metrics answers callers from these networks (the real client behind a trusted proxy),
    # or anyone with `Authorization: Bearer <metrics_token>`; everyone else gets 404.
    metrics_allow: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1/128")]
    )
    metrics_token: str | None = Field(default=None, min_length=16)
    # Where `serve`'s workers share their metrics (emptied at start); unset = a new temporary
    # directory per start.
    metrics_dir: Path | None = None
    # Set by `serve` for its workers: the shared segmenter's socket (search/segmenter.py).
    segmenter_socket: str | None = None
    # SIGTERM: in-flight requests get this long to finish before they are cancelled.
    shutdown_timeout_seconds: float = Field(default=25.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _supported_database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("read_database_url")
    @classmethod
    def _replica_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not check_database_url(value).startswith("postgresql+asyncpg"):
            raise ValueError(f"a read replica is a PostgreSQL standby; use {POSTGRES_FORM}")
        return value

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> Self:
        if self.read_database_url is not None and self.is_sqlite:
            raise ValueError(
                "CULTURE_CLOUD_READ_DATABASE_URL needs a PostgreSQL primary "
                "(CULTURE_CLOUD_DATABASE_URL); SQLite has no replicas"
            )
        return self

    @model_validator(mode="after")
    def _search_log_fits(self) -> Self:
        if self.search_log_capacity < self.search_log_flush_rows:
            raise ValueError(
                "CULTURE_CLOUD_SEARCH_LOG_CAPACITY must be at least "
                "CULTURE_CLOUD_SEARCH_LOG_FLUSH_ROWS"
            )
        return self

    @field_validator("trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return [ip_network(str(part), strict=False) for part in value]
        return value

    @field_validator("ws_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("console_map_tile_url")
    @classmethod
    def _tile_url_template(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value.replace("{s}", "s"))
        placeholders = all(name in value for name in ("{x}", "{y}", "{z}"))
        if parts.scheme not in {"http", "https"} or not parts.hostname or not placeholders:
            raise ValueError(
                "must be an http:// or https:// tile address with {x}, {y} and {z}, or empty"
            )
        return value

    @field_validator("media_public_base_url")
    @classmethod
    def _absolute_media_url(cls, value: str) -> str:
        # Event images must be absolute http(s) links (publishing/validation.py).
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
            raise ValueError("must be an absolute http:// or https:// address without a query")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _s3_settings_complete(self) -> Self:
        if self.media_storage is MediaStorageKind.S3:
            if not self.media_s3_bucket:
                raise ValueError("CULTURE_CLOUD_MEDIA_S3_BUCKET must be set for S3 storage")
            if "media_public_base_url" not in self.model_fields_set:
                raise ValueError(
                    "CULTURE_CLOUD_MEDIA_PUBLIC_BASE_URL must be set for S3 storage: the "
                    "bucket's or its CDN's public address"
                )
            if bool(self.media_s3_access_key_id) != bool(self.media_s3_secret_access_key):
                raise ValueError(
                    "CULTURE_CLOUD_MEDIA_S3_ACCESS_KEY_ID and _SECRET_ACCESS_KEY go together"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def sms_enabled(self) -> bool:
        return bool(self.sms_access_key_id)

    @property
    def wechat_web_enabled(self) -> bool:
        return bool(self.wechat_web_appid)

    @property
    def secure_cookies(self) -> bool:
        return self.is_production if self.web_secure_cookies is None else self.web_secure_cookies

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" if self.log_format else self.is_production

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
            if self.wechat_web_enabled and (
                self.wechat_web_appid == DEMO_WECHAT_WEB_APPID
                or self.wechat_web_secret == DEMO_WECHAT_WEB_SECRET
            ):
                raise ValueError(
                    "CULTURE_CLOUD_WECHAT_WEB_APPID and _SECRET (the official account's) must be "
                    "set in production, or CULTURE_CLOUD_WECHAT_WEB_APPID empty to turn it off"
                )
            if self.sms_enabled and (
                self.sms_access_key_id == DEMO_SMS_ACCESS_KEY_ID
                or self.sms_access_key_secret == DEMO_SMS_ACCESS_KEY_SECRET
                or self.sms_template_code == DEMO_SMS_TEMPLATE_CODE
                or self.sms_base_url == DEMO_SMS_BASE_URL
            ):
                raise ValueError(
                    "CULTURE_CLOUD_SMS_BASE_URL, _ACCESS_KEY_ID, _ACCESS_KEY_SECRET and "
                    "_TEMPLATE_CODE must be set in production (the defaults talk to the fake SMS "
                    "server), or CULTURE_CLOUD_SMS_ACCESS_KEY_ID empty to turn SMS sign-in off"
                )
        return self
