"""Password login is rate limited per account and per client IP; successes do not count."""

from __future__ import annotations

from typing import Any

from culture_cloud.settings import Settings
from tests.accounts.factories import LOGIN_WITH_PASSWORD, PASSWORD, add_admin
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for


async def _attempt(api: GraphQLClient, username: str, password: str, **kwargs: Any) -> str:
    """The __typename of the result, or the top-level error code."""
    body = await api.execute(
        LOGIN_WITH_PASSWORD, {"username": username, "password": password}, **kwargs
    )
    if body.get("errors"):
        [error] = body["errors"]
        return str(error["extensions"]["code"])
    return str(body["data"]["loginWithPassword"]["__typename"])


def _settings(db: Database, **overrides: Any) -> Settings:
    return settings_for(
        db, login_max_failures_per_account=5, login_max_failures_per_ip=20, **overrides
    )


async def test_login_rate_limit__five_failures__account_locked(db: Database) -> None:
    await add_admin(db, username="target")
    await add_admin(db, username="bystander")
    async with graphql_client(db, _settings(db)) as api:
        failures = [await _attempt(api, "target", f"guess-{i}") for i in range(5)]
        locked = await _attempt(api, "target", PASSWORD)
        other = await _attempt(api, "bystander", PASSWORD)

    assert failures == ["LoginError"] * 5
    # Even the right password is refused now: the lock is what stops guessing.
    assert locked == "RATE_LIMITED"
    # The same client can still sign in to another account: the limit is per account.
    assert other == "AuthPayload"


async def test_login_rate_limit__locked_account__message_in_chinese(db: Database) -> None:
    async with graphql_client(db, _settings(db)) as api:
        for i in range(5):
            await _attempt(api, "target", f"guess-{i}")
        body = await api.execute(LOGIN_WITH_PASSWORD, {"username": "target", "password": "x"})

    [error] = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "分钟后再试" in error["message"]


async def test_login_rate_limit__account_lock__holds_across_client_ips(db: Database) -> None:
    await add_admin(db, username="target")
    settings = _settings(db)
    for i in range(5):
        async with graphql_client(db, settings, client_ip=f"10.1.0.{i + 1}") as api:
            assert await _attempt(api, "target", f"guess-{i}") == "LoginError"
    async with graphql_client(db, settings, client_ip="10.1.0.99") as api:
        assert await _attempt(api, "target", PASSWORD) == "RATE_LIMITED"


async def test_login_rate_limit__successes__not_counted(db: Database) -> None:
    await add_admin(db, username="forgetful")
    async with graphql_client(db, _settings(db)) as api:
        failures = [await _attempt(api, "forgetful", f"guess-{i}") for i in range(4)]
        successes = [await _attempt(api, "forgetful", PASSWORD) for _ in range(3)]
        fifth_failure = await _attempt(api, "forgetful", "guess-5")
        sixth = await _attempt(api, "forgetful", PASSWORD)

    assert failures == ["LoginError"] * 4
    # Had the successes counted, 4 + 3 attempts would have passed the limit of 5 already.
    assert successes == ["AuthPayload"] * 3
    assert fifth_failure == "LoginError"
    assert sixth == "RATE_LIMITED"


async def test_login_rate_limit__twenty_failures_from_one_ip__ip_locked(db: Database) -> None:
    await add_admin(db, username="real-admin")
    settings = _settings(db)
    async with graphql_client(db, settings, client_ip="203.0.113.7") as attacker:
        # Spread over many names so no account limit is reached: only the IP limit applies.
        failures = [await _attempt(attacker, f"name-{i}", "guess") for i in range(20)]
        locked = await _attempt(attacker, "real-admin", PASSWORD)
    async with graphql_client(db, settings, client_ip="198.51.100.8") as colleague:
        other_ip = await _attempt(colleague, "real-admin", PASSWORD)

    assert failures == ["LoginError"] * 20
    assert locked == "RATE_LIMITED"
    assert other_ip == "AuthPayload"


async def test_login_rate_limit__forwarded_for_from_untrusted_peer__ignored(db: Database) -> None:
    async with graphql_client(db, _settings(db), client_ip="203.0.113.7") as attacker:
        # A fresh X-Forwarded-For on every attempt would dodge the IP limit if it were believed.
        results = [
            await _attempt(
                attacker, f"name-{i}", "guess", headers={"X-Forwarded-For": f"192.0.2.{i}"}
            )
            for i in range(21)
        ]
    assert results[:20] == ["LoginError"] * 20
    assert results[20] == "RATE_LIMITED"


async def test_login_rate_limit__forwarded_for_from_trusted_proxy__used(db: Database) -> None:
    await add_admin(db, username="real-admin")
    settings = _settings(db, trusted_proxies="10.0.0.0/8")
    async with graphql_client(db, settings, client_ip="10.0.0.2") as proxy:
        failures = [
            await _attempt(proxy, f"name-{i}", "guess", headers={"X-Forwarded-For": "203.0.113.7"})
            for i in range(20)
        ]
        attacker = await _attempt(
            proxy, "real-admin", PASSWORD, headers={"X-Forwarded-For": "203.0.113.7"}
        )
        # Another client behind the same proxy is not locked out with the attacker.
        colleague = await _attempt(
            proxy, "real-admin", PASSWORD, headers={"X-Forwarded-For": "198.51.100.8"}
        )

    assert failures == ["LoginError"] * 20
    assert attacker == "RATE_LIMITED"
    assert colleague == "AuthPayload"
