"""An httpx client created on first use.

A server process talks to WeChat and the SMS provider only when someone signs in or is
notified; importing httpx (with its HTTP/1.1 stack, certificates and, where installed, its
command line's rich/pygments) costs ~5 MB per worker that most workers never use (#16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class LazyHttpClient:
    """`request`/`post` of an `httpx.AsyncClient(**options)` built on the first call."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._client: httpx.AsyncClient | None = None

    @property
    def created(self) -> bool:
        return self._client is not None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(**self._options)
        return self._client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client().request(method, url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client().post(url, **kwargs)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
