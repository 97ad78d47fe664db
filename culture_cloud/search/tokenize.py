"""Tokenizer for the portable Chinese + pinyin search index.

The database stores ``search_term(kind, object_id, term, weight)`` rows produced by
:func:`document_terms` and answers a query with plain SQL: rows whose ``term`` equals one of
the query's exact terms or starts with one of its prefix terms (``term LIKE 'p%'``).  All
language processing therefore happens here, in Python, so SQLite and PostgreSQL return
identical results.

Documents and queries go through the same normalisation and segmentation code, so a word
that jieba cuts out of a document is cut out of the same text in a query.  The segmentation
is part of the index format: changing the dictionary below requires re-indexing.

Segmentation is jieba-rs (``rjieba``): jieba 0.42.1's dictionary and algorithm in Rust, whose
cuts are proven equal to jieba's by tests/test_tokenize_equivalence.py, at ~33 MB instead of
jieba's ~70 MB of Python dict.  pypinyin (~55 MB of phrase tables) is imported only when a
document is indexed: queries never need pinyin, so a worker that only reads stays lean.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from culture_cloud.search.segmenter import SegmenterClient

if TYPE_CHECKING:
    from rjieba import Jieba

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MAX_TERM_CHARS",
    "QueryTerms",
    "document_terms",
    "han_words",
    "in_process_cut",
    "query_terms",
    "use_shared_segmenter",
    "warm_up",
]

MAX_TERM_CHARS: Final = 64
MAX_QUERY_CHARS: Final = 100
MAX_QUERY_TERMS: Final = 16

# Local names that must be cut out whole (jieba's search mode still yields their sub-words).
# Order matters for reproducibility: add_word() derives each frequency from the current total.
LOCAL_WORDS: Final[tuple[str, ...]] = (
    "介休",
    "介休市",
    "绵山",
    "张壁",
    "张壁古堡",
    "后土庙",
    "祆神楼",
    "城隍庙",
    "五岳庙",
    "源神庙",
    "琉璃",
    "寒食",
    "清明",
    "介子推",
    "干调秧歌",
    "三弦书",
    "晋剧",
    "文化馆",
    "图书馆",
    "博物馆",
    "文化站",
)

# Single-character function words dropped when jieba returns them as a token of their own.
STOPWORDS: Final[frozenset[str]] = frozenset("的地得和与及或在是了着过也都而之其于以等这那把被从向")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# han: a run of Chinese characters; word: letters/digits of any other script;
# join: what a user types between syllables of one pinyin phrase; other: anything else.
_TOKEN_RE: Final = re.compile(
    rf"(?P<han>[{_HAN}]+)|(?P<word>(?:(?![{_HAN}])[^\W_])+)|(?P<join>[\s'‘’`]+)|(?P<other>.)",
    re.DOTALL,
)

_lock = threading.Lock()
_segmenter: Jieba | None = None


def _jieba() -> Jieba:
    """rjieba's own instance, with the local words added (importing rjieba builds it, so a
    second instance would hold the dictionary twice)."""
    global _segmenter
    if _segmenter is not None:
        return _segmenter
    with _lock:
        if _segmenter is None:
            import rjieba

            for word in LOCAL_WORDS:
                # freq None: rjieba suggests one as jieba's add_word(word) does.
                rjieba.add_word(word, None, None)
            _segmenter = rjieba._DEFAULT_JIEBA
        return _segmenter


def in_process_cut(run: str) -> list[str]:
    """jieba search-mode cut of a run of Chinese characters by this process's rjieba."""
    return _jieba().cut_for_search(run)


# Set in a worker of `serve` with a shared segmenter process (search/segmenter.py).
_shared: SegmenterClient | None = None


def use_shared_segmenter(socket_path: str | None) -> None:
    """Cut through the shared segmenter at `socket_path` from now on (None: in process)."""
    global _shared
    if _shared is not None:
        _shared.close()
    _shared = None if socket_path is None else SegmenterClient(socket_path, in_process_cut)


def _cut(run: str) -> Sequence[str]:
    shared = _shared
    return in_process_cut(run) if shared is None else shared.cut(run)


