"""The context of a WebSocket connection: shared by every operation on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from culture_cloud.graphql.context import Context
from culture_cloud.live.hub import SeatsHub
from culture_cloud.live.listener import SeatsListener


@dataclass
class SubscriptionContext(Context):
    # The `connection_init` payload; strawberry fills it in before calling on_ws_connect.
    connection_params: dict[str, object] = field(default_factory=dict)
    # None on SQLite, where changes reach the broker without a listener.
    seats_listener: SeatsListener | None = None
    # The process's fan-out (live/hub.py); None only where no app runs (tests of parts).
    seats_hub: SeatsHub | None = None
    # The website's session (its access cookie) when a page of this site opened the socket;
    # used only when connection_init carries no authorization (see app.on_ws_connect).
    session_authorization: str | None = None
