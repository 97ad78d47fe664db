"""Menu GraphQL types. TYPES lists those the root schema must know even when no field
returns them directly (union members, Node implementations)."""

from __future__ import annotations

from typing import Any

TYPES: list[Any] = []
