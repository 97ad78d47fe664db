"""The client IP used for rate limits and the audit log: X-Forwarded-For only via trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from culture_cloud.app import client_ip
from culture_cloud.settings import Settings

PROXIES = [ip_network("10.0.0.0/8"), ip_network("::1/128")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, [], "203.0.113.7"),
        # Nobody trusted: the header is whatever the client wants it to be.
        ("203.0.113.7", "1.2.3.4", [], "203.0.113.7"),
        # Trusted list set, but this peer is not on it.
        ("203.0.113.7", "1.2.3.4", PROXIES, "203.0.113.7"),
        ("10.0.0.2", "198.51.100.8", PROXIES, "198.51.100.8"),
        # The client prepends a fake hop; the proxy appends the real one: take the rightmost
        # untrusted address.
        ("10.0.0.2", "6.6.6.6, 198.51.100.8", PROXIES, "198.51.100.8"),
        ("10.0.0.2", "198.51.100.8, 10.0.0.9", PROXIES, "198.51.100.8"),
        ("10.0.0.2", "10.0.0.9", PROXIES, "10.0.0.2"),
        ("10.0.0.2", "not-an-ip", PROXIES, "10.0.0.2"),
        ("::1", "2001:db8::5", PROXIES, "2001:db8::5"),
        (None, "1.2.3.4", PROXIES, None),
    ],
)
def test_client_ip__forwarded_for__believed_only_from_trusted_proxies(
    peer: str | None, forwarded: str | None, trusted: list[object], expected: str | None
) -> None:
    assert client_ip(peer, forwarded, trusted) == expected  # type: ignore[arg-type]


def test_settings__trusted_proxies_from_environment__parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CULTURE_CLOUD_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert Settings().trusted_proxies == [ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32")]
    monkeypatch.setenv("CULTURE_CLOUD_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == []
