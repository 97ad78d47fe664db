"""argparse types for the CLI: a wrong number is refused by argparse with a one-line usage error
before any setting is read or any connection opened."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _integer(text: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper limit when None)."""

    def parse(text: str) -> int:
        value = _integer(text)
        if value < low or (high is not None and value > high):
            wanted = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: must be {wanted}")
        return value

    return parse


port = int_range(1, 65535)
positive = int_range(1)
non_negative = int_range(0)
