"""An operator's typo: every CLI command answers in one or two lines on stderr, exits non-zero,
shows no traceback and never repeats a secret. Runs the real CLI as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL

PASSWORD = "Pa55-word-never-echoed"
SECRET_KEY = "secret-key-never-echoed"
WECHAT_SECRET = "wechat-secret-never-echoed"


def _refused_port() -> int:
    # A port the OS just handed out and nobody listens on: connecting there is refused.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CULTURE_CLOUD_")}
    env.update({f"CULTURE_CLOUD_{k.upper()}": v for k, v in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "culture_cloud.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _assert_short_answer(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result
    assert 1 <= len(lines) <= 2, result.stderr
    assert "Traceback" not in result.stderr
    for secret in (PASSWORD, SECRET_KEY, WECHAT_SECRET):
        assert secret not in result.stderr and secret not in result.stdout
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


BAD_URLS = {
    "unknown_scheme": (f"mysql://root:{PASSWORD}@db/jiexiu", "postgresql+asyncpg://"),
    "postgresql_without_asyncpg": (
        f"postgresql://postgres:{PASSWORD}@127.0.0.1/jiexiu",
        "postgresql+asyncpg://",
    ),
    "postgres_heroku_style": (f"postgres://u:{PASSWORD}@h/db", "postgresql+asyncpg://"),
    "sync_sqlite": ("sqlite:///./culture_cloud.db", "sqlite+aiosqlite:///"),
    "not_a_url": (PASSWORD, "DATABASE_URL"),
    "sqlite_missing_directory": (
        "sqlite+aiosqlite:////nonexistent-dir-for-test/sub/culture_cloud.db",
        "/nonexistent-dir-for-test/sub",
    ),
}


@pytest.mark.parametrize("case", list(BAD_URLS))
def test_cli__bad_database_url__one_or_two_lines_without_the_password(
    case: str, tmp_path: Path
) -> None:
    url, hint = BAD_URLS[case]
    result = _run(["migrate"], tmp_path, database_url=url)
    _assert_short_answer(result, "CULTURE_CLOUD_DATABASE_URL", hint)


def test_cli__refused_port__says_where_and_what_to_check(tmp_path: Path) -> None:
    port = _refused_port()
    url = f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:{port}/jiexiu"
    result = _run(["migrate"], tmp_path, database_url=url)
    _assert_short_answer(result, f"127.0.0.1:{port}", "refused")


def test_cli__database_does_not_exist__says_to_create_it(tmp_path: Path) -> None:
    server = make_url(POSTGRES_URL)
    try:
        socket.create_connection((server.host or "127.0.0.1", server.port or 5432), 2).close()
    except OSError:
        pytest.skip("PostgreSQL is not running")
    url = server.set(database="no_such_database_for_test", password=PASSWORD)
    result = _run(["migrate"], tmp_path, database_url=url.render_as_string(hide_password=False))
    _assert_short_answer(result, "no_such_database_for_test", "does not exist", "createdb")


# Every command reads the settings first: each answers the same short way.
COMMANDS = [
    ["serve", "--port", "8123"],
    ["migrate"],
    ["seed"],
    ["create-admin", "--username", "root", "--password", "a-strong-admin-password"],
    ["mark-no-shows"],
    ["rollup"],
    ["send-notifications", "--once"],
    ["send-reminders"],
    ["export-schema", "--check"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_cli__every_command__bad_setting_answers_in_one_line(
    args: list[str], tmp_path: Path
) -> None:
    result = _run(args, tmp_path, db_pool_size="abc", secret_key=SECRET_KEY)
    _assert_short_answer(result, "CULTURE_CLOUD_DB_POOL_SIZE", "integer")


def test_cli__production_secret_too_short__names_the_variable_not_the_value(
    tmp_path: Path,
) -> None:
    result = _run(
        ["migrate"],
        tmp_path,
        environment="production",
        secret_key=SECRET_KEY,
        wechat_secret=WECHAT_SECRET,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    )
    _assert_short_answer(result, "CULTURE_CLOUD_SECRET_KEY", "32")


def test_cli__many_bad_settings__still_two_lines(tmp_path: Path) -> None:
    result = _run(
        ["migrate"],
        tmp_path,
        db_pool_size="0",
        max_query_depth="1",
        max_query_aliases="x",
        wechat_timeout_seconds="-1",
    )
    stderr = _assert_short_answer(result, "CULTURE_CLOUD_DB_POOL_SIZE")
    assert "3 more" in stderr


def test_cli__malformed_json_setting__names_it(tmp_path: Path) -> None:
    result = _run(["migrate"], tmp_path, wechat_template_ids="{not json")
    _assert_short_answer(result, "CULTURE_CLOUD_WECHAT_TEMPLATE_IDS", "JSON")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "--port", "0"], "--port"),
        (["serve", "--port", "65536"], "--port"),
        (["serve", "--port", "http"], "--port"),
        (["serve", "--workers", "0"], "--workers"),
        (["seed", "--synthetic", "-1"], "--synthetic"),
        (["seed", "--synthetic-bookings", "-5"], "--synthetic-bookings"),
        (["seed", "--synthetic-reviews", "many"], "--synthetic-reviews"),
        (["send-notifications", "--batch", "0"], "--batch"),
    ],
)
def test_cli__argument_out_of_range__refused_before_anything_runs(
    args: list[str], needle: str, tmp_path: Path
) -> None:
    database = tmp_path / "untouched.db"
    result = _run(args, tmp_path, database_url=f"sqlite+aiosqlite:///{database}")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert f"argument {needle}:" in result.stderr
    assert not database.exists()  # refused before any connection
