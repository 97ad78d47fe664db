"""Review tests run on both databases; `pg` marks the ones only PostgreSQL can prove."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from culture_cloud.reviews import rules


@pytest.fixture
def review_rules(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set CULTURE_CLOUD_REVIEWS_* variables through the returned monkeypatch; the rules are
    re-read for the test and restored afterwards."""
    rules.current_rules.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    rules.current_rules.cache_clear()
