"""Rendered pages kept by their complete rendering inputs (issue #14): a page whose template,
status and every value the template sees are the same as an earlier render's is that render,
byte for byte, so FrontEnd.render takes the HTML from here instead of running Jinja again.
The page's document still runs on every request: only the render of unchanged data is skipped,
so nothing here can be stale (changed data is a different key).

The key is a pickle of the inputs, not JSON: JSON would make a tuple and a list, an enum and
its value, NaN and None, Markup and the same text, or one dict's key order and another's the
same key, though a template renders each pair differently. Pickle keeps all of those apart
(the standard types by the C pickler itself); any other object must be of a type listed in
KEYABLE, whose pickle is its whole state, or the page is rendered uncached (`Unkeyable`).
Identical inputs shared differently (one string object used twice, or two equal ones) may
pickle differently: a needless miss, never a wrong hit.

Only a BLAKE2b digest of the key is kept; the bound is on the pages' size in memory, least
recently used out first.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
from collections import OrderedDict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from markupsafe import Markup

from culture_cloud.web.results import FormErrors

# Besides the pickler's own (None, bool, int, float, str, bytes, list, tuple, dict, set,
# frozenset): the values pages pass to templates, each pickled as its complete state.
# Exact types: a subclass may render from more than its state. Enum members are their class
# and value.
KEYABLE = frozenset({Markup, FormErrors, date, datetime, time, timedelta, timezone, Decimal})
# Per entry beyond the page's text: the digest, the OrderedDict's node and key.
ENTRY_OVERHEAD_BYTES = 200


class Unkeyable(Exception):
    """A value the key cannot be trusted to describe completely: render without the cache."""


class _KeyPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        # Called for every object except the standard types above (exact types: a str or
        # dict subclass comes here too), and for the classes the reductions name.
        if isinstance(obj, type):
            if obj in KEYABLE or issubclass(obj, Enum):
                return NotImplemented  # named by module and name
        elif type(obj) in KEYABLE or isinstance(obj, Enum):
            return NotImplemented  # the standard reduction: class and state
        raise Unkeyable(type(obj).__qualname__)


def render_key(*inputs: Any) -> bytes:
    """The digest of the inputs (template name, status, date, context ...), or Unkeyable."""
    buffer = io.BytesIO()
    try:
        _KeyPickler(buffer, protocol=5).dump(inputs)
    except Unkeyable:
        raise
    except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise Unkeyable(type(exc).__name__) from exc
    return hashlib.blake2b(buffer.getbuffer(), digest_size=32).digest()


def _size(page: str) -> int:
    return sys.getsizeof(page) + ENTRY_OVERHEAD_BYTES


class RenderCache:
    """Pages by key, at most `max_bytes` of them in memory; 0 keeps nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[bytes, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: bytes) -> str | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: bytes, page: str) -> None:
        size = _size(page)
        if size > self.max_bytes:
            return  # larger than the whole cache: keeping it would empty it for nothing
        old = self._pages.pop(key, None)
        if old is not None:
            self.size -= _size(old)
        self._pages[key] = page
        self.size += size
        while self.size > self.max_bytes:
            _, evicted = self._pages.popitem(last=False)
            self.size -= _size(evicted)
