"""The sensitive-word filter: which listed words a text contains, and whether it carries
personal data (a mobile number, an ID number, an e-mail address) that must not be published.

Texts and words are compared after folding: NFKC (full-width letters and digits become plain
ones), case-folded, with whitespace, punctuation and symbols removed, so "加 微-信" and "ＦＵＣＫ"
are caught like "加微信" and "fuck". Words are read once per process from the list file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DEFAULT_WORDS_FILE = Path(__file__).with_name("sensitive_words.txt")

# Unicode categories dropped before matching: separators, punctuation, symbols, controls.
_SKIPPED = ("Z", "P", "S", "C")


def fold(text: str) -> str:
    normalised = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in normalised if not unicodedata.category(ch).startswith(_SKIPPED))


@cache
def load_words(path: Path) -> tuple[tuple[str, str], ...]:
    """(word as listed, folded word) for every non-empty, non-comment line."""
    words: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        folded = fold(word)
        if folded:
            words.append((word, folded))
    return tuple(words)


def find_sensitive(text: str, path: Path | None = None) -> list[str]:
    """The listed words `text` contains, in list order, each once."""
    folded = fold(text)
    return [word for word, needle in load_words(path or DEFAULT_WORDS_FILE) if needle in folded]


# On folded text, so "138 1234-5678" is caught; digits around them must not extend the match.
_PERSONAL_DATA = (
    ("手机号", re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")),
    ("身份证号", re.compile(r"(?<!\d)\d{17}[\dx](?![\dx])")),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def find_personal_data(text: str) -> list[str]:
    """Labels of the kinds of personal data in `text` ("手机号", "身份证号", "邮箱")."""
    folded = fold(text)
    found = [label for label, pattern in _PERSONAL_DATA if pattern.search(folded)]
    if _EMAIL.search(unicodedata.normalize("NFKC", text)):
        found.append("邮箱")
    return found
