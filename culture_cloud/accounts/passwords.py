"""argon2id password hashing. Hashing is deliberately slow, so it runs in a worker thread and
never blocks the event loop that serves everybody else's requests."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from culture_cloud.errors import BadInput

MIN_PASSWORD_LENGTH = 12
# Generous for passphrases, small enough that nobody makes us hash megabytes.
MAX_PASSWORD_LENGTH = 256

# argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, t=3, m=64 MiB, p=4).
# Tests swap in a cheap hasher (tests/accounts/conftest.py); production never does.
hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return hasher.hash("no such account: spend the same time as a real check")


def check_strength(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadInput(f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符", field=field)
    if len(set(password)) < 4:
        raise BadInput("密码过于简单，请勿使用重复字符", field=field)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        # An unknown account is checked against a dummy hash: a quick "no" would tell an
        # attacker which usernames exist.
        return hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)
