"""The shared segmentation process (#16, culture_cloud/search/segmenter.py): the same cuts as in
process — the segmentation is part of the index format — and a worker that cannot reach it
still cuts, in process."""

from __future__ import annotations

import logging
import os
import random
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from culture_cloud.search import tokenize
from culture_cloud.search.segmenter import MAX_MESSAGE_BYTES, SegmenterClient, SharedSegmenter
from tests.test_tokenize_equivalence import _corpus


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedSegmenter]:
    segmenter = SharedSegmenter()
    yield segmenter
    segmenter.stop()


@pytest.fixture
def shared_tokenize(shared: SharedSegmenter) -> Iterator[SharedSegmenter]:
    tokenize.use_shared_segmenter(shared.path)
    yield shared
    tokenize.use_shared_segmenter(None)


def _never(text: str) -> list[str]:
    raise AssertionError(f"cut in process: {text}")


def test_shared__every_seed_text_and_joins__cut_as_in_process(shared: SharedSegmenter) -> None:
    corpus, rng = _corpus(), random.Random(16)
    texts = corpus + ["".join(rng.sample(corpus, 3))[:80] for _ in range(500)]
    client = SegmenterClient(shared.path, fallback=_never)
    try:
        different = [t for t in texts if list(client.cut(t)) != tokenize.in_process_cut(t)]
    finally:
        client.close()
    assert len(texts) > 800 and different == []
    assert not client.failed


def test_shared__query_and_document_terms__same_as_in_process(
    shared_tokenize: SharedSegmenter,
) -> None:
    queries = ["想看晋剧表演", "绵山 mian shan", "介休市的博物馆和文化馆", "火星基地", "张壁古堡"]
    fields = [("介休市绵山风景名胜区", 10), ("寒食清明文化节，干调秧歌三弦书", 1)]
    via_shared = [tokenize.query_terms(q) for q in queries], tokenize.document_terms(fields)
    assert tokenize._shared is not None and not tokenize._shared.failed
    tokenize.use_shared_segmenter(None)
    assert via_shared == (
        [tokenize.query_terms(q) for q in queries],
        tokenize.document_terms(fields),
    )


def test_client__no_process__logs_once_and_cuts_in_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = SegmenterClient(str(tmp_path / "absent.sock"), fallback=tokenize.in_process_cut)
    with caplog.at_level(logging.WARNING):
        assert list(client.cut("想看晋剧表演")) == ["想", "看", "晋剧", "表演"]
        assert list(client.cut("绵山")) == ["绵山"]
    assert client.failed
    assert len([r for r in caplog.records if "cutting in process" in r.getMessage()]) == 1


def test_process__oversized_or_broken_request__drops_that_connection_only(
    shared: SharedSegmenter,
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bad:
        bad.settimeout(5)
        bad.connect(shared.path)
        bad.sendall(struct.pack("!I", MAX_MESSAGE_BYTES + 1))
        assert bad.recv(4) == b""  # closed without an answer
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bad:
        bad.settimeout(5)
        bad.connect(shared.path)
        bad.sendall(struct.pack("!I", 2) + b"\xff\xfe")  # not UTF-8
        assert bad.recv(4) == b""
    client = SegmenterClient(shared.path, fallback=_never)
    try:
        assert (
            list(client.cut("介休市"))
            == tokenize.in_process_cut("介休市")
            == ["介休", "休市", "介休市"]
        )
    finally:
        client.close()


def test_process__stop__ends_it_and_removes_the_socket() -> None:
    segmenter = SharedSegmenter()
    path = Path(segmenter.path)
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    segmenter.stop()
    assert segmenter.process.poll() is not None
    assert not path.parent.exists()


def test_cli_segmenter__systemd_unit_command__answers_then_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    """`culture-cloud segmenter --socket PATH` (culture-cloud-segmenter.service's ExecStart):
    serves cuts on the socket, and SIGTERM (systemd's stop) ends it and removes the socket."""
    path = tmp_path / "run" / "segmenter.sock"
    path.parent.mkdir()
    program = Path(sys.executable).with_name("culture-cloud")
    process = subprocess.Popen(
        [str(program), "segmenter", "--socket", str(path)],
        env={**os.environ, "CULTURE_CLOUD_DATABASE_URL": "postgresql+asyncpg://nowhere/x"},
    )
    try:
        client = SegmenterClient(str(path), fallback=_never, timeout=5.0)
        deadline = time.monotonic() + 120
        while not path.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        assert list(client.cut("介休绵山风景名胜区")) == tokenize.in_process_cut(
            "介休绵山风景名胜区"
        )
        assert (path.stat().st_mode & 0o777) == 0o600
        client.close()
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert not path.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
