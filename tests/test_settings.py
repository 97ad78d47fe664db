"""Settings: production refuses demo secrets; the environment configures the database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from culture_cloud.settings import DEFAULT_SECRET, Environment, Settings

REAL_WECHAT_SECRET = "wx-real-secret-for-tests"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CULTURE_CLOUD_ENVIRONMENT",
        "CULTURE_CLOUD_DATABASE_URL",
        "CULTURE_CLOUD_SECRET_KEY",
        "CULTURE_CLOUD_WECHAT_SECRET",
        "CULTURE_CLOUD_WECHAT_WEB_APPID",
        "CULTURE_CLOUD_WECHAT_WEB_SECRET",
        "CULTURE_CLOUD_SMS_BASE_URL",
        "CULTURE_CLOUD_SMS_ACCESS_KEY_ID",
        "CULTURE_CLOUD_SMS_ACCESS_KEY_SECRET",
        "CULTURE_CLOUD_SMS_TEMPLATE_CODE",
    ):
        monkeypatch.delenv(name, raising=False)


# A production SMS provider and official account, with nothing left at its demo value.
REAL_SMS = {
    "sms_base_url": "https://dysmsapi.aliyuncs.com",
    "sms_access_key_id": "LTAI-real-key-id",
    "sms_access_key_secret": "real-access-key-secret",
    "sms_template_code": "SMS_123456789",
}
REAL_WECHAT_WEB = {"wechat_web_appid": "wx-real-oa-appid", "wechat_web_secret": "oa-real-secret"}


def _production(**overrides: str) -> Settings:
    values = {
        "secret_key": "k" * 32,
        "wechat_secret": REAL_WECHAT_SECRET,
        **REAL_SMS,
        **REAL_WECHAT_WEB,
        **overrides,
    }
    return Settings(environment=Environment.PRODUCTION, **values)  # type: ignore[arg-type]


def test_production__default_secret__refused() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        _production(secret_key=DEFAULT_SECRET)


def test_production__secret_one_short_of_32__refused() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        _production(secret_key="k" * 31)


def test_production__long_secret__accepted() -> None:
    settings = _production(secret_key="k" * 32)
    assert settings.is_production
    assert settings.secret_key == "k" * 32


def test_production__demo_wechat_secret__refused() -> None:
    with pytest.raises(ValidationError, match="WECHAT_SECRET"):
        _production(wechat_secret="wx-demo-secret")


@pytest.mark.parametrize(
    "demo",
    [
        {"sms_access_key_secret": "sms-demo-access-key-secret"},
        {"sms_access_key_id": "sms-demo-access-key-id"},
        {"sms_template_code": "SMS_000000000"},
        # The default base URL is the fake SMS server on loopback.
        {"sms_base_url": "http://127.0.0.1:8911"},
    ],
)
def test_production__demo_sms_setting__refused(demo: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="CULTURE_CLOUD_SMS_"):
        _production(**demo)


@pytest.mark.parametrize(
    "demo", [{"wechat_web_secret": "wx-demo-oa-secret"}, {"wechat_web_appid": "wx-demo-oa-appid"}]
)
def test_production__demo_official_account__refused(demo: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="CULTURE_CLOUD_WECHAT_WEB_"):
        _production(**demo)


def test_production__sms_and_web_authorisation_off__accepted_with_demo_values_left() -> None:
    settings = Settings(
        environment=Environment.PRODUCTION,
        secret_key="k" * 32,
        wechat_secret=REAL_WECHAT_SECRET,
        sms_access_key_id="",
        wechat_web_appid="",
    )

    assert (settings.sms_enabled, settings.wechat_web_enabled) == (False, False)


def test_production__secret_from_environment__validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CULTURE_CLOUD_ENVIRONMENT", "production")
    monkeypatch.setenv("CULTURE_CLOUD_WECHAT_SECRET", REAL_WECHAT_SECRET)
    monkeypatch.setenv("CULTURE_CLOUD_SMS_ACCESS_KEY_ID", "")
    monkeypatch.setenv("CULTURE_CLOUD_WECHAT_WEB_APPID", "")
    monkeypatch.setenv("CULTURE_CLOUD_SECRET_KEY", "short")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("CULTURE_CLOUD_SECRET_KEY", "e" * 40)
    assert Settings().is_production


@pytest.mark.parametrize("environment", [Environment.DEVELOPMENT, Environment.TEST])
def test_non_production__default_secret__allowed(environment: Environment) -> None:
    settings = Settings(environment=environment)
    assert settings.secret_key == DEFAULT_SECRET
    assert not settings.is_production


def test_database_url__env_var_set__honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+asyncpg://culture@db.example:5433/jiexiu"
    monkeypatch.setenv("CULTURE_CLOUD_DATABASE_URL", url)
    settings = Settings()
    assert settings.database_url == url
    assert not settings.is_sqlite


def test_database_url__env_var_unset__sqlite_default() -> None:
    settings = Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.is_sqlite


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://culture:pw@db.example:5433/jiexiu",
        "POSTGRESQL+ASYNCPG://culture@db/jiexiu",
        "sqlite+aiosqlite:///./culture_cloud.db",
        "sqlite+aiosqlite://",
    ],
)
def test_database_url__supported_driver__accepted(url: str) -> None:
    assert Settings(database_url=url).database_url == url


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [
        ("postgresql://culture:pw@db/jiexiu", "postgresql+asyncpg://"),
        ("postgresql+psycopg://culture:pw@db/jiexiu", "postgresql+asyncpg://"),
        ("postgres://culture:pw@db/jiexiu", "postgresql+asyncpg://"),
        ("sqlite:///./culture_cloud.db", "sqlite+aiosqlite:///"),
        ("mysql+aiomysql://root:pw@db/jiexiu", "postgresql+asyncpg://"),
        ("culture_cloud.db", "sqlite+aiosqlite:///"),
    ],
)
def test_database_url__unsupported__refused_with_the_right_form(url: str, suggestion: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(database_url=url)
    (error,) = caught.value.errors(include_input=False)
    assert error["loc"] == ("database_url",)
    assert suggestion in error["msg"]
    assert "pw" not in error["msg"]
