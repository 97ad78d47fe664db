from __future__ import annotations

from culture_cloud.search.tokenize import (
    MAX_QUERY_TERMS,
    MAX_TERM_CHARS,
    QueryTerms,
    document_terms,
    query_terms,
    warm_up,
)


def _matches(query: QueryTerms, doc: dict[str, int]) -> set[str]:
    """Doc terms the portable SQL would hit: equality or ``LIKE 'p%'``."""
    return {
        term
        for term in doc
        if term in query.exact or any(term.startswith(p) for p in query.prefixes)
    }


def test_warm_up_is_idempotent() -> None:
    warm_up()
    warm_up()


def test_chinese_document_has_words_and_pinyin() -> None:
    terms = document_terms([("绵山风景名胜区", 10)])
    assert "绵山" in terms
    assert "mianshan" in terms
    assert "风景" in terms
    assert "fengjing" in terms
    assert "mianshanfengjingmingshengqu" in terms
    assert any(t.startswith("mianshan") and t != "mianshan" for t in terms)
    assert set(terms.values()) == {10}


def test_pinyin_query_is_prefix() -> None:
    assert "mianshan" in query_terms("mianshan").prefixes
    assert query_terms("mianshan").exact == ()


def test_spaced_and_cased_pinyin_give_same_prefix() -> None:
    joined = query_terms("mianshan")
    assert query_terms("mian shan").prefixes == joined.prefixes
    assert query_terms("MianShan").prefixes == joined.prefixes
    assert query_terms("mian'shan").prefixes == joined.prefixes
    assert query_terms("mian shan").exact == ("mian", "shan")


def test_pinyin_query_matches_chinese_document() -> None:
    doc = document_terms([("绵山风景名胜区", 10)])
    assert "mianshanfengjingmingshengqu" in _matches(query_terms("mian shan feng"), doc)
    assert "mianshan" in _matches(query_terms("mianshan"), doc)


def test_chinese_query_matches_longer_name() -> None:
    query = query_terms("博物馆")
    assert "博物馆" in query.exact
    doc = document_terms([("介休市博物馆", 10)])
    assert "博物馆" in doc
    assert "介休市" in doc
    assert "博物馆" in _matches(query, doc)
    assert "绵山" in _matches(query_terms("绵山"), document_terms([("绵山风景名胜区", 10)]))


def test_local_words_stay_whole() -> None:
    terms = document_terms([("张壁古堡的后土庙和祆神楼", 1)])
    for word in ("张壁古堡", "张壁", "后土庙", "祆神楼"):
        assert word in terms
    assert "的" not in terms
    assert "和" not in terms


def test_weight_keeps_max() -> None:
    terms = document_terms([("介休博物馆", 1), ("博物馆", 10), (None, 99), ("", 99)])
    assert terms["博物馆"] == 10
    assert terms["bowuguan"] == 10
    assert terms["介休"] == 1
    terms = document_terms([("博物馆", 10), ("介休博物馆", 1)])
    assert terms["博物馆"] == 10


def test_punctuation_ignored() -> None:
    terms = document_terms([("《游张壁》", 5)])
    assert "张壁" in terms
    assert "zhangbi" in terms
    assert not any(ch in term for term in terms for ch in "《》")
    assert query_terms("《张壁》").exact == query_terms("张壁").exact


def test_empty_input() -> None:
    assert document_terms([]) == {}
    assert document_terms([(None, 1), ("", 2), ("  ，。", 3)]) == {}
    for text in ("", "   ", "\t\n", "的"):
        query = query_terms(text)
        assert query == QueryTerms(exact=(), prefixes=())
        assert not query


def test_long_input_capped() -> None:
    query = query_terms("a" * 1000)
    assert query.prefixes == ("a" * MAX_TERM_CHARS,)
    many = query_terms(" ".join(f"w{i:02d}x" for i in range(100)) + " 介休市博物馆")
    assert len(many.exact) + len(many.prefixes) <= MAX_QUERY_TERMS
    words = query_terms(",".join(f"w{i:02d}" for i in range(40)))  # 25 fit in 100 chars
    assert len(words.prefixes) == MAX_QUERY_TERMS
    long_doc = document_terms([("x" * 200 + " 绵山" * 100, 1)])
    assert all(len(term) <= MAX_TERM_CHARS for term in long_doc)
    assert "x" * MAX_TERM_CHARS in long_doc


def test_long_pinyin_still_matches_truncated_document_term() -> None:
    text = "介休市绵山风景名胜区张壁古堡后土庙城隍庙五岳庙源神庙祆神楼"
    doc = document_terms([(text, 1)])
    pinyin = "jiexiushimianshanfengjingmingshengquzhangbigubaohoutumiaochenghu"
    assert len(pinyin) == MAX_TERM_CHARS
    assert pinyin in doc
    typed = "jie xiu shi mian shan feng jing ming sheng qu zhang bi gu bao hou tu miao cheng huang"
    assert pinyin in _matches(query_terms(typed), doc)


def test_latin_words_lowercased() -> None:
    terms = document_terms([("Jiexiu Museum, ＣＡＦＥ-2024", 3)])
    assert {"jiexiu", "museum", "cafe", "2024"} <= set(terms)
    assert all(term == term.lower() for term in terms)
    assert query_terms("Jiexiu MUSEUM").exact == ("jiexiu", "museum")


def test_mixed_chinese_and_latin_query() -> None:
    query = query_terms("绵山 mian shan")
    assert "绵山" in query.exact
    assert query.prefixes == ("mianshan",)


def test_deterministic_and_sorted() -> None:
    fields = [("介休市博物馆 Jiexiu", 10), ("寒食清明 介子推 干调秧歌", 5)]
    first = document_terms(fields)
    assert document_terms(fields) == first
    assert list(first) == sorted(first)
    for text in ("介休市博物馆", "mian shan jie xiu", "绵山 mianshan"):
        query = query_terms(text)
        assert query_terms(text) == query
        assert list(query.exact) == sorted(set(query.exact))
        assert list(query.prefixes) == sorted(set(query.prefixes))
