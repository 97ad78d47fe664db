"""`culture-cloud serve --workers 2`: whichever worker answers the scrape, /metrics counts the
requests of both (prometheus-client's multi-process mode through CULTURE_CLOUD_METRICS_DIR)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import free_port, wait_until_healthy

REQUESTS = 12
QUERY = "query WorkersProbe { __typename }"


def _operations(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "culture_cloud_graphql_operations_total"
        and sample.labels.get("operation") == "WorkersProbe"
    )


def test_serve_two_workers__any_scrape__counts_both_workers(tmp_path: Path) -> None:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over from an earlier run")
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "culture_cloud.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env={
                **os.environ,
                "CULTURE_CLOUD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
                "CULTURE_CLOUD_ENVIRONMENT": "test",
                "CULTURE_CLOUD_SEED_ON_START": "false",
                "CULTURE_CLOUD_METRICS_DIR": str(metrics_dir),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(server, base, log_path)
            for _ in range(REQUESTS):
                # A new connection each time: the kernel spreads them over the workers.
                response = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=10)
                assert response.status_code == 200
            writers = {path.name.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
            scrapes = [httpx.get(f"{base}/metrics", timeout=10) for _ in range(6)]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert "999999.db" not in writers  # the directory was emptied at start
    assert len(writers) == 2, (writers, log_path.read_text(errors="replace"))
    assert [_operations(scrape.text) for scrape in scrapes] == [REQUESTS] * len(scrapes)