def warm_up(shared_socket: str | None = None) -> None:
    """Ready the segmenter now (e.g. at server startup): connect to the shared process when
    `shared_socket` is given (CULTURE_CLOUD_SEGMENTER_SOCKET), else load the dictionary and the
    local words into this process."""
    use_shared_segmenter(shared_socket)
    _cut("介休")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _clip(term: str) -> str:
    return term[:MAX_TERM_CHARS]


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, value)`` for normalised text; kind is han, word, join or other."""
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        yield kind, match.group()


_pypinyin: Any = None


def _pinyin(han: str) -> str:
    global _pypinyin
    if _pypinyin is None:
        # Imported here, not at the top: only indexing needs it (see the module docstring).
        import pypinyin

        _pypinyin = pypinyin
    syllables: list[str] = _pypinyin.lazy_pinyin(han, style=_pypinyin.Style.NORMAL, errors="ignore")
    return "".join(syllables)


def _is_stopword(word: str) -> bool:
    return len(word) == 1 and word in STOPWORDS


def _han_words(run: str) -> list[str]:
    """jieba search-mode words of a run of Chinese characters, in order, stopwords removed."""
    words: list[str] = []
    for token in _cut(run):
        word = str(token).strip()
        if not word or _is_stopword(word) or not any(ch.isalnum() for ch in word):
            continue
        words.append(word)
    return words


def han_words(text: str) -> list[str]:
    """The jieba search-mode words of every Chinese run of `text`, without the runs themselves:
    "想看晋剧表演" gives 想, 看, 晋剧, 表演 (a run that is one word, "晋剧", gives itself)."""
    words: list[str] = []
    for kind, value in _tokens(_normalise(text)):
        if kind == "han":
            words.extend(_han_words(value))
    return words


def _document_terms_of(text: str) -> Iterator[str]:
    for kind, value in _tokens(_normalise(text)):
        if kind == "word":
            yield value
        elif kind == "han" and not _is_stopword(value):
            yield value
            yield _pinyin(value)
            for word in _han_words(value):
                yield word
                yield _pinyin(word)


def document_terms(fields: Sequence[tuple[str | None, int]]) -> dict[str, int]:
    """Index terms of a document, each with the highest weight of the fields it appears in.

    ``fields`` are ``(text, weight)`` pairs, e.g. name 10, tags 5, address 2, description 1.
    Chinese runs give the run itself, its jieba search-mode words and the toneless pinyin of
    each ("绵山" -> "mianshan", the whole run "绵山风景名胜区" ->
    "mianshanfengjingmingshengqu"); other text gives its lower-cased alphanumeric words.
    The result is sorted by term.
    """
    terms: dict[str, int] = {}
    for text, weight in fields:
        if not text:
            continue
        for raw in _document_terms_of(text):
            term = _clip(raw)
            if term and (term not in terms or weight > terms[term]):
                terms[term] = weight
    return dict(sorted(terms.items()))


@dataclass(frozen=True)
class QueryTerms:
    """Terms to look up: ``term = e`` for each exact term, ``term LIKE p || '%'`` per prefix."""

    exact: tuple[str, ...]
    prefixes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)


def _query_candidates(text: str) -> Iterator[tuple[bool, str]]:
    """Yield ``(is_prefix, term)`` in priority order (order of appearance in the query)."""
    group: list[str] = []  # latin words separated only by spaces/apostrophes

    def flush() -> Iterator[tuple[bool, str]]:
        if group:
            yield True, "".join(group)
            for word in group:
                if len(word) >= 2:
                    yield False, word
            group.clear()

    for kind, value in _tokens(text):
        if kind == "word":
            group.append(value)
        elif kind == "join":
            continue
        else:
            yield from flush()
            if kind == "han" and not _is_stopword(value):
                yield False, value
                for word in _han_words(value):
                    yield False, word
    yield from flush()


def query_terms(text: str) -> QueryTerms:
    """Terms for a user's query.

    Chinese runs give exact terms: the run itself and its jieba search-mode words.  Latin
    input is taken as pinyin: the words of a phrase typed with spaces or apostrophes between
    them are joined into one prefix term ("Mian Shan" -> prefix "mianshan"), and each word of
    2+ characters is also an exact term.  Exact terms already matched by a prefix term are
    omitted.  At most :data:`MAX_QUERY_TERMS` terms are kept, earliest in the query first;
    both tuples are sorted.
    """
    normalised = _normalise(text[:MAX_QUERY_CHARS])[:MAX_QUERY_CHARS]
    prefixes: list[str] = []
    exact: list[str] = []
    for is_prefix, raw in _query_candidates(normalised):
        if len(prefixes) + len(exact) >= MAX_QUERY_TERMS:
            break
        term = _clip(raw)
        if not term or term in prefixes or term in exact:
            continue
        if is_prefix:
            prefixes.append(term)
            exact = [e for e in exact if not e.startswith(term)]
        elif not any(term.startswith(p) for p in prefixes):
            exact.append(term)
    return QueryTerms(exact=tuple(sorted(exact)), prefixes=tuple(sorted(prefixes)))
