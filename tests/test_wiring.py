"""Cross-domain hooks are registered by culture_cloud/wiring.py, not by importing modules.

Run in a fresh interpreter: this test process is already wired by tests/conftest.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json
import culture_cloud.app, culture_cloud.cli, culture_cloud.models_registry
import culture_cloud.bookings.personal_data, culture_cloud.menu.personal_data
import culture_cloud.reviews.personal_data, culture_cloud.feedback.personal_data
import culture_cloud.menu.scores
import culture_cloud.menu.orders.service
from culture_cloud.accounts import personal_data
from culture_cloud.publishing import event_hooks
from culture_cloud.reviews import signals
from culture_cloud.wiring import wire

def counts():
    return [
        sorted(personal_data._exporters),
        len(personal_data._erasers),
        len(signals._listeners),
        len(event_hooks._event_cancelled_listeners),
    ]

before = counts()
wire()
once = counts()
wire()
print(json.dumps([before, once, counts()]))
"""


def _run_probe() -> list[list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    result: list[list[object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_wire__modules_only_imported__no_hook_registered_until_wired() -> None:
    before, once, twice = _run_probe()
    assert before == [[], 0, 0, 0]
    assert once == [["bookings", "communityGroups", "feedback", "reviews", "wishes"], 4, 1, 1]
    assert twice == once
