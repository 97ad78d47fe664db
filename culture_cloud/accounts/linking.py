"""Which resident a sign-in belongs to, so the mini-program and the website see one person.

A resident is found by what WeChat or the phone network vouches for, never by what a client
types: the mini-program openid, the official account's (web) openid, the WeChat `unionid`
(the same for one person across the mini-program and the official account once both are bound
to one WeChat open-platform account), and a verified phone number (an SMS code, or WeChat's
phone-number API). Found nothing: a new resident. Only residents are ever found: staff and
administrators sign in with their password alone.

Unique indexes (openid, web_openid, verified phone) decide concurrent first sign-ins of one
person: the loser of the insert finds the winner's row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts.models import User
from culture_cloud.db import SessionFactory
from culture_cloud.errors import ErrorCode, Refusal, UserErrorCode
from culture_cloud.identity import UserKind

PHONE_IN_USE_MESSAGE = (
    "该手机号已是另一个账号的登录手机号，请在网页端用该手机号和短信验证码登录那个账号"
)


class PhoneInUse(Refusal):
    code = ErrorCode.CONFLICT
    reason = UserErrorCode.PHONE_IN_USE


async def _one_resident(session: AsyncSession, *conditions: Any) -> User | None:
    rows = await session.execute(
        select(User)
        .where(col(User.kind) == UserKind.RESIDENT, col(User.deleted_at).is_(None), *conditions)
        .order_by(col(User.id))
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def resident_by_verified_phone(session: AsyncSession, phone: str) -> User | None:
    return await _one_resident(
        session, col(User.phone) == phone, col(User.phone_verified_at).is_not(None)
    )


async def _insert_or_find(session: AsyncSession, user: User, find: Any) -> User:
    """Adds `user`; when a concurrent sign-in of the same person inserted first (a unique index
    says so), returns that row instead."""
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        existing: User | None = await find()
        if existing is None:
            raise
        return existing
    return user


async def resident_for_phone(session: AsyncSession, *, phone: str, now: datetime) -> User:
    """SMS sign-in: the resident whose verified phone this is, else a new one."""
    user = await resident_by_verified_phone(session, phone)
    if user is not None:
        return user
    new = User(kind=UserKind.RESIDENT, phone=phone, phone_verified_at=now, created_at=now)
    return await _insert_or_find(session, new, lambda: resident_by_verified_phone(session, phone))


async def resident_for_mini_program(
    session: AsyncSession, *, openid: str, unionid: str | None, now: datetime
) -> User:
    """Mini-program sign-in: by openid; else, with a unionid, the resident who signed in on the
    website with it and has no mini-program openid yet; else a new resident."""
    by_openid = (
        await session.execute(select(User).where(col(User.openid) == openid))
    ).scalar_one_or_none()
    if by_openid is not None:
        if unionid and by_openid.unionid != unionid:
            # WeChat gives unionid once the mini-program is bound to an open-platform account.
            by_openid.unionid = unionid
        return by_openid
    if unionid:
        web_only = await _one_resident(
            session, col(User.unionid) == unionid, col(User.openid).is_(None)
        )
        if web_only is not None:
            web_only.openid = openid
            return web_only
    new = User(kind=UserKind.RESIDENT, openid=openid, unionid=unionid, created_at=now)

    async def find() -> User | None:
        return (
            await session.execute(select(User).where(col(User.openid) == openid))
        ).scalar_one_or_none()

    return await _insert_or_find(session, new, find)


async def resident_for_wechat_web(
    session: AsyncSession, *, web_openid: str, unionid: str | None, now: datetime
) -> User:
    """WeChat web sign-in: the resident with this unionid (the mini-program's account), else
    the one with this official-account openid, else a new resident. The web openid and the
    unionid are recorded on the resident found, where no other resident holds them."""
    user = await _one_resident(session, col(User.unionid) == unionid) if unionid else None
    if user is None:
        user = (
            await session.execute(select(User).where(col(User.web_openid) == web_openid))
        ).scalar_one_or_none()
        if user is not None and unionid and user.unionid is None:
            user.unionid = unionid
    if user is not None:
        if user.web_openid is None and not await _web_openid_taken(session, web_openid):
            user.web_openid = web_openid
        return user
    new = User(kind=UserKind.RESIDENT, web_openid=web_openid, unionid=unionid, created_at=now)

    async def find() -> User | None:
        return (
            await session.execute(select(User).where(col(User.web_openid) == web_openid))
        ).scalar_one_or_none()

    return await _insert_or_find(session, new, find)


async def _web_openid_taken(session: AsyncSession, web_openid: str) -> bool:
    found = await session.execute(select(col(User.id)).where(col(User.web_openid) == web_openid))
    return found.first() is not None


async def set_verified_phone(
    session: AsyncSession, user: User, *, phone: str, verified: bool, now: datetime
) -> None:
    """bindPhone: `phone` is the user's, as WeChat says. A resident's mainland mobile becomes
    their verified phone (SMS sign-in finds them by it) unless another resident holds it:
    PhoneInUse, and nothing changes. Other numbers are stored unverified. A concurrent bind of
    the same number by another resident fails the commit on the unique index; the caller
    answers that with `phone_in_use_elsewhere`."""
    if not (verified and user.kind is UserKind.RESIDENT):
        user.phone, user.phone_verified_at = phone, None
        return
    holder = await resident_by_verified_phone(session, phone)
    if holder is not None and holder.id != user.id:
        raise PhoneInUse(PHONE_IN_USE_MESSAGE, field="code")
    if user.phone != phone or user.phone_verified_at is None:
        user.phone, user.phone_verified_at = phone, now


async def phone_in_use_elsewhere(factory: SessionFactory, *, phone: str, user_id: int) -> bool:
    """After a failed commit: does another resident hold `phone` as verified now?"""
    async with factory() as session:
        holder = await resident_by_verified_phone(session, phone)
    return holder is not None and holder.id != user_id
