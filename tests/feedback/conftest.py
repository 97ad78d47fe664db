"""Feedback tests share the review tests' world and rules fixture."""

from __future__ import annotations

from tests.reviews.conftest import review_rules

__all__ = ["review_rules"]
