"""Resident memory of a `culture-cloud serve` worker after warm-up (issue #16: <= 150 MB).

    python -m bench.worker_memory [--database-url URL] [--requests 200] [--workers N]
                                  [--segmenter auto|shared|in-process]

Starts `culture-cloud serve --workers N` (default 1) on a free port (default: a fresh SQLite file in a
temporary folder, migrated and seeded first by the CLI), warms it up with the pages and queries a
visitor uses — the list page, search (Chinese, pinyin, a miss), nearby, the website's home,
search and township pages — then reads VmRSS of every process of the server from /proc and
prints it, each with its role (serve's own process, a worker, the shared segmenter, Python's
multiprocessing helpers) and the sum. The worker figure is the largest worker. Writes bench/results/worker_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.list_page import QUERY as LIST_QUERY
from bench.list_page import _free_port
from bench.search_map import NEARBY_QUERY, SEARCH_QUERY

ROOT = Path(__file__).resolve().parent.parent
BODIES: list[dict[str, Any]] = [
    {"query": LIST_QUERY, "variables": {"first": 20}},
    {"query": SEARCH_QUERY, "variables": {"text": "绵山", "first": 20}},
    {"query": SEARCH_QUERY, "variables": {"text": "mian shan", "first": 20}},
    {"query": SEARCH_QUERY, "variables": {"text": "想看晋剧表演", "first": 20}},
    {"query": SEARCH_QUERY, "variables": {"text": "火星基地", "first": 20}},
    {
        "query": NEARBY_QUERY,
        "variables": {"lat": 37.0269, "lng": 111.9169, "system": "WGS84", "radiusKm": 20.0},
    },
]
PAGES = ["/", "/search?q=%E7%BB%B5%E5%B1%B1", "/events", "/townships", "/nearby"]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *[p for child in children for p in _tree(int(child))]]


def _role(pid: int, serve_pid: int, workers: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    if b"culture_cloud.search.segmenter" in command:
        return "shared segmenter"
    if any(part.startswith(b"from multiprocessing.resource_tracker") for part in command):
        return "multiprocessing resource tracker"
    if pid == serve_pid:
        # With one worker uvicorn serves in serve's own process.
        return "worker" if workers == 1 else "serve (uvicorn's supervisor)"
    return "worker"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--segmenter", choices=("auto", "shared", "in-process"), default="auto")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="worker-memory-")
    url = args.database_url or f"sqlite+aiosqlite:///{workdir}/memory.db"
    port = _free_port()
    env = {**os.environ, "CULTURE_CLOUD_DATABASE_URL": url}
    # Seeded beforehand, as a restarted production worker finds its database: seeding indexes
    # documents, which loads pypinyin (~55 MB) into whichever process does it.
    for step in (["migrate"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "culture_cloud.cli", *step],
            env=env,
            cwd=workdir,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    command = [sys.executable, "-m", "culture_cloud.cli", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers), "--segmenter", args.segmenter]
    server = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=30) as client:
            for n in range(args.requests):
                body = BODIES[n % len(BODIES)]
                reply = client.post("/graphql", json=body).json()
                if reply.get("errors"):
                    sys.exit(f"{body['variables']}: {reply['errors']}")
                page = client.get(PAGES[n % len(PAGES)])
                if page.status_code >= 500:
                    sys.exit(f"{page.url}: {page.status_code}")
        processes = {
            pid: (_role(pid, server.pid, args.workers), round(_rss_mb(pid), 1))
            for pid in _tree(server.pid)
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
    worker = max(mb for role, mb in processes.values() if role == "worker")
    total = sum(mb for _, mb in processes.values())
    print(
        f"RSS after {args.requests} requests + {args.requests} pages ({url.split(':')[0]},"
        f" --workers {args.workers} --segmenter {args.segmenter}):"
    )
    for pid, (role, mb) in processes.items():
        print(f"  pid {pid}: {mb:.1f} MB  {role}")
    print(f"worker RSS: {worker:.1f} MB (target <= 150); all processes: {total:.1f} MB")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "worker_memory.json").write_text(
        json.dumps(
            {
                "processes": {pid: {"role": r, "mb": mb} for pid, (r, mb) in processes.items()},
                "worker_mb": worker,
                "total_mb": total,
                "workers": args.workers,
                "segmenter": args.segmenter,
                "database": url.split(":")[0],
            }
        )
    )


if __name__ == "__main__":
    main()
