"""deploy/systemd: the units and timers an install copies to /etc/systemd/system. Checked by
systemd's own `systemd-analyze verify` (with the program path pointed at this checkout), and
read here for what verify cannot know: each ExecStart is a command `culture-cloud` accepts,
every timer starts a unit that exists, the API's stop timeout outlasts its graceful shutdown, and
the API template's default instances (its ports) are nginx's upstream servers."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from culture_cloud.cli import _parser
from culture_cloud.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/culture-cloud/bin/culture-cloud"
API = UNITS / "culture-cloud-api@.service"
# The API instances an install enables (README): nginx's upstream servers, one port each.
PORTS = [
    address.rpartition(":")[2]
    for address in next(
        line.partition("=")[2].split()
        for line in (ROOT / "deploy/nginx/production.env").read_text(encoding="utf-8").splitlines()
        if line.startswith("UPSTREAM=")
    )
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def _files(*suffixes: str) -> list[Path]:
    return sorted(p for p in UNITS.iterdir() if p.suffix in suffixes)


def test_units__systemd_analyze_verify__no_complaint(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        message = "systemd-analyze not installed: apt-get install -y systemd (.ci/prepare does)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    program = Path(sys.executable).with_name("culture-cloud")
    assert program.exists(), program
    for path in _files(".service", ".timer"):
        text = path.read_text(encoding="utf-8").replace(INSTALLED, str(program))
        # The env file exists only on an installed host.
        text = text.replace("EnvironmentFile=/", "EnvironmentFile=-/")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    # A template is checked as its instances: verify finds culture-cloud-api@8000.service's file
    # (the template beside it) and puts the port where %i stands.
    names = [p.name for p in tmp_path.iterdir() if "@." not in p.name]
    names += [API.name.replace("@.", f"@{port}.") for port in PORTS]
    result = subprocess.run(
        [analyze, "verify", *sorted(str(tmp_path / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    # verify warns about settings it ignores ("Failed to parse ..., ignoring") yet exits 0.
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_units__every_exec_start__a_culture_cloud_command() -> None:
    services = _files(".service")
    assert {p.stem for p in services} == {
        "culture-cloud-api@",
        "culture-cloud-notifications",
        "culture-cloud-rollup",
        "culture-cloud-reminders",
        "culture-cloud-no-shows",
        "culture-cloud-segmenter",
    }
    commands = {}
    for path in services:
        # A template's instance is its port.
        argv = shlex.split(_unit(path)["Service"]["ExecStart"].replace("%i", "8000"))
        assert argv[0] == INSTALLED, path.name
        commands[path.stem] = _parser().parse_args(argv[1:]).command  # exits on a bad command
    assert commands["culture-cloud-api@"] == "serve"
    assert commands["culture-cloud-notifications"] == "send-notifications"
    assert commands["culture-cloud-segmenter"] == "segmenter"


def test_api_unit__finds_the_hosts_segmenter_in_its_runtime_directory() -> None:
    """The API instances cut search text through the shared segmenter (#16): its socket is
    where the segmenter unit listens, inside the directory systemd makes for that unit."""
    segmenter = _unit(UNITS / "culture-cloud-segmenter.service")["Service"]
    argv = shlex.split(segmenter["ExecStart"])
    socket = _parser().parse_args(argv[1:]).socket
    assert socket.startswith(f"/run/{segmenter['RuntimeDirectory']}/")
    api = _unit(API)
    assert f"CULTURE_CLOUD_SEGMENTER_SOCKET={socket}" in api["Service"]["Environment"].split()
    assert "culture-cloud-segmenter.service" in api["Unit"]["Wants"].split()
    assert "culture-cloud-segmenter.service" in api["Unit"]["After"].split()


def test_timers__each_starts_its_oneshot_service() -> None:
    timers = _files(".timer")
    assert {p.stem for p in timers} == {
        "culture-cloud-rollup",
        "culture-cloud-reminders",
        "culture-cloud-no-shows",
    }
    for timer in timers:
        assert _unit(timer)["Timer"]["OnCalendar"]
        service = _unit(timer.with_suffix(".service"))["Service"]
        assert service["Type"] == "oneshot", timer.name


def test_api_unit__stop_timeout_outlasts_graceful_shutdown_and_metrics_dir_is_its_runtime() -> None:
    service = _unit(API)["Service"]
    assert service["KillSignal"] == "SIGTERM" and service["KillMode"] == "mixed"
    default = Settings.model_fields["shutdown_timeout_seconds"].default
    assert float(service["TimeoutStopSec"]) > default + 5
    # Per instance: `serve` empties its metrics directory at start, and a stopped unit's
    # runtime directory is removed.
    assert "%i" in service["RuntimeDirectory"]
    assert (
        f"CULTURE_CLOUD_METRICS_DIR=/run/{service['RuntimeDirectory']}/" in service["Environment"]
    )
    # glibc arenas capped for the workers' threads (#16, docs/decisions.md).
    assert "MALLOC_ARENA_MAX=2" in service["Environment"].split()


def test_api_unit__one_worker_per_instance_on_nginxs_upstream_ports() -> None:
    argv = shlex.split(_unit(API)["Service"]["ExecStart"])
    assert argv[argv.index("--port") + 1] == "%i"
    assert len(PORTS) >= 2, PORTS  # one restarts while another serves
    for port in PORTS:
        args = _parser().parse_args([a.replace("%i", port) for a in argv[1:]])
        assert (args.host, args.port, args.workers) == ("127.0.0.1", int(port), 1)
