"""Phone numbers and codes as people type them."""

from __future__ import annotations

import re
from typing import Final

from culture_cloud.errors import BadInput

MAINLAND_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}")
CODE_PATTERN: Final = re.compile(r"[0-9]{6}")
CODE_LENGTH: Final = 6
# Spaces, hyphens and brackets people put between digit groups: "138 0000 1234", "(+86)".
_SEPARATORS: Final = re.compile(r"[\s\-()（）]")
# Longer input is not a phone number, however it is spaced.
_MAX_INPUT: Final = 32


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """A mainland China mobile number as 11 digits: "+86 138-0000-1234", "0086 13800001234"
    and "138 0000 1234" are accepted; anything else is BadInput on `field`."""
    if not value or not value.strip():
        raise BadInput("请输入手机号", field=field)
    if len(value) > _MAX_INPUT:
        raise BadInput("请输入 11 位中国大陆手机号", field=field)
    digits = _SEPARATORS.sub("", value)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    else:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
    if not MAINLAND_MOBILE.fullmatch(digits):
        raise BadInput("请输入 11 位中国大陆手机号", field=field)
    return digits


def is_mainland_mobile(value: str | None) -> bool:
    return value is not None and MAINLAND_MOBILE.fullmatch(value) is not None
