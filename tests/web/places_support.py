"""Helpers for the place, township, wish and menu page tests: rows of the Jiexiu seed by key, a
page's JSON-LD and field messages, and a resident's browser (residents sign in by SMS or WeChat,
which other work brings; a test hands the browser the session cookie a sign-in would set)."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from sqlalchemy import select

from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as m
from culture_cloud.web.sessions import ACCESS_COOKIE
from tests.accounts.factories import token_for
from tests.conftest import Database
from tests.web.support import WebClient

COOKIE_DOMAIN = "test.local"  # what the cookie jar makes of the test client's host "test"


async def seed_pk(db: Database, model: Any, key: str) -> int:
    """The row id of a seed row (venue, scenic spot, agency, guide, region) by its key."""
    async with db.factory() as session:
        found = (await session.execute(select(model.id).where(model.key == key))).scalar_one()
    return int(found)


async def region_pk(db: Database, key: str) -> int:
    return await seed_pk(db, m.Region, key)


async def sign_in_as(site: WebClient, db: Database, user: User) -> None:
    """The browser holds `user`'s session, as after signing in."""
    site.http.cookies.set(ACCESS_COOKIE, await token_for(db, user), domain=COOKIE_DOMAIN)


def json_ld(html: str) -> dict[str, Any]:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data: dict[str, Any] = json.loads(block)
    return data


def field_error(html: str, name: str) -> str | None:
    """The message shown beside the form field `name`, if any."""
    found = re.search(rf'<p class="field-error" id="f-{re.escape(name)}-error">(.*?)</p>', html)
    return unescape(found.group(1)) if found else None


def field_value(html: str, name: str) -> str | None:
    """What the field `name` holds as the page comes back (input value or textarea text)."""
    tag = re.search(rf'<input id="f-{re.escape(name)}"[^>]*>', html)
    if tag:
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return unescape(value.group(1)) if value else None
    area = re.search(rf'<textarea id="f-{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(area.group(1)) if area else None


def links(html: str, prefix: str) -> list[str]:
    """Every href on the page that starts with `prefix`, in page order."""
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html) if h.startswith(prefix)]
