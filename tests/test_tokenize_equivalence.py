"""The segmenter is part of the index format: rjieba (jieba-rs) must cut every text exactly as
jieba 0.42.1 with the same local words did, or documents indexed before the switch would stop
matching the same queries. Compared over every Chinese run of the seed data and the facts sheet,
and over random joins of them (runs a document or query could plausibly contain)."""

from __future__ import annotations

import logging
import random
import re
from pathlib import Path

import jieba
import pytest

from culture_cloud.search import tokenize

ROOT = Path(__file__).resolve().parents[1]
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _corpus() -> list[str]:
    runs: set[str] = set()
    for path in sorted((ROOT / "seeds").rglob("*")):
        if path.is_file() and path.suffix in {".json", ".yaml", ".yml", ".md", ".csv", ".txt"}:
            runs.update(_HAN_RUN.findall(path.read_text(encoding="utf-8")))
    runs.update(["介休市绵山风景名胜区", "张壁古堡的琉璃", "寒食清明文化节", "干调秧歌三弦书"])
    return sorted(runs)


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    for word in tokenize.LOCAL_WORDS:
        reference.add_word(word)
    return reference


def test_rjieba_cuts_like_jieba_on_every_seed_text(reference: jieba.Tokenizer) -> None:
    corpus = _corpus()
    assert len(corpus) > 300  # the seeds were found: the comparison is not empty
    segmenter = tokenize._jieba()
    different = [
        text
        for text in corpus
        if list(segmenter.cut_for_search(text)) != list(reference.cut_for_search(text))
    ]
    assert different == []


def test_rjieba_cuts_like_jieba_on_joined_texts(reference: jieba.Tokenizer) -> None:
    corpus, rng = _corpus(), random.Random(16)
    segmenter = tokenize._jieba()
    samples = ["".join(rng.sample(corpus, 3))[:80] for _ in range(1500)]
    different = [
        text
        for text in samples
        if list(segmenter.cut_for_search(text)) != list(reference.cut_for_search(text))
    ]
    assert different == []
