"""What the render cache's key tells apart, its byte bound, and the cached templates' promise
to read nothing the key leaves out (the request, randomness, the CSRF token but verbatim)."""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum

import pytest
from graphql import GraphQLSchema
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, meta, nodes
from markupsafe import Markup

from culture_cloud.web.frontend import SHARED_TEMPLATES as COMMON_TEMPLATES
from culture_cloud.web.render_cache import ENTRY_OVERHEAD_BYTES, RenderCache, Unkeyable, render_key
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import filters
from culture_cloud.web.site.routes import CACHED_TEMPLATES, TEMPLATES


class Kind(Enum):
    SHOW = "SHOW"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ((1, 2), [1, 2]),  # `{{ x }}` prints (1, 2) or [1, 2]
        (Markup("<b>"), "<b>"),  # shown as is, or escaped
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # a loop over it goes in this order
        (True, 1),
        (1.0, 1),
        (float("nan"), None),
        (Kind.SHOW, "SHOW"),
        (FormErrors(), {"fields": {}, "general": []}),  # an empty FormErrors is false
        (FormErrors(fields={"q": "太长"}), FormErrors(fields={"q": "太短"})),
        (date(2026, 12, 5), "2026-12-05"),
    ],
)
def test_key__values_a_template_renders_differently__different_keys(
    one: object, other: object
) -> None:
    assert render_key("page.html", 200, {"x": one}) != render_key("page.html", 200, {"x": other})


def test_key__same_inputs__same_key() -> None:
    def inputs() -> tuple[object, ...]:
        return ("page.html", 200, {"errors": FormErrors(general=["x"]), "kinds": [("A", "甲")]})

    assert render_key(*inputs()) == render_key(*inputs())
    assert render_key("page.html", 200, {}) != render_key("page.html", 400, {})
    assert render_key("page.html", 200, {}) != render_key("other.html", 200, {})


class Clock:
    def __str__(self) -> str:
        return "now"


@pytest.mark.parametrize(
    "value",
    [Clock(), lambda: 1, type("Text", (str,), {})("a"), iter([1]), {"deep": [Clock()]}],
    ids=["object", "function", "str subclass", "iterator", "nested"],
)
def test_key__a_value_of_unknown_kind__unkeyable(value: object) -> None:
    with pytest.raises(Unkeyable):
        render_key("page.html", 200, {"x": value})


def _entry(page: str) -> int:
    return sys.getsizeof(page) + ENTRY_OVERHEAD_BYTES


def test_cache__bound_in_bytes__least_recently_used_out_first() -> None:
    pages = {key: f"<p>{key.decode()}</p>" * 10 for key in (b"a", b"b", b"c")}
    cache = RenderCache(_entry(pages[b"a"]) * 2)
    cache.put(b"a", pages[b"a"])
    cache.put(b"b", pages[b"b"])
    assert cache.get(b"a") == pages[b"a"]  # now b is the least recently used
    cache.put(b"c", pages[b"c"])
    assert cache.get(b"b") is None
    assert cache.get(b"a") == pages[b"a"] and cache.get(b"c") == pages[b"c"]
    assert len(cache) == 2 and cache.size == 2 * _entry(pages[b"a"])


def test_cache__a_page_larger_than_the_bound__not_kept_and_nothing_pushed_out() -> None:
    cache = RenderCache(_entry("<p>x</p>") + 10)
    cache.put(b"small", "<p>x</p>")
    cache.put(b"large", "<p>x</p>" * 100)
    assert cache.get(b"large") is None and cache.get(b"small") == "<p>x</p>"


def test_cache__zero__keeps_nothing() -> None:
    cache = RenderCache(0)
    cache.put(b"a", "<p>a</p>")
    assert cache.get(b"a") is None and len(cache) == 0 and cache.size == 0


# ---- the cached templates read nothing the key leaves out -----------------------------------

# Besides the context: `request` and Starlette's `url_for` are the request's, `lipsum` and
# the `random` filter are random. The clock is read only by the site's filters, whose date is
# in the key (frontend.FrontEnd._cached_page).
NOT_IN_THE_KEY = {"request", "url_for", "lipsum"}
IMPURE_FILTERS = {"random"}


def _environment() -> Environment:
    """The site's loaders and filters (the enum labels do not matter here)."""
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(COMMON_TEMPLATES)])
    )
    filters.install(environment, GraphQLSchema())
    return environment


def _with_what_they_use(environment: Environment, names: set[str]) -> dict[str, nodes.Template]:
    """Each template parsed, with those it extends, includes and imports."""
    parsed: dict[str, nodes.Template] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in parsed:
            continue
        assert environment.loader is not None
        source, _, _ = environment.loader.get_source(environment, name)
        parsed[name] = environment.parse(source)
        for used in meta.find_referenced_templates(parsed[name]):
            assert used is not None, f"{name} picks a template at run time"
            todo.append(used)
    return parsed


def test_cached_templates__read_only_what_the_key_holds() -> None:
    environment = _environment()
    parsed = _with_what_they_use(environment, set(CACHED_TEMPLATES))
    assert "base.html" in parsed and "partials/booking_panel.html" in parsed
    for name, tree in parsed.items():
        assert not meta.find_undeclared_variables(tree) & NOT_IN_THE_KEY, name
        assert not {f.name for f in tree.find_all(nodes.Filter)} & IMPURE_FILTERS, name
        # The token is put in by replacing a placeholder: it must be output as it is.
        verbatim = sum(
            1
            for output in tree.find_all(nodes.Output)
            for node in output.nodes
            if isinstance(node, nodes.Name) and node.name == "csrf_token"
        )
        every = sum(1 for node in tree.find_all(nodes.Name) if node.name == "csrf_token")
        assert every == verbatim, name
