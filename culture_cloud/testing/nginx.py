"""Debian's nginx with the shipped site config (deploy/nginx/), run as an unprivileged-port
process in a temporary directory: for the deployment tests and the cache benchmark.

The site is rendered by deploy/nginx/render.py itself (so the tests check the shipped template
and its renderer), with loopback ports, a self-signed certificate and directories under
`directory`; a small main config around it replaces /etc/nginx/nginx.conf. Source checkouts
only: deploy/ is not part of the wheel.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available() -> bool:
    return Path(NGINX).exists() and shutil.which("openssl") is not None and DEPLOY.is_dir()


def renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "culture_cloud_nginx_render", DEPLOY / "render.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def self_signed_certificate(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "2", "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def main_config(directory: Path, site: Path) -> Path:
    """An nginx.conf that keeps every file nginx writes inside `directory`."""
    # As root, worker processes would switch to `nobody`, who cannot enter pytest's 0700
    # temporary directories.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"  {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = directory / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  # The cache's verdict on each request: the benchmark counts hits from it.
  log_format cache '$upstream_cache_status $status $request_method $request_id';
  access_log {directory / "access.log"} cache;
{temp}
  include {site};
}}
""",
        encoding="utf-8",
    )
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check(config: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a main config; the result carries nginx's own words."""
    return subprocess.run(
        [NGINX, "-t", "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )


@dataclass
class LocalNginx:
    directory: Path
    http_port: int
    https_port: int

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def cache_verdicts(self) -> dict[str, int]:
        """Requests so far by X-Cache-Status (`-`: not a cacheable request, e.g. a POST)."""
        counts: dict[str, int] = {}
        path = self.directory / "access.log"
        for line in path.read_text().splitlines() if path.exists() else ():
            verdict = line.split(" ", 1)[0]
            counts[verdict] = counts.get(verdict, 0) + 1
        return counts

    @property
    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def site_values(directory: Path, upstream: str, http_port: int, https_port: int) -> dict[str, str]:
    cert, key = self_signed_certificate(directory)
    for sub in ("cache", "media", "acme"):
        (directory / sub).mkdir(exist_ok=True)
    return {
        "SERVER_NAME": "localhost",
        "HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "UPSTREAM": upstream,
        "TLS_CERTIFICATE": str(cert),
        "TLS_CERTIFICATE_KEY": str(key),
        "ACME_ROOT": str(directory / "acme"),
        "CACHE_DIR": str(directory / "cache"),
        "MEDIA_DIR": str(directory / "media"),
    }


@contextmanager
def running(directory: Path, upstream: str, *, seconds: float = 20) -> Iterator[LocalNginx]:
    """nginx in front of `upstream` (host:port) until the block ends."""
    http_port, https_port = free_port(), free_port()
    site = directory / "culture-cloud.conf"
    site.write_text(
        renderer().render(site_values(directory, upstream, http_port, https_port)),
        encoding="utf-8",
    )
    config = main_config(directory, site)
    checked = check(config, directory)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
    process = subprocess.Popen(
        [
            *(NGINX, "-p", str(directory), "-e", str(directory / "error.log")),
            *("-c", str(config), "-g", "daemon off;"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = LocalNginx(directory, http_port, https_port)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{nginx.error_log}")
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not listen:\n{nginx.error_log}") from None
                time.sleep(0.05)
        yield nginx
    finally:
        process.terminate()  # SIGTERM: fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
