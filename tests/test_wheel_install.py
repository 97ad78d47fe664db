"""`pip install` of a built wheel works outside the checkout: migrations, seeds and the schema
travel inside the package. Builds an sdist and a wheel from it (as `pip install .` and
`python -m build` do), installs it into a fresh virtual environment and runs migrate, seed,
serve and one query there.

Fast and offline: the fresh environment borrows this environment's installed dependencies
through a .pth file and gets only the wheel (`--no-deps`); the build uses this environment's
setuptools (`--no-build-isolation`). The checkout is never importable from the fresh one (the
commands run outside it, and the borrowed site-packages' own .pth files, including the
editable install's, are not processed for a path added by a .pth file).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("culture_cloud", "schema", "seeds", "pyproject.toml", "setup.py", "MANIFEST.in")
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[co]", "*.db", "*.db-*", "_data")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy, so the build leaves nothing (build/, egg-info) in the checkout.
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    build_sdist = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    sdist = dist / _run([sys.executable, "-c", build_sdist], source).strip().splitlines()[-1]
    wheels = tmp_path_factory.mktemp("wheels")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    _run([*pip_wheel, "--quiet", "-w", str(wheels), str(sdist)], dist)
    (built,) = wheels.glob("culture_cloud-*.whl")
    return built


def test_wheel__contains_migrations_seeds_and_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "culture_cloud/_data"
    assert f"{data}/schema/schema.graphql" in names
    assert f"{data}/schema/migrations/env.py" in names
    assert f"{data}/schema/migrations/script.py.mako" in names
    migrations = sorted((ROOT / "schema" / "migrations" / "versions").glob("*.py"))
    for migration in migrations:
        assert f"{data}/schema/migrations/versions/{migration.name}" in names
    for seed in (ROOT / "seeds" / "jiexiu").glob("*.json"):
        assert f"{data}/seeds/jiexiu/{seed.name}" in names
    assert "culture_cloud/dashboard/static/app.js" in names
    # The privacy notice the privacyNotice query serves.
    assert "culture_cloud/accounts/privacy_notice.md" in names
    web = ROOT / "culture_cloud" / "web"
    # Every file of the static tree (vendored libraries sit in folders: static/leaflet/…).
    patterns = ("static/**/*", "templates/*.html", "*/templates/*.html", "*/templates/*/*.html")
    for pattern in (*patterns, "**/*.graphql"):
        for path in web.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"culture_cloud/web/{path.relative_to(web).as_posix()}" in names, path
    assert not [name for name in names if "__pycache__" in name]


def test_wheel__fresh_virtualenv__migrates_seeds_serves_and_answers(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            tmp_path,
        ).strip()
    )
    (purelib / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    _run([*pip_install, "--no-deps", "--no-index", str(wheel)], tmp_path)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CULTURE_CLOUD_", "PYTHON"))}
    env["CULTURE_CLOUD_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'installed.db'}"
    env["CULTURE_CLOUD_ENVIRONMENT"] = "development"
    where = _run(
        [str(python), "-c", "import culture_cloud; print(culture_cloud.__file__)"], tmp_path, env
    )
    assert Path(where.strip()).is_relative_to(purelib), where

    cli = str(venv / "bin" / "culture-cloud")
    _run([cli, "migrate"], tmp_path, env)
    assert "Jiexiu seed data loaded" in _run([cli, "seed"], tmp_path, env)
    _run([cli, "export-schema", "--check"], tmp_path, env)  # the shipped SDL matches the code

    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(server, base, log_path)
            query = {"query": "{ regions { name } }"}
            body = httpx.post(f"{base}/graphql", json=query, timeout=10).json()
            assert len(body["data"]["regions"]) == 14
            assert "绵山镇" in {region["name"] for region in body["data"]["regions"]}
            # The website from the installed package: templates, documents and assets.
            home = httpx.get(f"{base}/", timeout=10)
            assert home.status_code == 200 and "绵山镇" in home.text
            (css,) = re.findall(r'href="(/static/[0-9a-f]+/site\.css)"', home.text)
            assert httpx.get(f"{base}{css}", timeout=10).status_code == 200
            township = httpx.get(f"{base}/townships/mianshan", timeout=10)  # uses partials/
            assert township.status_code == 200 and "绵山风景名胜区" in township.text
        finally:
            server.terminate()
            server.wait(timeout=15)
