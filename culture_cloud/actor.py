"""Who performs a command, from where and when: the one argument every write service takes
instead of threading `viewer, ip, now` through each signature. No Strawberry here: services
import it, and the GraphQL layer (graphql/mutation.py) builds it from the request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from culture_cloud.identity import Viewer


@dataclass(frozen=True, slots=True)
class Actor:
    viewer: Viewer
    # The client's address, kept in the audit log of staff and administrator actions.
    ip: str | None
    # The request's clock: every row a command writes carries the same instant.
    now: datetime
