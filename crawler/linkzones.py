"""Where an element sits on a page, for link finding: excluded zones (by
``crawler.zones``), pagination and headlines."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from lxml.html import HtmlElement

from crawler import zones

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def class_names(el: HtmlElement) -> list[str]:
    """The classes of *el*, lowercased, in order."""
    return (el.get("class") or "").lower().split()


def self_and_ancestors(el: HtmlElement) -> Iterator[HtmlElement]:
    """*el* and its ancestors up to, not including, <body>: body classes are
    page-wide flags."""
    node: HtmlElement | None = el
    while node is not None and node.tag not in ("body", "html"):
        yield node
        node = node.getparent()


# The class predicates below are cached: a theme repeats the same class strings on
# every page, and ancestors are walked for every candidate link.


@lru_cache(maxsize=8192)
def _headline_class(value: str) -> bool:
    return any(t == "title" or t.endswith(("-title", "_title")) for t in value.lower().split())


@lru_cache(maxsize=8192)
def class_tokens(value: str) -> frozenset[str]:
    """The set of classes in a class attribute value, lowercased."""
    return frozenset(value.lower().split())


def excluded(el: HtmlElement) -> bool:
    """Whether *el* sits in boilerplate (``crawler.zones.BOILERPLATE``): comments, a
    sidebar or widget, a menu, a share bar, related posts, the site header or footer.
    (Not any <form>: ASP.NET pages wrap the whole page in one.)"""
    return zones.DEFAULT.inside(el, zones.BOILERPLATE)


def in_pagination(el: HtmlElement) -> bool:
    """Whether *el* pages through a paged post, an archive or the comments."""
    kinds = zones.DEFAULT.class_kinds
    for node in self_and_ancestors(el):
        value = node.get("class")
        if not value:
            continue
        if kinds(value) & zones.PAGINATION:
            return True
        if "nav-links" in class_tokens(value) and any(
                "page-numbers" in class_names(d) for d in node.iter()):
            return True
    return False


def in_headline(el: HtmlElement, stop: HtmlElement | None = None) -> bool:
    """Whether *el* is, or is inside, a heading or a *title element (up to *stop*)."""
    for node in self_and_ancestors(el):
        if node is stop:
            return False
        value = node.get("class")
        if node.tag in _HEADINGS or (value and _headline_class(value)):
            return True
    return False
