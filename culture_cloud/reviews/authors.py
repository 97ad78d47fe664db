"""How a resident appears to others: a masked nickname, never an id or contact data.

`public_name` is the rule; `public_name_sql` is the same rule in SQL for the compiled read path
(reviews/sql_review_list.py), kept here so that a change to one is seen next to the other."""

from __future__ import annotations

from datetime import datetime

from culture_cloud.privacy import mask_name

ANONYMOUS = "匿名用户"
DELETED_ACCOUNT = "已注销用户"

# What Python's `str.strip()` removes (every character for which `str.isspace()` is true);
# PostgreSQL's btrim removes only the characters it is given.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def public_name(nickname: str | None, deleted_at: datetime | None) -> str:
    if deleted_at is not None:
        return DELETED_ACCOUNT
    return mask_name(nickname.strip() if nickname else None) or ANONYMOUS


def public_name_sql(
    nickname: str, deleted_at: str, *, whitespace: str, deleted: str, anonymous: str
) -> str:
    """`public_name` over the SQL expressions `nickname` and `deleted_at`. `whitespace`,
    `deleted` and `anonymous` are SQL text values: PYTHON_WHITESPACE, DELETED_ACCOUNT and
    ANONYMOUS (bound parameters, so the statement's text needs no quoting of them).

    Lengths and the first character count code points on both sides (a UTF8 database)."""
    trimmed = f"btrim({nickname}, {whitespace})"
    masked = f"left({trimmed}, 1) || repeat('*', greatest(1, char_length({trimmed}) - 1))"
    return (
        f"(CASE WHEN {deleted_at} IS NOT NULL THEN {deleted} "
        f"WHEN coalesce({trimmed}, '') = '' THEN {anonymous} ELSE {masked} END)"
    )
