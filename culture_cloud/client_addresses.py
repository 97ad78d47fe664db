"""The caller's address behind the trusted proxies (rate limits, the audit log, /metrics)."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address


def is_trusted(address: str | None, trusted: Sequence[IPv4Network | IPv6Network]) -> bool:
    if address is None:
        return False
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPv4Network | IPv6Network]
) -> str | None:
    """The caller's address for rate limits and the audit log.

    X-Forwarded-For is believed only when the peer is a trusted proxy, and then only up to the
    first hop (from the right) that is not itself a trusted proxy: everything left of it was
    written by the client and could be anything.
    """
    if peer is None or not trusted or not forwarded_for:
        return peer

    if not is_trusted(peer, trusted):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not is_trusted(hop, trusted):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage from a proxy we trust: fall back to what we know
    return peer
